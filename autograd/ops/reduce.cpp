// Reductions over axes: sum, mean, max, min.
#include "reduce.hpp"

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

}  // namespace tsumiki
