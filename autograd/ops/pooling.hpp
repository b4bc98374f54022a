// Max pooling over each channel of NCHW images: a primitive that saves where each window's maximum was; its
// backward scatters to those places, and the scatter's backward gathers from them.
#pragma once

#include "../size2.hpp"
#include "../variable.hpp"

namespace tsumiki {

// stride 0 means "equal to the kernel"; padding may be at most half the kernel. The padding never wins, and
// the gradient goes to the first maximum of a window (a tie is not split, as in PyTorch). dilation spaces the
// taps; ceil_mode rounds the output size up (a last, partial window at the bottom and right). Arguments in
// PyTorch's order.
Variable max_pool2d(const Variable& x, Size2 kernel, Size2 stride = 0, Size2 padding = 0, Size2 dilation = 1,
                    bool ceil_mode = false, const Site& site = Site::current());

}  // namespace tsumiki
