// apply: the one mechanism every op goes through.
//
//   // y = exp(x); gx = gy * y
//   Variable exp(const Variable& x, const Site& site) {
//     return apply("exp", {x}, site, [&] { return kernels::exp(x.data()); },
//                  [](const Function& f, const Variable& gy) { return Grads{gy * f.output()}; });
//   }
//
// apply runs the forward, and records a Function only when grad mode is on and an input requires grad.
// Backward gradients are reduced to each input's shape by Function::backward (broadcasting's sum_to), so op
// formulas never deal with broadcasting. Users can define their own differentiable ops the same way.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "detail/observe.hpp"
#include "function.hpp"
#include "grad_mode.hpp"

namespace tsumiki {

namespace detail {
Variable record(const char* op, VariableList&& inputs, const Site& site, Tensor&& out, BackwardFn&& backward);
}

template <class Forward>
Variable apply(const char* op, VariableList inputs, const Site& site, Forward&& forward,
               BackwardFn backward) {
  // Anomaly mode and function hooks take a slower path; the usual one pays a flag check.
  if (detail::observing())
    return detail::apply_observed(op, std::move(inputs), site, forward, std::move(backward));
  Tensor out = forward();
  return detail::record(op, std::move(inputs), site, std::move(out), std::move(backward));
}

// Wraps a tensor as the output of `creator` (nullptr: a leaf made at `site`).
Variable make_result(Tensor data, std::shared_ptr<Function> creator, const Site& site = Site::current());

// Registry of primitive op names, so the op test table can insist on a row for each.
const std::vector<std::string>& registered_ops();
bool register_op(const char* name);

}  // namespace tsumiki

#define TSUMIKI_CONCAT_(a, b) a##b
#define TSUMIKI_CONCAT(a, b) TSUMIKI_CONCAT_(a, b)
// Registers a primitive's name for the op test table; put it beside the op's definition.
#define TSUMIKI_REGISTER_OP(name)                                                       \
  [[maybe_unused]] static const bool TSUMIKI_CONCAT(tsumiki_op_registered_, __LINE__) = \
      ::tsumiki::register_op(name)
