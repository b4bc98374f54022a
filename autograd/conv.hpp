// Convolution and pooling on NCHW images (batch, channels, height, width).
//
//   Variable y = conv2d(x, W, b, /*stride=*/1, /*padding=*/2);   // x (N, C, H, W), W (OC, C, KH, KW), b (OC)
//   Variable p = max_pool2d(relu(y), 2);                         // kernel 2, stride 2
//
// im2col and col2im are primitives, each the other's backward; conv2d is im2col followed by one matrix
// product per image, so it has derivatives of every order. max_pool2d is a primitive that remembers where
// the maxima were; its backward scatters to those places, and the scatter's backward gathers from them.
// Output sizes follow (n + 2 * padding - kernel) / stride + 1, rounded down.
#pragma once

#include <cstddef>

#include "ops.hpp"

namespace tsumiki {

// A (height, width) pair; one number means both: conv2d(x, W, b, 1, {2, 1}).
struct Size2 {
  std::size_t h = 0, w = 0;
  Size2(std::size_t both) : h(both), w(both) {}  // NOLINT: implicit, so `2` works where a Size2 is expected
  Size2(std::size_t height, std::size_t width) : h(height), w(width) {}
  friend bool operator==(const Size2&, const Size2&) = default;
};

// (n + 2 * padding - kernel) / stride + 1; throws Error naming `op` when the window does not fit.
std::size_t conv_output_size(std::size_t n, std::size_t kernel, std::size_t stride, std::size_t padding,
                             const char* op = "conv2d");

// (N, C, H, W) -> (N, C*KH*KW, OH*OW): row (c*KH + i)*KW + j holds tap (i, j) of channel c for every output
// position (row-major over (OH, OW)); taps in the zero padding read 0.
Variable im2col(const Variable& x, Size2 kernel, Size2 stride = 1, Size2 padding = 0,
                const Site& site = Site::current());
// The adjoint of im2col: (N, C*KH*KW, OH*OW) -> x_shape, each entry added at its tap (overlaps sum).
Variable col2im(const Variable& col, const Shape& x_shape, Size2 kernel, Size2 stride = 1, Size2 padding = 0,
                const Site& site = Site::current());

// Cross-correlation, as in every deep-learning library: x (N, C, H, W), W (OC, C, KH, KW), b (OC) or
// undefined -> (N, OC, OH, OW).
Variable conv2d(const Variable& x, const Variable& W, const Variable& b = {}, Size2 stride = 1,
                Size2 padding = 0, const Site& site = Site::current());

// Pooling over each channel. stride 0 means "equal to the kernel"; padding may be at most half the kernel.
// max_pool2d ignores the padding (it never wins) and sends the gradient to the first maximum of a window.
Variable max_pool2d(const Variable& x, Size2 kernel, Size2 stride = 0, Size2 padding = 0,
                    const Site& site = Site::current());
// Mean over each window; padding counts as zeros in the mean (PyTorch's count_include_pad).
Variable avg_pool2d(const Variable& x, Size2 kernel, Size2 stride = 0, Size2 padding = 0,
                    const Site& site = Site::current());

// Local response normalisation across channels (AlexNet), PyTorch's formula:
//   y_c = x_c / (k + alpha / size * sum of x_c'^2 over the `size` channels around c)^beta
// x is (N, C, ...) ; the window is clipped at the first and last channel.
Variable local_response_norm(const Variable& x, std::size_t size, double alpha = 1e-4, double beta = 0.75,
                             double k = 1.0, const Site& site = Site::current());

}  // namespace tsumiki
