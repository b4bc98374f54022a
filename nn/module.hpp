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
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../autograd/variable.hpp"
#include "state_dict.hpp"

namespace tsumiki::nn {

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

  std::vector<std::pair<std::string, Variable>> params_;
  std::vector<std::pair<std::string, Variable>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
  std::string name_;
  bool paths_named_ = false;  // parameters named by path since the last registration
};

}  // namespace tsumiki::nn
