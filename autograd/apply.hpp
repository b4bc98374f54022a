// apply: the one mechanism every op goes through, the library's and the user's alike.
//
//   // y = x^3;  gx = gy * 3 x^2
//   Variable cube(const Variable& x, const Site& site = Site::current()) {
//     return apply("cube", {x}, site,
//                  [&] { return (x * x * x).data(); },              // forward on Tensors
//                  [](const Function& f, const Variable& gy) {     // backward in ops: differentiable again
//                    const Variable& x = f.input(0);
//                    return Grads{gy * 3 * x * x};
//                  });
//   }
//
// apply runs the forward and records a Function only when grad mode is on and an input requires grad. It
// does what every op needs once: the gradient a backward returns is checked against its input (dtype, and
// a shape that broadcasts to it) and reduced to the input's shape (broadcasting's sum_to), so formulas never
// deal with broadcasting; anomaly mode and function hooks see every op.
//
// The forward is either `Tensor()` or `Tensor(SavedTensors& saved)`: tensors it saves (indices, masks,
// by-products) are kept in the Function and read in backward as f.saved(i); they are freed with the graph's
// other saved values after backward (unless retain_graph).
//
// An op has one output. A Function's single weak output keeps graph nodes flat, which keeps the per-op cost
// low; an op with several results returns the differentiable one and saves the others (max_pool2d keeps
// its argmax indices that way), and several differentiable results are written as several ops.
//
// README, "Writing your own op", walks through a complete example (examples/custom_op.cpp).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "function.hpp"
#include "grad_mode.hpp"
#include "observe.hpp"

namespace tsumiki {

struct ApplyOptions {
  // Inputs that never get a gradient (a mask, a table of indices passed as a Variable): they are recorded
  // detached, so f.needs_grad(i) is false and whatever the backward returns for them is dropped.
  std::initializer_list<std::size_t> non_differentiable = {};
};

namespace detail {
Variable record(const char* op, VariableList&& inputs, const Site& site, Tensor&& out, BackwardFn&& backward,
                SavedTensors&& saved);
void detach_inputs(const char* op, VariableList& inputs, std::initializer_list<std::size_t> which,
                   const Site& site);
}  // namespace detail

template <class Forward>
Variable apply(const char* op, VariableList inputs, const Site& site, Forward&& forward, BackwardFn backward,
               const ApplyOptions& options = {}) {
  static_assert(
      std::is_invocable_r_v<Tensor, Forward&> || std::is_invocable_r_v<Tensor, Forward&, SavedTensors&>,
      "apply: the forward must be callable as Tensor() or Tensor(SavedTensors&)");
  if (options.non_differentiable.size() != 0)
    detail::detach_inputs(op, inputs, options.non_differentiable, site);
  SavedTensors saved;
  auto run = [&]() -> Tensor {
    if constexpr (std::is_invocable_r_v<Tensor, Forward&, SavedTensors&>)
      return forward(saved);
    else
      return forward();
  };
  // Anomaly mode and function hooks take a slower path; the usual one pays a flag check.
  if (detail::observing())
    return detail::apply_observed(op, std::move(inputs), site, run, std::move(backward), std::move(saved));
  Tensor out = run();
  return detail::record(op, std::move(inputs), site, std::move(out), std::move(backward), std::move(saved));
}

// Wraps a tensor as the output of `creator` (nullptr: a leaf made at `site`).
Variable make_result(Tensor data, std::shared_ptr<Function> creator, const Site& site = Site::current());

// The registry of the library's primitive names, so the op test table can insist on a row for each. A
// primitive's name is written once: TSUMIKI_PRIMITIVE(kTanh, "tanh") defines kTanh, which apply() takes.
const std::vector<std::string>& registered_ops();
const char* register_op(const char* name);  // returns name

}  // namespace tsumiki

// Defines `static const char* const id = "name"` and registers the name as a primitive of the library (for
// the op test table). User-defined ops need no registration: they pass their name to apply() directly.
#define TSUMIKI_PRIMITIVE(id, name) \
  [[maybe_unused]] static const char* const id = ::tsumiki::register_op(name)
