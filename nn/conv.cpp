#include "conv.hpp"

#include "../functional/conv.hpp"
#include "detail/window_shape.hpp"
#include "layers.hpp"
#include "pooling.hpp"

namespace tsumiki::nn {

Conv2d::Conv2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel, const Conv2dOptions& o)
    : in_(in_channels), out_(out_channels), kernel_(kernel), stride_(o.stride), padding_(o.padding) {
  if (in_ == 0 || out_ == 0 || kernel.h == 0 || kernel.w == 0)
    throw Error("Conv2d: channels and kernel must be positive, got " + std::to_string(in_) + " -> " +
                std::to_string(out_) + ", kernel " + detail::size2_string(kernel));
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
  return "Conv2d(" + std::to_string(in_) + " -> " + std::to_string(out_) + ", kernel " +
         detail::size2_string(kernel_) + ", stride " + detail::size2_string(stride_) + ", padding " +
         detail::size2_string(padding_) + ")";
}

Shape Conv2d::output_shape(const Shape& chw) const {
  return detail::window_output_shape("Conv2d", chw, kernel_, stride_, padding_, out_);
}

}  // namespace tsumiki::nn
