// Indexing: slices (get_item), integer picks (take) and concat, each paired with its adjoint scatter.
#include "indexing.hpp"

#include "../apply.hpp"
#include "../detail/checks.hpp"
#include "../detail/kernels.hpp"
#include "../ops.hpp"

namespace tsumiki {
using kernels::AxisRange;

namespace {
Variable gather(const Variable& x, const std::vector<AxisRange>& ranges, const Site& site);

// y = zeros(shape) with g at the ranges (adjoint of gather);  gg = gather(gy, ranges)
TSUMIKI_PRIMITIVE(kGetItemBackward, "get_item_backward");
Variable scatter(const Variable& g, const Shape& shape, const std::vector<AxisRange>& ranges,
                 const Site& site) {
  return apply(
      kGetItemBackward, {g}, site, [&] { return kernels::scatter_ranges(g.data(), shape, ranges); },
      [ranges, site](const Function&, const Variable& gy) { return Grads{gather(gy, ranges, site)}; });
}

// y = x at the ranges;  gx = scatter(gy, x.shape, ranges)
TSUMIKI_PRIMITIVE(kGetItem, "get_item");
Variable gather(const Variable& x, const std::vector<AxisRange>& ranges, const Site& site) {
  return apply(
      kGetItem, {x}, site, [&] { return kernels::gather_ranges(x.data(), ranges); },
      [ranges, site](const Function& f, const Variable& gy) {
        return Grads{scatter(gy, f.input(0).shape(), ranges, site)};
      });
}

// Python's slice.indices(): clamps start/stop and counts the elements.
AxisRange resolve(const Slice& s, std::size_t dim, const Site& site) {
  if (s.step == 0) fail(kGetItem, "slice step cannot be zero", site);
  const auto n = static_cast<std::int64_t>(dim);
  auto clamp = [](std::int64_t v, std::int64_t lo, std::int64_t hi) {
    return v < lo ? lo : (v > hi ? hi : v);
  };
  std::int64_t start, stop;
  if (s.step > 0) {
    start = s.start ? clamp(*s.start < 0 ? *s.start + n : *s.start, 0, n) : 0;
    stop = s.stop ? clamp(*s.stop < 0 ? *s.stop + n : *s.stop, 0, n) : n;
  } else {
    start = s.start ? clamp(*s.start < 0 ? *s.start + n : *s.start, -1, n - 1) : n - 1;
    stop = s.stop ? clamp(*s.stop < 0 ? *s.stop + n : *s.stop, -1, n - 1) : -1;
  }
  const std::int64_t span = s.step > 0 ? stop - start : start - stop;
  const std::int64_t step = s.step > 0 ? s.step : -s.step;
  const std::int64_t len = span <= 0 ? 0 : (span + step - 1) / step;
  return {static_cast<std::size_t>(len > 0 ? start : 0), static_cast<std::ptrdiff_t>(s.step),
          static_cast<std::size_t>(len)};
}
}  // namespace

Variable get_item(const Variable& x, const std::vector<Index>& index, const Site& site) {
  detail::check_defined(kGetItem, x, site);
  if (index.size() > x.ndim())
    fail(kGetItem, std::to_string(index.size()) + " indices for a tensor of shape " + to_string(x.shape()),
         site);
  std::vector<AxisRange> ranges;
  Shape shape;  // the result's shape: integer-indexed axes removed
  for (std::size_t d = 0; d < x.ndim(); ++d) {
    const std::size_t n = x.shape()[d];
    if (d < index.size() && std::holds_alternative<std::int64_t>(index[d])) {
      std::int64_t i = std::get<std::int64_t>(index[d]);
      if (i < -static_cast<std::int64_t>(n) || i >= static_cast<std::int64_t>(n))
        fail(kGetItem,
             "index " + std::to_string(i) + " is out of bounds for axis " + std::to_string(d) +
                 " with size " + std::to_string(n) + " (shape " + to_string(x.shape()) + ")",
             site);
      if (i < 0) i += static_cast<std::int64_t>(n);
      ranges.push_back({static_cast<std::size_t>(i), 1, 1});
    } else {
      ranges.push_back(d < index.size() ? resolve(std::get<Slice>(index[d]), n, site) : AxisRange{0, 1, n});
      shape.push_back(ranges.back().length);
    }
  }
  return reshape(gather(x, ranges, site), shape, site);
}

Variable slice(const Variable& x, int axis, std::int64_t start, std::int64_t stop, std::int64_t step,
               const Site& site) {
  detail::check_defined("slice", x, site);
  const std::size_t a = detail::normalize_axis("slice", axis, x.ndim(), site);
  std::vector<Index> index(a, Slice{});
  index.push_back(Slice{start, stop, step});
  return get_item(x, index, site);
}

namespace {
Variable take_impl(const Variable& x, const Tensor& idx, std::size_t axis, const Site& site);

// y = zeros(shape) with g added at the indices (adjoint of take);  gg = take(gy, indices)
TSUMIKI_PRIMITIVE(kTakeBackward, "take_backward");
Variable take_backward(const Variable& g, const Tensor& idx, std::size_t axis, const Shape& shape,
                       const Site& site) {
  return apply(
      kTakeBackward, {g}, site, [&] { return kernels::take_backward(g.data(), idx, axis, shape); },
      [idx, axis, site](const Function&, const Variable& gy) {
        return Grads{take_impl(gy, idx, axis, site)};
      });
}

// y = x[..., indices, ...] along axis;  gx = take_backward(gy, indices, x.shape)
TSUMIKI_PRIMITIVE(kTake, "take");
Variable take_impl(const Variable& x, const Tensor& idx, std::size_t axis, const Site& site) {
  return apply(
      kTake, {x}, site, [&] { return kernels::take(x.data(), idx, axis); },
      [idx, axis, site](const Function& f, const Variable& gy) {
        return Grads{take_backward(gy, idx, axis, f.input(0).shape(), site)};
      });
}
}  // namespace

Variable take(const Variable& x, const Tensor& indices, int axis, const Site& site) {
  detail::check_defined(kTake, x, site);
  if (!indices.defined() || indices.dtype() != Dtype::Int64)
    fail(kTake,
         std::string("indices must be an int64 tensor, got ") +
             (indices.defined() ? dtype_name(indices.dtype()) : "undefined"),
         site);
  const std::size_t a = detail::normalize_axis(kTake, axis, x.ndim(), site);
  const auto n = static_cast<std::int64_t>(x.shape()[a]);
  Tensor idx = indices.clone();  // normalised copy: negative indices count from the end
  std::int64_t* p = idx.data<std::int64_t>();
  for (std::size_t i = 0; i < idx.numel(); ++i) {
    if (p[i] < -n || p[i] >= n)
      fail(kTake,
           "index " + std::to_string(p[i]) + " is out of bounds for axis " + std::to_string(a) +
               " with size " + std::to_string(n) + " (shape " + to_string(x.shape()) + ")",
           site);
    if (p[i] < 0) p[i] += n;
  }
  return take_impl(x, idx, a, site);
}

// y = [x0, x1, ...] joined along axis;  gxi = the matching slice of gy
TSUMIKI_PRIMITIVE(kConcat, "concat");
Variable concat(const std::vector<Variable>& xs, int axis, const Site& site) {
  if (xs.empty()) fail(kConcat, "needs at least one input", site);
  for (const auto& x : xs) detail::check_defined(kConcat, x, site);
  const std::size_t a = detail::normalize_axis(kConcat, axis, xs[0].ndim(), site);
  std::vector<Tensor> data;
  for (const auto& x : xs) {
    bool ok = x.ndim() == xs[0].ndim() && x.dtype() == xs[0].dtype();
    for (std::size_t d = 0; ok && d < x.ndim(); ++d) ok = d == a || x.shape()[d] == xs[0].shape()[d];
    if (!ok)
      fail(kConcat,
           std::string("cannot join ") + dtype_name(x.dtype()) + " " + to_string(x.shape()) + " to " +
               dtype_name(xs[0].dtype()) + " " + to_string(xs[0].shape()) + " along axis " +
               std::to_string(axis),
           site);
    data.push_back(x.data());
  }
  return apply(
      kConcat, VariableList(xs.begin(), xs.end()), site, [&] { return kernels::concat(data, a); },
      [a, site](const Function& f, const Variable& gy) {
        Grads gxs;
        std::int64_t at = 0;
        for (std::size_t i = 0; i < f.num_inputs(); ++i) {
          const auto len = static_cast<std::int64_t>(f.input(i).shape()[a]);
          gxs.push_back(f.needs_grad(i) ? slice(gy, static_cast<int>(a), at, at + len, 1, site) : Variable());
          at += len;
        }
        return gxs;
      });
}

Variable stack(const std::vector<Variable>& xs, int axis, const Site& site) {
  if (xs.empty()) fail("stack", "needs at least one input", site);
  std::vector<Variable> expanded;
  for (const auto& x : xs) {
    detail::check_defined("stack", x, site);
    if (x.shape() != xs[0].shape())
      fail("stack",
           "all inputs need one shape, got " + to_string(xs[0].shape()) + " and " + to_string(x.shape()),
           site);
    expanded.push_back(unsqueeze(x, axis, site));
  }
  return concat(expanded, axis, site);
}

}  // namespace tsumiki
