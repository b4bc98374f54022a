// Optimizer: updates parameters from their gradients, in place and without recording a graph.
//
//   optim::Adam opt(model.parameters(), {.lr = 1e-3});
//   opt.add_hook(optim::weight_decay(1e-4)).add_hook(optim::clip_grad_norm(5.0));
//   model.zero_grad(); loss.backward(); opt.step();
//
// Hooks see the step's gradients (copies: the parameters' grad() stays as backward left it) and may change
// them before the rule runs. Parameters without a gradient are skipped, like frozen ones.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "../autograd/variable.hpp"

namespace tsumiki::optim {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
// Rewrites grads[i] (the gradient of params[i]) before the update; grads[i] is undefined for skipped params.
using GradHook = std::function<void(const std::vector<Variable>& params, std::vector<Tensor>& grads)>;

class Optimizer {
 public:
  Optimizer(std::vector<Variable> params, double lr, const char* name);
  virtual ~Optimizer() = default;

  void step();
  void zero_grad();
  Optimizer& add_hook(GradHook hook);

  double lr() const { return lr_; }
  void set_lr(double lr);
  std::size_t steps() const { return steps_; }  // completed steps
  const std::vector<Variable>& params() const { return params_; }
  const char* name() const { return name_; }

  // The per-parameter state this rule keeps (Adam: "m", "v"; SGD: none).
  virtual std::vector<std::string> slot_names() const { return {}; }
  // Per-parameter state as "<param index>.<slot>", plus "step" and "rule.<name()>" (the rule that made it; an
  // entry holds a tensor, so the rule's name is in the key), for checkpoints. After the first step every
  // parameter has every slot (zeros for one that has not been updated yet).
  NamedTensors state_dict() const;
  // Restores state_dict(); checks the rule (Adam's state refused by Momentum, naming both) and every slot's
  // name, shape and dtype against this optimizer's parameters, and changes nothing unless all match. Once
  // step > 0 every parameter must have every slot of slot_names(): a missing one would silently restart from
  // zeros (Adam's v dropped makes the resumed loss jump). State without a "rule." entry (written before rules
  // were recorded) is checked by its slots alone.
  void load_state_dict(const NamedTensors& state);

 protected:
  // The rule: update param i (p, in place) from its gradient g.
  virtual void update(std::size_t i, Tensor& p, const Tensor& g) = 0;
  // Per-parameter state, created as zeros like the parameter on first use.
  Tensor& slot(std::size_t i, const std::string& name);

 private:
  std::vector<Variable> params_;
  std::vector<NamedTensors> state_;
  std::vector<GradHook> hooks_;
  double lr_;
  std::size_t steps_ = 0;
  const char* name_;
};

// ---- gradient hooks ----
GradHook weight_decay(double lambda);      // L2: g += lambda * p
GradHook l1(double lambda);                // L1: g += lambda * sign(p)
GradHook clip_grad_norm(double max_norm);  // scales all gradients so their joint L2 norm is at most max_norm
GradHook clip_grad_value(double limit);    // clamps every gradient element to [-limit, limit]

}  // namespace tsumiki::optim
