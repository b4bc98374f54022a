#include "image.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "plot.hpp"

namespace examples {

bool write_filters_png(const tsumiki::Tensor& W, const std::string& png_path, const std::string& title) {
  if (W.ndim() != 4)
    throw std::runtime_error("write_filters_png: expected (OC, C, KH, KW), got " + to_string(W.shape()));
  const std::size_t oc = W.shape()[0], c = W.shape()[1], kh = W.shape()[2], kw = W.shape()[3];
  const std::size_t tile_w = c * kw + (c - 1);  // input channels side by side, one pixel apart
  const std::size_t cols = std::min<std::size_t>(oc, 10), rows = (oc + cols - 1) / cols;
  const std::size_t width = cols * (tile_w + 1) + 1, height = rows * (kh + 1) + 1;
  std::vector<double> img(width * height, NAN);  // NaN: the gaps, drawn in the background colour
  const tsumiki::Tensor w = W.to(tsumiki::Dtype::Float64);
  const double* p = w.data<double>();
  for (std::size_t o = 0; o < oc; ++o) {
    const double* f = p + o * c * kh * kw;
    const auto [lo, hi] = std::minmax_element(f, f + c * kh * kw);
    const double span = *hi - *lo > 0 ? *hi - *lo : 1;
    const std::size_t x0 = (o % cols) * (tile_w + 1) + 1, y0 = (o / cols) * (kh + 1) + 1;
    for (std::size_t ch = 0; ch < c; ++ch)
      for (std::size_t i = 0; i < kh; ++i)
        for (std::size_t j = 0; j < kw; ++j)
          img[(y0 + i) * width + x0 + ch * (kw + 1) + j] = (f[(ch * kh + i) * kw + j] - *lo) / span;
  }
  const std::string data = png_path + ".txt";
  {
    std::ofstream out(data);
    if (!out) throw std::runtime_error("cannot write " + data);
    for (std::size_t y = 0; y < height; ++y) {
      for (std::size_t x = 0; x < width; ++x) {
        const double v = img[y * width + x];
        out << (x ? " " : "") << (std::isnan(v) ? std::string("NaN") : std::to_string(v));
      }
      out << "\n";
    }
  }
  const std::size_t scale = 24;  // screen pixels per filter pixel
  std::string s = "set terminal pngcairo size " + std::to_string(width * scale) + "," +
                  std::to_string(height * scale + 40) + " noenhanced\nset output '" + png_path + "'\n";
  s += "set title '" + title + "'\nunset key\nunset colorbox\nunset tics\nunset border\n";
  s += "set palette gray\nset cbrange [0:1]\nset yrange [] reverse\nset size ratio -1\n";
  s += "set object 1 rectangle from screen 0,0 to screen 1,1 fillcolor rgb '#3060a0' behind\n";
  s += "set datafile missing 'NaN'\n";
  s += "plot '" + data + "' matrix with image\n";
  const bool ok = run_gnuplot(s);
  std::remove(data.c_str());  // gnuplot's input, not a result
  return ok;
}

}  // namespace examples
