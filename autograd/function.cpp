#include "function.hpp"

#include <algorithm>
#include <atomic>

#include "apply.hpp"
#include "detail/variable_impl.hpp"
#include "ops.hpp"

namespace tsumiki {
namespace {
std::atomic<std::size_t> function_count{0};
}

std::size_t live_functions() { return function_count.load(std::memory_order_relaxed); }

Function::Function(const char* op, VariableList inputs, const Site& site, BackwardFn backward)
    : op_(op), site_(site), inputs_(std::move(inputs)), backward_(std::move(backward)) {
  for (const auto& x : inputs_) generation_ = std::max(generation_, x.generation() + 1);
  function_count.fetch_add(1, std::memory_order_relaxed);
}

// A long chain would otherwise be destroyed recursively (one stack frame set per node) and could overflow
// the stack: creators about to die are moved to a thread-local list and destroyed by the outermost call.
Function::~Function() {
  thread_local std::vector<std::shared_ptr<Function>> doomed;
  thread_local bool draining = false;
  auto steal = [](VariableList& vars) {
    for (auto& v : vars) {
      VariableImpl* impl = v.impl();
      if (impl && v.impl_.use_count() == 1 && impl->creator && impl->creator.use_count() == 1)
        doomed.push_back(std::move(impl->creator));
    }
    vars.clear();
  };
  steal(inputs_);
  backward_ = nullptr;
  function_count.fetch_sub(1, std::memory_order_relaxed);
  if (draining) return;
  draining = true;
  while (!doomed.empty()) {
    auto f = std::move(doomed.back());
    doomed.pop_back();
    f.reset();
  }
  draining = false;
}

const Variable& Function::input(std::size_t i) const {
  if (released_)
    throw GraphError(std::string("backward through '") + op_ + "' (created at " + to_string(site_) +
                     ") a second time: its saved values were freed after the first backward; "
                     "pass retain_graph = true to the first backward to keep them");
  return inputs_.at(i);
}

Variable Function::output() const { return Variable(output_.lock()); }

bool Function::needs_grad(std::size_t i) const { return i < inputs_.size() && inputs_[i].requires_grad(); }

Grads Function::backward(const Variable& gy) const {
  if (released_) input(0);  // throws the retain_graph error
  Grads gxs = backward_(*this, gy);
  if (gxs.size() != inputs_.size())
    throw GraphError(std::string("backward of '") + op_ + "' returned " + std::to_string(gxs.size()) +
                     " gradients for " + std::to_string(inputs_.size()) + " inputs");
  for (std::size_t i = 0; i < gxs.size(); ++i) {
    if (!gxs[i].defined() || !inputs_[i].requires_grad()) {
      gxs[i] = Variable();
      continue;
    }
    // Broadcasting in forward means summing in backward: done here, once, for every op.
    if (gxs[i].shape() != inputs_[i].shape()) gxs[i] = sum_to(gxs[i], inputs_[i].shape(), site_);
  }
  return gxs;
}

void Function::release() {
  inputs_.clear();
  backward_ = nullptr;
  released_ = true;
}

Variable make_result(Tensor data, std::shared_ptr<Function> creator, const Site& site) {
  auto impl = std::allocate_shared<VariableImpl>(detail::PoolAllocator<VariableImpl>());
  impl->data = std::move(data);
  impl->site = site;
  if (creator) {
    creator->output_ = impl;
    creator->output_shape_ = impl->data.shape();
    creator->output_dtype_ = impl->data.dtype();
    impl->requires_grad = true;
    impl->creator = std::move(creator);
  }
  return Variable(std::move(impl));
}

namespace detail {
Variable record(const char* op, VariableList&& inputs, const Site& site, Tensor&& out,
                BackwardFn&& backward) {
  bool needs = false;
  if (is_grad_enabled())
    for (const auto& x : inputs) needs = needs || x.requires_grad();
  if (!needs) return make_result(std::move(out), nullptr, site);
  return make_result(std::move(out),
                     std::allocate_shared<Function>(detail::PoolAllocator<Function>(), op, std::move(inputs),
                                                    site, std::move(backward)),
                     site);
}
}  // namespace detail

namespace {
std::vector<std::string>& op_registry() {
  static std::vector<std::string> names;
  return names;
}
}  // namespace

const std::vector<std::string>& registered_ops() { return op_registry(); }

bool register_op(const char* name) {
  auto& names = op_registry();
  if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
  return true;
}

}  // namespace tsumiki
