// Losses composed of primitives (no backward of their own): mean over all elements; cross-entropy is the
// mean over the rows of the batch.
#pragma once

#include "../autograd/variable.hpp"

// Composites live in tsumiki::functional, an inline namespace: tsumiki::softmax names the same function.
namespace tsumiki {
inline namespace functional {

Variable mean_squared_error(const Variable& y, const Variable& t, const Site& site = Site::current());
// logits (N, C); target either int64 class labels (N) or float probabilities / one-hot (N, C).
Variable softmax_cross_entropy(const Variable& logits, const Variable& target,
                               const Site& site = Site::current());
// p in [0, 1] (anything else is refused; NaN gives NaN) and targets in [0, 1]; log(0) is avoided by
// clipping p to [eps, 1 - eps].
Variable binary_cross_entropy(const Variable& p, const Variable& t, const Site& site = Site::current());
// Binary cross-entropy on logits, stable for any logit: mean(softplus(x) - t * x).
Variable sigmoid_cross_entropy(const Variable& logits, const Variable& t, const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
