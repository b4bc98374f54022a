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

Variable reduce(const Variable& loss, Reduction reduction, const Site& site) {
  switch (reduction) {
    case Reduction::None:
      return loss;
    case Reduction::Sum:
      return sum(loss, {}, false, site);
    case Reduction::Mean:
      break;
  }
  return mean(loss, {}, false, site);
}
}  // namespace

Variable mean_squared_error(const Variable& y, const Variable& t, const Site& site) {
  return mean_squared_error(y, t, Reduction::Mean, site);
}

Variable mean_squared_error(const Variable& y, const Variable& t, Reduction reduction, const Site& site) {
  check_same_shape("mean_squared_error", "prediction", y, t, site);
  const Variable d = sub(y, t, site);
  return reduce(mul(d, d, site), reduction, site);
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
  return binary_cross_entropy(p, t, Reduction::Mean, site);
}

Variable binary_cross_entropy(const Variable& p, const Variable& t, Reduction reduction, const Site& site) {
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
  if (reduction == Reduction::Mean) return neg(mean(ll, {}, false, site), site);  // as before: one neg
  return reduce(neg(ll, site), reduction, site);
}

Variable sigmoid_cross_entropy(const Variable& logits, const Variable& t, const Site& site) {
  return sigmoid_cross_entropy(logits, t, Reduction::Mean, site);
}

Variable sigmoid_cross_entropy(const Variable& logits, const Variable& t, Reduction reduction,
                               const Site& site) {
  check_same_shape("sigmoid_cross_entropy", "logits", logits, t, site);
  return reduce(sub(softplus(logits, site), mul(t, logits, site), site), reduction, site);
}

// Composite: where(|d| < delta, 0.5 d^2, delta (|d| - 0.5 delta)). The square branch is d * d, not |d|^2, so
// the second derivative at d = 0 is 1 (abs has slope 0 there); exact away from the kink at |d| = delta.
Variable huber_loss(const Variable& y, const Variable& t, double delta, Reduction reduction,
                    const Site& site) {
  check_same_shape("huber_loss", "prediction", y, t, site);
  if (!(delta > 0)) fail("huber_loss", "delta must be positive, got " + std::to_string(delta), site);
  const Variable d = sub(y, t, site);
  const Variable a = abs(d, site);
  const Variable quad = mul(mul(d, d, site), 0.5, site);
  const Variable lin = mul(add(a, -0.5 * delta, site), delta, site);
  return reduce(where(less(a, scalar_like(delta, d, site), site), quad, lin, site), reduction, site);
}

// Composite: where(|d| < beta, 0.5 d^2 / beta, |d| - 0.5 beta), and |d| for beta = 0 (PyTorch's L1 case).
Variable smooth_l1_loss(const Variable& y, const Variable& t, double beta, Reduction reduction,
                        const Site& site) {
  check_same_shape("smooth_l1_loss", "prediction", y, t, site);
  if (!(beta >= 0)) fail("smooth_l1_loss", "beta must be >= 0, got " + std::to_string(beta), site);
  const Variable d = sub(y, t, site);
  const Variable a = abs(d, site);
  if (beta == 0) return reduce(a, reduction, site);
  const Variable quad = div(mul(mul(d, d, site), 0.5, site), scalar_like(beta, d, site), site);
  const Variable lin = add(a, -0.5 * beta, site);
  return reduce(where(less(a, scalar_like(beta, d, site), site), quad, lin, site), reduction, site);
}

