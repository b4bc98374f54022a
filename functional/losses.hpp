// Losses composed of primitives (no backward of their own). Each takes a Reduction (PyTorch's `reduction`):
// None keeps one loss per element (per sample for the class losses), Sum adds them, Mean (the default)
// averages them; nll_loss and cross_entropy divide a weighted mean by the summed weights, as PyTorch does.
#pragma once

#include <cstdint>

#include "../autograd/variable.hpp"

// Composites live in tsumiki::functional, an inline namespace: tsumiki::softmax names the same function.
namespace tsumiki {
inline namespace functional {

enum class Reduction { None, Sum, Mean };

Variable mean_squared_error(const Variable& y, const Variable& t, const Site& site = Site::current());
Variable mean_squared_error(const Variable& y, const Variable& t, Reduction reduction,
                            const Site& site = Site::current());
// logits (N, C); target either int64 class labels (N) or float probabilities / one-hot (N, C).
Variable softmax_cross_entropy(const Variable& logits, const Variable& target,
                               const Site& site = Site::current());
// p in [0, 1] (anything else is refused; NaN gives NaN) and targets in [0, 1]; log(0) is avoided by
// clipping p to [eps, 1 - eps].
Variable binary_cross_entropy(const Variable& p, const Variable& t, const Site& site = Site::current());
Variable binary_cross_entropy(const Variable& p, const Variable& t, Reduction reduction,
                              const Site& site = Site::current());
// Binary cross-entropy on logits, stable for any logit: mean(softplus(x) - t * x).
Variable sigmoid_cross_entropy(const Variable& logits, const Variable& t, const Site& site = Site::current());
Variable sigmoid_cross_entropy(const Variable& logits, const Variable& t, Reduction reduction,
                               const Site& site = Site::current());

// Huber loss (torch.nn.functional.huber_loss), d = y - t: 0.5 d^2 where |d| < delta, else
// delta (|d| - 0.5 delta). delta > 0.
Variable huber_loss(const Variable& y, const Variable& t, double delta = 1.0,
                    Reduction reduction = Reduction::Mean, const Site& site = Site::current());
// Smooth L1 (torch.nn.functional.smooth_l1_loss): 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta;
// beta = 0 is the L1 loss |d|. beta >= 0.
Variable smooth_l1_loss(const Variable& y, const Variable& t, double beta = 1.0,
                        Reduction reduction = Reduction::Mean, const Site& site = Site::current());

// Negative log-likelihood (torch.nn.functional.nll_loss). log_probs is (N, C) or (N, C, d1, d2, ...) (or (C,)
// with a 0-d target); target holds int64 class labels of shape (N) or (N, d1, d2, ...). Each non-ignored
// element loses -weight[t] * log_probs[n, t, ...]; elements whose label equals ignore_index lose 0 and, under
// Mean, do not count: Mean divides by the sum of weight[t] over the non-ignored elements (NaN when all are
// ignored, as in PyTorch). weight: undefined (all 1) or C values (a constant: it gets no gradient). Labels
// outside [0, C) other than ignore_index are refused.
Variable nll_loss(const Variable& log_probs, const Variable& target, const Tensor& weight = {},
                  std::int64_t ignore_index = -100, Reduction reduction = Reduction::Mean,
                  const Site& site = Site::current());

struct CrossEntropyOptions {
  Tensor weight = {};                // C class weights, or undefined
  std::int64_t ignore_index = -100;  // labels equal to it are skipped (int64 targets only)
  Reduction reduction = Reduction::Mean;
  double label_smoothing = 0.0;  // in [0, 1]
};
// torch.nn.functional.cross_entropy: log_softmax over the class axis (1, or 0 for (C,) logits), then
// nll_loss. target is either int64 labels ((N) or (N, d1, ...)) or class probabilities of the logits' shape.
// With labels and smoothing e, the loss is (1 - e) nll + e / C * sum_c -weight[c] log_softmax[c] (0 at
// ignored elements), each part reduced as nll_loss (Mean: divided by the summed weight of the non-ignored
// labels). With probabilities t, t becomes (1 - e) t + e / C, the loss is -sum_c weight[c] t[c]
// log_softmax[c] and Mean divides by the number of samples (N d1 d2 ...), as PyTorch does.
Variable cross_entropy(const Variable& logits, const Variable& target,
                       const CrossEntropyOptions& options = {}, const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
