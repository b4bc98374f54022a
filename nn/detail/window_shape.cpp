#include "window_shape.hpp"

#include "../../autograd/ops/conv.hpp"

namespace tsumiki::nn::detail {

std::string size2_string(Size2 s) {
  return s.h == s.w ? std::to_string(s.h) : "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}

Shape window_output_shape(const char* op, const Shape& chw, Size2 kernel, Size2 stride, Size2 padding,
                          std::size_t channels, Size2 dilation, bool ceil_mode) {
  if (chw.size() != 3) throw Error(std::string(op) + ": expected a (C, H, W) shape, got " + to_string(chw));
  auto size = [&](std::size_t n, std::size_t k, std::size_t s, std::size_t p, std::size_t d) {
    const std::size_t span = k == 0 ? 0 : d * (k - 1) + 1;
    std::size_t out = conv_output_size(n, span, s, p, op);  // checks the window fits
    if (ceil_mode && (n + 2 * p - span) % s != 0 && out * s < n + p) ++out;
    return out;
  };
  return Shape{channels, size(chw[1], kernel.h, stride.h, padding.h, dilation.h),
               size(chw[2], kernel.w, stride.w, padding.w, dilation.w)};
}

}  // namespace tsumiki::nn::detail
