// Layout kernels: they move values without arithmetic, so they serve every dtype. All are strided copies.
#include <array>
#include <cstdint>
#include <cstring>

#include "kernels.hpp"
#include "loops.hpp"

namespace tsumiki::kernels {
namespace {
// (outer, n, inner) view of a shape around `axis`.
struct Split {
  std::size_t outer = 1, n = 1, inner = 1;
};
Split split_at(const Shape& s, std::size_t axis) {
  Split p;
  for (std::size_t d = 0; d < axis; ++d) p.outer *= s[d];
  p.n = s[axis];
  for (std::size_t d = axis + 1; d < s.size(); ++d) p.inner *= s[d];
  return p;
}
}  // namespace

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  return dispatch_all(x.dtype(), [&](auto t) {
    using T = decltype(t);
    Tensor out(shape, x.dtype());
    strided_copy<T>(x.data<T>(), broadcast_strides(x.shape(), shape), out.data<T>(),
                    contiguous_strides(shape), shape, false);
    return out;
  });
}

Tensor transpose(const Tensor& x, const std::vector<std::size_t>& perm) {
  Shape shape;
  const Strides in = contiguous_strides(x.shape());
  Strides src{};
  for (std::size_t d = 0; d < perm.size(); ++d) {
    shape.push_back(x.shape()[perm[d]]);
    src[d] = in[perm[d]];
  }
  return dispatch_all(x.dtype(), [&](auto t) {
    using T = decltype(t);
    Tensor out(shape, x.dtype());
    strided_copy<T>(x.data<T>(), src, out.data<T>(), contiguous_strides(shape), shape, false);
    return out;
  });
}

namespace {
// Offset of the first selected element and the strides of the selection, in x's elements.
std::ptrdiff_t range_layout(const Shape& x, const std::vector<AxisRange>& ranges, Shape& shape, Strides& st) {
  const Strides c = contiguous_strides(x);
  std::ptrdiff_t offset = 0;
  for (std::size_t d = 0; d < ranges.size(); ++d) {
    shape.push_back(ranges[d].length);
    st[d] = c[d] * ranges[d].step;
    offset += c[d] * static_cast<std::ptrdiff_t>(ranges[d].start);
  }
  return offset;
}
}  // namespace

namespace {
// A selection is one contiguous block when, from the last axis back, every axis is whole until one that is
// a step-1 range, and every axis before that one has a single element.
bool contiguous(const Shape& x, const std::vector<AxisRange>& ranges) {
  std::size_t d = ranges.size();
  while (d > 0 && ranges[d - 1].start == 0 && ranges[d - 1].step == 1 && ranges[d - 1].length == x[d - 1])
    --d;
  if (d == 0) return true;
  if (ranges[d - 1].step != 1 && ranges[d - 1].length > 1) return false;
  for (std::size_t k = 0; k + 1 < d; ++k)
    if (ranges[k].length != 1) return false;
  return true;
}
}  // namespace

Tensor gather_ranges(const Tensor& x, const std::vector<AxisRange>& ranges) {
  Shape shape;
  Strides src{};
  const std::ptrdiff_t offset = range_layout(x.shape(), ranges, shape, src);
  // Contiguous blocks (batches of rows, a row of a matrix) share the buffer instead of being copied.
  if (shape.numel() > 0 && contiguous(x.shape(), ranges))
    return x.view(static_cast<std::size_t>(offset), shape);
  return dispatch_all(x.dtype(), [&](auto t) {
    using T = decltype(t);
    Tensor out(shape, x.dtype());
    strided_copy<T>(x.data<T>() + offset, src, out.data<T>(), contiguous_strides(shape), shape, false);
    return out;
  });
}

Tensor scatter_ranges(const Tensor& g, const Shape& shape, const std::vector<AxisRange>& ranges) {
  Shape sel;
  Strides dst{};
  const std::ptrdiff_t offset = range_layout(shape, ranges, sel, dst);
  return dispatch_all(g.dtype(), [&](auto t) {
    using T = decltype(t);
    Tensor out = zeros(shape, g.dtype());
    strided_copy<T>(g.data<T>(), contiguous_strides(sel), out.data<T>() + offset, dst, sel, false);
    return out;
  });
}