namespace {
// The class weights as doubles (all 1 when undefined), checked against C.
std::vector<double> class_weights(const char* op, const Tensor& weight, std::size_t c, const Site& site) {
  if (!weight.defined()) return std::vector<double>(c, 1.0);
  if (!is_floating(weight.dtype()) || weight.shape() != Shape{c})
    fail(op,
         std::string("weight must be a floating tensor of shape (") + std::to_string(c) +
             ",), one per class; got " + dtype_name(weight.dtype()) + " " + to_string(weight.shape()),
         site);
  return weight.to(Dtype::Float64).to_vector<double>();
}

// What the label losses share: the labels checked against the (N, C, d1, ...) or (C,) input.
struct Labels {
  std::size_t c = 0, d = 1;           // classes; elements per (n, c) plane (d1 d2 ...)
  std::vector<std::int64_t> picks;    // flat index into the input of each non-ignored label
  std::vector<std::int64_t> slot;     // per target element: its position in picks, or picks.size() if ignored
  std::vector<double> picked_weight;  // weight[label] of each non-ignored label
  double weight_sum = 0;              // their sum (Mean's divisor)
};

Labels read_labels(const char* op, const Variable& input, const Variable& target,
                   const std::vector<double>& w, std::int64_t ignore_index, const Site& site) {
  Labels l;
  Shape expected;  // the input's shape without the class axis
  const std::size_t class_axis = input.ndim() == 1 ? 0 : 1;
  l.c = input.shape()[class_axis];
  for (std::size_t a = 0; a < input.ndim(); ++a)
    if (a != class_axis) expected.push_back(input.shape()[a]);
  for (std::size_t a = 2; a < input.ndim(); ++a) l.d *= input.shape()[a];
  if (target.shape() != expected)
    fail(op,
         "target " + to_string(target.shape()) + " for input " + to_string(input.shape()) + "; expected " +
             to_string(expected) + " (the input's shape without the class axis " +
             std::to_string(class_axis) + ")",
         site);
  const std::int64_t* label = target.data().data<std::int64_t>();
  const auto c = static_cast<std::int64_t>(l.c);
  for (std::size_t m = 0; m < target.numel(); ++m) {
    if (label[m] == ignore_index) {
      l.slot.push_back(-1);
      continue;
    }
    if (label[m] < 0 || label[m] >= c)
      fail(op,
           "label " + std::to_string(label[m]) + " at target element " + std::to_string(m) + " of " +
               to_string(target.shape()) + " is outside [0, " + std::to_string(c) +
               ") and is not ignore_index (" + std::to_string(ignore_index) + ")",
           site);
    const std::size_t n = m / l.d, e = m % l.d;
    l.slot.push_back(static_cast<std::int64_t>(l.picks.size()));
    l.picks.push_back(static_cast<std::int64_t>((n * l.c + static_cast<std::size_t>(label[m])) * l.d + e));
    l.picked_weight.push_back(w[static_cast<std::size_t>(label[m])]);
    l.weight_sum += l.picked_weight.back();
  }
  for (auto& s : l.slot)
    if (s < 0) s = static_cast<std::int64_t>(l.picks.size());
  return l;
}

// One value per non-ignored label (a K-vector) laid out as the target: zeros at ignored elements.
Variable spread(const Variable& per_pick, const Labels& l, const Shape& shape, const Site& site) {
  if (l.picks.size() == l.slot.size()) return reshape(per_pick, shape, site);
  const Variable padded =
      concat({per_pick, Variable(zeros(Shape{1}, per_pick.dtype()), false, site)}, 0, site);
  return reshape(take(padded, from_vector<std::int64_t>(l.slot, Shape{l.slot.size()}), 0, site), shape, site);
}

void check_label_input(const char* op, const Variable& input, const Variable& target, const Site& site) {
  detail::check_floating(op, input, site);
  detail::check_defined(op, target, site);
  if (input.ndim() == 0) fail(op, "expected an input of shape (N, C), (N, C, d1, ...) or (C,), got ()", site);
}

// Composite: take of the flattened input at each label (not a one-hot product: a -Inf log-probability of
// another class leaves the loss finite), times the label's weight; Mean divides by the summed weights.
Variable nll_impl(const Variable& log_probs, const Variable& target, const Labels& l, Reduction reduction,
                  const Site& site) {
  const Variable picked = take(reshape(log_probs, Shape{log_probs.numel()}, site),
                               from_vector<std::int64_t>(l.picks, Shape{l.picks.size()}), 0, site);
  const bool weighted =
      std::any_of(l.picked_weight.begin(), l.picked_weight.end(), [](double v) { return v != 1; });
  const Variable losses =
      weighted
          ? neg(mul(picked,
                    Variable(
                        from_vector<double>(l.picked_weight, Shape{l.picks.size()}).to(log_probs.dtype()),
                        false, site),
                    site),
                site)
          : neg(picked, site);
  switch (reduction) {
    case Reduction::None:
      return spread(losses, l, target.shape(), site);
    case Reduction::Sum:
      return sum(losses, {}, false, site);
    case Reduction::Mean:
      break;
  }
  return div(sum(losses, {}, false, site), scalar_like(l.weight_sum, log_probs, site), site);
}
}  // namespace

