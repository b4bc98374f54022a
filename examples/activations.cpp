// Activation functions ("Deep Learning from Scratch", chapter 3): step, sigmoid, tanh and ReLU with their
// derivatives, each derivative computed by autograd (grad of sum(f(x)), elementwise); then softmax on
// [1010, 1000, 990], where exp overflows in the naive form and the stable form (maximum subtracted) does not.
//
//   activations --points 201 --out runs/activations
//
// Writes <out>/activations.csv and activations.png (four panels: function and derivative).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <tsumiki.hpp>

#include "common/book.hpp"

using namespace tsumiki;

int main(int argc, char** argv) {
  CLI::App app{"Activation functions and their autograd derivatives; naive vs stable softmax"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  int points = 201;
  std::string out = "runs/activations";
  app.add_option("--points", points, "samples on [-5, 5]")->check(CLI::Range(3, 1000000));
  app.add_option("--out", out, "folder for activations.csv and activations.png");
  CLI11_PARSE(app, argc, argv);

  const Variable x(linspace(-5, 5, static_cast<std::size_t>(points), Dtype::Float64), true);
  struct Act {
    const char* name;
    std::function<Variable(const Variable&)> f;
  };
  const std::vector<Act> acts{
      {"step", [](const Variable& v) { return greater(v, scalar_like(0, v)); }},
      {"sigmoid", [](const Variable& v) { return sigmoid(v); }},
      {"tanh", [](const Variable& v) { return tanh(v); }},
      {"relu", [](const Variable& v) { return relu(v); }},
  };
  examples::Table t{{"x"}, {}};
  std::vector<Tensor> cols;
  for (const Act& a : acts) {
    const Variable y = a.f(x);
    Tensor dy;
    if (y.requires_grad()) {
      dy = grad(sum(y), x).data();  // elements are independent: d sum(y) / dx_i = f'(x_i)
    } else {
      // A comparison records no graph: autograd has nothing to differentiate. The step's derivative is 0
      // everywhere except at 0, where it does not exist; that is why networks do not use it.
      dy = zeros(x.shape(), Dtype::Float64);
      std::printf("step: not differentiable (a comparison records no graph); derivative 0 away from x = 0\n");
    }
    cols.push_back(y.data());
    cols.push_back(dy);
    t.columns.push_back(a.name);
    t.columns.push_back(std::string("d_") + a.name);
  }
  // Values at a few points, each derivative against its closed form.
  for (double at : {-1.0, 0.0, 1.0}) {
    const Variable v(scalar_tensor(at, Dtype::Float64), true);
    const double s = 1 / (1 + std::exp(-at)), th = std::tanh(at);
    const double d_sig = grad(sigmoid(v), v).item<double>(), d_tanh = grad(tanh(v), v).item<double>();
    const double d_relu = grad(relu(v), v).item<double>();  // at 0 the subgradient 0
    std::printf(
        "x = %+.1f  sigmoid %.6f  d_sigmoid %.6f (exact %.6f)  tanh %+.6f  d_tanh %.6f (exact %.6f)  "
        "relu %.1f  d_relu %.1f\n",
        at, s, d_sig, s * (1 - s), th, d_tanh, 1 - th * th, std::max(at, 0.0), d_relu);
  }
  for (std::size_t i = 0; i < x.numel(); ++i) {
    std::vector<double> row{x.data().flat(i)};
    for (const Tensor& c : cols) row.push_back(c.flat(i));
    t.add(row);
  }

  // ---- softmax on large logits ----
  const Variable a = constant(from_vector<double>({1010, 1000, 990}));
  const Variable e = exp(a);
  const Variable naive = e / sum(e);   // exp(1010) = inf in float64; inf / inf = nan
  const Variable stable = softmax(a);  // exp(a - max(a)) / sum(exp(a - max(a)))
  std::printf("softmax of [1010, 1000, 990]\n");
  std::printf("exp(a):          %g %g %g\n", e.data().flat(0), e.data().flat(1), e.data().flat(2));
  std::printf("naive softmax:   %g %g %g\n", naive.data().flat(0), naive.data().flat(1),
              naive.data().flat(2));
  std::printf("stable softmax:  %.7f %.6g %.6g  (sum %.6f)\n", stable.data().flat(0), stable.data().flat(1),
              stable.data().flat(2), sum(stable).item<double>());
  bool finite = true;
  for (std::size_t i = 0; i < 3; ++i) finite = finite && std::isfinite(stable.data().flat(i));
  std::printf("stable softmax finite: %s\n", finite ? "yes" : "no");

  std::filesystem::create_directories(out);
  const std::string csv = out + "/activations.csv", png = out + "/activations.png";
  std::string s =
      "set multiplot layout 2,2 title 'Activations (solid) and their derivatives by autograd (dashed)'\n"
      "set grid\nset key top left\nset xrange [-5:5]\nset xlabel 'x'\n";
  for (const Act& act : acts) {
    const std::string n = act.name;
    s += "set title '" + n + "'\n";
    s += n == "relu" ? "set yrange [-0.5:5]\n"
                     : (n == "tanh" ? "set yrange [-1.2:1.2]\n" : "set yrange [-0.1:1.1]\n");
    s += "plot '" + csv + "' using 1:" + std::to_string(examples::column(t, n)) +
         " skip 1 with lines lw 2 title '" + n +
         "', '' using 1:" + std::to_string(examples::column(t, "d_" + n)) +
         " skip 1 with lines lw 2 dt 2 title 'd " + n + " / dx'\n";
  }
  s += "unset multiplot\n";
  examples::write_plot(t, csv, png, s, 1000, 800);
  return 0;
}
