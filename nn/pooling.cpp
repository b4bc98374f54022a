#include "pooling.hpp"

#include "../autograd/ops/pooling.hpp"
#include "../functional/pooling.hpp"
#include "detail/window_shape.hpp"

namespace tsumiki::nn {

MaxPool2d::MaxPool2d(Size2 kernel, Size2 stride, Size2 padding)
    : kernel_(kernel), stride_(stride.h == 0 && stride.w == 0 ? kernel : stride), padding_(padding) {}
Variable MaxPool2d::forward(const Variable& x) { return max_pool2d(x, kernel_, stride_, padding_); }
std::string MaxPool2d::describe() const {
  return "MaxPool2d(kernel " + detail::size2_string(kernel_) + ", stride " + detail::size2_string(stride_) +
         ", padding " + detail::size2_string(padding_) + ")";
}
Shape MaxPool2d::output_shape(const Shape& chw) const {
  return detail::window_output_shape("MaxPool2d", chw, kernel_, stride_, padding_,
                                     chw.size() == 3 ? chw[0] : 0);
}

AvgPool2d::AvgPool2d(Size2 kernel, Size2 stride, Size2 padding)
    : kernel_(kernel), stride_(stride.h == 0 && stride.w == 0 ? kernel : stride), padding_(padding) {}
Variable AvgPool2d::forward(const Variable& x) { return avg_pool2d(x, kernel_, stride_, padding_); }
std::string AvgPool2d::describe() const {
  return "AvgPool2d(kernel " + detail::size2_string(kernel_) + ", stride " + detail::size2_string(stride_) +
         ", padding " + detail::size2_string(padding_) + ")";
}
Shape AvgPool2d::output_shape(const Shape& chw) const {
  return detail::window_output_shape("AvgPool2d", chw, kernel_, stride_, padding_,
                                     chw.size() == 3 ? chw[0] : 0);
}

}  // namespace tsumiki::nn
