// y = f(xs), run without recording;  gxs, gouts = the gradient of <f(xs), gy> in xs and in what f reads from
// outside, by recording f again and running a pass that stops at those (a backward written in ops, as the
// recorded graph is: under create_graph it is differentiable again).
#include "checkpoint.hpp"

#include <string>
#include <utility>

#include "../apply.hpp"
#include "../detail/backward_pass.hpp"
#include "../detail/capture.hpp"
#include "../grad_mode.hpp"

namespace tsumiki {
namespace {

TSUMIKI_PRIMITIVE(kCheckpoint, "checkpoint");

// Runs f with the thread's default generator as it was at the forward, then puts the generator back.
Variable run_again(const Fn& f, const Inputs& xs, const Generator& at_forward) {
  Generator& gen = default_generator();
  const Generator now = gen;
  gen = at_forward;
  try {
    Variable y = f(xs);
    gen = now;
    return y;
  } catch (...) {
    gen = now;
    throw;
  }
}

Grads recompute(const Fn& f, const Generator& at_forward, std::size_t n, const Function& fn,
                const Variable& gy) {
  const bool create_graph = is_grad_enabled();  // a pass runs backward formulas in create_graph's mode
  Inputs xs;
  for (std::size_t i = 0; i < n; ++i) xs.push_back(fn.input(i));
  Variable y;
  {
    EnableGradGuard recording;
    y = run_again(f, xs, at_forward);
  }
  Grads out;
  out.resize(fn.num_inputs());
  if (!y.defined() || !y.requires_grad()) return out;
  // Differentiate with respect to the recorded inputs that need a gradient.
  std::vector<Variable> wrt;
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < fn.num_inputs(); ++i)
    if (fn.needs_grad(i)) {
      wrt.push_back(fn.input(i));
      which.push_back(i);
    }
  BackwardPass pass({y}, {gy}, &wrt, create_graph, create_graph, /*stop_at_inputs=*/true);
  while (!pass.done()) pass.step();
  std::vector<Variable> g = pass.finish();
  for (std::size_t k = 0; k < which.size(); ++k) out[which[k]] = std::move(g[k]);
  return out;
}

}  // namespace

Variable checkpoint(const Fn& f, const Inputs& xs, const Site& site) {
  if (!f) fail(kCheckpoint, "the function is empty", site);
  for (std::size_t i = 0; i < xs.size(); ++i)
    if (!xs[i].defined()) fail(kCheckpoint, "input " + std::to_string(i) + " is undefined", site);
  if (!is_grad_enabled()) return f(xs);
  const Generator at_forward = default_generator();
  std::vector<Variable> outside;
  Variable y;
  {
    NoGradGuard off;
    detail::CaptureScope capture(outside);
    y = f(xs);
  }
  if (!y.defined()) fail(kCheckpoint, "the function returned an undefined Variable", site);
  VariableList inputs(xs.begin(), xs.end());
  for (const Variable& v : outside) {
    bool given = false;
    for (const Variable& x : xs) given = given || x.impl() == v.impl();
    if (!given) inputs.push_back(v);
  }
  const std::size_t n = xs.size();
  return apply(
      kCheckpoint, std::move(inputs), site, [&y] { return y.data(); },
      [f, at_forward, n](const Function& fn, const Variable& gy) {
        return recompute(f, at_forward, n, fn, gy);
      });
}

Variable checkpoint(const UnaryFn& f, const Variable& x, const Site& site) {
  if (!f) fail(kCheckpoint, "the function is empty", site);
  return checkpoint([f](const Inputs& xs) { return f(xs[0]); }, Inputs{x}, site);
}

}  // namespace tsumiki