Tensor take(const Tensor& x, const Tensor& indices, std::size_t axis) {
  const Split p = split_at(x.shape(), axis);
  Shape shape;
  for (std::size_t d = 0; d < axis; ++d) shape.push_back(x.shape()[d]);
  for (auto d : indices.shape()) shape.push_back(d);
  for (std::size_t d = axis + 1; d < x.ndim(); ++d) shape.push_back(x.shape()[d]);
  const std::int64_t* idx = indices.data<std::int64_t>();
  const std::size_t m = indices.numel();
  return dispatch_all(x.dtype(), [&](auto t) {
    using T = decltype(t);
    Tensor out(shape, x.dtype());
    const T* src = x.data<T>();
    T* dst = out.data<T>();
    for (std::size_t o = 0; o < p.outer; ++o)
      for (std::size_t j = 0; j < m; ++j)
        std::memcpy(dst + (o * m + j) * p.inner, src + (o * p.n + static_cast<std::size_t>(idx[j])) * p.inner,
                    p.inner * sizeof(T));
    return out;
  });
}

Tensor take_backward(const Tensor& g, const Tensor& indices, std::size_t axis, const Shape& shape) {
  const Split p = split_at(shape, axis);
  const std::int64_t* idx = indices.data<std::int64_t>();
  const std::size_t m = indices.numel();
  return dispatch_all(g.dtype(), [&](auto t) {
    using T = decltype(t);
    Tensor out = zeros(shape, g.dtype());
    const T* src = g.data<T>();
    T* dst = out.data<T>();
    for (std::size_t o = 0; o < p.outer; ++o)
      for (std::size_t j = 0; j < m; ++j) {
        T* row = dst + (o * p.n + static_cast<std::size_t>(idx[j])) * p.inner;
        const T* in = src + (o * m + j) * p.inner;
        for (std::size_t i = 0; i < p.inner; ++i) row[i] += in[i];
      }
    return out;
  });
}

namespace {
// Calls f(i, base) for every position of `index` (flat i, row-major), where base is the offset in x of that
// position's coordinates with the coordinate along `axis` taken as 0.
template <class F>
void for_each_axis_position(const Shape& index_shape, const Shape& x_shape, std::size_t axis, F&& f) {
  const std::size_t n = index_shape.numel();
  if (n == 0) return;
  const Strides xs = contiguous_strides(x_shape);
  const std::size_t rank = index_shape.size();
  std::array<std::size_t, Shape::kMaxRank> at{};
  std::ptrdiff_t base = 0;
  for (std::size_t i = 0; i < n; ++i) {
    f(i, base);
    for (std::size_t d = rank; d-- > 0;) {
      const std::ptrdiff_t step = d == axis ? 0 : xs[d];
      base += step;
      if (++at[d] < index_shape[d]) break;
      base -= step * static_cast<std::ptrdiff_t>(index_shape[d]);
      at[d] = 0;
    }
  }
}
}  // namespace

Tensor gather_axis(const Tensor& x, const Tensor& index, std::size_t axis) {
  const std::int64_t* idx = index.data<std::int64_t>();
  const std::ptrdiff_t stride = contiguous_strides(x.shape())[axis];
  return dispatch_all(x.dtype(), [&](auto t) {
    using T = decltype(t);
    Tensor out(index.shape(), x.dtype());
    const T* src = x.data<T>();
    T* dst = out.data<T>();
    for_each_axis_position(index.shape(), x.shape(), axis,
                           [&](std::size_t i, std::ptrdiff_t base) { dst[i] = src[base + idx[i] * stride]; });
    return out;
  });
}

Tensor scatter_add_axis(const Tensor& x, const Tensor& index, const Tensor& src, std::size_t axis) {
  const std::int64_t* idx = index.data<std::int64_t>();
  const std::ptrdiff_t stride = contiguous_strides(x.shape())[axis];
  return dispatch_all(x.dtype(), [&](auto t) {
    using T = decltype(t);
    Tensor out = x.clone();
    const T* in = src.data<T>();
    T* dst = out.data<T>();
    for_each_axis_position(index.shape(), x.shape(), axis,
                           [&](std::size_t i, std::ptrdiff_t base) { dst[base + idx[i] * stride] += in[i]; });
    return out;
  });
}

Tensor concat(const std::vector<Tensor>& xs, std::size_t axis) {
  Shape shape = xs[0].shape();
  shape[axis] = 0;
  for (const auto& x : xs) shape[axis] += x.shape()[axis];
  const Split p = split_at(shape, axis);
  return dispatch_all(xs[0].dtype(), [&](auto t) {
    using T = decltype(t);
    Tensor out(shape, xs[0].dtype());
    T* dst = out.data<T>();
    std::size_t at = 0;  // position along axis
    for (const auto& x : xs) {
      const std::size_t block = x.shape()[axis] * p.inner;
      const T* src = x.data<T>();
      for (std::size_t o = 0; o < p.outer; ++o)
        std::memcpy(dst + o * p.n * p.inner + at * p.inner, src + o * block, block * sizeof(T));
      at += x.shape()[axis];
    }
    return out;
  });
}

}  // namespace tsumiki::kernels
