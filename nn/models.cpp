#include "models.hpp"

#include "conv.hpp"
#include "dropout.hpp"
#include "layers.hpp"
#include "normalization.hpp"
#include "pooling.hpp"

namespace tsumiki::nn {
namespace {

// Appends layers to a Sequential while tracking the (C, H, W) of what they produce, so the first affine layer
// knows its input size.
class Builder {
 public:
  Builder(Sequential& seq, const ModelOptions& o) : seq_(seq), shape_(o.input), dtype_(o.dtype) {
    if (o.input.size() != 3) throw Error("model: input must be (C, H, W), got " + to_string(o.input));
  }
  void conv(const std::string& name, std::size_t out, Size2 kernel, Size2 padding = 0, Size2 stride = 1) {
    auto c = std::make_shared<Conv2d>(shape_[0], out, kernel,
                                      Conv2dOptions{.stride = stride, .padding = padding, .dtype = dtype_});
    shape_ = c->output_shape(shape_);
    seq_.add(name, c);
  }
  void pool(const std::string& name, Size2 kernel, Size2 stride = 0, Size2 padding = 0) {
    auto p = std::make_shared<MaxPool2d>(kernel, stride, padding);
    shape_ = p->output_shape(shape_);
    seq_.add(name, p);
  }
  void relu(const std::string& name) { seq_.add(name, std::make_shared<ReLU>()); }
  void lrn(const std::string& name) {
    seq_.add(name, std::make_shared<LocalResponseNorm>(5, 1e-4, 0.75, 2.0));
  }
  void dropout(const std::string& name, double p) { seq_.add(name, std::make_shared<Dropout>(p)); }
  void flatten(const std::string& name) {
    seq_.add(name, std::make_shared<Flatten>());
    shape_ = Shape{shape_.numel()};
  }
  void affine(const std::string& name, std::size_t out) {
    seq_.add(name, std::make_shared<Linear>(shape_[0], out, LinearOptions{.dtype = dtype_}));
    shape_ = Shape{out};
  }

 private:
  Sequential& seq_;
  Shape shape_;
  Dtype dtype_;
};

}  // namespace

SimpleConvNet::SimpleConvNet(const ModelOptions& o) {
  Builder b(*this, o);
  b.conv("conv1", 30, 5);
  b.relu("relu1");
  b.pool("pool1", 2);
  b.flatten("flatten");
  b.affine("fc1", 100);
  b.relu("relu2");
  b.affine("fc2", o.classes);
}

LeNet5::LeNet5(const ModelOptions& o) {
  Builder b(*this, o);
  b.conv("conv1", 6, 5, 2);
  b.relu("relu1");
  b.pool("pool1", 2);
  b.conv("conv2", 16, 5);
  b.relu("relu2");
  b.pool("pool2", 2);
  b.flatten("flatten");
  b.affine("fc1", 120);
  b.relu("relu3");
  b.affine("fc2", 84);
  b.relu("relu4");
  b.affine("fc3", o.classes);
}

AlexNetSmall::AlexNetSmall(const ModelOptions& o) {
  Builder b(*this, o);
  b.conv("conv1", 32, 3, 1);
  b.relu("relu1");
  b.lrn("lrn1");
  b.pool("pool1", 3, 2, 1);
  b.conv("conv2", 64, 3, 1);
  b.relu("relu2");
  b.lrn("lrn2");
  b.pool("pool2", 3, 2, 1);
  b.conv("conv3", 96, 3, 1);
  b.relu("relu3");
  b.conv("conv4", 96, 3, 1);
  b.relu("relu4");
  b.conv("conv5", 64, 3, 1);
  b.relu("relu5");
  b.pool("pool3", 3, 2, 1);
  b.flatten("flatten");
  b.affine("fc1", 256);
  b.relu("relu6");
  b.dropout("drop1", 0.5);
  b.affine("fc2", 256);
  b.relu("relu7");
  b.dropout("drop2", 0.5);
  b.affine("fc3", o.classes);
}

DeepConvNet::DeepConvNet(const ModelOptions& o) {
  Builder b(*this, o);
  b.conv("conv1", 16, 3, 1);
  b.relu("relu1");
  b.conv("conv2", 16, 3, 1);
  b.relu("relu2");
  b.pool("pool1", 2);
  b.conv("conv3", 32, 3, 1);
  b.relu("relu3");
  b.conv("conv4", 32, 3, 2);
  b.relu("relu4");
  b.pool("pool2", 2);
  b.conv("conv5", 64, 3, 1);
  b.relu("relu5");
  b.conv("conv6", 64, 3, 1);
  b.relu("relu6");
  b.pool("pool3", 2);
  b.flatten("flatten");
  b.affine("fc1", 50);
  b.relu("relu7");
  b.dropout("drop1", 0.5);
  b.affine("fc2", o.classes);
}

}  // namespace tsumiki::nn
