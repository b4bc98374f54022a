// 2-D convolution on NCHW images (batch, channels, height, width), composed of primitives:
//
//   Variable y = conv2d(x, W, b, /*stride=*/1, /*padding=*/2);   // x (N, C, H, W), W (OC, C, KH, KW), b (OC)
//
// conv2d is im2col followed by one matrix product per image, so it has derivatives of every order. Output
// sizes follow (n + 2 * padding - kernel) / stride + 1, rounded down.
#pragma once

#include "../autograd/size2.hpp"
#include "../autograd/variable.hpp"

namespace tsumiki {
inline namespace functional {

// Cross-correlation, as in every deep-learning library: x (N, C, H, W), W (OC, C, KH, KW), b (OC) or
// undefined -> (N, OC, OH, OW).
Variable conv2d(const Variable& x, const Variable& W, const Variable& b = {}, Size2 stride = 1,
                Size2 padding = 0, const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
