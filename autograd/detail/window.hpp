// Validation of sliding-window arguments shared by the convolution and pooling ops (internal).
#pragma once

#include "../size2.hpp"
#include "kernels.hpp"

namespace tsumiki::detail {

// Checks that x_shape is (N, C, H, W) and the window fits, and returns the window's geometry (output size
// included). Errors name `op`, the shape and the window.
kernels::Window window(const char* op, const Shape& x_shape, Size2 kernel, Size2 stride, Size2 padding,
                       const Site& site);

// The same for pooling: a zero stride means the kernel's size, and padding may be at most half the kernel
// (a window that sees padding only would pool nothing).
kernels::Window pool_window(const char* op, const Shape& x_shape, Size2 kernel, Size2 stride, Size2 padding,
                            const Site& site);

}  // namespace tsumiki::detail
