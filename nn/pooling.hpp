// Pooling layers on NCHW images: max_pool2d (a primitive) and avg_pool2d (a composite) as modules.
#pragma once

#include "../autograd/size2.hpp"
#include "module.hpp"

namespace tsumiki::nn {

// What both pooling layers share: the window (stride 0 means "equal to the kernel"), the description and the
// output shape.
class Pool2d : public Module {
 public:
  std::string describe() const override;
  // The (C, OH, OW) this layer makes from an input of (C, H, W) (to size the layers after it).
  Shape output_shape(const Shape& chw) const;

 protected:
  Pool2d(const char* type, Size2 kernel, Size2 stride, Size2 padding);
  const char* type_;
  Size2 kernel_, stride_, padding_;
};

class MaxPool2d : public Pool2d {
 public:
  explicit MaxPool2d(Size2 kernel, Size2 stride = 0, Size2 padding = 0)
      : Pool2d("MaxPool2d", kernel, stride, padding) {}
  Variable forward(const Variable& x) override;
};

class AvgPool2d : public Pool2d {
 public:
  explicit AvgPool2d(Size2 kernel, Size2 stride = 0, Size2 padding = 0)
      : Pool2d("AvgPool2d", kernel, stride, padding) {}
  Variable forward(const Variable& x) override;
};

}  // namespace tsumiki::nn
