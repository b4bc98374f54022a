// What the training examples need for --distributed (distributed/communicator.hpp): the rank and size,
// parameter broadcast, gradient averaging, and sums over the ranks. Without --distributed it is a cluster of
// one.
#pragma once

#include <tsumiki.hpp>

namespace examples {

class Cluster {
 public:
  explicit Cluster(bool distributed) : comm_(distributed ? &tsumiki::dist::Communicator::world() : nullptr) {}
  int rank() const { return comm_ ? comm_->rank() : 0; }
  int size() const { return comm_ ? comm_->size() : 1; }
  bool root() const { return rank() == 0; }  // prints, plots and saves
  void broadcast(const std::vector<tsumiki::Variable>& params) const {
    if (comm_) comm_->broadcast(params);
  }
  void average_gradients(const std::vector<tsumiki::Variable>& params) const {
    if (comm_) comm_->average_gradients(params);
  }
  double sum(double v) const { return comm_ ? comm_->sum(v) : v; }

  // Test accuracy with the test set split across the ranks.
  double accuracy(tsumiki::nn::Module& model, const tsumiki::data::Dataset& set) const {
    using namespace tsumiki;
    NoGradGuard no_grad;
    model.eval();
    const std::size_t n = set.size(),
                      per = (n + static_cast<std::size_t>(size()) - 1) / static_cast<std::size_t>(size());
    const std::size_t from = std::min(n, per * static_cast<std::size_t>(rank())),
                      to = std::min(n, from + per);
    double hits = 0;
    if (to > from) {
      data::DataLoader loader(set.slice(from, to), {.batch_size = 500, .shuffle = false});
      for (const auto& b : loader)
        hits += tsumiki::accuracy(model(b.x), b.y) * static_cast<double>(b.y.numel());
    }
    model.train();
    return sum(hits) / static_cast<double>(n);
  }

 private:
  tsumiki::dist::Communicator* comm_;
};

}  // namespace examples
