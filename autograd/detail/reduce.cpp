// Reductions, one axis at a time over an (outer, n, inner) view: the inner loop runs over contiguous memory.
#include <algorithm>

#include "kernels.hpp"
#include "loops.hpp"
#include "parallel.hpp"

namespace tsumiki::kernels {
namespace {
// max and min in which a NaN wins, as in IEEE arithmetic and PyTorch (std::max keeps its first argument when
// the second is NaN). a != a is isnan.
template <class T>
T nan_max(T a, T b) {
  return a >= b || a != a ? a : b;
}
template <class T>
T nan_min(T a, T b) {
  return a <= b || a != a ? a : b;
}
}  // namespace
namespace {

template <class T>
Tensor reduce_axis(Reduce op, const Tensor& x, std::size_t axis) {
  std::size_t outer = 1, inner = 1;
  const std::size_t n = x.shape()[axis];
  for (std::size_t d = 0; d < axis; ++d) outer *= x.shape()[d];
  for (std::size_t d = axis + 1; d < x.ndim(); ++d) inner *= x.shape()[d];
  Shape shape = x.shape();
  shape[axis] = 1;
  Tensor out(shape, x.dtype());
  const T* src = x.data<T>();
  T* dst = out.data<T>();
  // Every output element is reduced by one chunk, in the same order: the same bits for any thread count.
  if (inner == 1 && n > 0) {  // reducing the contiguous axis: one running value per row
    parallel_for(outer, std::max<std::size_t>(1, kElementwiseGrain / n), [&](std::size_t lo, std::size_t hi) {
      for (std::size_t o = lo; o < hi; ++o) {
        const T* in = src + o * n;
        T acc = in[0];
        switch (op) {
          case Reduce::Sum:
            for (std::size_t k = 1; k < n; ++k) acc += in[k];
            break;
          case Reduce::Max:
            for (std::size_t k = 1; k < n; ++k) acc = nan_max(acc, in[k]);
            break;
          case Reduce::Min:
            for (std::size_t k = 1; k < n; ++k) acc = nan_min(acc, in[k]);
            break;
        }
        dst[o] = acc;
      }
    });
    return out;
  }
  // Columns [i0, i1) of outer block o: a running row, one input row at a time.
  const auto columns = [&](std::size_t o, std::size_t i0, std::size_t i1) {
    const T* blk = src + o * n * inner;
    T* row = dst + o * inner;
    if (n == 0) {
      std::fill(row + i0, row + i1, T(0));  // only Sum reaches here: ops reject max/min of empty axes
      return;
    }
    std::copy(blk + i0, blk + i1, row + i0);
    for (std::size_t k = 1; k < n; ++k) {
      const T* in = blk + k * inner;
      switch (op) {
        case Reduce::Sum:
          for (std::size_t i = i0; i < i1; ++i) row[i] += in[i];
          break;
        case Reduce::Max:
          for (std::size_t i = i0; i < i1; ++i) row[i] = nan_max(row[i], in[i]);
          break;
        case Reduce::Min:
          for (std::size_t i = i0; i < i1; ++i) row[i] = nan_min(row[i], in[i]);
          break;
      }
    }
  };
  const std::size_t work = std::max<std::size_t>(1, n) * inner;
  if (outer == 0 || inner == 0) return out;
  if (outer > 1)
    parallel_for(outer, std::max<std::size_t>(1, kElementwiseGrain / work),
                 [&](std::size_t lo, std::size_t hi) {
                   for (std::size_t o = lo; o < hi; ++o) columns(o, 0, inner);
                 });
  else
    parallel_for(inner, std::max<std::size_t>(1, kElementwiseGrain / std::max<std::size_t>(1, n)),
                 [&](std::size_t lo, std::size_t hi) { columns(0, lo, hi); });
  return out;
}

}  // namespace

Tensor reduce(Reduce op, const Tensor& x, const std::vector<std::size_t>& axes, bool keepdims) {
  Tensor out = x;
  for (auto it = axes.rbegin(); it != axes.rend(); ++it)
    out = dispatch_floating(x.dtype(), "reduce",
                            [&](auto t) { return reduce_axis<decltype(t)>(op, out, *it); });
  if (axes.empty()) out = x.clone();
  if (keepdims) return out;
  Shape shape;
  for (std::size_t d = 0; d < x.ndim(); ++d)
    if (!std::binary_search(axes.begin(), axes.end(), d)) shape.push_back(x.shape()[d]);
  return out.reshape(shape);
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const std::size_t lead = x.ndim() - shape.size();
  std::vector<std::size_t> axes;
  for (std::size_t d = 0; d < x.ndim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.shape()[d] != 1)) axes.push_back(d);
  return reduce(Reduce::Sum, x, axes, true).reshape(shape);
}

}  // namespace tsumiki::kernels
