// Optimizer: updates parameters from their gradients, in place and without recording a graph.
//
//   optim::Adam opt(model.parameters(), {.lr = 1e-3});
//   opt.add_hook(optim::weight_decay(1e-4)).add_hook(optim::clip_grad_norm(5.0));
//   model.zero_grad(); loss.backward(); opt.step();
//
// Parameter groups (PyTorch's param_groups): each group may override any setting of the rule; the ones it
// leaves unset take the optimizer's (the options given after the groups):
//
//   optim::AdamW opt({{decay}, {no_decay, {.weight_decay = 0}}}, {.lr = 1e-3, .weight_decay = 1e-2});
//
// Hooks see the step's gradients (copies: the parameters' grad() stays as backward left it) and may change
// them before the rule runs. Parameters without a gradient are skipped, like frozen ones.
#pragma once

#include <concepts>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../autograd/variable.hpp"

namespace tsumiki::optim {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
// Rewrites grads[i] (the gradient of params[i]) before the update; grads[i] is undefined for skipped params.
using GradHook = std::function<void(const std::vector<Variable>& params, std::vector<Tensor>& grads)>;

// Every setting a rule may have, in the order the rules' option structs list them (so designated
// initializers read the same). A rule uses only its own (SGD: lr, weight_decay; Adam: lr, beta1, beta2, eps,
// weight_decay); a group that sets another rule's setting is refused. weight_decay is L2 (added to the
// gradient after the hooks: PyTorch's SGD and Adam) except for AdamW, which decays the weights apart from
// the gradient.
struct GroupOptions {
  // (Initialised, so designated initializers that leave some out draw no -Wmissing-field-initializers.)
  std::optional<double> lr{}, momentum{}, decay{}, rho{}, beta1{}, beta2{}, eps{}, weight_decay{};
};

// Parameters that share settings. Given to an optimizer, unset options take the optimizer's; in
// param_groups() every setting of the rule is set.
struct ParamGroup {
  std::vector<Variable> params;
  GroupOptions options = {};
};

// What an optimizer is given: one list of parameters (one group) or several groups.
class ParamGroups {
 public:
  ParamGroups() = default;
  ParamGroups(std::vector<Variable> params);  // NOLINT(google-explicit-constructor)
  // A template so that {{{a}}, {{b}}} (two groups) is not also read as two Variables: a braced element
  // deduces nothing, so only a list of plain Variables ({a, b}) comes here.
  template <std::same_as<Variable> V>
  ParamGroups(std::initializer_list<V> params) : groups{{std::vector<Variable>(params)}} {}  // NOLINT
  ParamGroups(std::vector<ParamGroup> groups);            // NOLINT(google-explicit-constructor)
  ParamGroups(std::initializer_list<ParamGroup> groups);  // NOLINT(google-explicit-constructor)
  std::vector<ParamGroup> groups;
};

// What a load_state_dict(state, strict = false) left out: this optimizer's entries the state lacks, and the
// state's entries this optimizer has no place for (nn::LoadReport's shape; optim does not include nn).
struct LoadReport {
  std::vector<std::string> missing;
  std::vector<std::string> unexpected;
};

class Optimizer {
 public:
  // `defaults` sets exactly the rule's settings (their values for groups that leave them unset).
  Optimizer(ParamGroups params, const GroupOptions& defaults, const char* name);
  virtual ~Optimizer() = default;

  void step();
  void zero_grad();
  Optimizer& add_hook(GradHook hook);

  // With one group, its learning rate. With several, their common one; when they differ an Error names
  // each (ask lr(group)): a silent group 0 would mislead a log of "the" learning rate.
  double lr() const;
  void set_lr(double lr);  // every group's
  double lr(std::size_t group) const;
  void set_lr(std::size_t group, double lr);
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  // Adds a group (unfreezing part of a model mid-training), checked like the constructor's; nothing changes
  // when refused. Its parameters' state starts as zeros (Adam's bias correction still counts steps()).
  void add_param_group(ParamGroup group);
  std::size_t steps() const { return steps_; }  // completed steps
  // Every group's parameters, group after group: the positions state_dict() names.
  const std::vector<Variable>& params() const { return params_; }
  std::size_t group_of(std::size_t param) const { return group_of_.at(param); }
  const char* name() const { return name_; }

  // The per-parameter state this rule keeps (Adam: "m", "v"; SGD: none).
  virtual std::vector<std::string> slot_names() const { return {}; }
  // The settings of this rule's groups ("lr", "weight_decay", ...), in GroupOptions' order.
  std::vector<std::string> setting_names() const;
  // For checkpoints: "step"; "rule.<name()>" (the rule that made it; an entry holds a tensor, so the rule's
  // name is in the key); per group "group.<g>.params" (int64 positions in params()) and "group.<g>.<setting>"
  // (float64); and once a step is taken, per parameter "<position>.<slot>" for every slot (zeros for one
  // that has not been updated yet).
  NamedTensors state_dict() const;
  // Restores state_dict(), groups' settings included, and changes nothing unless everything matches. Always
  // refused: another rule's state (Adam's given to Momentum, naming both); groups that differ in number or
  // in their parameters; a slot whose shape or dtype is not its parameter's. Strict (the default) also
  // refuses missing and unexpected entries: once step > 0 every parameter must have every slot (a missing
  // one silently restarts from zeros: Adam's v dropped makes the resumed loss jump). Not strict, those are
  // reported and skipped, and missing slots start from zeros. State without "rule." (written before rules
  // were recorded) is checked by its slots alone; without "group." entries (written before groups) it is
  // one group of every parameter, keeping this optimizer's settings. The settings restored include lr, as
  // the last schedule left it: a run that starts its own schedule sets its rates (set_lr) after loading.
  LoadReport load_state_dict(const NamedTensors& state, bool strict = true);

 protected:
  // The rule: update param i (p, in place) from its gradient g with its group's settings o (each of the
  // rule's settings is set).
  virtual void update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) = 0;
  // Decoupled rules (AdamW) apply weight_decay in update(); the others get it added to the gradient.
  virtual bool decoupled_weight_decay() const { return false; }
  // Rule-specific checks of one group's settings (Adam's betas): returns what is wrong, or "".
  virtual std::string check_settings(const GroupOptions&) const { return ""; }
  // Runs check_settings on every group (derived constructors call it: a base constructor cannot).
  void check_groups() const;
  // Per-parameter state, created as zeros like the parameter on first use.
  Tensor& slot(std::size_t i, const std::string& name);

 private:
  std::string describe_groups() const;  // "2 groups (4, 2 parameters)"
  void append_group(ParamGroup group);  // checks, then fills in the defaults and adds it

  GroupOptions defaults_;
  std::vector<ParamGroup> groups_;
  std::vector<Variable> params_;
  std::vector<std::size_t> group_of_;
  std::vector<NamedTensors> state_;
  std::vector<GradHook> hooks_;
  std::size_t steps_ = 0;
  const char* name_;
};

// ---- gradient hooks ----
GradHook weight_decay(double lambda);      // L2: g += lambda * p
GradHook l1(double lambda);                // L1: g += lambda * sign(p)
GradHook clip_grad_norm(double max_norm);  // scales all gradients so their joint L2 norm is at most max_norm
GradHook clip_grad_value(double limit);    // clamps every gradient element to [-limit, limit]

}  // namespace tsumiki::optim
