// The shared state behind a Variable handle (internal).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "../function.hpp"
#include "../variable.hpp"

namespace tsumiki {

struct VariableImpl {
  Tensor data;
  Variable grad;
  std::shared_ptr<Function> creator;
  std::string name;
  Site site;                       // the leaf's constructor call (non-leaves use creator->site())
  const Origin* origin = nullptr;  // the leaf's module and user line (non-leaves use creator->origin())
  std::vector<Variable::GradHook> hooks;
  bool requires_grad = false;
  bool retains_grad = false;
  // No backward-pass state lives here: a leaf (a parameter) may be shared by passes on several threads, so
  // the gradients a pass accumulates belong to that pass (detail/backward_pass.hpp).

  VariableImpl();
  ~VariableImpl();
};

}  // namespace tsumiki
