// The graphs that compute tanh's higher derivatives: differentiating with create_graph records the backward
// pass, so the k-th derivative is a graph of ops that can be differentiated again (DeZero step 35). Prints
// the size of each graph and draws one of them with to_dot / render_dot (Graphviz).
//
//   tanh_graph --order 6 --draw 3 --out runs/tanh_graph
//
// Writes tanh_graph_sizes.csv/.png (ops per order) and tanh_d<draw>_graph.dot/.png.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tsumiki.hpp>

#include "common/book.hpp"

using namespace tsumiki;

namespace {

// Counts the functions and variables below `root` by walking creators and their inputs.
std::pair<std::size_t, std::size_t> graph_size(const Variable& root) {
  std::set<const Function*> fns;
  std::set<const void*> vars{root.impl()};
  std::vector<std::shared_ptr<Function>> todo;
  if (root.creator()) todo.push_back(root.creator());
  while (!todo.empty()) {
    const std::shared_ptr<Function> f = todo.back();
    todo.pop_back();
    if (!fns.insert(f.get()).second) continue;
    for (std::size_t i = 0; i < f->num_inputs(); ++i) {
      const Variable& in = f->input(i);
      vars.insert(in.impl());
      if (in.creator()) todo.push_back(in.creator());
    }
  }
  return {fns.size(), vars.size()};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Graphs of tanh's higher derivatives, drawn with Graphviz"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  int order = 6, draw = 3;
  double at = 1.0;
  std::string out = "runs/tanh_graph";
  app.add_option("--order", order, "highest derivative")->check(CLI::Range(1, 10));
  app.add_option("--draw", draw, "derivative whose graph is drawn (0: tanh itself)")
      ->check(CLI::Range(0, 10));
  app.add_option("--x", at, "point of evaluation");
  app.add_option("--out", out, "folder for the CSV, DOT and PNGs");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(out);
  draw = std::min(draw, order);

  Variable x(scalar_tensor(at, Dtype::Float64), true);
  x.name("x");
  std::vector<Variable> d{tanh(x)};
  for (int k = 1; k <= order; ++k) d.push_back(grad(d.back(), x, {.create_graph = true}));

  // Closed forms in y = tanh(x): y' = 1 - y^2, y'' = -2 y y', y''' = -2 (y'^2 + y y'').
  const double y = std::tanh(at), d1 = 1 - y * y, d2 = -2 * y * d1, d3 = -2 * (d1 * d1 + y * d2);
  const double exact[4] = {y, d1, d2, d3};
  examples::Table t{{"order", "functions", "variables"}, {}};
  for (int k = 0; k <= order; ++k) {
    const auto [fns, vars] = graph_size(d[k]);
    std::printf("order %d  value %+.9f", k, d[k].item<double>());
    if (k <= 3) std::printf(" (closed form %+.9f)", exact[k]);
    std::printf("  graph: %zu functions, %zu variables\n", fns, vars);
    t.add({double(k), double(fns), double(vars)});
  }
  const std::string csv = out + "/tanh_graph_sizes.csv";
  std::string s =
      "set grid\nset logscale y\nset key top left\nset xlabel 'order of the derivative'\n"
      "set ylabel 'nodes in its graph'\nset title 'Graphs of tanh derivatives at x = " +
      examples::fmt("%g", at) + " (create_graph)'\nplot '" + csv +
      "' using 1:2 skip 1 with linespoints lw 2 pt 7 title 'functions', '' using 1:3 skip 1 with "
      "linespoints lw 2 pt 5 title 'variables'\n";
  examples::write_plot(t, csv, out + "/tanh_graph_sizes.png", s);

  d[draw].name(draw == 0 ? "tanh(x)" : "d" + std::to_string(draw) + " tanh / dx" + std::to_string(draw));
  const std::string dot = to_dot(
      d[draw],
      {.show_sites = false,
       .title = draw == 0 ? "tanh(x)" : "graph of the derivative of tanh of order " + std::to_string(draw)});
  const std::string base = out + "/tanh_d" + std::to_string(draw) + "_graph";
  std::ofstream(base + ".dot") << dot;
  try {
    render_dot(dot, base + ".png");
    std::printf("wrote %s.dot and %s.png\n", base.c_str(), base.c_str());
  } catch (const IOError& e) {
    std::printf("wrote %s.dot; no PNG: %s\n", base.c_str(), e.what());
  }
  return 0;
}