Variable nll_loss(const Variable& log_probs, const Variable& target, const Tensor& weight,
                  std::int64_t ignore_index, Reduction reduction, const Site& site) {
  const char* op = "nll_loss";
  check_label_input(op, log_probs, target, site);
  if (target.dtype() != Dtype::Int64)
    fail(op, std::string("target must hold int64 class labels, got ") + dtype_name(target.dtype()), site);
  const std::size_t c = log_probs.shape()[log_probs.ndim() == 1 ? 0 : 1];
  const std::vector<double> w = class_weights(op, weight, c, site);
  const Labels l = read_labels(op, log_probs, target, w, ignore_index, site);
  return nll_impl(log_probs, target, l, reduction, site);
}

// Composite: log_softmax, then nll_loss (labels) or a weighted sum against the probabilities, with PyTorch's
// label-smoothing terms (aten/src/ATen/native/LossNLL.cpp, cross_entropy_loss_label_smoothing).
Variable cross_entropy(const Variable& logits, const Variable& target, const CrossEntropyOptions& o,
                       const Site& site) {
  const char* op = "cross_entropy";
  check_label_input(op, logits, target, site);
  if (!(o.label_smoothing >= 0 && o.label_smoothing <= 1))
    fail(op, "label_smoothing must be in [0, 1], got " + std::to_string(o.label_smoothing), site);
  const int class_axis = logits.ndim() == 1 ? 0 : 1;
  const std::size_t c = logits.shape()[static_cast<std::size_t>(class_axis)];
  const std::vector<double> w = class_weights(op, o.weight, c, site);
  const double e = o.label_smoothing;
  const Variable logp = log_softmax(logits, class_axis, site);
  // The weights as a constant that broadcasts along the class axis: (C,) or (C, 1, ..., 1).
  Variable wb;
  if (o.weight.defined()) {
    Shape ws{c};
    for (std::size_t a = 2; a < logits.ndim(); ++a) ws.push_back(1);
    wb = Variable(from_vector<double>(w, ws).to(logits.dtype()), false, site);
  }
  if (target.dtype() != Dtype::Int64) {  // class probabilities
    detail::check_pair(op, logits, target, site);
    if (target.shape() != logits.shape())
      fail(op,
           "probability target " + to_string(target.shape()) + " and logits " + to_string(logits.shape()) +
               " differ in shape (labels are int64)",
           site);
    Variable t = target;
    if (e > 0) t = add(mul(t, 1 - e, site), e / static_cast<double>(c), site);
    Variable prod = mul(logp, t, site);
    if (wb.defined()) prod = mul(prod, wb, site);
    const Variable per = neg(sum(prod, class_axis, false, site), site);
    if (o.reduction == Reduction::Mean)
      return div(sum(per, {}, false, site),
                 scalar_like(static_cast<double>(logits.numel() / c), logits, site), site);
    return reduce(per, o.reduction, site);
  }
  const Labels l = read_labels(op, logits, target, w, o.ignore_index, site);
  const Variable nll = nll_impl(logp, target, l, o.reduction, site);
  if (e == 0) return nll;
  Variable smooth = neg(sum(wb.defined() ? mul(logp, wb, site) : logp, class_axis, false, site), site);
  if (l.picks.size() != l.slot.size()) {  // ignored elements lose 0 (masked_fill, as PyTorch)
    std::vector<double> keep(l.slot.size());
    for (std::size_t m = 0; m < keep.size(); ++m)
      keep[m] = l.slot[m] < static_cast<std::int64_t>(l.picks.size());
    smooth = where(Variable(from_vector<double>(keep, target.shape()).to(logits.dtype()), false, site),
                   smooth, scalar_like(0, smooth, site), site);
  }
  Variable ret;
  switch (o.reduction) {
    case Reduction::None:
      ret = smooth;
      break;
    case Reduction::Sum:
      ret = sum(smooth, {}, false, site);
      break;
    case Reduction::Mean:
      ret = div(sum(smooth, {}, false, site), scalar_like(l.weight_sum, logits, site), site);
      break;
  }
  return add(mul(nll, 1 - e, site), mul(ret, e / static_cast<double>(c), site), site);
}

}  // namespace functional
}  // namespace tsumiki
