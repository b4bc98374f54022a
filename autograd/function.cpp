#include "function.hpp"

#include <algorithm>

#include "detail/live_counts.hpp"
#include "detail/variable_impl.hpp"
#include "ops/shape.hpp"

namespace tsumiki {
namespace {
// Whether `from` broadcasts to `to` (NumPy's rules), so that sum_to(to -> from) is defined.
bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const std::size_t lead = to.size() - from.size();
  for (std::size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[lead + i]) return false;
  return true;
}
}  // namespace

std::size_t live_functions() { return detail::live_total(detail::Live::Functions); }

Function::Function(const char* op, VariableList inputs, const Site& site, BackwardFn backward,
                   SavedTensors saved)
    : op_(op),
      site_(site),
      origin_(current_origin()),
      inputs_(std::move(inputs)),
      backward_(std::move(backward)),
      saved_(std::move(saved)) {
  for (const auto& x : inputs_) generation_ = std::max(generation_, x.generation() + 1);
  detail::count_live(detail::Live::Functions, 1);
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
  detail::count_live(detail::Live::Functions, -1);
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
    throw GraphError(std::string("backward through '") + op_ + "' (created at " + where() +
                     ") a second time: its saved values were freed after the first backward; "
                     "pass retain_graph = true to the first backward to keep them");
  return inputs_.at(i);
}

const Tensor& Function::saved(std::size_t i) const {
  if (released_) input(0);  // throws the retain_graph error
  if (i >= saved_.size())
    throw GraphError(std::string("'") + op_ + "' (created at " + where() + "): saved(" + std::to_string(i) +
                     ") but its forward saved " + std::to_string(saved_.size()) + " tensors");
  return saved_[i];
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
    const Variable& x = inputs_[i];
    if (gxs[i].dtype() != x.dtype() ||
        (gxs[i].shape() != x.shape() && !broadcasts_to(x.shape(), gxs[i].shape())))
      throw GraphError(std::string("backward of '") + op_ + "' (created at " + where() +
                       ") returned a gradient of " + dtype_name(gxs[i].dtype()) + " " +
                       to_string(gxs[i].shape()) + " for input " + std::to_string(i) + ", a " +
                       dtype_name(x.dtype()) + " " + to_string(x.shape()) +
                       "; expected the input's dtype and its shape (or a shape it broadcasts to)");
    // Broadcasting in forward means summing in backward: done here, once, for every op.
    if (gxs[i].shape() != x.shape()) gxs[i] = sum_to(gxs[i], x.shape(), site_);
  }
  return gxs;
}

void Function::release() {
  inputs_.clear();
  saved_.clear();
  backward_ = nullptr;
  released_ = true;
}

}  // namespace tsumiki
