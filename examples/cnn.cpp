// Train a convolutional network on Fashion-MNIST: the book's SimpleConvNet, LeNet-5, an AlexNet-style net or
// the book's deep net.
//
//   cnn --model simple --epochs 8 --optimizer adam --lr 1e-3 --out runs/cnn
//
// Same command line and output as `mlp` (progress bar, train loss and test accuracy per epoch,
// <out>/cnn_<model>_curves.csv and .png, last line "test_accuracy <value>"), plus pictures of the first
// convolution's filters before and after training: <out>/cnn_<model>_filters_before.png and _after.png.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <tsumiki.hpp>

#include "common/image.hpp"
#include "common/plot.hpp"
#include "common/progress.hpp"

using namespace tsumiki;

namespace {

struct ModelChoice {
  std::shared_ptr<nn::Sequential> model;
  int epochs;  // enough for the README's accuracy targets
};

ModelChoice make_model(const std::string& name) {
  if (name == "simple") return {std::make_shared<nn::SimpleConvNet>(), 8};
  if (name == "lenet") return {std::make_shared<nn::LeNet5>(), 10};
  if (name == "alexnet") return {std::make_shared<nn::AlexNetSmall>(), 10};
  if (name == "deep") return {std::make_shared<nn::DeepConvNet>(), 10};
  throw Error("cnn: unknown model '" + name + "' (simple, lenet, alexnet, deep)");
}

// Images arrive as rows of 784 pixels: view them as (N, 1, 28, 28).
Variable images(const Variable& x) { return reshape(x, Shape{x.shape()[0], 1, 28, 28}); }

double evaluate(nn::Module& model, const data::Dataset& set) {
  NoGradGuard no_grad;
  model.eval();
  data::DataLoader loader(set, {.batch_size = 200, .shuffle = false});
  double hits = 0;
  for (const auto& b : loader) hits += accuracy(model(images(b.x)), b.y) * static_cast<double>(b.y.numel());
  model.train();
  return hits / static_cast<double>(set.size());
}

// The first convolution's weights (OC, C, KH, KW).
Tensor first_filters(const nn::Module& model) {
  for (const auto& [name, p] : model.named_parameters())
    if (p.ndim() == 4) return p.data().clone();
  throw Error("cnn: the model has no convolution");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Train a convolutional network on Fashion-MNIST with Tsumiki"};
  std::string data_dir = data::kFashionMnistDir, optimizer = "adam", model_name = "simple";
  std::string out_dir = "runs/cnn", save_path, load_path, schedule = "cosine";
  int epochs = 0, threads = 1;
  std::size_t batch = 100, limit = 0;
  double lr = 1e-3, weight_decay = 0;
  std::uint64_t seed = 1;
  app.add_option("--model", model_name, "simple, lenet, alexnet or deep");
  app.add_option("--data", data_dir, "folder with the four Fashion-MNIST IDX files (raw or .gz)");
  app.add_option("--epochs", epochs, "passes over the training set (default: the model's, see README)")
      ->check(CLI::PositiveNumber);
  app.add_option("--batch", batch, "examples per step")->check(CLI::PositiveNumber);
  app.add_option("--lr", lr, "learning rate")->check(CLI::PositiveNumber);
  app.add_option("--optimizer", optimizer,
                 "sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, adamw");
  app.add_option("--schedule", schedule,
                 "learning-rate schedule over the epochs: none, step (x0.1 every half) or cosine");
  app.add_option("--weight-decay", weight_decay, "L2 penalty added to the gradients");
  app.add_option("--seed", seed, "seed for initialisation, dropout and shuffling");
  app.add_option("--save", save_path, "write a checkpoint (.npz) after training");
  app.add_option("--load", load_path, "start from a checkpoint (.npz) written by --save");
  app.add_option("--threads", threads, "BLAS threads")->check(CLI::PositiveNumber);
  app.add_option("--limit", limit, "use only the first N training examples (quick runs)");
  app.add_option("--out", out_dir, "folder for the CSV and PNG files");
  CLI11_PARSE(app, argc, argv);

  try {
    set_num_threads(threads);
    manual_seed(seed);
    data::Dataset train = data::load_fashion_mnist(data_dir, true);
    const data::Dataset test = data::load_fashion_mnist(data_dir, false);
    if (limit > 0 && limit < train.size()) train = train.slice(0, limit);
    std::printf("Fashion-MNIST: %zu training and %zu test images from %s\n", train.size(), test.size(),
                data_dir.c_str());

    auto [model_ptr, default_epochs] = make_model(model_name);
    nn::Sequential& model = *model_ptr;
    if (epochs == 0) epochs = default_epochs;
    std::printf("%s", model.summary().c_str());

    auto opt = optim::make_optimizer(optimizer, model.parameters(), lr);
    if (weight_decay > 0) opt->add_hook(optim::weight_decay(weight_decay));
    if (!load_path.empty()) {
      nn::load_checkpoint(load_path, model, opt.get());
      std::printf("resumed from %s (step %zu), test accuracy %.4f\n", load_path.c_str(), opt->steps(),
                  evaluate(model, test));
    }

    std::unique_ptr<optim::CosineAnnealingLR> cosine;
    std::unique_ptr<optim::StepLR> step_lr;
    if (schedule == "cosine")
      cosine = std::make_unique<optim::CosineAnnealingLR>(*opt, epochs);
    else if (schedule == "step")
      step_lr = std::make_unique<optim::StepLR>(*opt, std::max(1, epochs / 2), 0.1);
    else if (schedule != "none")
      throw Error("cnn: unknown schedule '" + schedule + "' (none, step, cosine)");

    std::filesystem::create_directories(out_dir);
    const std::string prefix = out_dir + "/cnn_" + model_name;
    const Tensor filters_before = first_filters(model);
    examples::Table curves{{"epoch", "train_loss", "test_accuracy", "seconds"}, {}};
    data::DataLoader loader(train, {.batch_size = batch, .shuffle = true, .seed = seed});
    const auto start = std::chrono::steady_clock::now();
    double test_acc = 0;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      examples::ProgressBar bar("epoch " + std::to_string(epoch) + "/" + std::to_string(epochs),
                                loader.num_batches());
      for (const auto& b : loader) {
        const Variable loss = softmax_cross_entropy(model(images(b.x)), b.y);
        model.zero_grad();
        loss.backward();
        opt->step();
        bar.update(b.y.numel(), loss.item<double>());
      }
      bar.finish();
      test_acc = evaluate(model, test);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("epoch %d  train_loss %.4f  test_accuracy %.4f  %.0f examples/s  %.1fs\n", epoch,
                  bar.mean_loss(), test_acc, bar.examples_per_second(), secs);
      std::fflush(stdout);
      curves.add({static_cast<double>(epoch), bar.mean_loss(), test_acc, secs});
      if (cosine) cosine->step();
      if (step_lr) step_lr->step();
    }

    const std::string csv = prefix + "_curves.csv", png = prefix + "_curves.png";
    curves.write_csv(csv);
    if (examples::plot_png(
            csv, curves, {{"train_loss", "train loss"}, {"test_accuracy", "test accuracy", true}}, png,
            model.describe() + " on Fashion-MNIST (" + optimizer + ")", "epoch", "loss", "accuracy"))
      std::printf("wrote %s and %s\n", csv.c_str(), png.c_str());
    else
      std::printf("wrote %s\n", csv.c_str());
    const std::string before = prefix + "_filters_before.png", after = prefix + "_filters_after.png";
    if (examples::write_filters_png(filters_before, before,
                                    model.describe() + ": first-layer filters at init") &&
        examples::write_filters_png(first_filters(model), after,
                                    model.describe() + ": first-layer filters after training"))
      std::printf("wrote %s and %s\n", before.c_str(), after.c_str());
    if (!save_path.empty()) {
      nn::save_checkpoint(save_path, model, opt.get());
      std::printf("saved %s\n", save_path.c_str());
    }
    std::printf("test_accuracy %.4f\n", test_acc);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cnn: %s\n", e.what());
    return 1;
  }
  return 0;
}
