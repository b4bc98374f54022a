// Newton's method against gradient descent on f(x) = x^4 - 2x^2 (minima at x = +-1).
// Newton needs f''(x), which Tsumiki gets by differentiating the gradient's graph (create_graph).
// Writes newton.csv and newton.png (x per iteration for both methods) into --out.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <tsumiki.hpp>

#include "common/plot.hpp"

using namespace tsumiki;

namespace {
Variable f(const Variable& x) { return pow(x, 4.0) - 2.0 * square(x); }
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Newton's method vs gradient descent on x^4 - 2x^2"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  double x0 = 2.0, lr = 0.01, tol = 1e-10;
  int max_iter = 1000;
  std::string out = "runs/newton";
  app.add_option("--x0", x0, "starting point");
  app.add_option("--lr", lr, "gradient descent step size");
  app.add_option("--tol", tol, "stop when |x - x_prev| < tol");
  app.add_option("--max-iter", max_iter, "iteration limit for both methods");
  app.add_option("--out", out, "folder for newton.csv and newton.png");
  CLI11_PARSE(app, argc, argv);

  std::vector<double> newton{x0}, descent{x0};
  // Newton: x <- x - f'(x) / f''(x), both derivatives by autograd.
  for (int i = 0; i < max_iter; ++i) {
    Variable x(scalar_tensor(newton.back(), Dtype::Float64), true);
    const Variable g = grad(f(x), x, {.create_graph = true});
    const Variable h = grad(g, x);
    newton.push_back(newton.back() - g.item<double>() / h.item<double>());
    if (std::abs(newton.back() - newton[newton.size() - 2]) < tol) break;
  }
  // Gradient descent: x <- x - lr f'(x).
  for (int i = 0; i < max_iter; ++i) {
    Variable x(scalar_tensor(descent.back(), Dtype::Float64), true);
    const Variable g = grad(f(x), x);
    descent.push_back(descent.back() - lr * g.item<double>());
    if (std::abs(descent.back() - descent[descent.size() - 2]) < tol) break;
  }

  for (std::size_t i = 0; i < newton.size(); ++i) std::printf("newton %2zu  x = %.12f\n", i, newton[i]);
  std::printf("newton_iterations %zu  x %.12f\n", newton.size() - 1, newton.back());
  std::printf("gradient_descent_iterations %zu  x %.12f (lr %g)\n", descent.size() - 1, descent.back(), lr);

  std::filesystem::create_directories(out);
  examples::Table t{{"iteration", "newton", "gradient_descent"}, {}};
  for (std::size_t i = 0; i < std::max(newton.size(), descent.size()); ++i)
    t.add({static_cast<double>(i), newton[std::min(i, newton.size() - 1)],
           descent[std::min(i, descent.size() - 1)]});
  const std::string csv = out + "/newton.csv";
  t.write_csv(csv);
  examples::plot_png(csv, t, {{"newton", "Newton"}, {"gradient_descent", "gradient descent"}},
                     out + "/newton.png", "x^4 - 2x^2 from x0 = " + std::to_string(x0), "iteration", "x");
  return 0;
}
