#include "dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <numeric>

#include "idx.hpp"

namespace tsumiki::data {
namespace {
// The rows `indices` (already range-checked) of t along its first axis, copied whole.
Tensor gather_rows(const Tensor& t, const std::vector<std::int64_t>& indices) {
  Shape shape = t.shape();
  shape[0] = indices.size();
  Tensor out(shape, t.dtype());
  const std::size_t row = t.shape()[0] == 0 ? 0 : t.nbytes() / t.shape()[0];
  const auto* src = static_cast<const unsigned char*>(t.raw());
  auto* dst = static_cast<unsigned char*>(out.raw());
  for (std::size_t r = 0; r < indices.size(); ++r)
    std::memcpy(dst + r * row, src + static_cast<std::size_t>(indices[r]) * row, row);
  return out;
}
}  // namespace

Dataset::Dataset(Tensor inputs, Tensor targets) : inputs_(std::move(inputs)), targets_(std::move(targets)) {
  if (!inputs_.defined() || !targets_.defined() || inputs_.ndim() == 0 || targets_.ndim() == 0)
    throw Error("Dataset: inputs and targets must be defined tensors with a leading example axis");
  if (inputs_.shape()[0] != targets_.shape()[0])
    throw Error("Dataset: " + std::to_string(inputs_.shape()[0]) + " inputs " + to_string(inputs_.shape()) +
                " but " + std::to_string(targets_.shape()[0]) + " targets " + to_string(targets_.shape()));
  // A NaN or Inf input poisons every weight it meets; refuse it here, where the example can still be named.
  if (!is_floating(inputs_.dtype())) return;
  const std::size_t n = inputs_.numel();
  const std::size_t bad = dispatch_floating(inputs_.dtype(), "Dataset", [&](auto tag) {
    using T = decltype(tag);
    const T* p = inputs_.data<T>();
    std::size_t i = 0;
    while (i < n && std::isfinite(p[i])) ++i;
    return i;
  });
  if (bad < n)
    throw Error("Dataset: input " + std::to_string(bad / (n / inputs_.shape()[0])) + " (flat index " +
                std::to_string(bad) + ") is " + (std::isnan(inputs_.flat(bad)) ? "NaN" : "infinite") +
                "; expected finite inputs");
}

std::pair<Tensor, Tensor> Dataset::rows(const std::vector<std::int64_t>& indices) const {
  for (auto i : indices)
    if (i < 0 || static_cast<std::size_t>(i) >= size())
      throw Error("Dataset::rows: index " + std::to_string(i) + " outside [0, " + std::to_string(size()) +
                  ")");
  return {gather_rows(inputs_, indices), gather_rows(targets_, indices)};
}

Dataset Dataset::slice(std::size_t begin, std::size_t end) const {
  if (begin > end || end > size())
    throw Error("Dataset::slice: [" + std::to_string(begin) + ", " + std::to_string(end) + ") outside [0, " +
                std::to_string(size()) + ")");
  std::vector<std::int64_t> idx(end - begin);
  std::iota(idx.begin(), idx.end(), static_cast<std::int64_t>(begin));
  auto [x, y] = rows(idx);
  return Dataset(x, y);
}

DataLoader::DataLoader(const Dataset& dataset, const LoaderOptions& options)
    : dataset_(dataset), options_(options), order_(dataset.size()) {
  if (options.batch_size == 0) throw Error("DataLoader: batch_size must be positive");
  if (options.world < 1 || options.rank < 0 || options.rank >= options.world)
    throw Error("DataLoader: rank " + std::to_string(options.rank) + " is outside a world of " +
                std::to_string(options.world));
  std::iota(order_.begin(), order_.end(), 0);
}

std::size_t DataLoader::num_batches() const {
  const std::size_t n = dataset_.size(), b = options_.batch_size * static_cast<std::size_t>(options_.world);
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

DataLoader::Iterator DataLoader::begin() {
  if (options_.shuffle) {
    std::iota(order_.begin(), order_.end(), 0);
    Generator gen(options_.seed * 1000003ULL + epoch_);
    std::shuffle(order_.begin(), order_.end(), gen);
  }
  ++epoch_;
  return Iterator(this, 0);
}

DataLoader::Iterator::Iterator(const DataLoader* loader, std::size_t batch) : loader_(loader), batch_(batch) {
  if (loader_ && batch_ < loader_->num_batches()) load();
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  ++batch_;
  if (batch_ < loader_->num_batches()) load();
  return *this;
}

void DataLoader::Iterator::load() {
  const auto& o = loader_->options_;
  const std::size_t n = loader_->dataset_.size(), b = o.batch_size;
  // This rank's rows of global batch batch_: [global start + rank * b, + b), clipped to the data.
  const std::size_t from =
      std::min(n, batch_ * b * static_cast<std::size_t>(o.world) + static_cast<std::size_t>(o.rank) * b);
  const std::size_t to = std::min(from + b, n);
  const std::vector<std::int64_t> idx(loader_->order_.begin() + static_cast<std::ptrdiff_t>(from),
                                      loader_->order_.begin() + static_cast<std::ptrdiff_t>(to));
  auto [x, y] = loader_->dataset_.rows(idx);
  current_ = {Variable(std::move(x)), Variable(std::move(y))};
}

namespace {
std::string find_idx(const std::string& dir, const std::string& stem) {
  for (const char* ext : {".gz", ""}) {
    std::string p = dir + "/";
    p += stem;
    p += ext;
    if (std::filesystem::exists(p)) return p;
  }
  throw IOError(
      "Fashion-MNIST: " + stem + "[.gz] not found in '" + dir +
      "'; install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass the "
      "folder with the four IDX files");
}
}  // namespace

Dataset load_fashion_mnist(const std::string& dir, bool train) {
  if (!std::filesystem::is_directory(dir))
    throw IOError("Fashion-MNIST: folder '" + dir +
                  "' does not exist; install Debian's dataset-fashion-mnist (apt-get install "
                  "dataset-fashion-mnist) or pass the folder with the four IDX files");
  const std::string prefix = train ? "train" : "t10k";
  Tensor images = read_idx(find_idx(dir, prefix + "-images-idx3-ubyte"), Dtype::Float32);
  Tensor labels = read_idx(find_idx(dir, prefix + "-labels-idx1-ubyte"), Dtype::Int64);
  if (images.ndim() != 3 || labels.ndim() != 1 || images.shape()[0] != labels.shape()[0])
    throw IOError("Fashion-MNIST in '" + dir + "': images " + to_string(images.shape()) + " and labels " +
                  to_string(labels.shape()) + " do not match (expected (N, 28, 28) and (N,))");
  const std::size_t n = images.shape()[0], d = images.shape()[1] * images.shape()[2];
  float* p = images.data<float>();
  for (std::size_t i = 0; i < images.numel(); ++i) p[i] /= 255.0f;
  return Dataset(images.reshape(Shape{n, d}), labels);
}

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

Dataset spiral(bool train) {
  const std::size_t per_class = 100, classes = 3;
  Generator gen(train ? 1984 : 2020);
  std::normal_distribution<double> noise(0.0, 1.0);
  Tensor x(Shape{per_class * classes, 2}, Dtype::Float32);
  Tensor t(Shape{per_class * classes}, Dtype::Int64);
  for (std::size_t j = 0; j < classes; ++j)
    for (std::size_t i = 0; i < per_class; ++i) {
      const double rate = static_cast<double>(i) / per_class;
      const double radius = 1.0 * rate;
      const double theta = static_cast<double>(j) * 4.0 + 4.0 * rate + noise(gen) * 0.2;
      const std::size_t k = i * classes + j;
      x.data<float>()[2 * k] = static_cast<float>(radius * std::sin(theta));
      x.data<float>()[2 * k + 1] = static_cast<float>(radius * std::cos(theta));
      t.data<std::int64_t>()[k] = static_cast<std::int64_t>(j);
    }
  return Dataset(x, t);
}

}  // namespace tsumiki::data
