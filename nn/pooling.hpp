// Pooling layers on NCHW images: max_pool2d (a primitive) and avg_pool2d (a composite) as modules.
#pragma once

#include "../autograd/size2.hpp"
#include "module.hpp"

namespace tsumiki::nn {

// stride 0 means "equal to the kernel".
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Size2 kernel, Size2 stride = 0, Size2 padding = 0);
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  Shape output_shape(const Shape& chw) const;

 private:
  Size2 kernel_, stride_, padding_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Size2 kernel, Size2 stride = 0, Size2 padding = 0);
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  Shape output_shape(const Shape& chw) const;

 private:
  Size2 kernel_, stride_, padding_;
};

}  // namespace tsumiki::nn
