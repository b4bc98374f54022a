// Metrics and label helpers: plain tensor computations, no gradient.
#include "metrics.hpp"

#include <algorithm>

#include "../autograd/detail/checks.hpp"

namespace tsumiki {
inline namespace functional {

Tensor one_hot(const Tensor& labels, std::size_t num_classes, Dtype dtype) {
  if (!labels.defined() || labels.dtype() != Dtype::Int64 || labels.ndim() != 1)
    throw Error("one_hot: expected int64 labels of shape (N,), got " +
                (labels.defined() ? std::string(dtype_name(labels.dtype())) + " " + to_string(labels.shape())
                                  : std::string("undefined")));
  Tensor out = zeros(Shape{labels.numel(), num_classes}, Dtype::Float64);
  const std::int64_t* p = labels.data<std::int64_t>();
  for (std::size_t i = 0; i < labels.numel(); ++i) {
    if (p[i] < 0 || p[i] >= static_cast<std::int64_t>(num_classes))
      throw Error("one_hot: label " + std::to_string(p[i]) + " at row " + std::to_string(i) +
                  " is outside [0, " + std::to_string(num_classes) + ")");
    out.data<double>()[i * num_classes + static_cast<std::size_t>(p[i])] = 1;
  }
  return out.to(dtype);
}

Tensor argmax(const Tensor& x, const Site& site) {
  if (!x.defined() || !is_floating(x.dtype()) || x.ndim() == 0)
    fail("argmax", "expected a floating tensor with at least one dimension", site);
  const std::size_t c = x.shape().back();
  if (c == 0) fail("argmax", "the last axis is empty, shape " + to_string(x.shape()), site);
  const std::size_t rows = x.numel() / c;
  Shape shape = x.shape();
  shape.erase(shape.size() - 1);
  Tensor out(shape, Dtype::Int64);
  const Tensor xd = x.to(Dtype::Float64);
  const double* p = xd.data<double>();
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t best = 0;
    for (std::size_t j = 1; j < c; ++j)
      if (p[r * c + j] > p[r * c + best]) best = j;
    out.data<std::int64_t>()[r] = static_cast<std::int64_t>(best);
  }
  return out;
}

double accuracy(const Variable& logits, const Variable& labels, const Site& site) {
  detail::check_floating("accuracy", logits, site);
  detail::check_defined("accuracy", labels, site);
  if (logits.ndim() != 2 || labels.dtype() != Dtype::Int64 || labels.shape() != Shape{logits.shape()[0]})
    fail("accuracy",
         "expected logits (N, C) and int64 labels (N,), got " + to_string(logits.shape()) + " and " +
             dtype_name(labels.dtype()) + " " + to_string(labels.shape()),
         site);
  const Tensor pred = argmax(logits.data(), site);
  const std::int64_t* p = pred.data<std::int64_t>();
  const std::int64_t* t = labels.data().data<std::int64_t>();
  std::size_t hits = 0;
  for (std::size_t i = 0; i < pred.numel(); ++i) hits += p[i] == t[i];
  return pred.numel() ? static_cast<double>(hits) / static_cast<double>(pred.numel()) : 0.0;
}

}  // namespace functional
}  // namespace tsumiki
