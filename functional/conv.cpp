// conv2d composed: im2col followed by one matrix product per image; conv_transpose2d composed: the
// transposed product, then col2im (no backward of their own).
#include "../autograd/ops/conv.hpp"

#include <cstdint>
#include <vector>

#include "../autograd/detail/checks.hpp"
#include "../autograd/detail/window.hpp"
#include "../autograd/ops.hpp"
#include "../autograd/ops/pooling.hpp"
#include "conv.hpp"
#include "normalization.hpp"
#include "pooling.hpp"

namespace tsumiki {
inline namespace functional {

const char* to_string(PaddingMode mode) {
  switch (mode) {
    case PaddingMode::Zeros:
      return "zeros";
    case PaddingMode::Reflect:
      return "reflect";
    case PaddingMode::Replicate:
      return "replicate";
    case PaddingMode::Circular:
      return "circular";
  }
  return "?";
}

namespace {

// "(h, w)", appended piece by piece (GCC 12 warns falsely, -Wrestrict, on "(" + std::to_string(...)).
std::string pair_string(Size2 s) {
  std::string out = "(";
  out += std::to_string(s.h);
  out += ", ";
  out += std::to_string(s.w);
  out += ")";
  return out;
}

// Which input pixel padded position i in [-pad, n + pad) reads, by mode (not Zeros).
std::int64_t source_index(std::int64_t i, std::int64_t n, PaddingMode mode) {
  switch (mode) {
    case PaddingMode::Reflect:
      return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i);
    case PaddingMode::Replicate:
      return i < 0 ? 0 : (i >= n ? n - 1 : i);
    default:  // Circular
      return ((i % n) + n) % n;
  }
}

Tensor pad_indices(std::size_t n, std::size_t pad, PaddingMode mode) {
  std::vector<std::int64_t> idx(n + 2 * pad);
  for (std::size_t k = 0; k < idx.size(); ++k)
    idx[k] = source_index(static_cast<std::int64_t>(k) - static_cast<std::int64_t>(pad),
                          static_cast<std::int64_t>(n), mode);
  return from_vector(idx);
}

// x padded by `padding` rows and columns on each side by `mode`: two takes (a gather along H, then W), so
// the padding's derivative (the taps folded back onto the pixels they copy) comes from take's. Local to
// conv2d; a general pad op would serve as well.
Variable pad_by_mode(const Variable& x, Size2 padding, PaddingMode mode, const Site& site) {
  const std::size_t h = x.shape()[2], w = x.shape()[3];
  const bool reflect = mode == PaddingMode::Reflect, circular = mode == PaddingMode::Circular;
  if ((reflect && (padding.h >= h || padding.w >= w)) || (circular && (padding.h > h || padding.w > w)))
    fail("conv2d",
         std::string("padding ") + pair_string(padding) + " is too large for padding_mode " +
             to_string(mode) + " on input " + to_string(x.shape()) + " (" +
             (reflect ? "reflect needs padding < the image size"
                      : "circular needs padding <= the image size") +
             ")",
         site);
  Variable y = x;
  if (padding.h > 0) y = take(y, pad_indices(h, padding.h, mode), 2, site);
  if (padding.w > 0) y = take(y, pad_indices(w, padding.w, mode), 3, site);
  return y;
}

void check_bias(const char* op, const Variable& x, const Variable& b, const Variable& W, std::size_t oc,
                const Site& site) {
  if (!b.defined()) return;
  detail::check_pair(op, x, b, site);
  if (b.shape() != Shape{oc})
    fail(op,
         "bias of shape " + to_string(b.shape()) + " for weight " + to_string(W.shape()) + "; expected (" +
             std::to_string(oc) + ",)",
         site);
}

}  // namespace

// y[n] = W2 col[n] + b with W2 = W as (OC, C*KH*KW) and col = im2col(x) (N, C*KH*KW, OH*OW): the matmul
// shares the 2-D W2 across the batch, so the result is (N, OC, OH*OW) in NCHW order and needs no transpose.
// With groups g, col's rows of input part k are contiguous: col as (N, g, C/g*KH*KW, P) times W as
// (g, OC/g, C/g*KH*KW) is one batched product.
Variable conv2d(const Variable& x, const Variable& W, const Variable& b, Size2 stride, Size2 padding,
                Size2 dilation, std::size_t groups, PaddingMode padding_mode, const Site& site) {
  detail::check_pair("conv2d", x, W, site);
  if (groups == 0) fail("conv2d", "groups must be positive", site);
  if (x.ndim() != 4 || W.ndim() != 4 || W.shape()[1] * groups != x.shape()[1])
    fail("conv2d",
         groups == 1 ? "expected input (N, C, H, W) and weight (OC, C, KH, KW) with the same C, got input " +
                           to_string(x.shape()) + " and weight " + to_string(W.shape())
                     : "expected input (N, C, H, W) and weight (OC, C/groups, KH, KW) with groups " +
                           std::to_string(groups) + ", got input " + to_string(x.shape()) + " and weight " +
                           to_string(W.shape()),
         site);
  const std::size_t oc = W.shape()[0];
  if (oc % groups != 0)
    fail("conv2d",
         "the weight's " + std::to_string(oc) + " output channels (weight " + to_string(W.shape()) +
             ") are not divisible by groups " + std::to_string(groups),
         site);
  check_bias("conv2d", x, b, W, oc, site);
  const Size2 kernel{W.shape()[2], W.shape()[3]};
  Variable xp = x;
  if (padding_mode != PaddingMode::Zeros && (padding.h > 0 || padding.w > 0)) {
    xp = pad_by_mode(x, padding, padding_mode, site);
    padding = 0;
  }
  const kernels::Window w = detail::window("conv2d", xp.shape(), kernel, stride, padding, site, dilation);
  const Variable col = im2col(xp, kernel, stride, padding, dilation, site);
  const std::size_t n = x.shape()[0], p = w.oh * w.ow;
  Variable y;
  if (groups == 1) {
    y = matmul(reshape(W, Shape{oc, W.numel() / oc}, site), col, site);
  } else {
    const std::size_t rows = W.numel() / oc;  // C/g * KH * KW
    y = matmul(reshape(W, Shape{groups, oc / groups, rows}, site),
               reshape(col, Shape{n, groups, rows, p}, site), site);
    y = reshape(y, Shape{n, oc, p}, site);
  }
  if (b.defined()) y = add(y, reshape(b, Shape{oc, 1}, site), site);
  return reshape(y, Shape{n, oc, w.oh, w.ow}, site);
}

// col[n] = W2^T x[n] with W2 = W as (C_in, C_out*KH*KW), then y = col2im(col) on the output's shape: the
// adjoint of conv2d's im2col and product, pixel by pixel scattering x times the kernel.
Variable conv_transpose2d(const Variable& x, const Variable& W, const Variable& b, Size2 stride,
                          Size2 padding, Size2 output_padding, std::size_t groups, Size2 dilation,
                          const Site& site) {
  const char* op = "conv_transpose2d";
  detail::check_pair(op, x, W, site);
  if (groups == 0) fail(op, "groups must be positive", site);
  if (x.ndim() != 4 || W.ndim() != 4 || W.shape()[0] != x.shape()[1])
    fail(op,
         "expected input (N, C_in, H, W) and weight (C_in, C_out/groups, KH, KW) with the same C_in, got "
         "input " +
             to_string(x.shape()) + " and weight " + to_string(W.shape()),
         site);
  const std::size_t cin = x.shape()[1];
  if (cin % groups != 0)
    fail(op,
         "the input's " + std::to_string(cin) + " channels (input " + to_string(x.shape()) +
             ") are not divisible by groups " + std::to_string(groups),
         site);
  const Size2 kernel{W.shape()[2], W.shape()[3]};
  if (stride.h == 0 || stride.w == 0 || dilation.h == 0 || dilation.w == 0 || kernel.h == 0 || kernel.w == 0)
    fail(op,
         "kernel, stride and dilation must be positive, got kernel " + pair_string(kernel) + ", stride " +
             pair_string(stride) + ", dilation " + pair_string(dilation),
         site);
  if (output_padding.h >= stride.h || output_padding.w >= stride.w)
    fail(op,
         "output_padding " + pair_string(output_padding) + " must be smaller than the stride " +
             pair_string(stride),
         site);
  const std::size_t ocg = W.shape()[1], oc = ocg * groups, kk = kernel.h * kernel.w;
  check_bias(op, x, b, W, oc, site);
  const std::size_t n = x.shape()[0], h = x.shape()[2], wd = x.shape()[3];
  const std::size_t full_h = (h - 1) * stride.h + dilation.h * (kernel.h - 1) + output_padding.h + 1;
  const std::size_t full_w = (wd - 1) * stride.w + dilation.w * (kernel.w - 1) + output_padding.w + 1;
  if (full_h <= 2 * padding.h || full_w <= 2 * padding.w)
    fail(op,
         "padding " + pair_string(padding) + " leaves no output for input " + to_string(x.shape()) +
             " and weight " + to_string(W.shape()) + " (the unpadded output is " + std::to_string(full_h) +
             " x " + std::to_string(full_w) + ")",
         site);
  const Shape y_shape{n, oc, full_h - 2 * padding.h, full_w - 2 * padding.w};
  Variable col;
  if (groups == 1) {
    col = matmul(transpose(reshape(W, Shape{cin, oc * kk}, site), site),
                 reshape(x, Shape{n, cin, h * wd}, site), site);
  } else {
    const std::size_t cg = cin / groups;
    col = matmul(swapaxes(reshape(W, Shape{groups, cg, ocg * kk}, site), 1, 2, site),
                 reshape(x, Shape{n, groups, cg, h * wd}, site), site);
    col = reshape(col, Shape{n, oc * kk, h * wd}, site);
  }
  Variable y = col2im(col, y_shape, kernel, stride, padding, dilation, site);
  if (b.defined()) y = add(y, reshape(b, Shape{oc, 1, 1}, site), site);
  return y;
}

}  // namespace functional
}  // namespace tsumiki
