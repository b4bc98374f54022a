// Normalisation composed of primitives: batch normalisation (Ioffe & Szegedy), layer and group
// normalisation (Ba et al.; Wu & He) and local response normalisation (AlexNet). Their gradients of every
// order come from the primitives'.
#pragma once

#include <cstddef>

#include "../autograd/variable.hpp"

namespace tsumiki {
inline namespace functional {

struct BatchNormFuncOptions {
  bool training = true;   // normalise with the batch's statistics (and update the running ones)
  double momentum = 0.1;  // running = (1 - momentum) * running + momentum * batch statistic (PyTorch's rule)
  double eps = 1e-5;
};

// x is (N, C) or (N, C, ...): every channel c is normalised over the batch and the other axes, then scaled
// by gamma[c] and shifted by beta[c] (gamma, beta of shape (C,), either may be undefined).
//
// Training (or no running statistics given): y = gamma * (x - mean) / sqrt(var + eps) + beta with the
// batch's mean and biased variance; running_mean and running_var (shape (C,), may be undefined) are then
// updated in place, without recording, the variance with the unbiased estimate as PyTorch does.
// Evaluation: the running statistics take the place of the batch's, so each example is normalised alone.
Variable batch_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                    const Variable& running_mean, const Variable& running_var,
                    const BatchNormFuncOptions& options = {}, const Site& site = Site::current());

// Local response normalisation across channels (AlexNet), PyTorch's formula:
//   y_c = x_c / (k + alpha / size * sum of x_c'^2 over the `size` channels around c)^beta
// x is (N, C, ...) ; the window is clipped at the first and last channel.
Variable local_response_norm(const Variable& x, std::size_t size, double alpha = 1e-4, double beta = 0.75,
                             double k = 1.0, const Site& site = Site::current());

// Layer normalisation (PyTorch's layer_norm): every x[..., :] is normalised over its last
// normalized_shape.size() axes, whose sizes must equal normalized_shape:
//   y = (x - mean) / sqrt(var + eps) * gamma + beta,  var the biased variance (mean of squared deviations).
// gamma and beta have shape normalized_shape; either may be undefined (no scale, no shift).
Variable layer_norm(const Variable& x, const Shape& normalized_shape, const Variable& gamma = {},
                    const Variable& beta = {}, double eps = 1e-5, const Site& site = Site::current());

// Group normalisation (PyTorch's group_norm): x (N, C, ...) with C divisible by num_groups; each example's
// channels are split into num_groups groups of C / num_groups, each normalised over its channels and the
// other axes, then scaled by gamma[c] and shifted by beta[c] (shape (C,), either may be undefined).
// Instance normalisation is group_norm with num_groups = C; num_groups = 1 is layer norm over (C, ...) with
// a per-channel affine.
Variable group_norm(const Variable& x, std::size_t num_groups, const Variable& gamma = {},
                    const Variable& beta = {}, double eps = 1e-5, const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
