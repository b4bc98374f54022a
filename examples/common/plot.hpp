// Curves to CSV and PNG: the CSV is always written; the PNG needs gnuplot (Debian gnuplot-nox).
#pragma once

#include <string>
#include <vector>

namespace examples {

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
  void add(std::vector<double> row) { rows.push_back(std::move(row)); }
  void write_csv(const std::string& path) const;
};

struct Series {
  std::string column;  // y column of the table
  std::string title;
  bool right_axis = false;
};

// Plots the series against the table's first column. Returns false (and says why on stderr) without gnuplot.
bool plot_png(const std::string& csv_path, const Table& table, const std::vector<Series>& series,
              const std::string& png_path, const std::string& title, const std::string& xlabel,
              const std::string& ylabel, const std::string& y2label = "", bool logscale_y = false,
              const std::string& settings = "");  // extra gnuplot commands, e.g. "set yrange [-5:5]"

// Runs a gnuplot script; false when gnuplot is missing or fails.
bool run_gnuplot(const std::string& script);

}  // namespace examples
