// 2-D convolution on NCHW images (batch, channels, height, width), composed of primitives:
//
//   Variable y = conv2d(x, W, b, /*stride=*/1, /*padding=*/2);   // x (N, C, H, W), W (OC, C, KH, KW), b (OC)
//   Variable z = conv2d(x, W2, {}, 1, 2, /*dilation=*/2, /*groups=*/C, PaddingMode::Reflect);   // depthwise
//   Variable u = conv_transpose2d(y, W3, {}, /*stride=*/2, /*padding=*/1, /*output_padding=*/1);
//
// conv2d is im2col followed by one matrix product per image, and conv_transpose2d its adjoint (a matrix
// product, then col2im), so both have derivatives of every order. Output sizes follow
// (n + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1, rounded down, for conv2d and
// (n - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1 for conv_transpose2d.
#pragma once

#include "../autograd/size2.hpp"
#include "../autograd/variable.hpp"

namespace tsumiki {
inline namespace functional {

// What conv2d reads outside the image (PyTorch's padding_mode): zeros; the mirror image without repeating
// the edge (reflect: padding < the image size); the edge pixel (replicate); the other side (circular:
// padding <= the image size).
enum class PaddingMode { Zeros, Reflect, Replicate, Circular };
const char* to_string(PaddingMode mode);

// Cross-correlation, as in every deep-learning library: x (N, C, H, W), W (OC, C/groups, KH, KW), b (OC) or
// undefined -> (N, OC, OH, OW). With groups g, C and OC are split in g equal parts and output part k sees
// only input part k (g = C: depthwise). Arguments in PyTorch's order.
Variable conv2d(const Variable& x, const Variable& W, const Variable& b = {}, Size2 stride = 1,
                Size2 padding = 0, Size2 dilation = 1, std::size_t groups = 1,
                PaddingMode padding_mode = PaddingMode::Zeros, const Site& site = Site::current());

// The adjoint of conv2d in x (a "deconvolution"): x (N, C_in, H, W), W (C_in, C_out/groups, KH, KW) as in
// PyTorch, b (C_out) or undefined -> (N, C_out, OH, OW). output_padding (< stride) adds rows and columns at
// the bottom and right, to pick one of the input sizes a strided conv2d maps to the same output size.
Variable conv_transpose2d(const Variable& x, const Variable& W, const Variable& b = {}, Size2 stride = 1,
                          Size2 padding = 0, Size2 output_padding = 0, std::size_t groups = 1,
                          Size2 dilation = 1, const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
