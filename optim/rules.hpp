// Update rules. Each follows "Deep Learning from Scratch" (and the papers it cites); the formulas sit at the
// top of each rule's .cpp file. Every rule is an Optimizer (optim/optimizer.hpp) and takes one list of
// parameters or parameter groups; a group's GroupOptions override the rule's options below.
#pragma once

#include "optimizer.hpp"

namespace tsumiki::optim {

struct SGDOptions {
  double lr = 0.01;
  double weight_decay = 0;  // L2: g += weight_decay * p
};
class SGD : public Optimizer {
 public:
  explicit SGD(ParamGroups params, const SGDOptions& o = {});

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) override;
};

struct MomentumOptions {
  double lr = 0.01;
  double momentum = 0.9;
  double weight_decay = 0;  // L2
};
class Momentum : public Optimizer {
 public:
  std::vector<std::string> slot_names() const override { return {"v"}; }
  explicit Momentum(ParamGroups params, const MomentumOptions& o = {});

 protected:
  Momentum(ParamGroups params, const MomentumOptions& o, const char* name);  // for Nesterov
  void update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) override;
};

class Nesterov : public Momentum {
 public:
  explicit Nesterov(ParamGroups params, const MomentumOptions& o = {});

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) override;
};

struct AdaGradOptions {
  double lr = 0.01;
  double eps = 1e-7;
  double weight_decay = 0;  // L2
};
class AdaGrad : public Optimizer {
 public:
  std::vector<std::string> slot_names() const override { return {"h"}; }
  explicit AdaGrad(ParamGroups params, const AdaGradOptions& o = {});

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) override;
};

struct RMSPropOptions {
  double lr = 0.01;
  double decay = 0.99;
  double eps = 1e-7;
  double weight_decay = 0;  // L2
};
class RMSProp : public Optimizer {
 public:
  std::vector<std::string> slot_names() const override { return {"h"}; }
  explicit RMSProp(ParamGroups params, const RMSPropOptions& o = {});

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) override;
};

struct AdaDeltaOptions {
  double lr = 1.0;  // Zeiler's rule has no learning rate; lr scales the step (1 = the paper)
  double rho = 0.95;
  double eps = 1e-6;
  double weight_decay = 0;  // L2
};
class AdaDelta : public Optimizer {
 public:
  std::vector<std::string> slot_names() const override { return {"h", "s"}; }
  explicit AdaDelta(ParamGroups params, const AdaDeltaOptions& o = {});

 protected:
  void update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) override;
};

struct AdamOptions {
  double lr = 0.001;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;  // Adam: L2, g += weight_decay * p; AdamW: decoupled, p -= lr * weight_decay * p
};
class Adam : public Optimizer {
 public:
  std::vector<std::string> slot_names() const override { return {"m", "v"}; }
  explicit Adam(ParamGroups params, const AdamOptions& o = {});

 protected:
  Adam(ParamGroups params, const AdamOptions& o, const char* name);
  void update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) override;
  std::string check_settings(const GroupOptions& o) const override;
};

class AdamW : public Adam {
 public:
  explicit AdamW(ParamGroups params, const AdamOptions& o = {.weight_decay = 0.01});

 protected:
  bool decoupled_weight_decay() const override { return true; }
};

}  // namespace tsumiki::optim
