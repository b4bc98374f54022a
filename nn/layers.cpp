#include "layers.hpp"

#include "../autograd/ops.hpp"
#include "../functional/linear.hpp"

namespace tsumiki::nn {

Linear::Linear(std::size_t in_features, std::size_t out_features, const LinearOptions& o)
    : in_(in_features), out_(out_features) {
  if (in_features == 0 || out_features == 0)
    throw Error("Linear: features must be positive, got " + std::to_string(in_features) + " -> " +
                std::to_string(out_features));
  W = register_parameter("W", Variable(init::make(o.init, Shape{in_, out_}, in_, out_, o.std, o.dtype)));
  if (o.bias) b = register_parameter("b", Variable(zeros(Shape{out_}, o.dtype)));
}

Variable Linear::forward(const Variable& x) {
  if (!x.defined() || x.ndim() == 0 || x.shape().back() != in_)
    throw Error("Linear(" + std::to_string(in_) + " -> " + std::to_string(out_) + "): expected input (..., " +
                std::to_string(in_) + "), got " +
                (x.defined() ? to_string(x.shape()) : std::string("undefined")));
  return linear(x, W, b);
}

std::string Linear::describe() const {
  return "Linear(" + std::to_string(in_) + " -> " + std::to_string(out_) + ")";
}

Variable ReLU::forward(const Variable& x) { return relu(x); }
Variable Sigmoid::forward(const Variable& x) { return sigmoid(x); }
Variable Tanh::forward(const Variable& x) { return tanh(x); }

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) {
  for (const auto& m : modules) add(m);
}

Sequential::Sequential(const std::vector<std::shared_ptr<Module>>& modules) {
  for (const auto& m : modules) add(m);
}

Sequential& Sequential::add(std::shared_ptr<Module> m) {
  return add(std::to_string(children().size()), std::move(m));
}

Sequential& Sequential::add(const std::string& name, std::shared_ptr<Module> m) {
  register_module(name, std::move(m));
  return *this;
}

Variable Sequential::forward(const Variable& x) {
  Variable h = x;
  for (const auto& [name, m] : children()) h = (*m)(h);
  return h;
}

Variable Flatten::forward(const Variable& x) {
  if (!x.defined() || x.ndim() < 2)
    throw Error("Flatten: expected an input (N, ...), got " +
                (x.defined() ? to_string(x.shape()) : std::string("undefined")));
  return flatten(x, 1);
}

}  // namespace tsumiki::nn
