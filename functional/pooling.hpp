// Average pooling over each channel of NCHW images, composed of im2col and mean. Max pooling is a primitive
// (autograd/ops/pooling.hpp).
#pragma once

#include "../autograd/size2.hpp"
#include "../autograd/variable.hpp"

namespace tsumiki {
inline namespace functional {

// Mean over each window; padding counts as zeros in the mean (PyTorch's count_include_pad). stride 0 means
// "equal to the kernel"; padding may be at most half the kernel.
Variable avg_pool2d(const Variable& x, Size2 kernel, Size2 stride = 0, Size2 padding = 0,
                    const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
