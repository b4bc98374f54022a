// Indexing: slices (get_item), integer picks (take, gather) and concat, each paired with its adjoint scatter;
// masks and padding composed of them.
#include "indexing.hpp"

#include <algorithm>
#include <string>

#include "../apply.hpp"
#include "../detail/checks.hpp"
#include "../detail/kernels.hpp"
#include "../ops.hpp"

namespace tsumiki {
using kernels::AxisRange;

namespace {
Variable pick_ranges(const Variable& x, const std::vector<AxisRange>& ranges, const Site& site);

// y = zeros(shape) with g at the ranges (adjoint of gather);  gg = gather(gy, ranges)
TSUMIKI_PRIMITIVE(kGetItemBackward, "get_item_backward");
Variable place_ranges(const Variable& g, const Shape& shape, const std::vector<AxisRange>& ranges,
                      const Site& site) {
  return apply(
      kGetItemBackward, {g}, site, [&] { return kernels::scatter_ranges(g.data(), shape, ranges); },
      [ranges, site](const Function&, const Variable& gy) { return Grads{pick_ranges(gy, ranges, site)}; });
}

// y = x at the ranges;  gx = scatter(gy, x.shape, ranges)
TSUMIKI_PRIMITIVE(kGetItem, "get_item");
Variable pick_ranges(const Variable& x, const std::vector<AxisRange>& ranges, const Site& site) {
  return apply(
      kGetItem, {x}, site, [&] { return kernels::gather_ranges(x.data(), ranges); },
      [ranges, site](const Function& f, const Variable& gy) {
        return Grads{place_ranges(gy, f.input(0).shape(), ranges, site)};
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
  return reshape(pick_ranges(x, ranges, site), shape, site);
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

namespace {
// The index tensor of gather and scatter_add: int64, x's rank, no larger than `bound` off the axis, values in
// [0, n). Names the op, the shapes, and the first offending index with its position.
void check_axis_index(const char* op, const Variable& x, std::size_t axis, const Tensor& index,
                      const Site& site) {
  if (!index.defined() || index.dtype() != Dtype::Int64)
    fail(op,
         std::string("index must be an int64 tensor, got ") +
             (index.defined() ? dtype_name(index.dtype()) : "undefined"),
         site);
  if (index.ndim() != x.ndim())
    fail(op,
         "index " + to_string(index.shape()) + " and input " + to_string(x.shape()) +
             " need the same number of dimensions",
         site);
  for (std::size_t d = 0; d < x.ndim(); ++d)
    if (d != axis && index.shape()[d] > x.shape()[d])
      fail(op,
           "index " + to_string(index.shape()) + " is larger than input " + to_string(x.shape()) +
               " along axis " + std::to_string(d) + " (only the gathered axis " + std::to_string(axis) +
               " may differ)",
           site);
  const auto n = static_cast<std::int64_t>(x.shape()[axis]);
  const std::int64_t* p = index.data<std::int64_t>();
  for (std::size_t i = 0; i < index.numel(); ++i)
    if (p[i] < 0 || p[i] >= n) {
      std::string at;  // the position in index, as (i, j, k)
      std::size_t rest = i;
      for (std::size_t d = index.ndim(); d-- > 0;) {
        at = std::to_string(rest % index.shape()[d]) + (at.empty() ? "" : ", ") + at;
        rest /= index.shape()[d];
      }
      fail(op,
           "index " + std::to_string(p[i]) + " at position (" + at + ") of index " +
               to_string(index.shape()) + " is out of bounds for axis " + std::to_string(axis) +
               " with size " + std::to_string(n) + " (input " + to_string(x.shape()) + ")",
           site);
    }
}

Variable gather_impl(const Variable& x, std::size_t axis, const Tensor& index, const Site& site);

// gather and scatter_add are primitives: each position picks its own index along the axis, which take (one
// index list shared by every position) cannot express without a flattened index as large as the output.

// y = x + scatter of src at index along axis;  gx = gy, gsrc = gather(gy, axis, index)
TSUMIKI_PRIMITIVE(kScatterAdd, "scatter_add");
Variable scatter_add_impl(const Variable& x, std::size_t axis, const Tensor& index, const Variable& src,
                          const Site& site) {
  return apply(
      kScatterAdd, {x, src}, site,
      [&] { return kernels::scatter_add_axis(x.data(), index, src.data(), axis); },
      [axis, index, site](const Function& f, const Variable& gy) {
        return Grads{gy, f.needs_grad(1) ? gather_impl(gy, axis, index, site) : Variable()};
      });
}

// y = x at index along axis;  gx = scatter_add(zeros(x.shape), axis, index, gy)
TSUMIKI_PRIMITIVE(kGather, "gather");
Variable gather_impl(const Variable& x, std::size_t axis, const Tensor& index, const Site& site) {
  return apply(
      kGather, {x}, site, [&] { return kernels::gather_axis(x.data(), index, axis); },
      [axis, index, site](const Function& f, const Variable& gy) {
        const Variable zero(zeros(f.input(0).shape(), gy.dtype()), false, site);
        return Grads{scatter_add_impl(zero, axis, index, gy, site)};
      });
}
}  // namespace

Variable gather(const Variable& x, int axis, const Tensor& index, const Site& site) {
  detail::check_defined(kGather, x, site);
  const std::size_t a = detail::normalize_axis(kGather, axis, x.ndim(), site);
  check_axis_index(kGather, x, a, index, site);
  return gather_impl(x, a, index, site);
}

Variable scatter_add(const Variable& x, int axis, const Tensor& index, const Variable& src,
                     const Site& site) {
  detail::check_pair(kScatterAdd, x, src, site);
  const std::size_t a = detail::normalize_axis(kScatterAdd, axis, x.ndim(), site);
  check_axis_index(kScatterAdd, x, a, index, site);
  if (src.ndim() != index.ndim())
    fail(kScatterAdd,
         "src " + to_string(src.shape()) + " and index " + to_string(index.shape()) +
             " need the same number of dimensions",
         site);
  bool whole = true;  // src has index's shape
  std::vector<Index> lead;
  for (std::size_t d = 0; d < src.ndim(); ++d) {
    if (index.shape()[d] > src.shape()[d])
      fail(kScatterAdd,
           "index " + to_string(index.shape()) + " is larger than src " + to_string(src.shape()) +
               " along axis " + std::to_string(d),
           site);
    whole = whole && index.shape()[d] == src.shape()[d];
    lead.push_back(Slice{0, static_cast<std::int64_t>(index.shape()[d]), 1});
  }
  // PyTorch reads src's leading block of index's shape: slicing it first gives the rest of src a zero
  // gradient.
  return scatter_add_impl(x, a, index, whole ? src : get_item(src, lead, site), site);
}

namespace {
// A mask as x's dtype, checked to hold only 0 and 1.
Tensor mask_values(const char* op, const Variable& mask, Dtype dtype, const Site& site) {
  detail::check_defined(op, mask, site);
  const Tensor m = mask.data();
  for (std::size_t i = 0; i < m.numel(); ++i) {
    const double v = m.flat(i);
    if (v != 0 && v != 1)
      fail(op,
           "mask element " + std::to_string(i) + " of " + to_string(m.shape()) + " is " + std::to_string(v) +
               "; expected a mask of 0 and 1 (as greater, equal, ... make)",
           site);
  }
  return m.to(dtype);
}
}  // namespace

// Composite: where(mask, value, x); its gradient is where's (0 at the filled places).
Variable masked_fill(const Variable& x, const Variable& mask, double value, const Site& site) {
  detail::check_floating("masked_fill", x, site);
  const Tensor m = mask_values("masked_fill", mask, x.dtype(), site);
  if (kernels::broadcast_shapes(m.shape(), x.shape(), "masked_fill", site) != x.shape())
    fail("masked_fill",
         "mask " + to_string(m.shape()) + " does not broadcast to the input's shape " + to_string(x.shape()),
         site);
  return where(Variable(m, false, site), scalar_like(value, x, site), x, site);
}

// Composite: take of the flattened (broadcast) x at the mask's nonzero positions; take's backward scatters.
Variable masked_select(const Variable& x, const Variable& mask, const Site& site) {
  detail::check_floating("masked_select", x, site);
  const Tensor m = mask_values("masked_select", mask, x.dtype(), site);
  const Shape shape = kernels::broadcast_shapes(m.shape(), x.shape(), "masked_select", site);
  const Tensor mb = m.shape() == shape ? m : kernels::broadcast_to(m, shape);
  std::vector<std::int64_t> picks;
  for (std::size_t i = 0; i < mb.numel(); ++i)
    if (mb.flat(i) != 0) picks.push_back(static_cast<std::int64_t>(i));
  const Variable xb = x.shape() == shape ? x : broadcast_to(x, shape, site);
  return take(reshape(xb, Shape{shape.numel()}, site), from_vector<std::int64_t>(picks, Shape{picks.size()}),
              0, site);
}

// Composite: constant padding joins constant blocks with concat (slicing first where a pad is negative); the
// other modes are one take per axis with an index map, so their gradients are take's scatter-add.
Variable pad(const Variable& x, const std::vector<std::int64_t>& pads, PadMode mode, double value,
             const Site& site) {
  detail::check_floating("pad", x, site);
  if (pads.size() % 2 != 0 || pads.size() > 2 * x.ndim())
    fail("pad",
         std::to_string(pads.size()) + " pad amounts for input " + to_string(x.shape()) +
             "; expected (before, after) pairs for at most " + std::to_string(x.ndim()) + " axes",
         site);
  Variable y = x;
  for (std::size_t k = 0; k < pads.size() / 2; ++k) {
    const std::size_t axis = x.ndim() - 1 - k;
    const std::int64_t l = pads[2 * k], r = pads[2 * k + 1];
    if (l == 0 && r == 0) continue;
    const auto n = static_cast<std::int64_t>(y.shape()[axis]);
    const std::string where_ = "axis " + std::to_string(axis) + " of size " + std::to_string(n) + " (input " +
                               to_string(x.shape()) + ", pads (" + std::to_string(l) + ", " +
                               std::to_string(r) + "))";
    if (n + l + r < 0) fail("pad", "the padded size of " + where_ + " would be negative", site);
    if (mode == PadMode::Constant) {
      if (l < 0 || r < 0) y = slice(y, static_cast<int>(axis), l < 0 ? -l : 0, r < 0 ? n + r : n, 1, site);
      std::vector<Variable> parts;
      auto block = [&](std::int64_t len) {
        Shape s = y.shape();
        s[axis] = static_cast<std::size_t>(len);
        parts.emplace_back(full(s, value, x.dtype()), false, site);
      };
      if (l > 0) block(l);
      parts.push_back(y);
      if (r > 0) block(r);
      if (parts.size() > 1) y = concat(parts, static_cast<int>(axis), site);
      continue;
    }
    const std::int64_t most = std::max(l, r);
    if (mode == PadMode::Reflect && most >= n)
      fail("pad", std::string("reflect padding must be smaller than the size of ") + where_, site);
    if (mode == PadMode::Circular && most > n)
      fail("pad", std::string("circular padding must be at most the size of ") + where_, site);
    if (mode == PadMode::Replicate && n == 0 && most > 0)
      fail("pad", std::string("replicate padding needs a non-empty ") + where_, site);
    std::vector<std::int64_t> map;
    for (std::int64_t i = -l; i < n + r; ++i) {
      std::int64_t j = i;
      if (mode == PadMode::Reflect)
        j = i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i);
      else if (mode == PadMode::Replicate)
        j = std::clamp<std::int64_t>(i, 0, n - 1);
      else
        j = ((i % n) + n) % n;
      map.push_back(j);
    }
    y = take(y, from_vector<std::int64_t>(map, Shape{map.size()}), static_cast<int>(axis), site);
  }
  return y;
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
