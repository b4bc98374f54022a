// Losses: formulas of primitive ops, so their gradients (of any order) come from theirs.
#include "losses.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "../autograd/detail/checks.hpp"
#include "../autograd/ops.hpp"
#include "activations.hpp"

namespace tsumiki {
inline namespace functional {
namespace {
// Elementwise losses: y (named `what` in the message) and the target of one dtype and one shape.
void check_same_shape(const char* op, const char* what, const Variable& y, const Variable& t,
                      const Site& site) {
  detail::check_pair(op, y, t, site);
  if (y.shape() != t.shape())
    fail(op,
         std::string(what) + " " + to_string(y.shape()) + " and target " + to_string(t.shape()) +
             " differ in shape",
         site);
}
}  // namespace

Variable mean_squared_error(const Variable& y, const Variable& t, const Site& site) {
  check_same_shape("mean_squared_error", "prediction", y, t, site);
  const Variable d = sub(y, t, site);
  return mean(mul(d, d, site), {}, false, site);
}

// L = -sum(t * log_softmax(x)) / N
Variable softmax_cross_entropy(const Variable& logits, const Variable& target, const Site& site) {
  detail::check_floating("softmax_cross_entropy", logits, site);
  detail::check_defined("softmax_cross_entropy", target, site);
  if (logits.ndim() != 2)
    fail("softmax_cross_entropy", "expected logits of shape (N, C), got " + to_string(logits.shape()), site);
  const std::size_t n = logits.shape()[0], c = logits.shape()[1];
  Variable t;
  if (target.dtype() == Dtype::Int64) {
    if (target.shape() != Shape{n})
      fail("softmax_cross_entropy",
           "labels of shape " + to_string(target.shape()) + " for logits " + to_string(logits.shape()) +
               "; expected (" + std::to_string(n) + ",)",
           site);
    // Pick each row's log-probability at its label (PyTorch's gather), not a one-hot product: a logit masked
    // with -Inf elsewhere in the row leaves the loss finite, where 0 * -Inf would make it NaN.
    const std::int64_t* label = target.data().data<std::int64_t>();
    std::vector<std::int64_t> flat(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (label[i] < 0 || label[i] >= static_cast<std::int64_t>(c))
        fail("softmax_cross_entropy",
             "label " + std::to_string(label[i]) + " at row " + std::to_string(i) + " is outside [0, " +
                 std::to_string(c) + ") for logits " + to_string(logits.shape()),
             site);
      flat[i] = static_cast<std::int64_t>(i * c) + label[i];
    }
    const Variable picked = take(reshape(log_softmax(logits, -1, site), Shape{n * c}, site),
                                 from_vector<std::int64_t>(flat, Shape{n}), 0, site);
    return div(neg(sum(picked, {}, false, site), site), scalar_like(static_cast<double>(n), logits, site),
               site);
  } else {
    detail::check_pair("softmax_cross_entropy", logits, target, site);
    if (target.shape() != logits.shape())
      fail("softmax_cross_entropy",
           "target " + to_string(target.shape()) + " and logits " + to_string(logits.shape()) +
               " differ in shape",
           site);
    t = target;
  }
  const Variable total = sum(mul(t, log_softmax(logits, -1, site), site), {}, false, site);
  return div(neg(total, site), scalar_like(static_cast<double>(n), logits, site), site);
}

Variable binary_cross_entropy(const Variable& p, const Variable& t, const Site& site) {
  check_same_shape("binary_cross_entropy", "prediction", p, t, site);
  // A prediction outside [0, 1] (an Inf, or a logit passed by mistake) would be clipped to a finite,
  // ordinary-looking loss: refused, as PyTorch does. NaN passes through to a NaN loss.
  for (std::size_t i = 0; i < p.numel(); ++i) {
    const double v = p.data().flat(i);
    if (v < 0 || v > 1)
      fail("binary_cross_entropy",
           "prediction element " + std::to_string(i) + " of " + to_string(p.shape()) + " is " +
               std::to_string(v) + "; expected a probability in [0, 1] (sigmoid_cross_entropy takes logits)",
           site);
  }
  const double eps = p.dtype() == Dtype::Float32 ? 1e-7 : 1e-12;
  const Variable pc = clip(p, eps, 1 - eps, site);
  const Variable one = scalar_like(1, p, site);
  const Variable ll =
      add(mul(t, log(pc, site), site), mul(sub(one, t, site), log(sub(one, pc, site), site), site), site);
  return neg(mean(ll, {}, false, site), site);
}

Variable sigmoid_cross_entropy(const Variable& logits, const Variable& t, const Site& site) {
  check_same_shape("sigmoid_cross_entropy", "logits", logits, t, site);
  return mean(sub(softplus(logits, site), mul(t, logits, site), site), {}, false, site);
}

}  // namespace functional
}  // namespace tsumiki
