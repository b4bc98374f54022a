// Gradient check ("Deep Learning from Scratch", chapter 5): a two-layer net (784 -> 50 ReLU -> 10,
// softmax cross-entropy) on a few Fashion-MNIST images; every parameter element's gradient by backprop
// against the central difference (L(p + h) - L(p - h)) / 2h, perturbing the parameter in place. Reported per
// parameter as the mean absolute difference, in float64 and float32.
//
//   gradient_check --batch 3 --hidden 50 --out runs/gradient_check
//
// Writes <out>/gradient_check.csv and gradient_check.png (mean difference per parameter, log scale).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <tsumiki.hpp>

#include "common/book.hpp"
#include "common/cli.hpp"

using namespace tsumiki;

namespace {

struct Check {
  std::string name;
  double mean_diff, max_diff, mean_grad;
};

template <class T>
std::vector<Check> check(const data::Dataset& d, std::size_t hidden, double h, std::uint64_t seed) {
  constexpr Dtype dt = dtype_of<T>();
  manual_seed(seed);  // the same initial weights (drawn in float64 or float32) for both runs
  const nn::LinearOptions lo{.init = nn::init::Kind::Normal, .std = 0.01, .dtype = dt};
  nn::Sequential net;
  net.add("fc1", std::make_shared<nn::Linear>(784, hidden, lo));
  net.add("relu", std::make_shared<nn::ReLU>());
  net.add("fc2", std::make_shared<nn::Linear>(hidden, 10, lo));
  const Variable x = constant(d.inputs().to(dt)), t = constant(d.targets());
  auto loss = [&] { return softmax_cross_entropy(net(x), t); };

  net.zero_grad();
  loss().backward();
  std::vector<Check> out;
  for (const auto& [name, p] : net.named_parameters()) {
    const Tensor g = p.grad().data();
    Tensor data = p.data();  // shares the parameter's buffer: writes perturb the model
    T* v = data.data<T>();
    double sum_diff = 0, max_diff = 0, sum_grad = 0;
    NoGradGuard no_grad;
    for (std::size_t i = 0; i < data.numel(); ++i) {
      const T keep = v[i];
      v[i] = static_cast<T>(keep + h);
      const double up = loss().template item<double>();
      v[i] = static_cast<T>(keep - h);
      const double down = loss().template item<double>();
      v[i] = keep;
      const double numeric = (up - down) / (2 * h);
      const double diff = std::abs(numeric - g.flat(i));
      sum_diff += diff;
      max_diff = std::max(max_diff, diff);
      sum_grad += std::abs(g.flat(i));
    }
    const double n = static_cast<double>(data.numel());
    out.push_back({name, sum_diff / n, max_diff, sum_grad / n});
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Backprop against numerical gradients for a two-layer net, float64 and float32"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  std::string data_dir = data::kFashionMnistDir, out = "runs/gradient_check";
  std::size_t batch = 3, hidden = 50;
  double h64 = 1e-4, h32 = 1e-2, bound64 = 1e-6, bound32 = 1e-2;
  std::uint64_t seed = 1;
  app.add_option("--data", data_dir, "folder with the Fashion-MNIST IDX files");
  app.add_option("--batch", batch, "images in the loss")->check(examples::Positive);
  app.add_option("--hidden", hidden, "hidden units")->check(examples::Positive);
  app.add_option("--h64", h64, "finite-difference step in float64");
  app.add_option("--h32", h32, "finite-difference step in float32 (larger: float32 rounding is 1e-7)");
  app.add_option("--bound64", bound64, "largest acceptable mean difference in float64");
  app.add_option("--bound32", bound32, "largest acceptable mean difference in float32");
  app.add_option("--seed", seed, "seed for the weights");
  app.add_option("--out", out, "folder for gradient_check.csv and gradient_check.png");
  CLI11_PARSE(app, argc, argv);

  try {
    const data::Dataset d = examples::load_fashion(data_dir, true, batch);
    std::printf("two-layer net 784 -> %zu (ReLU) -> 10 on %zu Fashion-MNIST images\n", hidden, d.size());
    examples::Table t{{"param", "float64", "float32"}, {}};
    const auto start = std::chrono::steady_clock::now();
    const auto r64 = check<double>(d, hidden, h64, seed);
    const auto r32 = check<float>(d, hidden, h32, seed);
    for (auto [label, r, h, bound] :
         {std::tuple{"float64", &r64, h64, bound64}, std::tuple{"float32", &r32, h32, bound32}}) {
      double worst = 0;
      for (const Check& c : *r) {
        std::printf("%s  h %-6g %-6s mean |backprop - numerical| %.3e  max %.3e  (mean |grad| %.3e)\n", label,
                    h, c.name.c_str(), c.mean_diff, c.max_diff, c.mean_grad);
        worst = std::max(worst, c.mean_diff);
      }
      std::printf("%s largest mean difference %.3e, bound %.0e: %s\n", label, worst, bound,
                  worst < bound ? "ok" : "TOO LARGE");
    }
    for (std::size_t i = 0; i < r64.size(); ++i) t.add({double(i), r64[i].mean_diff, r32[i].mean_diff});
    std::printf("checked %zu parameters twice in %.1f s\n", r64.size(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());

    std::filesystem::create_directories(out);
    std::string xt;
    for (std::size_t i = 0; i < r64.size(); ++i)
      xt += (i ? ", '" : "'") + r64[i].name + "' " + std::to_string(i);
    const std::string csv = out + "/gradient_check.csv";
    std::string s =
        "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.8\n"
        "set logscale y\nset format y '1e%T'\nset grid ytics\nset key top left\nset yrange [1e-14:1]\n"
        "set xtics (" +
        xt +
        ")\nset ylabel 'mean |backprop - numerical|'\n"
        "set title 'Gradient check of a two-layer net: backprop vs central differences'\n"
        "plot '" +
        csv + "' using 2 skip 1 title 'float64 (h " + examples::fmt("%g", h64) +
        ")', '' using 3 skip 1 title 'float32 (h " + examples::fmt("%g", h32) + ")'\n";
    examples::write_plot(t, csv, out + "/gradient_check.png", s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gradient_check: %s\n", e.what());
    return 1;
  }
  return 0;
}
