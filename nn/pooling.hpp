// Pooling layers on NCHW images: max_pool2d (a primitive), avg_pool2d and the adaptive poolings
// (composites) as modules.
#pragma once

#include "../autograd/size2.hpp"
#include "module.hpp"

namespace tsumiki::nn {

// What both window pooling layers share: the window (stride 0 means "equal to the kernel"), ceil_mode, the
// description and the output shape.
class Pool2d : public Module {
 public:
  std::string describe() const override;
  // The (C, OH, OW) this layer makes from an input of (C, H, W) (to size the layers after it).
  Shape output_shape(const Shape& chw) const;

 protected:
  Pool2d(const char* type, Size2 kernel, Size2 stride, Size2 padding, bool ceil_mode, Size2 dilation = 1);
  const char* type_;
  Size2 kernel_, stride_, padding_, dilation_;
  bool ceil_mode_;
};

class MaxPool2d : public Pool2d {
 public:
  // PyTorch's order: MaxPool2d(3, 2, 1, /*dilation=*/1, /*ceil_mode=*/true).
  explicit MaxPool2d(Size2 kernel, Size2 stride = 0, Size2 padding = 0, Size2 dilation = 1,
                     bool ceil_mode = false)
      : Pool2d("MaxPool2d", kernel, stride, padding, ceil_mode, dilation) {}
  Variable forward(const Variable& x) override;
};

class AvgPool2d : public Pool2d {
 public:
  explicit AvgPool2d(Size2 kernel, Size2 stride = 0, Size2 padding = 0, bool ceil_mode = false,
                     bool count_include_pad = true)
      : Pool2d("AvgPool2d", kernel, stride, padding, ceil_mode), count_include_pad_(count_include_pad) {}
  Variable forward(const Variable& x) override;
  std::string describe() const override;

 private:
  bool count_include_pad_;
};

// (N, C, H, W) -> (N, C, OH, OW) for any H and W: PyTorch's adaptive windows (see functional/pooling.hpp).
class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Size2 output_size);
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  Shape output_shape(const Shape& chw) const;

 private:
  Size2 out_;
};

class AdaptiveMaxPool2d : public Module {
 public:
  explicit AdaptiveMaxPool2d(Size2 output_size);
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  Shape output_shape(const Shape& chw) const;

 private:
  Size2 out_;
};

}  // namespace tsumiki::nn
