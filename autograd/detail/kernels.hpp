// Array kernels under the ops (internal). Inputs are validated by the ops; kernels assume valid shapes.
// Each kernel dispatches on dtype (float32/float64; layout kernels also int64) and writes a new tensor.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "../site.hpp"
#include "../tensor.hpp"

namespace tsumiki::kernels {

using Strides = std::array<std::ptrdiff_t, Shape::kMaxRank>;

// NumPy broadcasting of two shapes; throws Error naming `op`, both shapes and the site.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op, const Site& site);
// Element strides of `in` read as `out` (0 along broadcast axes). in must broadcast to out.
Strides broadcast_strides(const Shape& in, const Shape& out);
Strides contiguous_strides(const Shape& s);

// ---- elementwise ----
// Unary math: kernels::map (map.hpp) with the formula written at the op.
Tensor pow(const Tensor& x, double exponent);
Tensor clip(const Tensor& x, double lo, double hi);
Tensor inside(const Tensor& x, double lo, double hi);  // 1 where lo <= x <= hi, else 0

enum class Binary { Add, Sub, Mul, Div, Maximum, Minimum, Greater, GreaterEqual, Less, LessEqual, Equal };
Tensor binary(Binary op, const Tensor& a, const Tensor& b, const Shape& out_shape);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out_shape);

// ---- layout (any dtype) ----
Tensor broadcast_to(const Tensor& x, const Shape& shape);
Tensor transpose(const Tensor& x, const std::vector<std::size_t>& perm);
// One entry per axis of x: element i of the result's axis reads x at start + i * step.
struct AxisRange {
  std::size_t start = 0;
  std::ptrdiff_t step = 1;
  std::size_t length = 0;
};
Tensor gather_ranges(const Tensor& x, const std::vector<AxisRange>& ranges);
// The adjoint: zeros of `shape` with g written at the ranges.
Tensor scatter_ranges(const Tensor& g, const Shape& shape, const std::vector<AxisRange>& ranges);
// numpy.take along axis with int64 indices (already range-checked and made non-negative).
Tensor take(const Tensor& x, const Tensor& indices, std::size_t axis);
// The adjoint of take: zeros of `shape`, g added at the indices (repeats accumulate).
Tensor take_backward(const Tensor& g, const Tensor& indices, std::size_t axis, const Shape& shape);
Tensor concat(const std::vector<Tensor>& xs, std::size_t axis);
// torch.gather: out (index's shape) = x at index along axis, x's own coordinates on the other axes. index is
// int64 of x's rank, each value in [0, x.shape[axis]) and index.shape[d] <= x.shape[d] for d != axis.
Tensor gather_axis(const Tensor& x, const Tensor& index, std::size_t axis);
// torch.scatter_add: a copy of x with src[i] added at x's element that gather_axis would read for position i
// (repeats accumulate). src has index's shape.
Tensor scatter_add_axis(const Tensor& x, const Tensor& index, const Tensor& src, std::size_t axis);

// ---- reductions ----
enum class Reduce { Sum, Max, Min };
// axes sorted ascending, unique, in range; no axes means nothing reduced.
Tensor reduce(Reduce op, const Tensor& x, const std::vector<std::size_t>& axes, bool keepdims);
Tensor sum_to(const Tensor& x, const Shape& shape);

// ---- sliding windows over (N, C, H, W) images (float32/float64) ----
// Kernel (kh, kw), stride (sh, sw), zero padding (ph, pw); the output is (oh, ow).
struct Window {
  std::size_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0;
  std::size_t oh = 0, ow = 0;
  std::size_t dh = 1, dw = 1;  // dilation: tap (i, j) reads (oh*sh + i*dh - ph, ow*sw + j*dw - pw)
};
// (N, C, H, W) -> (N, C*kh*kw, oh*ow): row (c*kh + i)*kw + j holds tap (i, j) of channel c at every output
// position; taps in the padding read 0 (also those past it when oh, ow were rounded up, as ceil_mode does).
Tensor im2col(const Tensor& x, const Window& w);
// The adjoint of im2col: zeros of x_shape with every column entry added at its tap (padding taps dropped).
Tensor col2im(const Tensor& col, const Shape& x_shape, const Window& w);
// Maximum of each window of (N, C, H, W) -> (N, C, oh, ow); padding never wins, the first maximum does (NaN
// propagates). `indices` receives each maximum's flat index into x (int64, the output's shape).
Tensor max_pool2d(const Tensor& x, const Window& w, Tensor& indices);
// zeros of `shape` with g[i] added at flat index indices[i] (repeats accumulate). For a 4-D `shape`
// (N, C, H, W), the indices of each (n, c) plane of g must fall in that plane (max pooling's do).
Tensor scatter_add_flat(const Tensor& g, const Tensor& indices, const Shape& shape);

// ---- BLAS ----
// op(A) op(B) over matching (or absent) leading batch dimensions.
Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b);

}  // namespace tsumiki::kernels
