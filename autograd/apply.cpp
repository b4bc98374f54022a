// What every op does once: wrap its result, record a Function when a gradient is wanted, and the registry
// of primitive names that the op test table checks.
#include "apply.hpp"

#include <algorithm>

#include "detail/capture.hpp"
#include "detail/variable_impl.hpp"

namespace tsumiki {

Variable make_result(Tensor data, std::shared_ptr<Function> creator, const Site& site) {
  auto impl = std::allocate_shared<VariableImpl>(PoolAllocator<VariableImpl>());
  impl->data = std::move(data);
  impl->site = site;
  if (creator) {
    creator->output_ = impl;
    creator->output_shape_ = impl->data.shape();
    creator->output_dtype_ = impl->data.dtype();
    impl->requires_grad = true;
    impl->creator = std::move(creator);
  } else {
    impl->origin = current_origin();
  }
  return Variable(std::move(impl));
}

namespace detail {
Variable record(const char* op, VariableList&& inputs, const Site& site, Tensor&& out, BackwardFn&& backward,
                SavedTensors&& saved) {
  bool needs = false;
  if (is_grad_enabled())
    for (const auto& x : inputs) needs = needs || x.requires_grad();
  if (!needs) {
    if (captured_inputs) capture(inputs);
    return make_result(std::move(out), nullptr, site);
  }
  return make_result(std::move(out),
                     std::allocate_shared<Function>(PoolAllocator<Function>(), op, std::move(inputs), site,
                                                    std::move(backward), std::move(saved)),
                     site);
}

thread_local std::vector<Variable>* captured_inputs = nullptr;

void capture(const VariableList& inputs) {
  for (const Variable& x : inputs) {
    if (!x.requires_grad()) continue;
    bool seen = false;
    for (const Variable& c : *captured_inputs) seen = seen || c.impl() == x.impl();
    if (!seen) captured_inputs->push_back(x);
  }
}

void detach_inputs(const char* op, VariableList& inputs, std::initializer_list<std::size_t> which,
                   const Site& site) {
  for (const std::size_t i : which) {
    if (i >= inputs.size())
      fail(op, "non_differentiable names input " + std::to_string(i) + " of " + std::to_string(inputs.size()),
           site);
    inputs[i] = inputs[i].detach();
  }
}
}  // namespace detail

namespace {
std::vector<std::string>& op_registry() {
  static std::vector<std::string> names;
  return names;
}
}  // namespace

const std::vector<std::string>& registered_ops() { return op_registry(); }

const char* register_op(const char* name) {
  auto& names = op_registry();
  if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
  return name;
}

}  // namespace tsumiki
