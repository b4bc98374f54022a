// Hyperparameter search ("Deep Learning from Scratch", chapter 6.5): random search over the learning rate
// (10^U(-6, -2)) and the L2 weight decay (10^U(-8, -4)) of a 7-layer net trained with SGD on 400
// Fashion-MNIST images; each trial is scored on a validation split of 100 images held out of the training set
// (the test set is never looked at).
//
//   hyperparameter_search --trials 100 --epochs 50 --out runs/hyperparameter_search
//
// Prints every trial and the best five; writes hyperparameter_search.csv and .png (scatter of validation
// accuracy over learning rate and weight decay, and validation accuracy against learning rate).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <random>
#include <tsumiki.hpp>

#include "common/book.hpp"
#include "common/cli.hpp"

using namespace tsumiki;

int main(int argc, char** argv) {
  CLI::App app{"Random search over learning rate and weight decay on a validation split"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  int trials = 100, epochs = 50;
  std::size_t train_size = 500, batch = 100;
  double val_fraction = 0.2, lr_lo = -6, lr_hi = -2, wd_lo = -8, wd_hi = -4;
  std::uint64_t seed = 1;
  std::string data_dir = data::kFashionMnistDir, out = "runs/hyperparameter_search";
  app.add_option("--trials", trials, "random configurations")->check(examples::Positive);
  app.add_option("--epochs", epochs, "epochs per trial")->check(examples::Positive);
  app.add_option("--train-size", train_size, "images taken from the training set (validation included)");
  app.add_option("--val-fraction", val_fraction, "share of them held out for validation")
      ->check(CLI::Range(0.01, 0.9));
  app.add_option("--lr-min", lr_lo, "log10 of the smallest learning rate");
  app.add_option("--lr-max", lr_hi, "log10 of the largest learning rate");
  app.add_option("--batch", batch, "batch size")->check(examples::Positive);
  app.add_option("--data", data_dir, "folder with the Fashion-MNIST IDX files");
  app.add_option("--seed", seed, "seed");
  app.add_option("--out", out, "folder for hyperparameter_search.csv and .png");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(out);

  try {
    const data::Dataset all = examples::load_fashion(data_dir, true, train_size);
    // Shuffle, then hold out the first part for validation.
    std::vector<std::int64_t> order(all.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    const auto n_val = static_cast<std::size_t>(std::round(val_fraction * double(all.size())));
    auto [vx, vy] = all.rows({order.begin(), order.begin() + std::ptrdiff_t(n_val)});
    auto [tx, ty] = all.rows({order.begin() + std::ptrdiff_t(n_val), order.end()});
    const data::Dataset val(vx, vy), train(tx, ty);
    std::printf(
        "validation %zu of %zu training images held out; %zu left to train on; %d trials of %d epochs\n",
        val.size(), all.size(), train.size(), trials, epochs);

    std::uniform_real_distribution<double> u(0, 1);
    struct Trial {
      double lr, wd, val_acc, train_acc;
    };
    std::vector<Trial> results;
    for (int k = 1; k <= trials; ++k) {
      const double lr = std::pow(10.0, lr_lo + (lr_hi - lr_lo) * u(rng));
      const double wd = std::pow(10.0, wd_lo + (wd_hi - wd_lo) * u(rng));
      manual_seed(seed + static_cast<std::uint64_t>(k));
      auto net = examples::make_mlp({.hidden = {100, 100, 100, 100, 100, 100}});
      const std::vector<Variable> Ws = examples::weight_matrices(*net);
      optim::SGD opt(net->parameters(), {.lr = lr});
      data::DataLoader loader(train, {.batch_size = batch, .shuffle = true, .seed = seed + std::uint64_t(k)});
      for (int e = 0; e < epochs; ++e)
        for (const auto& b : loader) {
          Variable loss = softmax_cross_entropy((*net)(b.x), b.y);
          for (const Variable& W : Ws) loss = loss + 0.5 * wd * sum(square(W));
          net->zero_grad();
          loss.backward();
          opt.step();
        }
      results.push_back({lr, wd, examples::evaluate(*net, val), examples::evaluate(*net, train)});
      std::printf("trial %3d  lr %.3e  weight_decay %.3e  val_acc %.3f  train_acc %.3f\n", k, lr, wd,
                  results.back().val_acc, results.back().train_acc);
      std::fflush(stdout);
    }
    examples::Table t{{"trial", "lr", "weight_decay", "val_acc", "train_acc"}, {}};
    for (std::size_t i = 0; i < results.size(); ++i)
      t.add({double(i + 1), results[i].lr, results[i].wd, results[i].val_acc, results[i].train_acc});
    std::vector<Trial> sorted = results;
    std::sort(sorted.begin(), sorted.end(),
              [](const Trial& a, const Trial& b) { return a.val_acc > b.val_acc; });
    std::printf("best trials by validation accuracy:\n");
    for (std::size_t i = 0; i < std::min<std::size_t>(5, sorted.size()); ++i)
      std::printf("  %zu. val_acc %.3f  lr %.3e  weight_decay %.3e\n", i + 1, sorted[i].val_acc, sorted[i].lr,
                  sorted[i].wd);
    std::printf("best val_acc %.3f at lr %.3e, weight_decay %.3e\n", sorted[0].val_acc, sorted[0].lr,
                sorted[0].wd);

    const std::string csv = out + "/hyperparameter_search.csv";
    std::string s =
        "set multiplot layout 1,2 title 'Random search: " + std::to_string(trials) +
        " trials, validation accuracy on " + std::to_string(val.size()) +
        " held-out images'\n"
        "set logscale xy\nset format x '1e%T'\nset format y '1e%T'\nset grid\nset xlabel 'learning rate'\n"
        "set ylabel 'weight decay'\nset cblabel 'validation accuracy'\nset cbrange [0:*]\n"
        "set palette defined (0 '#440154', 0.5 '#21918c', 1 '#fde725')\nset title 'validation accuracy'\n"
        "plot '" +
        csv +
        "' using 2:3:4 skip 1 with points pt 7 ps 1.5 lc palette notitle\n"
        "unset logscale y\nset format y '%g'\nset yrange [0:1]\nset ylabel 'accuracy'\n"
        "set title 'accuracy against learning rate'\nset key top left\n"
        "plot '' using 2:4 skip 1 with points pt 7 lc 'blue' title 'validation', '' using 2:5 skip 1 "
        "with points pt 6 lc 'red' title 'train'\nunset multiplot\n";
    examples::write_plot(t, csv, out + "/hyperparameter_search.png", s, 1400, 600);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hyperparameter_search: %s\n", e.what());
    return 1;
  }
  return 0;
}
