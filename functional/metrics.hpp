// Metrics and label helpers on plain tensors: no gradient.
#pragma once

#include <cstddef>

#include "../autograd/variable.hpp"

// Composites live in tsumiki::functional, an inline namespace: tsumiki::softmax names the same function.
namespace tsumiki {
inline namespace functional {

// int64 labels (N) -> one-hot (N, num_classes) of `dtype`; throws for labels outside [0, num_classes).
Tensor one_hot(const Tensor& labels, std::size_t num_classes, Dtype dtype = Dtype::Float32);
// Fraction of rows whose argmax equals the label (no gradient).
double accuracy(const Variable& logits, const Variable& labels, const Site& site = Site::current());
// Index of the maximum along the last axis (int64, no gradient).
Tensor argmax(const Tensor& x, const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
