// Loops over n-d shapes with per-operand element strides (internal, header-only for inlining).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

#include "kernels.hpp"

namespace tsumiki::kernels {

// Calls f(out_offset, offsets, inner_strides) once per row of the last axis, for rows [row0, row1) (all rows
// by default): out_offset is the flat index of the row's first element; offsets[k] is operand k's element
// offset and inner_strides[k] its step along the row. A range of rows lets parallel_for split the loop.
template <std::size_t K, class F>
void broadcast_loop(const Shape& shape, const std::array<Strides, K>& strides, F&& f, std::size_t row0 = 0,
                    std::size_t row1 = static_cast<std::size_t>(-1)) {
  const std::size_t r = shape.size();
  const std::size_t n = shape.numel();
  if (n == 0) return;
  std::array<std::ptrdiff_t, K> off{};
  if (r == 0) {
    if (row0 == 0 && row1 > 0) f(0, off, std::array<std::ptrdiff_t, K>{});
    return;
  }
  const std::size_t inner = shape[r - 1];
  row1 = std::min(row1, n / inner);
  if (row0 >= row1) return;
  std::array<std::ptrdiff_t, K> inner_stride;
  for (std::size_t k = 0; k < K; ++k) inner_stride[k] = strides[k][r - 1];
  std::size_t idx[Shape::kMaxRank] = {};
  for (std::size_t d = r - 1, rest = row0; d-- > 0;) {  // row0 as a multi-index over the leading axes
    idx[d] = rest % shape[d];
    rest /= shape[d];
    for (std::size_t k = 0; k < K; ++k) off[k] += static_cast<std::ptrdiff_t>(idx[d]) * strides[k][d];
  }
  for (std::size_t o = row0 * inner; o < row1 * inner; o += inner) {
    f(o, off, inner_stride);
    for (std::size_t d = r - 1; d-- > 0;) {
      for (std::size_t k = 0; k < K; ++k) off[k] += strides[k][d];
      if (++idx[d] < shape[d]) break;
      for (std::size_t k = 0; k < K; ++k) off[k] -= strides[k][d] * static_cast<std::ptrdiff_t>(shape[d]);
      idx[d] = 0;
    }
  }
}

// dst (+)= src over `shape`, with element strides for both (0 to broadcast, negative to reverse).
template <class T>
void strided_copy(const T* src, const Strides& ss, T* dst, const Strides& ds, const Shape& shape,
                  bool accumulate) {
  const auto inner = static_cast<std::ptrdiff_t>(shape.empty() ? 1 : shape.back());
  broadcast_loop<2>(shape, std::array<Strides, 2>{ss, ds}, [&](std::size_t, const auto& off, const auto& is) {
    const T* s = src + off[0];
    T* d = dst + off[1];
    if (accumulate)
      for (std::ptrdiff_t j = 0; j < inner; ++j) d[j * is[1]] += s[j * is[0]];
    else
      for (std::ptrdiff_t j = 0; j < inner; ++j) d[j * is[1]] = s[j * is[0]];
  });
}

// Output columns [lo, hi) of a sliding window whose tap j lands inside an input row of `width` pixels
// (input column ow * w.sw + j * w.dw - w.pw); the columns outside read the padding.
struct ColumnRange {
  std::size_t lo, hi;
};
inline ColumnRange inside_columns(std::size_t width, std::size_t j, const Window& w) {
  j *= w.dw;  // the tap's offset in the padded row
  std::size_t lo = j < w.pw ? (w.pw - j + w.sw - 1) / w.sw : 0;
  std::size_t hi = width + w.pw > j ? (width + w.pw - j + w.sw - 1) / w.sw : 0;  // ow*sw < width + pw - j
  hi = hi < w.ow ? hi : w.ow;
  lo = lo < hi ? lo : hi;
  return {lo, hi};
}

// Calls fn(T{}) for the C++ type of any dtype (layout kernels move values of every dtype).
template <class Fn>
decltype(auto) dispatch_all(Dtype d, Fn&& fn) {
  switch (d) {
    case Dtype::Float32:
      return fn(float{});
    case Dtype::Float64:
      return fn(double{});
    default:
      return fn(std::int64_t{});
  }
}

}  // namespace tsumiki::kernels
