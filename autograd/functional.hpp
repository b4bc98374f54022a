// Composite functions: built from primitive ops, with no backward of their own.
#pragma once

#include "ops.hpp"

namespace tsumiki {

// Stable along `axis`: the maximum is subtracted first, so logits of 1e4 stay finite.
Variable logsumexp(const Variable& x, const Axes& axes = {-1}, bool keepdims = false,
                   const Site& site = Site::current());
Variable softmax(const Variable& x, int axis = -1, const Site& site = Site::current());
Variable log_softmax(const Variable& x, int axis = -1, const Site& site = Site::current());
// y = x W + b (b may be undefined).
Variable linear(const Variable& x, const Variable& W, const Variable& b, const Site& site = Site::current());

// ---- losses: mean over all elements (cross-entropy: mean over the rows of the batch) ----
Variable mean_squared_error(const Variable& y, const Variable& t, const Site& site = Site::current());
// logits (N, C); target either int64 class labels (N) or float probabilities / one-hot (N, C).
Variable softmax_cross_entropy(const Variable& logits, const Variable& target,
                               const Site& site = Site::current());
// p in (0, 1) and targets in [0, 1]; log(0) is avoided by clipping p to [eps, 1 - eps].
Variable binary_cross_entropy(const Variable& p, const Variable& t, const Site& site = Site::current());
// Binary cross-entropy on logits, stable for any logit: mean(softplus(x) - t * x).
Variable sigmoid_cross_entropy(const Variable& logits, const Variable& t, const Site& site = Site::current());

// int64 labels (N) -> one-hot (N, num_classes) of `dtype`; throws for labels outside [0, num_classes).
Tensor one_hot(const Tensor& labels, std::size_t num_classes, Dtype dtype = Dtype::Float32);
// Fraction of rows whose argmax equals the label (no gradient).
double accuracy(const Variable& logits, const Variable& labels, const Site& site = Site::current());
// Index of the maximum along the last axis (int64, no gradient).
Tensor argmax(const Tensor& x, const Site& site = Site::current());

}  // namespace tsumiki
