// The convolution layer on NCHW images, built from functional::conv2d (no backward of its own).
#pragma once

#include "../autograd/size2.hpp"
#include "init.hpp"
#include "module.hpp"

namespace tsumiki::nn {

struct Conv2dOptions {
  Size2 stride = 1;
  Size2 padding = 0;
  bool bias = true;
  init::Kind init = init::Kind::He;  // fan_in = in_channels * kh * kw; the bias starts at zero
  double std = 0.01;                 // for init::Kind::Normal
  Dtype dtype = Dtype::Float32;
};

// y = conv2d(x, W, b): W of shape (out_channels, in_channels, kh, kw) as in PyTorch, b of shape
// (out_channels,).
class Conv2d : public Module {
 public:
  Conv2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel, const Conv2dOptions& options = {});
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  // The (C, H, W) this layer makes from an input of (C_in, H, W) (to size the layers after it).
  Shape output_shape(const Shape& chw) const;
  Variable W, b;  // b is undefined without bias

 private:
  std::size_t in_, out_;
  Size2 kernel_, stride_, padding_;
};

}  // namespace tsumiki::nn
