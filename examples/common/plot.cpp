#include "plot.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace examples {

void Table::write_csv(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  for (std::size_t c = 0; c < columns.size(); ++c) out << (c ? "," : "") << columns[c];
  out << "\n";
  out.precision(8);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << row[c];
    out << "\n";
  }
  if (!out) throw std::runtime_error("error while writing " + path);
}

bool run_gnuplot(const std::string& script) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
    std::fprintf(stderr, "gnuplot not found: skipping the PNG (apt-get install gnuplot-nox)\n");
    return false;
  }
  FILE* p = popen("gnuplot", "w");
  if (!p) return false;
  std::fputs(script.c_str(), p);
  return pclose(p) == 0;
}

bool plot_png(const std::string& csv_path, const Table& table, const std::vector<Series>& series,
              const std::string& png_path, const std::string& title, const std::string& xlabel,
              const std::string& ylabel, const std::string& y2label, bool logscale_y) {
  auto column = [&](const std::string& name) {
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (table.columns[c] == name) return c + 1;
    throw std::runtime_error("plot: no column " + name);
  };
  std::string s = "set terminal pngcairo size 900,560 noenhanced\nset output '" + png_path + "'\n";
  s += "set datafile separator ','\nset key outside bottom center horizontal\nset grid\n";
  s += "set title '" + title + "'\nset xlabel '" + xlabel + "'\nset ylabel '" + ylabel + "'\n";
  if (logscale_y) s += "set logscale y\n";
  if (!y2label.empty()) s += "set y2label '" + y2label + "'\nset y2tics\nset ytics nomirror\n";
  s += "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    s += (i ? ", " : "") + std::string("'") + csv_path +
         "' using 1:" + std::to_string(column(series[i].column)) + " skip 1 with linespoints title '" +
         series[i].title + "'" + (series[i].right_axis ? " axes x1y2" : "");
  }
  return run_gnuplot(s + "\n");
}

}  // namespace examples
