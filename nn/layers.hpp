// Layers built from ops and composites: Linear, activations, Flatten and Sequential. None has a backward
// of its own.
#pragma once

#include <initializer_list>
#include <memory>

#include "init.hpp"
#include "module.hpp"

namespace tsumiki::nn {

struct LinearOptions {
  bool bias = true;
  init::Kind init = init::Kind::He;  // weights; the bias starts at zero
  double std = 0.01;                 // for init::Kind::Normal
  Dtype dtype = Dtype::Float32;
};

// y = x W + b, with W of shape (in, out) and b of shape (out,).
class Linear : public Module {
 public:
  Linear(std::size_t in_features, std::size_t out_features, const LinearOptions& options = {});
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  Variable W, b;  // b is undefined without bias

 private:
  std::size_t in_, out_;
};

class ReLU : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string describe() const override { return "ReLU"; }
};

class Sigmoid : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string describe() const override { return "Sigmoid"; }
};

class Tanh : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string describe() const override { return "Tanh"; }
};

// Applies its modules in order; unnamed modules are called "0", "1", ...
class Sequential : public Module {
 public:
  Sequential() = default;
  // Sequential{a, b, c}; the variadic and vector forms also serve std::make_shared<Sequential>(a, b, c).
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);
  template <class... M>
  explicit Sequential(std::shared_ptr<M>... modules) {
    (add(std::move(modules)), ...);
  }
  explicit Sequential(const std::vector<std::shared_ptr<Module>>& modules);
  Sequential& add(std::shared_ptr<Module> m);
  Sequential& add(const std::string& name, std::shared_ptr<Module> m);
  Variable forward(const Variable& x) override;
  std::string describe() const override { return "Sequential"; }
  std::size_t size() const { return children().size(); }
};

// (N, d1, d2, ...) -> (N, d1 * d2 * ...).
class Flatten : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string describe() const override { return "Flatten"; }
};

}  // namespace tsumiki::nn
