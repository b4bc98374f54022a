// Weight initialisation ("Deep Learning from Scratch", chapter 6.2):
//  1. activations of a 5-layer, 100-unit net fed 1000 random inputs, for weights drawn with std 1, std 0.01,
//     Xavier (1/sqrt(n)) and He (sqrt(2/n)), with sigmoid, tanh and ReLU: histograms per layer;
//  2. a 5-layer ReLU net trained on Fashion-MNIST from each initialisation, and from all-zero weights, which
//     never learns (every unit of a layer gets the same gradient, here exactly zero).
//
//   weight_init --steps 2000 --out runs/weight_init
//
// Writes weight_init_hist_{sigmoid,tanh,relu}.csv/.png (rows: initialisation, columns: layer) and
// weight_init_training.csv/.png (loss curves). --steps 0 skips the training.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <tsumiki.hpp>

#include "common/book.hpp"
#include "common/cli.hpp"

using namespace tsumiki;

namespace {

struct Init {
  std::string name;
  double std;  // for 100 inputs per unit
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Activation histograms and training curves for weight initialisations"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  int steps = 2000, bins = 30;
  std::size_t samples = 1000, units = 100, layers = 5, batch = 128, limit = 0;
  double lr = 0.01;
  std::uint64_t seed = 1;
  std::string data_dir = data::kFashionMnistDir, out = "runs/weight_init";
  app.add_option("--samples", samples, "random inputs for the histograms")->check(examples::Positive);
  app.add_option("--bins", bins, "histogram bins")->check(examples::Positive);
  app.add_option("--steps", steps, "training iterations per initialisation (0: skip the training)");
  app.add_option("--lr", lr, "SGD learning rate for the training");
  app.add_option("--batch", batch, "batch size")->check(examples::Positive);
  app.add_option("--limit", limit, "use only the first N training images");
  app.add_option("--data", data_dir, "folder with the Fashion-MNIST IDX files");
  app.add_option("--seed", seed, "seed");
  app.add_option("--out", out, "folder for the CSVs and PNGs");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(out);

