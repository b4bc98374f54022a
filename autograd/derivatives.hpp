// Higher-order derivatives as functions: vector-Jacobian products, Jacobians, Hessians and Hessian-vector
// products. Each differentiates the graph that backward builds with create_graph (Goodfellow et al. 6.5).
#pragma once

#include <functional>
#include <utility>

#include "variable.hpp"

namespace tsumiki {

using UnaryFn = std::function<Variable(const Variable&)>;

struct DerivativeOptions {
  bool create_graph = false;  // make the result differentiable again
};

// (f(x), v^T J_f(x)); v has f(x)'s shape.
std::pair<Variable, Variable> vjp(const UnaryFn& f, const Variable& x, const Variable& v,
                                  const DerivativeOptions& options = {});
// J[i..., j...] = d f(x)[i...] / d x[j...]: shape f(x).shape + x.shape (one backward per output element).
Variable jacobian(const UnaryFn& f, const Variable& x, const DerivativeOptions& options = {});
// H[i..., j...] = d^2 f / dx[i...] dx[j...] for scalar f: shape x.shape + x.shape.
Variable hessian(const UnaryFn& f, const Variable& x, const DerivativeOptions& options = {});
// H v without forming H: the gradient of <grad f(x), v>. Two backward passes, whatever the size of x.
Variable hvp(const UnaryFn& f, const Variable& x, const Variable& v, const DerivativeOptions& options = {});

}  // namespace tsumiki
