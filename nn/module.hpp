// Module: a model part that owns parameters and sub-modules, registered by name.
//
//   struct Net : nn::Module {
//     std::shared_ptr<nn::Linear> fc1, fc2;
//     Net() : fc1(register_module("fc1", std::make_shared<nn::Linear>(784, 100))),
//             fc2(register_module("fc2", std::make_shared<nn::Linear>(100, 10))) {}
//     Variable forward(const Variable& x) override { return (*fc2)(relu((*fc1)(x))); }
//   };
//
// named_parameters() walks the tree: "fc1.W", "fc1.b", ... Modules have no backward of their own.
//
// Call modules as m(x), not m.forward(x): the call records, for every op its forward applies, the module's
// path and type and the user's line that called the outermost module (autograd/origin.hpp), so graphs,
// anomaly errors and the profiler speak of "main.cpp:42 in fc2 (Linear)". A shape error raised inside a
// module names the same. The first call of a root module also names its parameters by path ("fc2.W").
//
// Hooks look at or change what passes through a module without editing its forward, as PyTorch's Python
// API does (LibTorch's C++ Module has none): capture activations, clip or log gradients per layer.
//
//   auto h = fc1->register_forward_hook([&](Module& m, const Variable& in, const Variable& out) {
//     shapes.push_back(out.shape());
//     return std::optional<Variable>();  // std::nullopt keeps the output; a Variable replaces it
//   });
//   h.remove();
//
// - Forward pre-hooks see the input and may replace it; forward hooks see input and output and may replace
//   the output; each kind runs in registration order, each seeing what the one before returned. They run in
//   m(x) (not in m.forward(x)), inside the module's record, so ops they apply belong to the module.
// - register_full_backward_hook (PyTorch's name for these semantics; its plain register_backward_hook sees
//   only the last op's gradients) gets grad_input = dL/d(input) and grad_output = dL/d(output) of one call
//   and may replace grad_input (same shape and dtype). It is built from `identity` ops around the call and
//   gradient hooks on them, so create_graph and double backward work as without it. When the input does not
//   require grad, the hook runs when grad_output is known, with an undefined grad_input (PyTorch passes
//   None), and must not return a replacement. The hooks registered when m(x) runs serve that call's graph;
//   none runs once the module is destroyed.
// - A module without hooks pays one pointer check per call. Register and remove hooks while no call of the
//   module runs (like register_parameter, this is not synchronised).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../autograd/variable.hpp"
#include "state_dict.hpp"

namespace tsumiki::nn {

class Module;
namespace detail {
struct ModuleHooks;
}  // namespace detail

// Returning std::nullopt keeps the value; returning a Variable replaces it.
using ForwardPreHook = std::function<std::optional<Variable>(Module& m, const Variable& input)>;
using ForwardHook =
    std::function<std::optional<Variable>(Module& m, const Variable& input, const Variable& output)>;
using BackwardHook = std::function<std::optional<Variable>(Module& m, const Variable& grad_input,
                                                           const Variable& grad_output)>;

// Removes the hook it was returned for. As PyTorch's RemovableHandle, destroying the handle keeps the hook
// (discarding the handle is the usual way to register for good). remove() is idempotent and safe after the
// module is gone (the handle holds the module's hooks weakly). Movable, not copyable.
class HookHandle {
 public:
  HookHandle() = default;
  HookHandle(HookHandle&&) noexcept = default;
  HookHandle& operator=(HookHandle&&) noexcept = default;
  HookHandle(const HookHandle&) = delete;
  HookHandle& operator=(const HookHandle&) = delete;
  void remove();

 private:
  friend class Module;
  HookHandle(std::weak_ptr<detail::ModuleHooks> hooks, std::uint64_t id)
      : hooks_(std::move(hooks)), id_(id) {}
  std::weak_ptr<detail::ModuleHooks> hooks_;
  std::uint64_t id_ = 0;
};

class Module {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  virtual Variable forward(const Variable& x) = 0;
  Variable operator()(const Variable& x, const Site& site = Site::current());
  // The type shown by summary(), e.g. "Linear(784 -> 100)".
  virtual std::string describe() const { return "Module"; }
  // describe() up to its first '(' ("Linear"); without a describe() of its own, the class name ("Net").
  std::string type_name() const;

  // A root module's name starts its children's paths ("net" gives "net.fc2"); unnamed, paths start at the
  // children ("fc2").
  const std::string& name() const { return name_; }
  Module& name(std::string name);

  std::vector<std::pair<std::string, Variable>> named_parameters() const;
  std::vector<Variable> parameters() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const { return children_; }
  std::size_t num_parameters() const;  // scalar count
  // State that is not trained but belongs to the model (batch norm's running statistics): saved in
  // checkpoints, never given to optimizers. Named like parameters: "bn1.running_mean".
  std::vector<std::pair<std::string, Variable>> named_buffers() const;

  // Parameters and buffers by path, in registration order (nn/state_dict.hpp); the tensors share storage.
  StateDict state_dict() const;
  // Copies `dict` into the parameters and buffers. Every present name's dtype and shape must match, else an
  // Error lists each mismatch; strict (the default) also refuses missing and unexpected names. Nothing
  // changes unless the load succeeds. Returns what was left out (empty when strict).
  LoadReport load_state_dict(const StateDict& dict, bool strict = true);

  void zero_grad();
  void train(bool on = true);  // recursively; dropout and batch norm read it
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // One line per module: name, type, parameter shapes and counts, then the total.
  std::string summary() const;

  // Hooks (see the top of this file). `site`, the registering line, is named by errors about the hook.
  HookHandle register_forward_pre_hook(ForwardPreHook hook, const Site& site = Site::current());
  HookHandle register_forward_hook(ForwardHook hook, const Site& site = Site::current());
  HookHandle register_full_backward_hook(BackwardHook hook, const Site& site = Site::current());

 protected:
  // Registers and returns the parameter (marked requires_grad). Names are unique within a module.
  Variable register_parameter(const std::string& name, Variable v);
  // Registers and returns a buffer (a Variable that does not require grad; update it with set_data).
  Variable register_buffer(const std::string& name, Variable v);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> m) {
    add_child(name, m);
    return m;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> m);
  void check_name(const std::string& name) const;
  void collect(const std::string& prefix, std::vector<std::pair<std::string, Variable>>& out,
               bool buffers = false) const;
  void summarize(const std::string& prefix, std::string& out) const;
  void collect_state(const std::string& prefix, StateDict& out) const;
  const std::string* child_name(const Module* child) const;
  void name_parameters_by_path();
  Variable call_hooked(const Variable& x, const Origin& origin);
  detail::ModuleHooks& hooks(const char* caller, bool empty_function, const Site& site);

  std::vector<std::pair<std::string, Variable>> params_;
  std::vector<std::pair<std::string, Variable>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
  std::string name_;
  bool paths_named_ = false;                    // parameters named by path since the last registration
  std::shared_ptr<detail::ModuleHooks> hooks_;  // made by the first registration; handles hold it weakly
};

}  // namespace tsumiki::nn