  try {
    // ---- 1. activation histograms ----
    const double n = static_cast<double>(units);
    const std::vector<Init> inits{
        {"std=1", 1.0}, {"std=0.01", 0.01}, {"xavier", 1 / std::sqrt(n)}, {"he", std::sqrt(2 / n)}};
    for (const std::string act : {"sigmoid", "tanh", "relu"}) {
      // ReLU's activations span many decades (std 1 explodes, std 0.01 vanishes): its histogram is of
      // log10 of the positive activations, with the zeros counted apart (a spike at 0 would flatten the
      // rest).
      const bool log_bins = act == "relu";
      const double lo = act == "tanh" ? -1 : log_bins ? -9 : 0, hi = log_bins ? 6 : 1;
      std::vector<double> zero_fraction;
      examples::Table hist{{"bin"}, {}};
      std::vector<std::vector<double>> counts;
      for (const Init& in : inits) {
        manual_seed(seed);
        NoGradGuard no_grad;
        Variable x = constant(randn({samples, units}));
        std::printf("%-8s %-9s", act.c_str(), in.name.c_str());
        std::vector<double> stds;
        for (std::size_t l = 1; l <= layers; ++l) {
          const Variable W = constant(nn::init::normal({units, units}, in.std));
          const Variable a = matmul(x, W);
          x = act == "sigmoid" ? sigmoid(a) : act == "tanh" ? tanh(a) : relu(a);
          const Tensor& y = x.data();
          std::vector<double> c(static_cast<std::size_t>(bins), 0.0);
          double s = 0, s2 = 0, edge = 0;
          for (std::size_t i = 0; i < y.numel(); ++i) {
            const double v = y.flat(i);
            s += v, s2 += v * v;
            const double h = log_bins ? (v > 0 ? std::log10(v) : lo - 1) : v;  // zeros fall outside
            if (h >= lo && h <= hi)
              c[std::min<std::size_t>(bins - 1, std::size_t((h - lo) / (hi - lo) * bins))]++;
            // saturated: sigmoid near 0 or 1, tanh near -1 or 1; for ReLU, dead: exactly 0
            if (act == "relu" ? v == 0 : (act == "tanh" ? std::abs(v) > 0.99 : (v < 0.01 || v > 0.99)))
              edge++;
          }
          const double m = s / double(y.numel());
          stds.push_back(std::sqrt(std::max(0.0, s2 / double(y.numel()) - m * m)));
          std::printf("  layer %zu std %.3g", l, stds.back());
          if (l == layers)
            std::printf("  %s %.2f", act == "relu" ? "zero" : "saturated", edge / double(y.numel()));
          zero_fraction.push_back(log_bins ? edge / double(y.numel()) : 0.0);
          hist.columns.push_back(in.name + "_layer" + std::to_string(l));
          counts.push_back(c);
        }
        std::printf("\n");
      }
      for (int b = 0; b < bins; ++b) {
        std::vector<double> row{lo + (b + 0.5) * (hi - lo) / bins};
        for (const auto& c : counts) row.push_back(c[b]);
        hist.add(row);
      }
      const std::string csv = out + "/weight_init_hist_" + act + ".csv";
      std::string s = "set multiplot layout " + std::to_string(inits.size()) + "," + std::to_string(layers) +
                      " title '" + act +
                      (log_bins ? ": log10 of the positive activations per layer (zeros: share in each title)"
                                : ": activations per layer") +
                      " (rows: std 1, std 0.01, Xavier, He)'\n"
                      "set style fill solid 0.8\nunset key\nset xrange [" +
                      examples::fmt("%g", lo) + ":" + examples::fmt("%g", hi) +
                      "]\nset yrange [0:*]\nset format y '%.1s%c'\n";
      for (std::size_t k = 0; k < inits.size(); ++k)
        for (std::size_t l = 1; l <= layers; ++l)
          s += "set title '" + inits[k].name + " layer " + std::to_string(l) +
               (log_bins ? examples::fmt(", zeros %.0f%%", 100 * zero_fraction[k * layers + (l - 1)]) : "") +
               "'\nplot '" + csv + "' using 1:" + std::to_string(2 + k * layers + (l - 1)) + ":(" +
               examples::fmt("%g", (hi - lo) / bins) + ") skip 1 with boxes lc 'steelblue'\n";
      s += "unset multiplot\n";
      examples::write_plot(hist, csv, out + "/weight_init_hist_" + act + ".png", s, 1500, 1100);
    }

    if (steps <= 0) return 0;

    // ---- 2. training from each initialisation ----
    const data::Dataset train = examples::load_fashion(data_dir, true, limit);
    std::printf("Fashion-MNIST: %zu images, 784-100x4-10 ReLU, SGD lr %g, batch %zu, %d iterations\n",
                train.size(), lr, batch, steps);
    struct Run {
      std::string name;
      nn::init::Kind kind;
      double std;
    };
    const std::vector<Run> runs{{"std=0.01", nn::init::Kind::Normal, 0.01},
                                {"xavier", nn::init::Kind::Xavier, 0},
                                {"he", nn::init::Kind::He, 0},
                                {"zero", nn::init::Kind::Zeros, 0}};
    const int every = std::max(1, steps / 100);
    examples::Table curves{{"iteration"}, {}};
    std::vector<std::vector<double>> losses;
    for (const Run& r : runs) {
      manual_seed(seed);
      auto net = examples::make_mlp({.hidden = {100, 100, 100, 100}, .init = r.kind, .std = r.std});
      optim::SGD opt(net->parameters(), {.lr = lr});
      data::DataLoader loader(train, {.batch_size = batch, .shuffle = true, .seed = seed});
      const std::vector<double> smoothed = examples::train_loss_curve(*net, opt, loader, steps, every);
      std::printf("init %-9s loss: first %.4f  final %.4f\n", r.name.c_str(), smoothed.front(),
                  smoothed.back());
      std::fflush(stdout);
      curves.columns.push_back(r.name);
      losses.push_back(smoothed);
    }
    examples::add_loss_curves(curves, losses, every);
    const std::string csv = out + "/weight_init_training.csv";
    std::string s =
        "set grid\nset key outside right top\nset xlabel 'iteration'\nset ylabel 'training loss'\n"
        "set title 'Fashion-MNIST, 5-layer ReLU net, SGD lr " +
        examples::fmt("%g", lr) + ": loss by weight initialisation'\nplot ";
    for (std::size_t k = 0; k < runs.size(); ++k)
      s += (k ? ", " : "") + std::string("'") + csv + "' using 1:" + std::to_string(k + 2) +
           " skip 1 with lines lw " + (runs[k].name == "zero" ? "3 dt 2" : "2") + " title '" + runs[k].name +
           "'";
    examples::write_plot(curves, csv, out + "/weight_init_training.png", s + "\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weight_init: %s\n", e.what());
    return 1;
  }
  return 0;
}
