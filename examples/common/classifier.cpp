#include "classifier.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "cli.hpp"
#include "cluster.hpp"
#include "plot.hpp"
#include "progress.hpp"

namespace examples {

using namespace tsumiki;

ClassifierRun::ClassifierRun(std::string name) : out_dir("runs/" + name), name_(std::move(name)) {}

void ClassifierRun::add_options(CLI::App& app) {
  app.add_option("--data", data_dir, "folder with the four Fashion-MNIST IDX files (raw or .gz)");
  auto* e = app.add_option("--epochs", epochs, "passes over the training set")->check(examples::Positive);
  if (epochs == 0) e->default_str("per --model");  // the caller picks its default after parsing
  app.add_option("--batch", batch, "examples per step (per rank with --distributed)")
      ->check(examples::Positive);
  app.add_option("--lr", lr, "learning rate")->check(examples::Positive);
  app.add_option("--optimizer", optimizer,
                 "sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, adamw");
  app.add_option("--schedule", schedule,
                 "learning-rate schedule over the epochs: none, step (x0.1 every half) or cosine");
  app.add_option("--weight-decay", weight_decay, "L2 penalty added to the gradients");
  app.add_option("--seed", seed, "seed for initialisation, dropout and shuffling");
  app.add_option("--save", save_path, "write a checkpoint (.npz) after training");
  app.add_option("--load", load_path, "start from a checkpoint (.npz) written by --save");
  app.add_option("--threads", threads, "BLAS threads")->check(examples::Positive);
  app.add_option("--limit", limit, "use only the first N training examples (quick runs)");
  app.add_option("--out", out_dir, "folder for the CSV and PNG files");
  app.add_flag(
      "--distributed", distributed,
      "data-parallel over MPI ranks (run under mpirun): each rank takes --batch rows of every global batch");
}

namespace {
// Fails before training when a file written after training could not be: a folder that is missing or
// read-only is found in a second, not after every epoch has run.
void check_writable_folder(const std::filesystem::path& folder, const std::string& option) {
  namespace fs = std::filesystem;
  const fs::path dir = folder.empty() ? fs::path(".") : folder;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(option + ": the folder '" + dir.string() + "' does not exist");
  const fs::path probe = dir / (".tsumiki_write_test_" + std::to_string(::getpid()));
  if (FILE* f = std::fopen(probe.c_str(), "wb")) {
    std::fclose(f);
    fs::remove(probe, ec);
  } else {
    throw Error(option + ": cannot write into the folder '" + dir.string() + "'");
  }
}

// Stops a run whose loss is no longer a number or has grown by orders of magnitude, naming where.
void check_loss(double loss, double first_loss, int epoch, std::size_t step, const std::string& name) {
  const bool diverged =
      std::isfinite(loss) && std::isfinite(first_loss) && loss > 1e3 * std::max(first_loss, 1.0);
  if (std::isfinite(loss) && !diverged) return;
  char buf[400];
  std::snprintf(
      buf, sizeof buf,
      "the training loss %s at epoch %d, step %zu (%g; the first step's was %g). Lower --lr, or wrap the "
      "step in tsumiki::AnomalyGuard to find the op that first makes a NaN or Inf",
      std::isfinite(loss) ? "exploded" : "is no longer a number", epoch, step, loss, first_loss);
  throw Error(name + ": " + buf);
}

data::Dataset shaped(const data::Dataset& d, const Shape& image) {
  if (image.empty()) return d;
  Shape s{d.size()};
  for (auto k : image) s.push_back(k);
  return data::Dataset(d.inputs().reshape(s), d.targets());
}
}  // namespace

int ClassifierRun::main(const std::function<std::shared_ptr<nn::Module>()>& make_model, int default_epochs,
                        const Shape& image_shape) {
  try {
    const Cluster cluster(distributed);
    if (cluster.root()) {
      if (!save_path.empty()) check_writable_folder(std::filesystem::path(save_path).parent_path(), "--save");
      std::filesystem::create_directories(out_dir);
      check_writable_folder(out_dir, "--out");
    }
    set_num_threads(threads);
    manual_seed(seed);
    data::Dataset train = data::load_fashion_mnist(data_dir, true);
    if (limit > 0 && limit < train.size()) train = train.slice(0, limit);
    train = shaped(train, image_shape);
    const data::Dataset test = shaped(data::load_fashion_mnist(data_dir, false), image_shape);
    if (cluster.root())
      std::printf("%s: %zu training and %zu test images from %s%s\n",
                  data_dir == data::kFashionMnistDir ? "Fashion-MNIST" : "IDX data", train.size(),
                  test.size(), data_dir.c_str(),
                  distributed ? (", " + std::to_string(cluster.size()) + " MPI ranks").c_str() : "");

    const auto model_ptr = make_model();
    nn::Module& model = *model_ptr;
    if (epochs == 0) epochs = default_epochs;
    if (cluster.root()) std::printf("%s", model.summary().c_str());

    auto opt = optim::make_optimizer(optimizer, model.parameters(), lr);
    if (weight_decay > 0) opt->add_hook(optim::weight_decay(weight_decay));
    if (!load_path.empty()) {
      nn::load_checkpoint(load_path, model, opt.get());  // every rank reads the same file
      // The checkpoint restores the learning rate where the last run's schedule left it (0 at the end of a
      // cosine one); this run starts its own schedule from --lr.
      opt->set_lr(lr);
      const double acc = cluster.accuracy(model, test);
      if (cluster.root())
        std::printf("resumed from %s (step %zu), test accuracy %.4f, learning rate %g\n", load_path.c_str(),
                    opt->steps(), acc, opt->lr());
    }
    std::unique_ptr<optim::CosineAnnealingLR> cosine;
    std::unique_ptr<optim::StepLR> step_lr;
    if (schedule == "cosine")
      cosine = std::make_unique<optim::CosineAnnealingLR>(*opt, epochs);
    else if (schedule == "step")
      step_lr = std::make_unique<optim::StepLR>(*opt, std::max(1, epochs / 2), 0.1);
    else if (schedule != "none")
      throw Error(name_ + ": unknown schedule '" + schedule + "' (none, step, cosine)");

    cluster.broadcast(model.parameters());  // every rank starts from rank 0's weights
    // Distributed: full global batches only, so every rank takes part in every gradient average.
    data::DataLoader loader(train, {.batch_size = batch,
                                    .shuffle = true,
                                    .drop_last = distributed,
                                    .seed = seed,
                                    .rank = cluster.rank(),
                                    .world = cluster.size()});
    Table curves{{"epoch", "train_loss", "test_accuracy", "seconds"}, {}};
    const auto start = std::chrono::steady_clock::now();
    double test_acc = 0, first_loss = std::nan("");
    std::size_t step = 0;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      ProgressBar bar(cluster.root(), "epoch " + std::to_string(epoch) + "/" + std::to_string(epochs),
                      loader.num_batches());
      for (const auto& b : loader) {
        const Variable loss = softmax_cross_entropy(model(b.x), b.y);
        model.zero_grad();
        loss.backward();
        cluster.average_gradients(model.parameters());
        opt->step();
        const double l = loss.item<double>();
        // Every rank checks the same number (the ranks' mean), so all stop together.
        const double checked = distributed ? cluster.sum(l) / cluster.size() : l;
        if (++step == 1) first_loss = checked;
        check_loss(checked, first_loss, epoch, step, name_);
        bar.update(b.y.numel() * static_cast<std::size_t>(cluster.size()), l);
      }
      bar.finish();
      test_acc = cluster.accuracy(model, test);
      const double train_loss = cluster.sum(bar.mean_loss()) / cluster.size();
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (cluster.root())
        std::printf("epoch %d  train_loss %.4f  test_accuracy %.4f  %.0f examples/s  %.1fs\n", epoch,
                    train_loss, test_acc, bar.examples_per_second(), secs);
      std::fflush(stdout);
      curves.add({static_cast<double>(epoch), train_loss, test_acc, secs});
      if (cosine) cosine->step();
      if (step_lr) step_lr->step();
    }

    if (!cluster.root()) return 0;  // rank 0 writes the files and the results
    const std::string prefix = out_dir + "/" + name_;
    const std::string csv = prefix + "_curves.csv", png = prefix + "_curves.png";
    curves.write_csv(csv);
    if (plot_png(csv, curves, {{"train_loss", "train loss"}, {"test_accuracy", "test accuracy", true}}, png,
                 name_ + ": " + model.describe() + " on " +
                     (data_dir == data::kFashionMnistDir ? "Fashion-MNIST" : data_dir) + " (" + optimizer +
                     ")",
                 "epoch", "loss", "accuracy"))
      std::printf("wrote %s and %s\n", csv.c_str(), png.c_str());
    else
      std::printf("wrote %s\n", csv.c_str());
    if (after_training) after_training(model, prefix);
    if (!save_path.empty()) {
      nn::save_checkpoint(save_path, model, opt.get());
      std::printf("saved %s\n", save_path.c_str());
    }
    std::printf("test_accuracy %.4f\n", test_acc);
  } catch (const std::exception& e) {
    // Messages that already start with the program's name are printed as they are (no "mlp: mlp:").
    const std::string what = e.what();
    if (what.rfind(name_ + ":", 0) == 0)
      std::fprintf(stderr, "%s\n", what.c_str());
    else
      std::fprintf(stderr, "%s: %s\n", name_.c_str(), what.c_str());
    return 1;
  }
  return 0;
}

}  // namespace examples
