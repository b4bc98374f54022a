// The convolutional networks of "Deep Learning from Scratch" chapters 7 and 8, plus LeNet-5 and an
// AlexNet-style net scaled down for 28x28 images. Each is a Sequential over NCHW input (N, C, H, W) that ends
// in logits (N, classes); the layer names show in summary() and in checkpoints.
#pragma once

#include "layers.hpp"

namespace tsumiki::nn {

struct ModelOptions {
  Shape input = Shape{1, 28, 28};  // (C, H, W)
  std::size_t classes = 10;
  Dtype dtype = Dtype::Float32;
};

// conv 30 5x5 - ReLU - max pool 2 - affine 100 - ReLU - affine 10 (the book's SimpleConvNet).
class SimpleConvNet : public Sequential {
 public:
  explicit SimpleConvNet(const ModelOptions& options = {});
  std::string describe() const override { return "SimpleConvNet"; }
};

// LeNet-5 with today's choices (ReLU, max pooling): conv 6 5x5 (padding 2) - pool - conv 16 5x5 - pool -
// affine 120 - affine 84 - affine 10.
class LeNet5 : public Sequential {
 public:
  explicit LeNet5(const ModelOptions& options = {});
  std::string describe() const override { return "LeNet5"; }
};

// AlexNet's shape at MNIST scale: five 3x3 convolutions (32, 64, 96, 96, 64 channels), ReLU, local response
// normalisation after the first two, overlapping 3x3 stride-2 max pooling, then two dropout-regularised
// affine layers of 256 and the classifier.
class AlexNetSmall : public Sequential {
 public:
  explicit AlexNetSmall(const ModelOptions& options = {});
  std::string describe() const override { return "AlexNetSmall"; }
};

// The book's deep net (chapter 8): 3x3 convolutions 16, 16, pool, 32, 32 (padding 2), pool, 64, 64, pool,
// affine 50, dropout 0.5, affine 10; ReLU after every convolution and the first affine; He init.
// One change from the book: no dropout after the last affine layer. Dropping half of the ten logits made
// training on Fashion-MNIST far slower (test accuracy 0.837 after 2 epochs, train loss 1.42).
class DeepConvNet : public Sequential {
 public:
  explicit DeepConvNet(const ModelOptions& options = {});
  std::string describe() const override { return "DeepConvNet"; }
};

}  // namespace tsumiki::nn
