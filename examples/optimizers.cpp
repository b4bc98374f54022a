// Optimizers ("Deep Learning from Scratch", chapter 6.1): SGD, Momentum, Nesterov, AdaGrad, RMSProp, AdaDelta
// and Adam on f(x, y) = x^2 / 20 + y^2 from (-7, 2), a valley 20 times steeper across than along; then the
// same optimizers training one 5-layer net on Fashion-MNIST (the book's optimizer_compare_mnist).
//
//   optimizers --steps 1000 --path-steps 30 --mnist-steps 2000 --out runs/optimizers
//
// Prints, per optimizer, the iterations needed to come within --radius of the minimum (0, 0), and the final
// Fashion-MNIST losses. Writes optimizer_paths.csv/.png (paths over the contours) and
// optimizer_mnist.csv/.png (smoothed loss curves). --mnist-steps 0 skips the Fashion-MNIST part.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <tsumiki.hpp>

#include "common/book.hpp"
#include "common/cli.hpp"

using namespace tsumiki;

namespace {

struct Rule {
  std::string name;
  double lr_valley;  // learning rates of the book's figure 6-8 (and comparable ones for the rules it lacks)
  double lr_mnist;
};
const std::vector<Rule> kRules{{"sgd", 0.95, 0.01},    {"momentum", 0.1, 0.01},  {"nesterov", 0.1, 0.01},
                               {"adagrad", 1.5, 0.01}, {"rmsprop", 0.15, 0.001}, {"adadelta", 10.0, 1.0},
                               {"adam", 0.3, 0.001}};

Variable valley(const Variable& p) {
  const Variable x = slice(p, 0, 0, 1), y = slice(p, 0, 1, 2);
  return sum(square(x) / 20.0 + square(y));
}

// Iterations until |(x, y)| < radius from (-7, 2), or -1 within `steps`.
int iterations_to_region(const std::string& rule, double lr, int steps, double radius) {
  Variable p = parameter(from_vector<double>({-7.0, 2.0}));
  auto opt = optim::make_optimizer(rule, {p}, lr);
  for (int i = 1; i <= steps; ++i) {
    p.zero_grad();
    valley(p).backward();
    opt->step();
    if (std::hypot(p.data().flat(0), p.data().flat(1)) < radius) return i;
  }
  return -1;
}

std::string count(int n) { return n < 0 ? "never" : std::to_string(n); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Optimizers on x^2/20 + y^2 and on Fashion-MNIST"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  int steps = 1000, path_steps = 30, mnist_steps = 2000;
  double radius = 0.1, common_lr = 0.1;
  std::size_t batch = 128, limit = 0;
  std::uint64_t seed = 1;
  std::string data_dir = data::kFashionMnistDir, out = "runs/optimizers";
  app.add_option("--steps", steps, "iteration limit on the valley")->check(examples::Positive);
  app.add_option("--path-steps", path_steps, "iterations drawn in the path picture")
      ->check(examples::Positive);
  app.add_option("--radius", radius, "distance from (0, 0) that counts as having reached the minimum");
  app.add_option("--common-lr", common_lr, "the one learning rate of the equal-footing race");
  app.add_option("--mnist-steps", mnist_steps,
                 "training iterations per optimizer on Fashion-MNIST (0: skip)");
  app.add_option("--batch", batch, "Fashion-MNIST batch size")->check(examples::Positive);
  app.add_option("--limit", limit, "use only the first N training images");
  app.add_option("--data", data_dir, "folder with the Fashion-MNIST IDX files");
  app.add_option("--seed", seed, "seed for the net's weights and the batch order");
  app.add_option("--out", out, "folder for the CSVs and PNGs");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(out);

  try {
    // ---- 1. the valley ----
    examples::Table paths{{"step"}, {}};
    std::vector<std::vector<double>> traj;
    std::map<std::string, int> reached;
    for (const Rule& r : kRules) {
      Variable p = parameter(from_vector<double>({-7.0, 2.0}));
      auto opt = optim::make_optimizer(r.name, {p}, r.lr_valley);
      std::vector<double> xs{-7, 2};
      int hit = -1;
      for (int i = 1; i <= steps && hit < 0; ++i) {
        p.zero_grad();
        valley(p).backward();
        opt->step();
        const double x = p.data().flat(0), y = p.data().flat(1);
        if (i <= path_steps) xs.push_back(x), xs.push_back(y);
        if (std::hypot(x, y) < radius) hit = i;
      }
      while (xs.size() <
             2 * static_cast<std::size_t>(path_steps + 1)) {  // stopped early: hold the last point
        const double lx = xs[xs.size() - 2], ly = xs.back();
        xs.push_back(lx), xs.push_back(ly);
      }
      reached[r.name] = hit;
      std::printf("%-9s lr %-5g  after %d steps (%.4f, %.4f)  iterations to |(x, y)| < %g: %s\n",
                  r.name.c_str(), r.lr_valley, path_steps, xs[2 * path_steps], xs[2 * path_steps + 1], radius,
                  count(hit).c_str());
      paths.columns.push_back(r.name + "_x");
      paths.columns.push_back(r.name + "_y");
      traj.push_back(xs);
    }
    // The book's learning rates differ per rule. Two fairer races: every rule at one learning rate, and every
    // rule at its best learning rate on a grid (10^-3 ... 10^1, and the book's).
    std::map<std::string, int> same, tuned;
    std::map<std::string, double> tuned_lr;
    for (const Rule& r : kRules) {
      same[r.name] = iterations_to_region(r.name, common_lr, steps, radius);
      tuned[r.name] = -1;
      for (int k = 0; k <= 33; ++k) {
        const double lr = k == 33 ? r.lr_valley : std::pow(10.0, -3.0 + k / 8.0);
        const int n = iterations_to_region(r.name, lr, steps, radius);
        if (n > 0 && (tuned[r.name] < 0 || n < tuned[r.name])) tuned[r.name] = n, tuned_lr[r.name] = lr;
      }
      std::printf("%-9s iterations to the region: book lr %-5s  lr %g: %-5s  best lr %-8.3g %s\n",
                  r.name.c_str(), count(reached[r.name]).c_str(), common_lr, count(same[r.name]).c_str(),
                  tuned_lr[r.name], count(tuned[r.name]).c_str());
    }
    auto before = [&](const std::string& a, const std::string& b) {
      const bool yes = same[a] > 0 && (same[b] < 0 || same[a] < same[b]);
      std::printf("at lr %g %s reaches the minimum region before %s: %s (%s vs %s iterations)\n", common_lr,
                  a.c_str(), b.c_str(), yes ? "yes" : "no", count(same[a]).c_str(), count(same[b]).c_str());
    };
    before("momentum", "sgd");
    before("adam", "sgd");
    for (const std::string a : {"momentum", "adam"})
      std::printf("at its best lr %s reaches the minimum region before sgd: %s (%s vs %s iterations)\n",
                  a.c_str(), tuned[a] > 0 && tuned[a] < tuned["sgd"] ? "yes" : "no", count(tuned[a]).c_str(),
                  count(tuned["sgd"]).c_str());
    for (int i = 0; i <= path_steps; ++i) {
      std::vector<double> row{double(i)};
      for (const auto& xs : traj) row.push_back(xs[2 * i]), row.push_back(xs[2 * i + 1]);
      paths.add(row);
    }
    const std::string pcsv = out + "/optimizer_paths.csv";
    std::string s =
        "set multiplot layout 2,4 title 'f(x, y) = x^2/20 + y^2 from (-7, 2): " + std::to_string(path_steps) +
        " steps'\nset parametric\nset trange [0:2*pi]\nset xrange [-10:10]\n"
        "set yrange [-5:5]\nset grid\nunset key\nset label 1 '' at 0,0 point pt 3 ps 2 lc 'black'\n";
    for (std::size_t k = 0; k < kRules.size(); ++k) {
      s += "set title '" + kRules[k].name + " (lr " + examples::fmt("%g", kRules[k].lr_valley) + ")'\n";
      s += "plot for [c in '0.25 1 2.25 4 6.25 9'] sqrt(20*c)*cos(t), sqrt(c)*sin(t) lc 'grey', '" + pcsv +
           "' using " + std::to_string(2 + 2 * k) + ":" + std::to_string(3 + 2 * k) +
           " skip 1 with linespoints pt 7 ps 0.5 lw 1.5 lc 'red'\n";
    }
    s += "unset multiplot\n";
    examples::write_plot(paths, pcsv, out + "/optimizer_paths.png", s, 1600, 700);

    if (mnist_steps <= 0) return 0;

    // ---- 2. Fashion-MNIST ----
    const data::Dataset train = examples::load_fashion(data_dir, true, limit);
    std::printf(
        "Fashion-MNIST: %zu training images, batch %zu, %d iterations per optimizer, 784-100x4-10 ReLU\n",
        train.size(), batch, mnist_steps);
    const int every = std::max(1, mnist_steps / 100);  // average the loss over this many iterations per point
    examples::Table curves{{"iteration"}, {}};
    std::vector<std::vector<double>> losses;
    for (const Rule& r : kRules) {
      manual_seed(seed);  // the same initial weights for every optimizer
      auto net = examples::make_mlp({.hidden = {100, 100, 100, 100}});
      auto opt = optim::make_optimizer(r.name, net->parameters(), r.lr_mnist);
      data::DataLoader loader(train, {.batch_size = batch, .shuffle = true, .seed = seed});
      const auto start = std::chrono::steady_clock::now();
      const std::vector<double> smoothed = examples::train_loss_curve(*net, *opt, loader, mnist_steps, every);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("%-9s lr %-6g  loss: first %.4f  final %.4f  (%.1f s)\n", r.name.c_str(), r.lr_mnist,
                  smoothed.front(), smoothed.back(), secs);
      std::fflush(stdout);
      curves.columns.push_back(r.name);
      losses.push_back(smoothed);
    }
    examples::add_loss_curves(curves, losses, every);
    const std::string mcsv = out + "/optimizer_mnist.csv";
    std::string m =
        "set grid\nset key top right\nset xlabel 'iteration'\nset ylabel 'training loss (mean of " +
        std::to_string(every) +
        " iterations)'\nset logscale y\nset title 'Optimizers on Fashion-MNIST'\n"
        "plot ";
    for (std::size_t k = 0; k < kRules.size(); ++k)
      m += (k ? ", " : "") + std::string("'") + mcsv + "' using 1:" + std::to_string(k + 2) +
           " skip 1 with lines lw 2 title '" + kRules[k].name + "'";
    examples::write_plot(curves, mcsv, out + "/optimizer_mnist.png", m + "\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "optimizers: %s\n", e.what());
    return 1;
  }
  return 0;
}
