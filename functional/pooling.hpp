// Pooling over each channel of NCHW images, composed of primitives: average pooling of im2col and a mean
// (or a sum over a count), adaptive average pooling of take and a sum, and the max poolings that return
// indices, and the adaptive one, of take at the maxima. Plain max pooling is a primitive
// (autograd/ops/pooling.hpp).
#pragma once

#include <utility>

#include "../autograd/size2.hpp"
#include "../autograd/variable.hpp"

namespace tsumiki {
inline namespace functional {

// Mean over each window. stride 0 means "equal to the kernel"; padding may be at most half the kernel.
// ceil_mode rounds the output size up (a last, partial window at the bottom and right); count_include_pad
// counts the zero padding in the mean (but never the part of a ceil_mode window past the padding), as
// PyTorch does. Arguments in PyTorch's order.
Variable avg_pool2d(const Variable& x, Size2 kernel, Size2 stride = 0, Size2 padding = 0,
                    bool ceil_mode = false, bool count_include_pad = true,
                    const Site& site = Site::current());

// max_pool2d's values (same arguments) and where they came from: int64 indices of the output's shape, each
// the flat index ih * W + iw of the maximum within its (n, c) plane, as PyTorch's return_indices. The values'
// derivative goes to those places.
std::pair<Variable, Tensor> max_pool2d_with_indices(const Variable& x, Size2 kernel, Size2 stride = 0,
                                                    Size2 padding = 0, Size2 dilation = 1,
                                                    bool ceil_mode = false,
                                                    const Site& site = Site::current());

// (N, C, H, W) -> (N, C, OH, OW) with output row i pooling input rows [floor(i*H/OH), ceil((i+1)*H/OH)) (and
// likewise columns), as PyTorch's adaptive pooling; windows may overlap or differ in size by one.
Variable adaptive_avg_pool2d(const Variable& x, Size2 output_size, const Site& site = Site::current());
Variable adaptive_max_pool2d(const Variable& x, Size2 output_size, const Site& site = Site::current());
// With indices in max_pool2d_with_indices' format.
std::pair<Variable, Tensor> adaptive_max_pool2d_with_indices(const Variable& x, Size2 output_size,
                                                             const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
