// Validation of sliding-window arguments shared by the convolution and pooling ops (internal).
#pragma once

#include "../size2.hpp"
#include "../variable.hpp"
#include "kernels.hpp"

namespace tsumiki::detail {

// Checks that x_shape is (N, C, H, W) and the window fits, and returns the window's geometry (output size
// included): (n + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1, rounded down, or up with
// ceil_mode (PyTorch's rule: a last window that would start in the bottom/right padding is dropped). Errors
// name `op`, the shape and the window.
kernels::Window window(const char* op, const Shape& x_shape, Size2 kernel, Size2 stride, Size2 padding,
                       const Site& site, Size2 dilation = 1, bool ceil_mode = false);

// The same for pooling: a zero stride means the kernel's size, and padding may be at most half the kernel
// (a window that sees padding only would pool nothing; with a dilation, every window must have a tap inside).
kernels::Window pool_window(const char* op, const Shape& x_shape, Size2 kernel, Size2 stride, Size2 padding,
                            const Site& site, bool ceil_mode = false, Size2 dilation = 1);

// im2col on a window made above (the ceil_mode windows of average pooling, which im2col's own arguments
// cannot describe); the same primitive as tsumiki::im2col. Defined in ops/conv.cpp.
Variable im2col(const Variable& x, const kernels::Window& w, const Site& site);

}  // namespace tsumiki::detail
