// Update rules. Each follows "Deep Learning from Scratch" (and the papers it cites); the formulas sit at the
// top of each rule's .cpp file. Every rule is an Optimizer (optim/optimizer.hpp).
#pragma once

#include "optimizer.hpp"

namespace tsumiki::optim {

struct SGDOptions {
  double lr = 0.01;
};
class SGD : public Optimizer {
 public:
  explicit SGD(std::vector<Variable> params, const SGDOptions& o = {});

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;
};

struct MomentumOptions {
  double lr = 0.01;
  double momentum = 0.9;
};
class Momentum : public Optimizer {
 public:
  std::vector<std::string> slot_names() const override { return {"v"}; }
  explicit Momentum(std::vector<Variable> params, const MomentumOptions& o = {});

 protected:
  Momentum(std::vector<Variable> params, const MomentumOptions& o, const char* name);  // for Nesterov
  void update(std::size_t i, Tensor& p, const Tensor& g) override;
  double momentum_;
};

class Nesterov : public Momentum {
 public:
  explicit Nesterov(std::vector<Variable> params, const MomentumOptions& o = {});

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;
};

struct AdaGradOptions {
  double lr = 0.01;
  double eps = 1e-7;
};
class AdaGrad : public Optimizer {
 public:
  std::vector<std::string> slot_names() const override { return {"h"}; }
  explicit AdaGrad(std::vector<Variable> params, const AdaGradOptions& o = {});

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;
  double eps_;
};

struct RMSPropOptions {
  double lr = 0.01;
  double decay = 0.99;
  double eps = 1e-7;
};
class RMSProp : public Optimizer {
 public:
  std::vector<std::string> slot_names() const override { return {"h"}; }
  explicit RMSProp(std::vector<Variable> params, const RMSPropOptions& o = {});

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;
  double decay_, eps_;
};

struct AdaDeltaOptions {
  double lr = 1.0;  // Zeiler's rule has no learning rate; lr scales the step (1 = the paper)
  double rho = 0.95;
  double eps = 1e-6;
};
class AdaDelta : public Optimizer {
 public:
  std::vector<std::string> slot_names() const override { return {"h", "s"}; }
  explicit AdaDelta(std::vector<Variable> params, const AdaDeltaOptions& o = {});

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g) override;
  double rho_, eps_;
};

struct AdamOptions {
  double lr = 0.001;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;  // AdamW only: decoupled decay, p -= lr * weight_decay * p
};
class Adam : public Optimizer {
 public:
  std::vector<std::string> slot_names() const override { return {"m", "v"}; }
  explicit Adam(std::vector<Variable> params, const AdamOptions& o = {});

 protected:
  Adam(std::vector<Variable> params, const AdamOptions& o, const char* name);
  void update(std::size_t i, Tensor& p, const Tensor& g) override;
  AdamOptions o_;
};

class AdamW : public Adam {
 public:
  explicit AdamW(std::vector<Variable> params, const AdamOptions& o = {.weight_decay = 0.01});
};

}  // namespace tsumiki::optim
