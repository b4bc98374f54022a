// im2col and col2im: the pair of layout primitives under convolution and average pooling on NCHW images
// (batch, channels, height, width). Each is the other's adjoint, so convolutions built on them
// (functional/conv.hpp) have derivatives of every order. Output sizes follow
// (n + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1, rounded down.
#pragma once

#include <cstddef>

#include "../size2.hpp"
#include "../variable.hpp"

namespace tsumiki {

// (n + 2 * padding - kernel) / stride + 1; throws Error naming `op` when the window does not fit.
std::size_t conv_output_size(std::size_t n, std::size_t kernel, std::size_t stride, std::size_t padding,
                             const char* op = "conv2d");

// (N, C, H, W) -> (N, C*KH*KW, OH*OW): row (c*KH + i)*KW + j holds tap (i, j) of channel c for every output
// position (row-major over (OH, OW)); taps in the zero padding read 0. With a dilation d, tap (i, j) of the
// window at (oh, ow) reads x[oh*stride + i*d - padding, ow*stride + j*d - padding] and the output size is
// (n + 2 * padding - d * (kernel - 1) - 1) / stride + 1.
Variable im2col(const Variable& x, Size2 kernel, Size2 stride = 1, Size2 padding = 0, Size2 dilation = 1,
                const Site& site = Site::current());
// The adjoint of im2col: (N, C*KH*KW, OH*OW) -> x_shape, each entry added at its tap (overlaps sum).
Variable col2im(const Variable& col, const Shape& x_shape, Size2 kernel, Size2 stride = 1, Size2 padding = 0,
                Size2 dilation = 1, const Site& site = Site::current());

}  // namespace tsumiki
