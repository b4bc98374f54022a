// The convolution layers on NCHW images, built from functional::conv2d and conv_transpose2d (no backward of
// their own).
#pragma once

#include "../autograd/size2.hpp"
#include "../functional/conv.hpp"
#include "init.hpp"
#include "module.hpp"

namespace tsumiki::nn {

struct Conv2dOptions {
  Size2 stride = 1;
  Size2 padding = 0;
  Size2 dilation = 1;
  std::size_t groups = 1;  // in_channels and out_channels must both be divisible by it
  PaddingMode padding_mode = PaddingMode::Zeros;
  bool bias = true;
  init::Kind init = init::Kind::He;  // fan_in = in_channels / groups * kh * kw; the bias starts at zero
  double std = 0.01;                 // for init::Kind::Normal
  Dtype dtype = Dtype::Float32;
};

// y = conv2d(x, W, b): W of shape (out_channels, in_channels / groups, kh, kw) as in PyTorch, b of shape
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
  Size2 kernel_, stride_, padding_, dilation_;
  std::size_t groups_;
  PaddingMode padding_mode_;
};

struct ConvTranspose2dOptions {
  Size2 stride = 1;
  Size2 padding = 0;
  Size2 output_padding = 0;  // smaller than the stride
  std::size_t groups = 1;    // in_channels and out_channels must both be divisible by it
  Size2 dilation = 1;
  bool bias = true;
  init::Kind init = init::Kind::He;  // fan_in = out_channels / groups * kh * kw (W's dimension 1, as PyTorch)
  double std = 0.01;                 // for init::Kind::Normal
  Dtype dtype = Dtype::Float32;
};

// y = conv_transpose2d(x, W, b): W of shape (in_channels, out_channels / groups, kh, kw) as in PyTorch, b of
// shape (out_channels,). Upsamples by the stride: OH = (H - 1) * stride - 2 * padding + dilation * (kh - 1)
// + output_padding + 1.
class ConvTranspose2d : public Module {
 public:
  ConvTranspose2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel,
                  const ConvTranspose2dOptions& options = {});
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  Shape output_shape(const Shape& chw) const;
  Variable W, b;  // b is undefined without bias

 private:
  std::size_t in_, out_;
  Size2 kernel_;
  ConvTranspose2dOptions o_;
};

}  // namespace tsumiki::nn
