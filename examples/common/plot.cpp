#include "plot.hpp"

#include <algorithm>
#include <cmath>
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
              const std::string& ylabel, const std::string& y2label, bool logscale_y,
              const std::string& settings) {
  auto column = [&](const std::string& name) {
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (table.columns[c] == name) return c + 1;
    throw std::runtime_error("plot: no column " + name);
  };
  std::string s = "set terminal pngcairo size 900,560 noenhanced\nset output '" + png_path + "'\n";
  s += "set datafile separator ','\nset key outside bottom center horizontal\nset grid\n";
  s += "set title '" + title + "'\nset xlabel '" + xlabel + "'\nset ylabel '" + ylabel + "'\n";
  if (logscale_y) s += "set logscale y\n";
  // One row (a 1-epoch run): gnuplot would warn of an empty x range and draw a 0.99-1.01 axis.
  if (!table.rows.empty()) {
    double lo = table.rows.front()[0], hi = lo;
    for (const auto& r : table.rows) lo = std::min(lo, r[0]), hi = std::max(hi, r[0]);
    if (lo == hi) s += "set xrange [" + std::to_string(lo - 1) + ":" + std::to_string(hi + 1) + "]\n";
    // The same for a y axis whose series hold one value each time.
    for (const bool right : {false, true}) {
      double ylo = 0, yhi = 0;
      bool any = false;
      for (const auto& sr : series) {
        if (sr.right_axis != right) continue;
        for (const auto& r : table.rows) {
          const double v = r[column(sr.column) - 1];
          if (!std::isfinite(v)) continue;
          ylo = any ? std::min(ylo, v) : v;
          yhi = any ? std::max(yhi, v) : v;
          any = true;
        }
      }
      if (any && ylo == yhi && !logscale_y) {
        const double pad = std::abs(ylo) * 0.1 + 0.1;
        s += std::string(right ? "set y2range [" : "set yrange [") + std::to_string(ylo - pad) + ":" +
             std::to_string(yhi + pad) + "]\n";
      }
    }
  }
  if (!y2label.empty()) s += "set y2label '" + y2label + "'\nset y2tics\nset ytics nomirror\n";
  s += settings + (settings.empty() || settings.back() == '\n' ? "" : "\n");
  s += "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    s += (i ? ", " : "") + std::string("'") + csv_path +
         "' using 1:" + std::to_string(column(series[i].column)) + " skip 1 with linespoints title '" +
         series[i].title + "'" + (series[i].right_axis ? " axes x1y2" : "");
  }
  return run_gnuplot(s + "\n");
}

}  // namespace examples
