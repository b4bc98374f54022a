// Overfitting ("Deep Learning from Scratch", chapter 6.4): a 7-layer, 100-unit ReLU net trained on only 300
// Fashion-MNIST images with SGD. Without regularisation training accuracy reaches 1 while test accuracy stays
// far below; weight decay (L2: 0.5 * lambda * sum W^2, and L1: lambda * sum |W|, both added to the loss as
// ops) and dropout narrow the gap.
//
//   overfitting --epochs 201 --out runs/overfitting
//
// Prints train and test accuracy per setting; writes overfitting.csv and overfitting.png (one panel per
// setting: train and test accuracy per epoch).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <tsumiki.hpp>

#include "common/book.hpp"
#include "common/cli.hpp"

using namespace tsumiki;

int main(int argc, char** argv) {
  CLI::App app{"Overfitting on 300 images: none, L2, L1, dropout"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  int epochs = 201, eval_every = 5;
  std::size_t train_size = 300, test_size = 0, batch = 100;
  double lr = 0.01, l2 = 0.1, l1 = 0.005, drop = 0.2;
  std::uint64_t seed = 1;
  std::string data_dir = data::kFashionMnistDir, out = "runs/overfitting";
  app.add_option("--epochs", epochs, "epochs per setting")->check(examples::Positive);
  app.add_option("--eval-every", eval_every, "measure accuracies every N epochs")->check(examples::Positive);
  app.add_option("--train-size", train_size, "training images")->check(examples::Positive);
  app.add_option("--test-size", test_size, "test images (0: all 10,000)");
  app.add_option("--batch", batch, "batch size")->check(examples::Positive);
  app.add_option("--lr", lr, "SGD learning rate");
  app.add_option("--l2", l2, "L2 weight decay lambda");
  app.add_option("--l1", l1, "L1 weight decay lambda");
  app.add_option("--dropout", drop, "dropout probability");
  app.add_option("--data", data_dir, "folder with the Fashion-MNIST IDX files");
  app.add_option("--seed", seed, "seed");
  app.add_option("--out", out, "folder for overfitting.csv and overfitting.png");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(out);

  try {
    const data::Dataset train = examples::load_fashion(data_dir, true, train_size);
    const data::Dataset test = examples::load_fashion(data_dir, false, test_size);
    std::printf(
        "Fashion-MNIST: %zu training, %zu test images; 784-100x6-10 ReLU, SGD lr %g, batch %zu, %d epochs\n",
        train.size(), test.size(), lr, batch, epochs);
    struct Setting {
      std::string name, label;
      double l2 = 0, l1 = 0, dropout = 0;
    };
    const std::vector<Setting> settings{{"none", "no regularisation"},
                                        {"l2", "L2 weight decay " + examples::fmt("%g", l2), l2, 0, 0},
                                        {"l1", "L1 weight decay " + examples::fmt("%g", l1), 0, l1, 0},
                                        {"dropout", "dropout " + examples::fmt("%g", drop), 0, 0, drop}};
    examples::Table t{{"epoch"}, {}};
    std::vector<std::vector<double>> cols;
    std::vector<double> epochs_seen;
    for (const Setting& st : settings) {
      manual_seed(seed);
      auto net = examples::make_mlp({.hidden = {100, 100, 100, 100, 100, 100}, .dropout = st.dropout});
      const std::vector<Variable> Ws = examples::weight_matrices(*net);
      optim::SGD opt(net->parameters(), {.lr = lr});
      data::DataLoader loader(train, {.batch_size = batch, .shuffle = true, .seed = seed});
      std::vector<double> tr, te;
      epochs_seen.clear();
      for (int e = 0; e < epochs; ++e) {
        if (e > 0)
          for (const auto& b : loader) {
            Variable loss = softmax_cross_entropy((*net)(b.x), b.y);
            // Penalties on the weight matrices (not the biases), as ops: autograd differentiates them too.
            for (const Variable& W : Ws) {
              if (st.l2 > 0) loss = loss + 0.5 * st.l2 * sum(square(W));
              if (st.l1 > 0) loss = loss + st.l1 * sum(abs(W));
            }
            net->zero_grad();
            loss.backward();
            opt.step();
          }
        if (e % eval_every == 0 || e == epochs - 1) {
          epochs_seen.push_back(e);
          tr.push_back(examples::evaluate(*net, train));
          te.push_back(examples::evaluate(*net, test));
        }
      }
      std::printf("%-8s train_acc %.3f  test_acc %.3f  gap %.3f  (%s)\n", st.name.c_str(), tr.back(),
                  te.back(), tr.back() - te.back(), st.label.c_str());
      std::fflush(stdout);
      t.columns.push_back(st.name + "_train");
      t.columns.push_back(st.name + "_test");
      cols.push_back(tr);
      cols.push_back(te);
    }
    for (std::size_t i = 0; i < epochs_seen.size(); ++i) {
      std::vector<double> row{epochs_seen[i]};
      for (const auto& c : cols) row.push_back(c[i]);
      t.add(row);
    }
    const std::string csv = out + "/overfitting.csv";
    std::string s = "set multiplot layout 2,2 title 'Overfitting: " + std::to_string(train.size()) +
                    " training images, 7-layer net'\nset yrange [0:1.02]\nset grid\nset key bottom right\n"
                    "set xlabel 'epoch'\nset ylabel 'accuracy'\n";
    for (std::size_t k = 0; k < settings.size(); ++k)
      s += "set title '" + settings[k].label + "'\nplot '" + csv + "' using 1:" + std::to_string(2 + 2 * k) +
           " skip 1 with lines lw 2 title 'train', '' using 1:" + std::to_string(3 + 2 * k) +
           " skip 1 with lines lw 2 title 'test'\n";
    s += "unset multiplot\n";
    examples::write_plot(t, csv, out + "/overfitting.png", s, 1100, 850);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "overfitting: %s\n", e.what());
    return 1;
  }
  return 0;
}
