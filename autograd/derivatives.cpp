#include "derivatives.hpp"

#include "engine.hpp"
#include "grad_mode.hpp"
#include "ops.hpp"

namespace tsumiki {
namespace {

// A leaf over x's data that requires grad, so x may be any Variable (even one that requires no grad).
Variable input_leaf(const Variable& x, const char* caller) {
  if (!x.defined() || !is_floating(x.dtype()))
    throw Error(std::string(caller) + ": expected a defined floating input");
  return x.requires_grad() ? x : Variable(x.data(), true);
}

Variable evaluate(const UnaryFn& f, const Variable& x, const char* caller) {
  EnableGradGuard recording;
  Variable y = f(x);
  if (!y.defined()) throw Error(std::string(caller) + ": the function returned an undefined Variable");
  return y;
}

Variable or_zeros(const Variable& g, const Variable& like) {
  return g.defined() ? g : Variable(zeros(like.shape(), like.dtype()));
}

Shape joined(const Shape& a, const Shape& b) {
  Shape s = a;
  for (auto d : b) s.push_back(d);
  return s;
}

}  // namespace

std::pair<Variable, Variable> vjp(const UnaryFn& f, const Variable& x0, const Variable& v,
                                  const DerivativeOptions& options) {
  const Variable x = input_leaf(x0, "vjp");
  const Variable y = evaluate(f, x, "vjp");
  if (!y.requires_grad()) return {y, Variable(zeros(x.shape(), x.dtype()))};
  auto g =
      grad({y}, {x}, {v}, {.create_graph = options.create_graph, .retain_graph = {}, .allow_unused = true});
  return {y, or_zeros(g[0], x)};
}

Variable jacobian(const UnaryFn& f, const Variable& x0, const DerivativeOptions& options) {
  const Variable x = input_leaf(x0, "jacobian");
  const Variable y = evaluate(f, x, "jacobian");
  const Shape shape = joined(y.shape(), x.shape());
  if (!y.requires_grad()) return Variable(zeros(shape, x.dtype()));
  std::vector<Variable> rows;
  EnableGradGuard recording(options.create_graph);
  for (std::size_t i = 0; i < y.numel(); ++i) {
    Tensor e = zeros(Shape{y.numel()}, Dtype::Float64);
    e.data<double>()[i] = 1;  // the i-th output's unit gradient
    e = e.to(y.dtype()).reshape(y.shape());
    auto g = grad({y}, {x}, {Variable(e)},
                  {.create_graph = options.create_graph, .retain_graph = true, .allow_unused = true});
    rows.push_back(reshape(or_zeros(g[0], x), Shape{x.numel()}));
  }
  if (rows.empty()) return Variable(zeros(shape, x.dtype()));
  return reshape(stack(rows, 0), shape);
}

Variable hessian(const UnaryFn& f, const Variable& x0, const DerivativeOptions& options) {
  const Variable x = input_leaf(x0, "hessian");
  // The Jacobian of the gradient, the gradient built as a graph.
  const UnaryFn gradient = [&f](const Variable& z) {
    EnableGradGuard recording;
    const Variable y = f(z);
    if (y.numel() != 1)
      throw Error("hessian: the function must return a scalar, got shape " + to_string(y.shape()));
    if (!y.requires_grad()) return Variable(zeros(z.shape(), z.dtype()));
    auto g = grad({y}, {z}, {}, {.create_graph = true, .retain_graph = {}, .allow_unused = true});
    return or_zeros(g[0], z);
  };
  return jacobian(gradient, x, options);
}

Variable hvp(const UnaryFn& f, const Variable& x0, const Variable& v, const DerivativeOptions& options) {
  const Variable x = input_leaf(x0, "hvp");
  if (!v.defined() || v.shape() != x.shape() || v.dtype() != x.dtype())
    throw Error("hvp: v must match x (" + std::string(dtype_name(x.dtype())) + " " + to_string(x.shape()) +
                ")");
  const Variable y = evaluate(f, x, "hvp");
  if (y.numel() != 1)
    throw Error("hvp: the function must return a scalar, got shape " + to_string(y.shape()));
  if (!y.requires_grad()) return Variable(zeros(x.shape(), x.dtype()));
  EnableGradGuard recording;
  auto g = grad({y}, {x}, {}, {.create_graph = true, .retain_graph = {}, .allow_unused = true});
  if (!g[0].defined()) return Variable(zeros(x.shape(), x.dtype()));
  const Variable gv = sum(mul(g[0], v));
  if (!gv.requires_grad()) return Variable(zeros(x.shape(), x.dtype()));
  auto h =
      grad({gv}, {x}, {}, {.create_graph = options.create_graph, .retain_graph = {}, .allow_unused = true});
  return or_zeros(h[0], x);
}

}  // namespace tsumiki
