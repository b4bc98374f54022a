// Batch normalisation ("Deep Learning from Scratch", chapter 6.3): a 5-layer, 100-unit ReLU net trained on
// 1000 Fashion-MNIST images with plain SGD, with and without BatchNorm1d after each hidden Linear, for
// weights drawn with standard deviations from 1 down to 1e-4. Batch norm learns fast at every scale; without
// it most scales do not learn at all.
//
//   batch_norm --scales 16 --epochs 20 --out runs/batch_norm
//
// Prints the final training accuracy per scale; writes batch_norm.csv and batch_norm.png (one panel per
// scale: training accuracy per epoch with and without batch norm).
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <tsumiki.hpp>

#include "common/book.hpp"
#include "common/cli.hpp"

using namespace tsumiki;

int main(int argc, char** argv) {
  CLI::App app{"Training with and without batch normalisation across weight scales"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  int scales = 16, epochs = 20;
  std::size_t train_size = 1000, batch = 100;
  double lr = 0.01;
  std::uint64_t seed = 1;
  std::string data_dir = data::kFashionMnistDir, out = "runs/batch_norm";
  app.add_option("--scales", scales, "weight standard deviations, log-spaced from 1 to 1e-4")
      ->check(CLI::Range(1, 64));
  app.add_option("--epochs", epochs, "epochs per run")->check(examples::Positive);
  app.add_option("--train-size", train_size, "training images")->check(examples::Positive);
  app.add_option("--batch", batch, "batch size")->check(examples::Positive);
  app.add_option("--lr", lr, "SGD learning rate");
  app.add_option("--data", data_dir, "folder with the Fashion-MNIST IDX files");
  app.add_option("--seed", seed, "seed");
  app.add_option("--out", out, "folder for batch_norm.csv and batch_norm.png");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(out);

  try {
    const data::Dataset train = examples::load_fashion(data_dir, true, train_size);
    std::printf("Fashion-MNIST: %zu training images, 784-100x5-10 ReLU, SGD lr %g, batch %zu, %d epochs\n",
                train.size(), lr, batch, epochs);
    examples::Table t{{"epoch"}, {}};
    std::vector<std::vector<double>> accs;
    std::vector<double> stds;
    int ahead = 0;
    for (int k = 0; k < scales; ++k) {
      const double std = scales == 1 ? 1.0 : std::pow(10.0, -4.0 * k / (scales - 1));
      stds.push_back(std);
      double final[2] = {0, 0};
      for (int bn = 0; bn < 2; ++bn) {
        manual_seed(seed);
        auto net = examples::make_mlp({.init = nn::init::Kind::Normal, .std = std, .batch_norm = bn == 1});
        optim::SGD opt(net->parameters(), {.lr = lr});
        data::DataLoader loader(train, {.batch_size = batch, .shuffle = true, .seed = seed});
        std::vector<double> curve{examples::evaluate(*net, train)};
        for (int e = 1; e <= epochs; ++e) {
          for (const auto& b : loader) {
            const Variable loss = softmax_cross_entropy((*net)(b.x), b.y);
            net->zero_grad();
            loss.backward();
            opt.step();
          }
          curve.push_back(examples::evaluate(*net, train));
        }
        final[bn] = curve.back();
        t.columns.push_back(std::string(bn ? "bn_" : "plain_") + examples::fmt("%.3g", std));
        accs.push_back(curve);
      }
      ahead += final[1] > final[0];
      std::printf("weight std %-9.3g train accuracy after %d epochs: without batch norm %.3f  with %.3f\n",
                  std, epochs, final[0], final[1]);
      std::fflush(stdout);
    }
    std::printf("batch norm ahead at %d of %d scales\n", ahead, scales);
    for (int e = 0; e <= epochs; ++e) {
      std::vector<double> row{double(e)};
      for (const auto& c : accs) row.push_back(c[e]);
      t.add(row);
    }
    const int cols = std::min(scales, 4), rows = (scales + cols - 1) / cols;
    const std::string csv = out + "/batch_norm.csv";
    std::string s = "set multiplot layout " + std::to_string(rows) + "," + std::to_string(cols) +
                    " title 'Training accuracy per epoch: batch norm (solid blue) vs none (dashed red)'\n"
                    "set yrange [0:1]\nset grid\nunset key\n"
                    "set xlabel 'epoch'\nset ylabel 'train accuracy'\n";
    for (int k = 0; k < scales; ++k) {
      s += "set title 'W std " + examples::fmt("%.3g", stds[k]) + "'\n";
      s += "plot '" + csv + "' using 1:" + std::to_string(3 + 2 * k) +
           " skip 1 with lines lw 2 lc 'blue' title "
           "'batch norm', '' using 1:" +
           std::to_string(2 + 2 * k) +
           " skip 1 with lines lw 2 dt 2 lc 'red' title "
           "'none'\n";
    }
    s += "unset multiplot\n";
    examples::write_plot(t, csv, out + "/batch_norm.png", s, 1400, 300 * rows + 80);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "batch_norm: %s\n", e.what());
    return 1;
  }
  return 0;
}
