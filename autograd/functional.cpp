// Composites: each is a formula of primitive ops, so its gradients (of any order) come from theirs.
#include "functional.hpp"

#include <algorithm>

#include "ops/checks.hpp"

namespace tsumiki {

// logsumexp(x) = m + log(sum(exp(x - m))), m = max(x) held constant: the gradient does not depend on m,
// and subtracting it keeps exp finite for logits of 1e4.
Variable logsumexp(const Variable& x, const Axes& axes, bool keepdims, const Site& site) {
  detail::check_floating("logsumexp", x, site);
  const Variable m = max(x, axes, true, site).detach();
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
  const Variable z = sub(x, max(x, {axis}, true, site).detach(), site);
  return sub(z, log(sum(exp(z, site), {axis}, true, site), site), site);
}

Variable softmax(const Variable& x, int axis, const Site& site) {
  detail::check_floating("softmax", x, site);
  const Variable m = max(x, {axis}, true, site).detach();
  const Variable e = exp(sub(x, m, site), site);
  return div(e, sum(e, {axis}, true, site), site);
}

Variable linear(const Variable& x, const Variable& W, const Variable& b, const Site& site) {
  const Variable y = matmul(x, W, site);
  return b.defined() ? add(y, b, site) : y;
}

Variable mean_squared_error(const Variable& y, const Variable& t, const Site& site) {
  detail::check_pair("mean_squared_error", y, t, site);
  if (y.shape() != t.shape())
    fail("mean_squared_error",
         "prediction " + to_string(y.shape()) + " and target " + to_string(t.shape()) + " differ in shape",
         site);
  const Variable d = sub(y, t, site);
  return mean(mul(d, d, site), {}, false, site);
}

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
    try {
      t = Variable(one_hot(target.data(), c, logits.dtype()));
    } catch (const Error& e) {
      fail("softmax_cross_entropy", e.what(), site);
    }
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
  return div(neg(total, site), scalar_like(static_cast<double>(n), logits), site);
}

Variable binary_cross_entropy(const Variable& p, const Variable& t, const Site& site) {
  detail::check_pair("binary_cross_entropy", p, t, site);
  if (p.shape() != t.shape())
    fail("binary_cross_entropy",
         "prediction " + to_string(p.shape()) + " and target " + to_string(t.shape()) + " differ in shape",
         site);
  const double eps = p.dtype() == Dtype::Float32 ? 1e-7 : 1e-12;
  const Variable pc = clip(p, eps, 1 - eps, site);
  const Variable one = scalar_like(1, p);
  const Variable ll =
      add(mul(t, log(pc, site), site), mul(sub(one, t, site), log(sub(one, pc, site), site), site), site);
  return neg(mean(ll, {}, false, site), site);
}

Variable sigmoid_cross_entropy(const Variable& logits, const Variable& t, const Site& site) {
  detail::check_pair("sigmoid_cross_entropy", logits, t, site);
  if (logits.shape() != t.shape())
    fail("sigmoid_cross_entropy",
         "logits " + to_string(logits.shape()) + " and target " + to_string(t.shape()) + " differ in shape",
         site);
  return mean(sub(softplus(logits, site), mul(t, logits, site), site), {}, false, site);
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

}  // namespace tsumiki
