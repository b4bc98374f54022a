// In-memory data sets and a loader that shuffles and batches them.
//
//   data::DataLoader loader(train, {.batch_size = 100, .shuffle = true, .seed = 1});
//   for (const data::Batch& b : loader) { auto loss = softmax_cross_entropy(model(b.x), b.y); ... }
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../autograd/variable.hpp"

namespace tsumiki::data {

// Inputs (N, ...) and targets (N, ...): row i of each is example i.
class Dataset {
 public:
  Dataset() = default;
  Dataset(Tensor inputs, Tensor targets);
  std::size_t size() const { return inputs_.defined() ? inputs_.shape()[0] : 0; }
  const Tensor& inputs() const { return inputs_; }
  const Tensor& targets() const { return targets_; }
  // The rows, in the given order (indices must lie in [0, size())).
  std::pair<Tensor, Tensor> rows(const std::vector<std::int64_t>& indices) const;
  Dataset slice(std::size_t begin, std::size_t end) const;  // rows [begin, end)

 private:
  Tensor inputs_, targets_;
};

struct Batch {
  Variable x, y;  // constants: data needs no gradient
};

struct LoaderOptions {
  std::size_t batch_size = 100;
  bool shuffle = true;
  bool drop_last = false;  // drop a final batch smaller than batch_size
  std::uint64_t seed = 0;  // the order of epoch e depends only on (seed, e)
  // Data-parallel training (distributed/communicator.hpp): every rank walks the same order in global batches of
  // batch_size * world rows and takes its own batch_size rows of each.
  int rank = 0;
  int world = 1;
};

class DataLoader {
 public:
  DataLoader(const Dataset& dataset, const LoaderOptions& options = {});
  std::size_t num_batches() const;
  const Dataset& dataset() const { return dataset_; }

  class Iterator {
   public:
    Iterator(const DataLoader* loader, std::size_t batch);
    const Batch& operator*() const { return current_; }
    const Batch* operator->() const { return &current_; }
    Iterator& operator++();
    bool operator!=(const Iterator& o) const { return batch_ != o.batch_; }

   private:
    void load();
    const DataLoader* loader_;
    std::size_t batch_;
    Batch current_;
  };
  // Each begin() starts a new epoch: a fresh permutation when shuffling.
  Iterator begin();
  Iterator end() const { return Iterator(nullptr, num_batches()); }

 private:
  Dataset dataset_;
  LoaderOptions options_;
  std::vector<std::int64_t> order_;
  std::uint64_t epoch_ = 0;
};

// Fashion-MNIST from a folder with the four IDX files (raw or .gz): images (N, 784) float32 in [0, 1],
// labels (N,) int64. Throws IOError naming the folder and Debian's dataset-fashion-mnist when missing.
inline const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
Dataset load_fashion_mnist(const std::string& dir, bool train);
// The class names of Fashion-MNIST, by label.
const std::vector<std::string>& fashion_mnist_classes();

// The spiral toy set of "Deep Learning from Scratch 3": 3 classes x 100 points in 2-D (float32), int64
// labels.
Dataset spiral(bool train = true);

}  // namespace tsumiki::data
