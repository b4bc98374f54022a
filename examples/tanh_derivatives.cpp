// tanh and its derivatives up to the 6th order, each obtained by differentiating the previous gradient's
// graph (the classic DeZero figure). Writes tanh_derivatives.csv and .png into --out.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <tsumiki.hpp>

#include "common/plot.hpp"

using namespace tsumiki;

int main(int argc, char** argv) {
  CLI::App app{"Higher derivatives of tanh"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  int order = 6, points = 201;
  std::string out = "runs/tanh";
  app.add_option("--order", order, "highest derivative")->check(CLI::Range(1, 12));
  app.add_option("--points", points, "samples on [-7, 7]")->check(CLI::Range(2, 100000));
  app.add_option("--out", out, "folder for the CSV and PNG");
  CLI11_PARSE(app, argc, argv);

  Variable x(linspace(-7, 7, static_cast<std::size_t>(points), Dtype::Float64), true);
  std::vector<Tensor> curves{tanh(x).data()};
  Variable y = tanh(x);
  for (int k = 1; k <= order; ++k) {
    // Elements are independent, so the gradient of sum(y) is the elementwise derivative.
    y = grad(sum(y), x, {.create_graph = true});
    curves.push_back(y.data());
  }
  std::printf("graph of the %d-th derivative: %d ops deep\n", order, y.generation());

  std::filesystem::create_directories(out);
  examples::Table t{{"x", "y"}, {}};
  std::vector<examples::Series> series{{"y", "tanh"}};
  for (int k = 1; k <= order; ++k) {
    t.columns.push_back("d" + std::to_string(k));
    series.push_back({"d" + std::to_string(k), "order " + std::to_string(k)});
  }
  for (std::size_t i = 0; i < x.numel(); ++i) {
    std::vector<double> row{x.data().flat(i)};
    for (const auto& c : curves) row.push_back(c.flat(i));
    t.add(row);
  }
  const std::size_t mid = x.numel() / 2;
  for (int k = 0; k <= order; ++k)
    std::printf("order %d at x = %.3f: %.6f\n", k, x.data().flat(mid), curves[k].flat(mid));
  const std::string csv = out + "/tanh_derivatives.csv";
  t.write_csv(csv);
  const std::string png = out + "/tanh_derivatives.png";
  // Order 5 reaches 16 at 0 and order 6 more: without a clipped y range they flatten orders 0-4.
  if (examples::plot_png(csv, t, series, png, "tanh and its derivatives (y clipped to [-5, 5])", "x", "y", "",
                         false, "set yrange [-5:5]"))
    std::printf("wrote %s and %s\n", csv.c_str(), png.c_str());
  else
    std::printf("wrote %s\n", csv.c_str());
  return 0;
}
