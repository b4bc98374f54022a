#include "pooling.hpp"

#include "../autograd/ops/pooling.hpp"
#include "../functional/pooling.hpp"
#include "detail/window_shape.hpp"

namespace tsumiki::nn {

Pool2d::Pool2d(const char* type, Size2 kernel, Size2 stride, Size2 padding, bool ceil_mode, Size2 dilation)
    : type_(type),
      kernel_(kernel),
      stride_(stride.h == 0 && stride.w == 0 ? kernel : stride),
      padding_(padding),
      dilation_(dilation),
      ceil_mode_(ceil_mode) {}

std::string Pool2d::describe() const {
  return std::string(type_) + "(kernel " + detail::size2_string(kernel_) + ", stride " +
         detail::size2_string(stride_) + ", padding " + detail::size2_string(padding_) +
         (dilation_ != Size2{1} ? ", dilation " + detail::size2_string(dilation_) : std::string()) +
         (ceil_mode_ ? ", ceil_mode" : "") + ")";
}

Shape Pool2d::output_shape(const Shape& chw) const {
  return detail::window_output_shape(type_, chw, kernel_, stride_, padding_, chw.size() == 3 ? chw[0] : 0,
                                     dilation_, ceil_mode_);
}

Variable MaxPool2d::forward(const Variable& x) {
  return max_pool2d(x, kernel_, stride_, padding_, dilation_, ceil_mode_);
}

Variable AvgPool2d::forward(const Variable& x) {
  return avg_pool2d(x, kernel_, stride_, padding_, ceil_mode_, count_include_pad_);
}

std::string AvgPool2d::describe() const {
  std::string s = Pool2d::describe();
  if (!count_include_pad_) s.insert(s.size() - 1, ", count_include_pad false");
  return s;
}

namespace {
void check_output_size(const char* type, Size2 out) {
  if (out.h == 0 || out.w == 0)
    throw Error(std::string(type) + ": the output size must be positive, got " + detail::size2_string(out));
}
Shape adaptive_shape(const char* type, const Shape& chw, Size2 out) {
  if (chw.size() != 3) throw Error(std::string(type) + ": expected a (C, H, W) shape, got " + to_string(chw));
  return Shape{chw[0], out.h, out.w};
}
}  // namespace

AdaptiveAvgPool2d::AdaptiveAvgPool2d(Size2 output_size) : out_(output_size) {
  check_output_size("AdaptiveAvgPool2d", out_);
}
Variable AdaptiveAvgPool2d::forward(const Variable& x) { return adaptive_avg_pool2d(x, out_); }
std::string AdaptiveAvgPool2d::describe() const {
  return "AdaptiveAvgPool2d(output " + detail::size2_string(out_) + ")";
}
Shape AdaptiveAvgPool2d::output_shape(const Shape& chw) const {
  return adaptive_shape("AdaptiveAvgPool2d", chw, out_);
}

AdaptiveMaxPool2d::AdaptiveMaxPool2d(Size2 output_size) : out_(output_size) {
  check_output_size("AdaptiveMaxPool2d", out_);
}
Variable AdaptiveMaxPool2d::forward(const Variable& x) { return adaptive_max_pool2d(x, out_); }
std::string AdaptiveMaxPool2d::describe() const {
  return "AdaptiveMaxPool2d(output " + detail::size2_string(out_) + ")";
}
Shape AdaptiveMaxPool2d::output_shape(const Shape& chw) const {
  return adaptive_shape("AdaptiveMaxPool2d", chw, out_);
}

}  // namespace tsumiki::nn
