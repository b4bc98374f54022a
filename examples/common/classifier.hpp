// The Fashion-MNIST training driver shared by the mlp and cnn examples: one command line, one loop.
//
//   examples::ClassifierRun run("mlp");
//   run.add_options(app);                          // --data --epochs --batch --lr --optimizer ...
//   CLI11_PARSE(app, argc, argv);
//   return run.main([&] { return build_model(); }, /*image_shape=*/{});
//
// The loop: progress bar per epoch, train loss and test accuracy after each, a learning-rate schedule,
// checkpoints (--save/--load), CSV + PNG curves, data-parallel over MPI with --distributed (rank 0 prints,
// plots and saves), and the last line "test_accuracy <value>".
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <tsumiki.hpp>

namespace examples {

class ClassifierRun {
 public:
  explicit ClassifierRun(std::string name);

  std::string data_dir = tsumiki::data::kFashionMnistDir, optimizer = "adam", schedule = "cosine";
  std::string out_dir, save_path, load_path;
  int epochs = 0, threads = 1;  // epochs 0: the caller's default
  std::size_t batch = 100, limit = 0;
  double lr = 1e-3, weight_decay = 0;
  std::uint64_t seed = 1;
  bool distributed = false;

  void add_options(CLI::App& app);
  void name(std::string name) { name_ = std::move(name); }  // the file prefix: <out>/<name>_curves.csv

  // Called once the model is trained, with the output prefix (<out>/<name>), on rank 0 only.
  std::function<void(tsumiki::nn::Module&, const std::string& prefix)> after_training;

  // image_shape: the shape of one example for the model, e.g. (1, 28, 28); empty keeps rows of 784.
  // Returns the process exit code.
  int main(const std::function<std::shared_ptr<tsumiki::nn::Module>()>& make_model, int default_epochs,
           const tsumiki::Shape& image_shape = {});

 private:
  std::string name_;
};

}  // namespace examples
