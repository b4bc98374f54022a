#include "conv.hpp"

namespace tsumiki::nn {
namespace {

std::string pair(Size2 s) {
  return s.h == s.w ? std::to_string(s.h) : "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}

Shape window_output(const char* op, const Shape& chw, Size2 kernel, Size2 stride, Size2 padding,
                    std::size_t channels) {
  if (chw.size() != 3) throw Error(std::string(op) + ": expected a (C, H, W) shape, got " + to_string(chw));
  return Shape{channels, conv_output_size(chw[1], kernel.h, stride.h, padding.h, op),
               conv_output_size(chw[2], kernel.w, stride.w, padding.w, op)};
}

}  // namespace

Conv2d::Conv2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel, const Conv2dOptions& o)
    : in_(in_channels), out_(out_channels), kernel_(kernel), stride_(o.stride), padding_(o.padding) {
  if (in_ == 0 || out_ == 0 || kernel.h == 0 || kernel.w == 0)
    throw Error("Conv2d: channels and kernel must be positive, got " + std::to_string(in_) + " -> " +
                std::to_string(out_) + ", kernel " + pair(kernel));
  const std::size_t fan_in = in_ * kernel.h * kernel.w, fan_out = out_ * kernel.h * kernel.w;
  W = register_parameter("W", Variable(init::make(o.init, Shape{out_, in_, kernel.h, kernel.w}, fan_in,
                                                  fan_out, o.std, o.dtype)));
  if (o.bias) b = register_parameter("b", Variable(zeros(Shape{out_}, o.dtype)));
}

Variable Conv2d::forward(const Variable& x) {
  if (!x.defined() || x.ndim() != 4 || x.shape()[1] != in_)
    throw Error(describe() + ": expected input (N, " + std::to_string(in_) + ", H, W), got " +
                (x.defined() ? to_string(x.shape()) : std::string("undefined")));
  return conv2d(x, W, b, stride_, padding_);
}

std::string Conv2d::describe() const {
  return "Conv2d(" + std::to_string(in_) + " -> " + std::to_string(out_) + ", kernel " + pair(kernel_) +
         ", stride " + pair(stride_) + ", padding " + pair(padding_) + ")";
}

Shape Conv2d::output_shape(const Shape& chw) const {
  return window_output("Conv2d", chw, kernel_, stride_, padding_, out_);
}

MaxPool2d::MaxPool2d(Size2 kernel, Size2 stride, Size2 padding)
    : kernel_(kernel), stride_(stride.h == 0 && stride.w == 0 ? kernel : stride), padding_(padding) {}
Variable MaxPool2d::forward(const Variable& x) { return max_pool2d(x, kernel_, stride_, padding_); }
std::string MaxPool2d::describe() const {
  return "MaxPool2d(kernel " + pair(kernel_) + ", stride " + pair(stride_) + ", padding " + pair(padding_) +
         ")";
}
Shape MaxPool2d::output_shape(const Shape& chw) const {
  return window_output("MaxPool2d", chw, kernel_, stride_, padding_, chw.size() == 3 ? chw[0] : 0);
}

AvgPool2d::AvgPool2d(Size2 kernel, Size2 stride, Size2 padding)
    : kernel_(kernel), stride_(stride.h == 0 && stride.w == 0 ? kernel : stride), padding_(padding) {}
Variable AvgPool2d::forward(const Variable& x) { return avg_pool2d(x, kernel_, stride_, padding_); }
std::string AvgPool2d::describe() const {
  return "AvgPool2d(kernel " + pair(kernel_) + ", stride " + pair(stride_) + ", padding " + pair(padding_) +
         ")";
}
Shape AvgPool2d::output_shape(const Shape& chw) const {
  return window_output("AvgPool2d", chw, kernel_, stride_, padding_, chw.size() == 3 ? chw[0] : 0);
}

Variable Flatten::forward(const Variable& x) {
  if (!x.defined() || x.ndim() < 2)
    throw Error("Flatten: expected an input (N, ...), got " +
                (x.defined() ? to_string(x.shape()) : std::string("undefined")));
  return flatten(x, 1);
}

}  // namespace tsumiki::nn
