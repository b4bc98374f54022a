// Numerical differentiation ("Deep Learning from Scratch", chapter 4), written with Tsumiki tensors and ops
// but no autograd, compared with autograd's exact derivative:
//  1. forward difference (f(x+h) - f(x)) / h against central difference (f(x+h) - f(x-h)) / 2h as h shrinks,
//     for f(x) = exp(sin(x)) at x = 1: truncation error falls as h (forward) or h^2 (central) until rounding
//     error, which grows as 1/h, takes over;
//  2. the numerical gradient field of f(x0, x1) = x0^2 + x1^2 (the book's arrows point along -grad);
//  3. gradient descent with that numerical gradient from (-3, 4) for a good, a too-large and a too-small
//     learning rate.
//
//   numerical_diff --steps 100 --out runs/numerical_diff
//
// Writes numerical_diff_error.csv/.png (log-log), gradient_field.csv, gradient_paths.csv and
// gradient_descent.png (field and paths).
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <tsumiki.hpp>

#include "common/book.hpp"
#include "common/cli.hpp"

using namespace tsumiki;

namespace {

Variable f1(const Variable& x) { return exp(sin(x)); }

// f(x0, x1) = x0^2 + x1^2 for each row of x (N, 2).
Variable f2(const Variable& x) { return sum(square(x), {1}); }

// The book's numerical_gradient, over a batch of points: column i of the result is
// (f(x + h e_i) - f(x - h e_i)) / 2h, every row at once.
Tensor numerical_gradient(const Variable& x, double h = 1e-4) {
  NoGradGuard no_grad;
  std::vector<Variable> cols;
  for (std::size_t i = 0; i < x.shape()[1]; ++i) {
    std::vector<double> e(x.shape()[1], 0.0);
    e[i] = h;
    const Variable step = constant(from_vector<double>(e));
    cols.push_back((f2(x + step) - f2(x - step)) / (2 * h));
  }
  return stack(cols, 1).data();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Forward vs central differences; numerical gradients and gradient descent"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  int steps = 100;
  double x_at = 1.0, lr_good = 0.1, lr_large = 1.05, lr_small = 0.001;
  std::string out = "runs/numerical_diff";
  app.add_option("--x", x_at, "point where f(x) = exp(sin(x)) is differentiated");
  app.add_option("--steps", steps, "gradient descent steps")->check(examples::Positive);
  app.add_option("--lr-good", lr_good, "a learning rate that converges");
  app.add_option("--lr-large", lr_large, "a learning rate that overshoots (diverges above 1)");
  app.add_option("--lr-small", lr_small, "a learning rate that barely moves");
  app.add_option("--out", out, "folder for the CSVs and PNGs");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(out);

  // ---- 1. error against h ----
  const Variable x(scalar_tensor(x_at, Dtype::Float64), true);
  const double exact = grad(f1(x), x).item<double>();  // autograd: exp(sin x) cos x
  std::vector<double> hs;
  for (int k = 0; k <= 32; ++k) hs.push_back(std::pow(10.0, -k / 2.0));  // 1 ... 1e-16
  Tensor fwd, ctr;
  {
    NoGradGuard no_grad;
    const Variable h = constant(from_vector<double>(hs));
    const Variable x0 = constant(scalar_tensor(x_at, Dtype::Float64));
    fwd = ((f1(x0 + h) - f1(x0)) / h).data();
    ctr = ((f1(x0 + h) - f1(x0 - h)) / (2.0 * h)).data();
  }
  std::printf("f(x) = exp(sin(x)) at x = %g; autograd derivative %.15f\n", x_at, exact);
  std::printf("%-8s %-22s %-22s\n", "h", "forward error", "central error");
  examples::Table err{{"h", "forward_error", "central_error"}, {}};
  double best_f = 1e300, best_c = 1e300, best_fh = 0, best_ch = 0;
  for (std::size_t i = 0; i < hs.size(); ++i) {
    // An error of exactly 0 (rounding luck) cannot sit on a log axis: floor it at 1e-17.
    const double ef = std::max(std::abs(fwd.flat(i) - exact), 1e-17);
    const double ec = std::max(std::abs(ctr.flat(i) - exact), 1e-17);
    err.add({hs[i], ef, ec});
    if (i % 2 == 0) std::printf("%-8.0e %-22.3e %-22.3e\n", hs[i], ef, ec);
    if (ef < best_f) best_f = ef, best_fh = hs[i];
    if (ec < best_c) best_c = ec, best_ch = hs[i];
    if (hs[i] == 1e-4)
      std::printf("at h = 1e-04: forward error %.3e, central error %.3e, central more accurate: %s\n", ef, ec,
                  ec < ef ? "yes" : "no");
  }
  std::printf("smallest forward error %.1e at h = %.0e; smallest central error %.1e at h = %.0e\n", best_f,
              best_fh, best_c, best_ch);
  std::string s =
      "set logscale xy\nset format x '1e%T'\nset format y '1e%T'\nset grid\nset key top center\n"
      "set title 'Derivative of exp(sin(x)) at x = " +
      examples::fmt("%g", x_at) +
      ": error against the autograd value'\nset xlabel 'h'\nset ylabel '|numerical - exact|'\n"
      "plot '" +
      out +
      "/numerical_diff_error.csv' using 1:2 skip 1 with linespoints lw 2 title "
      "'forward (f(x+h) - f(x)) / h', '' using 1:3 skip 1 with linespoints lw 2 title "
      "'central (f(x+h) - f(x-h)) / 2h'\n";
  examples::write_plot(err, out + "/numerical_diff_error.csv", out + "/numerical_diff_error.png", s);

  // ---- 2. gradient field of x0^2 + x1^2 ----
  std::vector<double> pts;
  for (double a = -2; a <= 2.001; a += 0.25)
    for (double b = -2; b <= 2.001; b += 0.25) pts.push_back(a), pts.push_back(b);
  const Variable grid(from_vector<double>(pts, {pts.size() / 2, 2}), true);
  const Tensor num = numerical_gradient(grid);
  const Tensor exact_g = grad(sum(f2(grid)), grid).data();  // 2 x
  double max_diff = 0;
  for (std::size_t i = 0; i < num.numel(); ++i)
    max_diff = std::max(max_diff, std::abs(num.flat(i) - exact_g.flat(i)));
  std::printf("gradient field of x0^2 + x1^2 on %zu points: max |numerical - autograd| = %.2e\n",
              pts.size() / 2, max_diff);
  examples::Table field{{"x0", "x1", "grad0", "grad1"}, {}};
  for (std::size_t r = 0; r < pts.size() / 2; ++r)
    field.add({pts[2 * r], pts[2 * r + 1], num.flat(2 * r), num.flat(2 * r + 1)});
  field.write_csv(out + "/gradient_field.csv");

  // ---- 3. gradient descent with the numerical gradient ----
  examples::Table paths{{"step", "good_x0", "good_x1", "large_x0", "large_x1", "small_x0", "small_x1"}, {}};
  std::vector<std::vector<double>> traj;
  for (double lr : {lr_good, lr_large, lr_small}) {
    Variable p = constant(from_vector<double>({-3.0, 4.0}, {1, 2}));
    std::vector<double> xs{-3, 4};
    for (int i = 0; i < steps; ++i) {
      const Tensor g = numerical_gradient(p);
      NoGradGuard no_grad;
      p = p - lr * constant(g);
      xs.push_back(p.data().flat(0));
      xs.push_back(p.data().flat(1));
    }
    const double fx = xs[xs.size() - 2] * xs[xs.size() - 2] + xs.back() * xs.back();
    std::printf("gradient descent lr %-6g after %d steps: x = (%.4g, %.4g)  f = %.4g (start 25): %s\n", lr,
                steps, xs[xs.size() - 2], xs.back(), fx,
                fx < 1e-6 ? "converged" : (fx > 25 ? "diverged" : "still far from the minimum"));
    traj.push_back(xs);
  }
  for (int i = 0; i <= steps; ++i) {
    std::vector<double> row{double(i)};
    for (const auto& xs : traj) row.push_back(xs[2 * i]), row.push_back(xs[2 * i + 1]);
    paths.add(row);
  }
  const std::string fcsv = out + "/gradient_field.csv", pcsv = out + "/gradient_paths.csv";
  const std::string lr_titles[3] = {"lr " + examples::fmt("%g", lr_good) + " (good)",
                                    "lr " + examples::fmt("%g", lr_large) + " (too large)",
                                    "lr " + examples::fmt("%g", lr_small) + " (too small)"};
  std::string g =
      "set multiplot layout 1,3\nset grid\nset size ratio -1\n"
      "set title 'Numerical gradient of x0^2 + x1^2 (arrows: -grad)'\nset xrange [-2.3:2.3]\n"
      "set yrange [-2.3:2.3]\nset xlabel 'x0'\nset ylabel 'x1'\n"
      "plot '" +
      fcsv +
      "' using 1:2:(-0.04*$3):(-0.04*$4) skip 1 with vectors head filled "
      "size 0.05,20 lc 'royalblue' notitle\n";
  g += "set title 'Gradient descent from (-3, 4)'\nset xrange [-6:6]\nset yrange [-6:6]\nset parametric\n"
       "set trange [0:2*pi]\nset key top right\n";
  g += "plot for [r=1:5] r*cos(t), r*sin(t) lc 'grey' notitle, '" + pcsv +
       "' using 4:5 skip 1 with linespoints "
       "pt 7 ps 0.6 lc 'red' title '" +
       lr_titles[1] +
       "', '' using 2:3 skip 1 with linespoints pt 7 ps 0.6 lc "
       "'blue' title '" +
       lr_titles[0] + "', '' using 6:7 skip 1 with linespoints pt 7 ps 0.6 lc 'black' title '" +
       lr_titles[2] + "'\n";
  g += "unset parametric\nset size noratio\nset title 'Distance to the minimum'\nset xrange [0:*]\n"
       "set yrange [*:*]\nset logscale y\nset format y '1e%T'\nset xlabel 'step'\nset ylabel '|x|'\n"
       "set key bottom left\nplot '" +
       pcsv +
       "' using 1:(sqrt($4**2+$5**2)) skip 1 with lines lw 2 lc 'red' "
       "title '" +
       lr_titles[1] + "', '' using 1:(sqrt($2**2+$3**2)) skip 1 with lines lw 2 lc 'blue' title '" +
       lr_titles[0] + "', '' using 1:(sqrt($6**2+$7**2)) skip 1 with lines lw 2 lc 'black' title '" +
       lr_titles[2] + "'\nunset multiplot\n";
  examples::write_plot(paths, pcsv, out + "/gradient_descent.png", g, 1650, 560);
  return 0;
}
