// Reductions over axes: sum, mean, max, min, prod, var, std, norm; and cumsum.
#include "reduce.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "../apply.hpp"
#include "../detail/checks.hpp"
#include "../detail/kernels.hpp"
#include "../ops.hpp"

namespace tsumiki {
using kernels::Reduce;

// y = sum of x over axes;  gx = broadcast_to(gy with the axes kept, x.shape)
TSUMIKI_PRIMITIVE(kSum, "sum");
Variable sum(const Variable& x, const Axes& axes, bool keepdims, const Site& site) {
  detail::check_floating(kSum, x, site);
  const auto ax = detail::normalize_axes(kSum, axes, x.ndim(), site);
  return apply(
      kSum, {x}, site, [&] { return kernels::reduce(Reduce::Sum, x.data(), ax, keepdims); },
      [ax](const Function& f, const Variable& gy) {
        const Shape& xs = f.input(0).shape();
        return Grads{broadcast_to(reshape(gy, detail::keepdims_shape(xs, ax)), xs)};
      });
}

Variable mean(const Variable& x, const Axes& axes, bool keepdims, const Site& site) {
  detail::check_floating("mean", x, site);
  std::size_t count = 1;
  for (auto a : detail::normalize_axes("mean", axes, x.ndim(), site)) count *= x.shape()[a];
  if (count == 0) fail("mean", "mean over an empty selection of shape " + to_string(x.shape()), site);
  return div(sum(x, axes, keepdims, site), scalar_like(static_cast<double>(count), x, site), site);
}

namespace {
// y = max (or min) over axes;  gx = gy * (x == y) / (number of ties), so ties share the gradient
Variable extremum(const char* op, Reduce kind, const Variable& x, const Axes& axes, bool keepdims,
                  const Site& site) {
  detail::check_floating(op, x, site);
  const auto ax = detail::normalize_axes(op, axes, x.ndim(), site);
  for (auto a : ax)
    if (x.shape()[a] == 0) fail(op, "reduction over an empty axis of shape " + to_string(x.shape()), site);
  return apply(
      op, {x}, site, [&] { return kernels::reduce(kind, x.data(), ax, keepdims); },
      [ax, kind](const Function& f, const Variable& gy) {
        const Variable& x = f.input(0);
        const Shape keep = detail::keepdims_shape(x.shape(), ax);
        const Variable y(kernels::reduce(kind, x.data(), ax, true));
        const Variable mask = equal(x, y);
        const Variable share = div(mask, sum(mask, Axes(ax.begin(), ax.end()), true));
        return Grads{mul(broadcast_to(reshape(gy, keep), x.shape()), share)};
      });
}
}  // namespace

TSUMIKI_PRIMITIVE(kMax, "max");
Variable max(const Variable& x, const Axes& axes, bool keepdims, const Site& site) {
  return extremum(kMax, Reduce::Max, x, axes, keepdims, site);
}

TSUMIKI_PRIMITIVE(kMin, "min");
Variable min(const Variable& x, const Axes& axes, bool keepdims, const Site& site) {
  return extremum(kMin, Reduce::Min, x, axes, keepdims, site);
}

// A pairwise tree of products over the reduced axes, moved last and flattened into one: each level
// multiplies the first half of the axis by the second (an odd last element rides along).
Variable prod(const Variable& x, const Axes& axes, bool keepdims, const Site& site) {
  const char* op = "prod";
  detail::check_floating(op, x, site);
  const auto ax = detail::normalize_axes(op, axes, x.ndim(), site);
  Axes perm;
  Shape kept;
  std::size_t n = 1;
  for (std::size_t d = 0; d < x.ndim(); ++d)
    if (!std::binary_search(ax.begin(), ax.end(), d)) {
      perm.push_back(static_cast<int>(d));
      kept.push_back(x.shape()[d]);
    }
  for (auto a : ax) {
    perm.push_back(static_cast<int>(a));
    n *= x.shape()[a];
  }
  const Shape out = keepdims ? detail::keepdims_shape(x.shape(), ax) : kept;
  if (n == 0)  // the empty product is 1; the sum keeps y in x's graph
    return add(mul(sum(x, axes, keepdims, site), 0.0, site), 1.0, site);
  bool identity = true;
  for (std::size_t d = 0; d < perm.size(); ++d) identity = identity && perm[d] == static_cast<int>(d);
  Variable t = identity ? x : transpose(x, perm, site);
  Shape flat = kept;
  flat.push_back(n);
  t = reshape(t, flat, site);
  const int last = static_cast<int>(kept.size());
  while (n > 1) {
    const auto h = static_cast<std::int64_t>(n / 2);
    Variable p = mul(slice(t, last, 0, h, 1, site), slice(t, last, h, 2 * h, 1, site), site);
    if (n % 2 == 1) p = concat({p, slice(t, last, 2 * h, static_cast<std::int64_t>(n), 1, site)}, last, site);
    t = p;
    n = n / 2 + n % 2;
  }
  return reshape(t, out, site);
}

// var = sum((x - mean)^2) / (N - correction): two passes, stable where sum(x^2) - N mean^2 would cancel.
Variable var(const Variable& x, const Axes& axes, double correction, bool keepdims, const Site& site) {
  const char* op = "var";
  detail::check_floating(op, x, site);
  std::size_t count = 1;
  for (auto a : detail::normalize_axes(op, axes, x.ndim(), site)) count *= x.shape()[a];
  if (!std::isfinite(correction))
    fail(op, "correction must be finite, got " + std::to_string(correction), site);
  const double dof = static_cast<double>(count) - correction;
  if (!(dof > 0))
    fail(op,
         "N - correction must be positive: N = " + std::to_string(count) + " elements of " +
             to_string(x.shape()) + " reduced, correction = " + std::to_string(correction),
         site);
  const Variable d = sub(x, mean(x, axes, true, site), site);
  return div(sum(mul(d, d, site), axes, keepdims, site), scalar_like(dof, x, site), site);
}

// std = sqrt(var), with sqrt read at 1 where var == 0 and the result put back to 0 there: the gradient is
// then 0 at a constant slice, of every order, instead of 0 * inf = NaN.
Variable std(const Variable& x, const Axes& axes, double correction, bool keepdims, const Site& site) {
  const Variable v = var(x, axes, correction, keepdims, site);
  const Variable zero = equal(v, scalar_like(0, v, site), site);
  return where(zero, scalar_like(0, v, site), sqrt(where(zero, scalar_like(1, v, site), v, site), site),
               site);
}

namespace {
// x with the reduced axes moved last, as (groups, n) row-major; returns n.
Tensor group_last(const Tensor& x, const std::vector<std::size_t>& ax, std::size_t& n) {
  std::vector<std::size_t> perm;
  n = 1;
  for (std::size_t d = 0; d < x.shape().size(); ++d)
    if (!std::binary_search(ax.begin(), ax.end(), d)) perm.push_back(d);
  for (auto a : ax) {
    perm.push_back(a);
    n *= x.shape()[a];
  }
  bool identity = true;
  for (std::size_t d = 0; d < perm.size(); ++d) identity = identity && perm[d] == d;
  return identity ? x : kernels::transpose(x, perm);
}
}  // namespace

// y = sqrt(sum(x^2)) over axes, computed as m sqrt(sum((x / m)^2)) with m = max |x| (no overflow);
// gx = gy * x / y, read as 0 where y == 0 (x is 0 there: y is replaced by 1 in the division).
// A primitive for that scaling and that subgradient: sqrt(sum(x^2)) composed overflows for float32 values
// beyond 1e19 and its gradient at 0 is 0 / 0.
TSUMIKI_PRIMITIVE(kNorm, "norm");
namespace {
Variable norm2(const Variable& x, const std::vector<std::size_t>& ax, bool keepdims, const Site& site) {
  return apply(
      kNorm, {x}, site,
      [&] {
        std::size_t n = 0;
        const Tensor g = group_last(x.data(), ax, n);
        Shape shape = detail::keepdims_shape(x.shape(), ax);
        if (!keepdims) {
          Shape kept;
          for (std::size_t d = 0; d < x.ndim(); ++d)
            if (!std::binary_search(ax.begin(), ax.end(), d)) kept.push_back(x.shape()[d]);
          shape = kept;
        }
        return dispatch_floating(g.dtype(), kNorm, [&](auto tag) {
          using T = decltype(tag);
          Tensor out(shape, g.dtype());
          const T* px = g.data<T>();
          T* po = out.data<T>();
          for (std::size_t k = 0; k < out.numel(); ++k) {
            const T* row = px + k * n;
            T m = 0;
            bool nan = false;
            for (std::size_t i = 0; i < n; ++i) {
              nan = nan || std::isnan(row[i]);
              m = std::max(m, std::abs(row[i]));
            }
            T y = m;
            if (nan)
              y = std::numeric_limits<T>::quiet_NaN();
            else if (m > 0 && std::isfinite(m)) {
              T s = 0;
              for (std::size_t i = 0; i < n; ++i) s += (row[i] / m) * (row[i] / m);
              y = m * std::sqrt(s);
            }
            po[k] = y;
          }
          return out;
        });
      },
      [ax](const Function& f, const Variable& gy) {
        const Variable& x = f.input(0);
        const Shape keep = detail::keepdims_shape(x.shape(), ax);
        const Variable y = reshape(f.output(), keep);
        const Variable safe = where(equal(y, scalar_like(0, y)), scalar_like(1, y), y);
        return Grads{mul(reshape(gy, keep), div(x, safe))};
      });
}
}  // namespace

Variable norm(const Variable& x, double p, const Axes& axes, bool keepdims, const Site& site) {
  const char* op = "norm";
  detail::check_floating(op, x, site);
  const auto ax = detail::normalize_axes(op, axes, x.ndim(), site);
  if (p == 1) return sum(abs(x, site), axes, keepdims, site);
  if (p == 2) return norm2(x, ax, keepdims, site);
  if (p == std::numeric_limits<double>::infinity()) {
    for (auto a : ax)
      if (x.shape()[a] == 0)
        fail(op, "the inf-norm over an empty axis of shape " + to_string(x.shape()), site);
    return max(abs(x, site), axes, keepdims, site);
  }
  fail(op, "p must be 1, 2 or INFINITY, got " + std::to_string(p), site);
}

// y[i] = x[0] + ... + x[i] along the axis (reverse: x[i] + ... + x[n-1]);  gx = the reverse running sum of gy
// (the adjoint of a running sum runs the other way), so cumsum's backward is cumsum again.
TSUMIKI_PRIMITIVE(kCumsum, "cumsum");
namespace {
Variable running_sum(const Variable& x, std::size_t axis, bool reverse, const Site& site) {
  return apply(
      kCumsum, {x}, site,
      [&] {
        const Tensor& in = x.data();
        std::size_t outer = 1, n = in.shape()[axis], inner = 1;
        for (std::size_t d = 0; d < axis; ++d) outer *= in.shape()[d];
        for (std::size_t d = axis + 1; d < in.shape().size(); ++d) inner *= in.shape()[d];
        return dispatch_floating(in.dtype(), kCumsum, [&](auto tag) {
          using T = decltype(tag);
          Tensor out(in.shape(), in.dtype());
          const T* px = in.data<T>();
          T* po = out.data<T>();
          for (std::size_t o = 0; o < outer; ++o) {
            const std::size_t base = o * n * inner;
            for (std::size_t j = 0; j < inner; ++j) {
              T acc = 0;
              for (std::size_t k = 0; k < n; ++k) {
                const std::size_t i = base + (reverse ? n - 1 - k : k) * inner + j;
                acc += px[i];
                po[i] = acc;
              }
            }
          }
          return out;
        });
      },
      [axis, reverse](const Function&, const Variable& gy) {
        return Grads{running_sum(gy, axis, !reverse, Site::current())};
      });
}
}  // namespace

Variable cumsum(const Variable& x, int axis, const Site& site) {
  detail::check_floating(kCumsum, x, site);
  if (x.ndim() == 0) fail(kCumsum, "needs at least one dimension, got a 0-d tensor", site);
  return running_sum(x, detail::normalize_axis(kCumsum, axis, x.ndim(), site), false, site);
}

}  // namespace tsumiki
