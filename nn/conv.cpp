#include "conv.hpp"

#include "detail/window_shape.hpp"
#include "layers.hpp"
#include "pooling.hpp"

namespace tsumiki::nn {

namespace {
void check_channels(const char* type, std::size_t in, std::size_t out, Size2 kernel, std::size_t groups) {
  if (in == 0 || out == 0 || kernel.h == 0 || kernel.w == 0)
    throw Error(std::string(type) + ": channels and kernel must be positive, got " + std::to_string(in) +
                " -> " + std::to_string(out) + ", kernel " + detail::size2_string(kernel));
  if (groups == 0 || in % groups != 0 || out % groups != 0)
    throw Error(std::string(type) + ": groups " + std::to_string(groups) + " must divide both " +
                std::to_string(in) + " input and " + std::to_string(out) + " output channels");
}

void check_input(const std::string& what, const Variable& x, std::size_t in) {
  if (!x.defined() || x.ndim() != 4 || x.shape()[1] != in)
    throw Error(what + ": expected input (N, " + std::to_string(in) + ", H, W), got " +
                (x.defined() ? to_string(x.shape()) : std::string("undefined")));
}
}  // namespace

Conv2d::Conv2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel, const Conv2dOptions& o)
    : in_(in_channels),
      out_(out_channels),
      kernel_(kernel),
      stride_(o.stride),
      padding_(o.padding),
      dilation_(o.dilation),
      groups_(o.groups),
      padding_mode_(o.padding_mode) {
  check_channels("Conv2d", in_, out_, kernel, groups_);
  const std::size_t fan_in = in_ / groups_ * kernel.h * kernel.w,
                    fan_out = out_ / groups_ * kernel.h * kernel.w;
  W = register_parameter("W", Variable(init::make(o.init, Shape{out_, in_ / groups_, kernel.h, kernel.w},
                                                  fan_in, fan_out, o.std, o.dtype)));
  if (o.bias) b = register_parameter("b", Variable(zeros(Shape{out_}, o.dtype)));
}

Variable Conv2d::forward(const Variable& x) {
  check_input(describe(), x, in_);
  return conv2d(x, W, b, stride_, padding_, dilation_, groups_, padding_mode_);
}

std::string Conv2d::describe() const {
  std::string s = "Conv2d(" + std::to_string(in_) + " -> " + std::to_string(out_) + ", kernel " +
                  detail::size2_string(kernel_) + ", stride " + detail::size2_string(stride_) + ", padding " +
                  detail::size2_string(padding_);
  if (dilation_ != Size2{1}) s += ", dilation " + detail::size2_string(dilation_);
  if (groups_ != 1) s += ", groups " + std::to_string(groups_);
  if (padding_mode_ != PaddingMode::Zeros) s += std::string(", padding_mode ") + to_string(padding_mode_);
  return s + ")";
}

Shape Conv2d::output_shape(const Shape& chw) const {
  return detail::window_output_shape("Conv2d", chw, kernel_, stride_, padding_, out_, dilation_);
}

ConvTranspose2d::ConvTranspose2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel,
                                 const ConvTranspose2dOptions& o)
    : in_(in_channels), out_(out_channels), kernel_(kernel), o_(o) {
  check_channels("ConvTranspose2d", in_, out_, kernel, o.groups);
  if (o.output_padding.h >= o.stride.h || o.output_padding.w >= o.stride.w)
    throw Error("ConvTranspose2d: output_padding " + detail::size2_string(o.output_padding) +
                " must be smaller than the stride " + detail::size2_string(o.stride));
  const std::size_t kk = kernel.h * kernel.w;
  W = register_parameter(
      "W", Variable(init::make(o.init, Shape{in_, out_ / o.groups, kernel.h, kernel.w}, out_ / o.groups * kk,
                               in_ / o.groups * kk, o.std, o.dtype)));
  if (o.bias) b = register_parameter("b", Variable(zeros(Shape{out_}, o.dtype)));
}

Variable ConvTranspose2d::forward(const Variable& x) {
  check_input(describe(), x, in_);
  return conv_transpose2d(x, W, b, o_.stride, o_.padding, o_.output_padding, o_.groups, o_.dilation);
}

std::string ConvTranspose2d::describe() const {
  std::string s = "ConvTranspose2d(" + std::to_string(in_) + " -> " + std::to_string(out_) + ", kernel " +
                  detail::size2_string(kernel_) + ", stride " + detail::size2_string(o_.stride) +
                  ", padding " + detail::size2_string(o_.padding);
  if (o_.output_padding != Size2{0}) s += ", output_padding " + detail::size2_string(o_.output_padding);
  if (o_.groups != 1) s += ", groups " + std::to_string(o_.groups);
  if (o_.dilation != Size2{1}) s += ", dilation " + detail::size2_string(o_.dilation);
  return s + ")";
}

Shape ConvTranspose2d::output_shape(const Shape& chw) const {
  if (chw.size() != 3) throw Error("ConvTranspose2d: expected a (C, H, W) shape, got " + to_string(chw));
  auto size = [](std::size_t n, std::size_t k, std::size_t s, std::size_t p, std::size_t op, std::size_t d) {
    const std::size_t full = (n == 0 ? 0 : (n - 1) * s) + d * (k - 1) + op + 1;
    if (full <= 2 * p)
      throw Error("ConvTranspose2d: padding " + std::to_string(p) + " leaves no output for size " +
                  std::to_string(n));
    return full - 2 * p;
  };
  return Shape{out_, size(chw[1], kernel_.h, o_.stride.h, o_.padding.h, o_.output_padding.h, o_.dilation.h),
               size(chw[2], kernel_.w, o_.stride.w, o_.padding.w, o_.output_padding.w, o_.dilation.w)};
}

}  // namespace tsumiki::nn
