// Activations: formulas of primitive ops, so their gradients (of any order) come from theirs.
#include "activations.hpp"

#include <cmath>
#include <string>

#include "../autograd/detail/checks.hpp"
#include "../autograd/ops.hpp"

namespace tsumiki {
inline namespace functional {

namespace {
// m = max(x) along axes, held constant, with +-Inf replaced by 0 (as PyTorch does): subtracting an infinite
// maximum would make every element inf - inf = NaN, where logsumexp's answer is the infinity itself.
Variable finite_max(const Variable& x, const Axes& axes, const Site& site) {
  Tensor m = max(x, axes, true, site).data().clone();
  dispatch_floating(m.dtype(), "max", [&](auto t) {
    using T = decltype(t);
    T* p = m.data<T>();
    for (std::size_t i = 0; i < m.numel(); ++i)
      if (std::isinf(p[i])) p[i] = 0;
    return 0;
  });
  return Variable(std::move(m), false, site);
}
}  // namespace

// logsumexp(x) = m + log(sum(exp(x - m))), m = max(x) held constant: the gradient does not depend on m,
// and subtracting it keeps exp finite for logits of 1e4.
Variable logsumexp(const Variable& x, const Axes& axes, bool keepdims, const Site& site) {
  detail::check_floating("logsumexp", x, site);
  const Variable m = finite_max(x, axes, site);
  Variable y = add(log(sum(exp(sub(x, m, site), site), axes, true, site), site), m, site);
  if (keepdims) return y;
  Shape shape;
  const auto ax = detail::normalize_axes("logsumexp", axes, x.ndim(), site);
  for (std::size_t d = 0; d < x.ndim(); ++d)
    if (!std::binary_search(ax.begin(), ax.end(), d)) shape.push_back(x.shape()[d]);
  return reshape(y, shape, site);
}

// log_softmax(x) = (x - m) - log(sum(exp(x - m))): subtracting m first keeps float32 exact near 1e3 and
// beyond.
Variable log_softmax(const Variable& x, int axis, const Site& site) {
  detail::check_floating("log_softmax", x, site);
  const Variable z = sub(x, finite_max(x, {axis}, site), site);
  return sub(z, log(sum(exp(z, site), {axis}, true, site), site), site);
}

Variable softmax(const Variable& x, int axis, const Site& site) {
  detail::check_floating("softmax", x, site);
  const Variable m = finite_max(x, {axis}, site);
  const Variable e = exp(sub(x, m, site), site);
  return div(e, sum(e, {axis}, true, site), site);
}

// where(x > 0, x, slope x): the mask is a constant, so the gradient is 1 or slope (slope at 0, and a NaN
// reaches the output through slope * NaN).
Variable leaky_relu(const Variable& x, double negative_slope, const Site& site) {
  detail::check_floating("leaky_relu", x, site);
  if (!std::isfinite(negative_slope))
    fail("leaky_relu", "negative_slope must be finite, got " + std::to_string(negative_slope), site);
  return where(greater(x, scalar_like(0, x, site), site), x, mul(x, negative_slope, site), site);
}

// where(x > 0, x, alpha expm1(min(x, 0))): the min keeps exp from overflowing in the branch not taken (a
// where over exp(1000) = inf would send 0 * inf = NaN back as the gradient).
Variable elu(const Variable& x, double alpha, const Site& site) {
  detail::check_floating("elu", x, site);
  if (!std::isfinite(alpha)) fail("elu", "alpha must be finite, got " + std::to_string(alpha), site);
  const Variable zero = scalar_like(0, x, site);
  return where(greater(x, zero, site), x, mul(expm1(minimum(x, zero, site), site), alpha, site), site);
}

Variable hardtanh(const Variable& x, double min_val, double max_val, const Site& site) {
  detail::check_floating("hardtanh", x, site);
  if (!(min_val <= max_val))
    fail("hardtanh",
         "expected min_val <= max_val, got min_val = " + std::to_string(min_val) +
             ", max_val = " + std::to_string(max_val),
         site);
  return clip(x, min_val, max_val, site);
}

Variable logsigmoid(const Variable& x, const Site& site) {
  detail::check_floating("logsigmoid", x, site);
  return neg(softplus(neg(x, site), site), site);
}

}  // namespace functional
}  // namespace tsumiki
