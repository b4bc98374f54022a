// Shape arithmetic shared by the convolution and pooling modules (internal, never installed).
#pragma once

#include <cstddef>
#include <string>

#include "../../autograd/size2.hpp"
#include "../../autograd/tensor.hpp"

namespace tsumiki::nn::detail {

// "2" or "(2, 3)".
std::string size2_string(Size2 s);
// The (channels, OH, OW) a window module makes from (C, H, W); errors name `op`. ceil_mode rounds up as
// pooling's ceil_mode does.
Shape window_output_shape(const char* op, const Shape& chw, Size2 kernel, Size2 stride, Size2 padding,
                          std::size_t channels, Size2 dilation = 1, bool ceil_mode = false);

}  // namespace tsumiki::nn::detail
