// Activations composed of primitives (no backward of their own): the softmax family, leaky_relu, elu,
// hardtanh, logsigmoid. relu, sigmoid, softplus, silu and gelu are primitives (autograd/ops/math.hpp).
#pragma once

#include "../autograd/variable.hpp"

// Composites live in tsumiki::functional, an inline namespace: tsumiki::softmax names the same function.
namespace tsumiki {
inline namespace functional {

// Stable along `axis`: the maximum is subtracted first, so logits of 1e4 stay finite.
Variable logsumexp(const Variable& x, const Axes& axes = {-1}, bool keepdims = false,
                   const Site& site = Site::current());
Variable softmax(const Variable& x, int axis = -1, const Site& site = Site::current());
Variable log_softmax(const Variable& x, int axis = -1, const Site& site = Site::current());

// x where x > 0, else negative_slope * x (any slope; the gradient at 0 is negative_slope, as PyTorch's).
Variable leaky_relu(const Variable& x, double negative_slope = 0.01, const Site& site = Site::current());
// x where x > 0, else alpha * (exp(x) - 1) (gradient alpha at 0, as PyTorch's). alpha must be finite; a
// negative alpha is allowed, as in PyTorch.
Variable elu(const Variable& x, double alpha = 1, const Site& site = Site::current());
// clip(x, min_val, max_val), min_val <= max_val required. The gradient passes at the bounds themselves
// (PyTorch's hardtanh stops it there; clamp passes it); it differs only at those two points.
Variable hardtanh(const Variable& x, double min_val = -1, double max_val = 1,
                  const Site& site = Site::current());
// log(sigmoid(x)) = -softplus(-x): no overflow, logsigmoid(-1e4) = -1e4.
Variable logsigmoid(const Variable& x, const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
