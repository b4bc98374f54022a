// Derivatives as functions: vector-Jacobian products (reverse mode), Jacobian-vector products (forward
// mode), Jacobians, Hessians and Hessian-vector products. Each differentiates the graph that backward builds
// with create_graph (Goodfellow et al. 6.5), so every result can be made differentiable again.
//
// Forward mode is built from reverse mode, not from a second set of rules. For y = f(x) the gradient
// g(u) = J^T u, recorded with create_graph for a cotangent u, is linear in u; its vector-Jacobian product
// with v is d<J^T u, v>/du = J v. So every primitive, a user's custom op included, has a forward-mode
// derivative as soon as its backward is written in ops, and the two modes cannot disagree (per-op
// forward-mode rules written apart from the backward ones are where frameworks have been silently wrong).
// The price: a jvp costs two reverse passes where a dual-number pass costs about one forward.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "variable.hpp"

namespace tsumiki {

using UnaryFn = std::function<Variable(const Variable&)>;
using Inputs = std::vector<Variable>;
using Fn = std::function<Variable(const Inputs&)>;

// How a second derivative is taken: the gradient of <grad f, v> (two reverse passes), or the forward-mode
// derivative of grad f along v (JAX's jvp(grad(f)), three reverse passes here; offered to cross-check).
enum class SecondOrder { ReverseOverReverse, ForwardOverReverse };

struct DerivativeOptions {
  bool create_graph = false;                                   // make the result differentiable again
  SecondOrder second_order = SecondOrder::ReverseOverReverse;  // hessian and hvp only
};

// ---- reverse mode ----
// (f(x), v^T J_f(x)); v has f(x)'s shape.
std::pair<Variable, Variable> vjp(const UnaryFn& f, const Variable& x, const Variable& v,
                                  const DerivativeOptions& options = {});
// J[i..., j...] = d f(x)[i...] / d x[j...]: shape f(x).shape + x.shape (one backward per output element).
Variable jacobian(const UnaryFn& f, const Variable& x, const DerivativeOptions& options = {});

// ---- forward mode ----
// (f(x), J_f(x) v); v has x's shape. jvp(f, x, v) is itself differentiable with create_graph.
std::pair<Variable, Variable> jvp(const UnaryFn& f, const Variable& x, const Variable& v,
                                  const DerivativeOptions& options = {});
// Several inputs: (f(xs), sum_i J_i vs[i]), vs[i] shaped like xs[i].
std::pair<Variable, Variable> jvp(const Fn& f, const Inputs& xs, const Inputs& vs,
                                  const DerivativeOptions& options = {});
// jacobian's result, one forward-mode pass per input element (cheaper than jacobian when f(x) is larger).
Variable jacfwd(const UnaryFn& f, const Variable& x, const DerivativeOptions& options = {});

// ---- second order, for scalar f ----
// H[i..., j...] = d^2 f / dx[i...] dx[j...]: shape x.shape + x.shape.
Variable hessian(const UnaryFn& f, const Variable& x, const DerivativeOptions& options = {});
// H v without forming H, whatever the size of x.
Variable hvp(const UnaryFn& f, const Variable& x, const Variable& v, const DerivativeOptions& options = {});
// Several inputs: H[i][j] = d^2 f / dxs[i] dxs[j], shape xs[i].shape + xs[j].shape.
std::vector<std::vector<Variable>> hessian(const Fn& f, const Inputs& xs,
                                           const DerivativeOptions& options = {});
// Several inputs: (H v)[i] = sum_j H[i][j] vs[j], shaped like xs[i].
std::vector<Variable> hvp(const Fn& f, const Inputs& xs, const Inputs& vs,
                          const DerivativeOptions& options = {});

}  // namespace tsumiki
