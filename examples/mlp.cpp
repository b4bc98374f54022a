// Train a multi-layer perceptron on Fashion-MNIST: the README's main job.
//
//   mlp --epochs 20 --optimizer adam --lr 1e-3 --hidden 100 --out runs/mlp
//   mpirun -np 2 mlp --distributed            # data-parallel over two processes
//
// Prints a progress bar per epoch, then train loss and test accuracy; writes <out>/mlp_curves.csv and
// <out>/mlp_curves.png. The last line printed is "test_accuracy <value>".
#include <CLI/CLI.hpp>
#include <sstream>
#include <tsumiki.hpp>

#include "common/classifier.hpp"

using namespace tsumiki;

namespace {

std::shared_ptr<nn::Module> activation(const std::string& name) {
  if (name == "relu") return std::make_shared<nn::ReLU>();
  if (name == "sigmoid") return std::make_shared<nn::Sigmoid>();
  if (name == "tanh") return std::make_shared<nn::Tanh>();
  throw Error("mlp: unknown activation '" + name + "' (relu, sigmoid, tanh)");
}

std::vector<std::size_t> parse_sizes(const std::string& s) {
  std::vector<std::size_t> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    unsigned long n = 0;
    try {
      n = std::stoul(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || n == 0 || item[0] == '-')
      throw Error("mlp: --hidden expects positive layer sizes separated by commas (e.g. 256,100), got '" + s +
                  "'");
    out.push_back(n);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Train an MLP on Fashion-MNIST with Tsumiki"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  examples::ClassifierRun run("mlp");
  run.epochs = 20;
  run.add_options(app);
  std::string hidden = "100", act = "relu";
  app.add_option("--hidden", hidden, "hidden layer sizes, comma-separated (e.g. 256,100)");
  app.add_option("--activation", act, "relu, sigmoid or tanh");
  CLI11_PARSE(app, argc, argv);

  return run.main(
      [&] {
        auto model = std::make_shared<nn::Sequential>();
        std::size_t in = 784, layer = 1;
        for (std::size_t h : parse_sizes(hidden)) {
          model->add("fc" + std::to_string(layer), std::make_shared<nn::Linear>(in, h));
          model->add("act" + std::to_string(layer++), activation(act));
          in = h;
        }
        model->add("fc" + std::to_string(layer), std::make_shared<nn::Linear>(in, 10));
        return model;
      },
      /*default_epochs=*/20);
}
