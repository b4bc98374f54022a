#include "window_shape.hpp"

#include "../../autograd/ops/conv.hpp"

namespace tsumiki::nn::detail {

std::string size2_string(Size2 s) {
  return s.h == s.w ? std::to_string(s.h) : "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}

Shape window_output_shape(const char* op, const Shape& chw, Size2 kernel, Size2 stride, Size2 padding,
                          std::size_t channels) {
  if (chw.size() != 3) throw Error(std::string(op) + ": expected a (C, H, W) shape, got " + to_string(chw));
  return Shape{channels, conv_output_size(chw[1], kernel.h, stride.h, padding.h, op),
               conv_output_size(chw[2], kernel.w, stride.w, padding.w, op)};
}

}  // namespace tsumiki::nn::detail
