// Shared pieces of the "Deep Learning from Scratch" examples (perceptron ... hyperparameter_search):
// Fashion-MNIST loading, multi-layer nets built from nn modules, evaluation, and small gnuplot helpers for
// the pictures plot_png does not draw (contours, histograms, scatter, several panels). Header-only.
#pragma once

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <tsumiki.hpp>
#include <vector>

#include "plot.hpp"

namespace examples {

// Fashion-MNIST: the first `limit` images (0: all) of the training or test set.
inline tsumiki::data::Dataset load_fashion(const std::string& dir, bool train, std::size_t limit = 0) {
  tsumiki::data::Dataset d = tsumiki::data::load_fashion_mnist(dir, train);
  if (limit > 0 && limit < d.size()) d = d.slice(0, limit);
  return d;
}

// Accuracy of `model` on a data set, in evaluation mode (dropout off, batch norm's running statistics).
inline double evaluate(tsumiki::nn::Module& model, const tsumiki::data::Dataset& set,
                       std::size_t batch = 2000) {
  tsumiki::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  tsumiki::data::DataLoader loader(set, {.batch_size = batch, .shuffle = false});
  double hits = 0;
  for (const auto& b : loader) hits += tsumiki::accuracy(model(b.x), b.y) * static_cast<double>(b.y.numel());
  model.train(was_training);
  return hits / static_cast<double>(set.size());
}

inline std::shared_ptr<tsumiki::nn::Module> make_activation(const std::string& name) {
  if (name == "relu") return std::make_shared<tsumiki::nn::ReLU>();
  if (name == "sigmoid") return std::make_shared<tsumiki::nn::Sigmoid>();
  if (name == "tanh") return std::make_shared<tsumiki::nn::Tanh>();
  throw tsumiki::Error("unknown activation '" + name + "' (relu, sigmoid, tanh)");
}

// The book's MultiLayerNet(Extend): in -> hidden... -> out, each hidden layer Linear [-> BatchNorm1d]
// -> activation [-> Dropout]. Weights from `init` (std for Kind::Normal), biases zero.
struct MlpSpec {
  std::size_t in = 784, out = 10;
  std::vector<std::size_t> hidden{100, 100, 100, 100, 100};
  std::string activation = "relu";
  tsumiki::nn::init::Kind init = tsumiki::nn::init::Kind::He;
  double std = 0.01;
  bool batch_norm = false;
  double dropout = 0;  // probability of dropping a hidden unit (0: no Dropout layers)
};

inline std::shared_ptr<tsumiki::nn::Sequential> make_mlp(const MlpSpec& s) {
  auto net = std::make_shared<tsumiki::nn::Sequential>();
  const tsumiki::nn::LinearOptions lo{.init = s.init, .std = s.std};
  std::size_t in = s.in;
  for (std::size_t i = 0; i < s.hidden.size(); ++i) {
    const std::string k = std::to_string(i + 1);
    net->add("fc" + k, std::make_shared<tsumiki::nn::Linear>(in, s.hidden[i], lo));
    if (s.batch_norm) net->add("bn" + k, std::make_shared<tsumiki::nn::BatchNorm1d>(s.hidden[i]));
    net->add("act" + k, make_activation(s.activation));
    if (s.dropout > 0) net->add("drop" + k, std::make_shared<tsumiki::nn::Dropout>(s.dropout));
    in = s.hidden[i];
  }
  net->add("fc" + std::to_string(s.hidden.size() + 1), std::make_shared<tsumiki::nn::Linear>(in, s.out, lo));
  return net;
}

// The Linear layers' weight matrices (for penalties written as ops in the loss).
inline std::vector<tsumiki::Variable> weight_matrices(const tsumiki::nn::Module& m) {
  std::vector<tsumiki::Variable> out;
  for (const auto& [name, p] : m.named_parameters())
    if (name.size() >= 2 && name.compare(name.size() - 2, 2, ".W") == 0) out.push_back(p);
  return out;
}

inline std::vector<std::size_t> parse_sizes(const std::string& s) {
  std::vector<std::size_t> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find(',', start), s.size());
    if (end > start) out.push_back(std::stoul(s.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

// ---- gnuplot ----
inline std::string png_header(const std::string& png, int width = 900, int height = 560) {
  return "set terminal pngcairo size " + std::to_string(width) + "," + std::to_string(height) +
         " noenhanced\nset output '" + png + "'\nset datafile separator ','\n";
}

// Trains `net` for `steps` minibatches of softmax cross-entropy, cycling through `loader`, and returns the
// training loss averaged over each run of `every` steps.
inline std::vector<double> train_loss_curve(tsumiki::nn::Module& net, tsumiki::optim::Optimizer& opt,
                                            tsumiki::data::DataLoader& loader, int steps, int every) {
  std::vector<double> smoothed;
  double acc = 0;
  int it = 0;
  while (it < steps)
    for (const auto& b : loader) {
      const tsumiki::Variable loss = tsumiki::softmax_cross_entropy(net(b.x), b.y);
      net.zero_grad();
      loss.backward();
      opt.step();
      acc += loss.item<double>();
      if (++it % every == 0) smoothed.push_back(acc / every), acc = 0;
      if (it >= steps) break;
    }
  return smoothed;
}

// Table rows (iteration, curve 1, curve 2, ...) for curves made by train_loss_curve with the same `every`.
inline void add_loss_curves(Table& t, const std::vector<std::vector<double>>& curves, int every) {
  for (std::size_t i = 0; i < curves.at(0).size(); ++i) {
    std::vector<double> row{double((i + 1) * every)};
    for (const auto& c : curves) row.push_back(c.at(i));
    t.add(row);
  }
}

// Column number (1-based, for gnuplot's `using`) of a named table column.
inline int column(const Table& t, const std::string& name) {
  for (std::size_t c = 0; c < t.columns.size(); ++c)
    if (t.columns[c] == name) return static_cast<int>(c) + 1;
  throw std::runtime_error("no column " + name);
}

// Writes the CSV and draws the PNG; prints what was written.
inline void write_plot(const Table& t, const std::string& csv, const std::string& png,
                       const std::string& script, int width = 900, int height = 560) {
  t.write_csv(csv);
  if (run_gnuplot(png_header(png, width, height) + script))
    std::printf("wrote %s and %s\n", csv.c_str(), png.c_str());
  else
    std::printf("wrote %s (no PNG)\n", csv.c_str());
}

inline std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace examples
