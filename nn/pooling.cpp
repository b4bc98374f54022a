#include "pooling.hpp"

#include "../autograd/ops/pooling.hpp"
#include "../functional/pooling.hpp"
#include "detail/window_shape.hpp"

namespace tsumiki::nn {

Pool2d::Pool2d(const char* type, Size2 kernel, Size2 stride, Size2 padding)
    : type_(type),
      kernel_(kernel),
      stride_(stride.h == 0 && stride.w == 0 ? kernel : stride),
      padding_(padding) {}

std::string Pool2d::describe() const {
  return std::string(type_) + "(kernel " + detail::size2_string(kernel_) + ", stride " +
         detail::size2_string(stride_) + ", padding " + detail::size2_string(padding_) + ")";
}

Shape Pool2d::output_shape(const Shape& chw) const {
  return detail::window_output_shape(type_, chw, kernel_, stride_, padding_, chw.size() == 3 ? chw[0] : 0);
}

Variable MaxPool2d::forward(const Variable& x) { return max_pool2d(x, kernel_, stride_, padding_); }

Variable AvgPool2d::forward(const Variable& x) { return avg_pool2d(x, kernel_, stride_, padding_); }

}  // namespace tsumiki::nn
