#include "derivatives.hpp"

#include <string>

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

Inputs input_leaves(const Inputs& xs, const char* caller) {
  if (xs.empty()) throw Error(std::string(caller) + ": expected at least one input");
  Inputs out;
  for (const Variable& x : xs) out.push_back(input_leaf(x, caller));
  return out;
}

std::string describe(const Variable& v) {
  return v.defined() ? std::string(dtype_name(v.dtype())) + " " + to_string(v.shape()) : "undefined";
}

// Each vs[i] must have xs[i]'s shape and dtype.
void check_directions(const Inputs& vs, const Inputs& xs, const char* caller) {
  if (vs.size() != xs.size())
    throw Error(std::string(caller) + ": " + std::to_string(vs.size()) + " directions for " +
                std::to_string(xs.size()) + " inputs");
  for (std::size_t i = 0; i < xs.size(); ++i)
    if (!vs[i].defined() || vs[i].shape() != xs[i].shape() || vs[i].dtype() != xs[i].dtype())
      throw Error(std::string(caller) + ": v" + (xs.size() > 1 ? "[" + std::to_string(i) + "]" : "") +
                  " must match x (" + describe(xs[i]) + "), got " + describe(vs[i]));
}

Variable evaluate(const Fn& f, const Inputs& xs, const char* caller) {
  EnableGradGuard recording;
  Variable y = f(xs);
  if (!y.defined()) throw Error(std::string(caller) + ": the function returned an undefined Variable");
  return y;
}

Variable evaluate_scalar(const Fn& f, const Inputs& xs, const char* caller) {
  Variable y = evaluate(f, xs, caller);
  if (y.numel() != 1)
    throw Error(std::string(caller) + ": the function must return a scalar, got shape " +
                to_string(y.shape()));
  return y;
}

Fn several(const UnaryFn& f) {
  return [&f](const Inputs& xs) { return f(xs[0]); };
}

Variable zeros_like(const Variable& like) { return Variable(zeros(like.shape(), like.dtype())); }

Variable or_zeros(const Variable& g, const Variable& like) { return g.defined() ? g : zeros_like(like); }

Shape joined(const Shape& a, const Shape& b) {
  Shape s = a;
  for (auto d : b) s.push_back(d);
  return s;
}

// The k-th unit vector shaped like `like`.
Variable unit(const Variable& like, std::size_t k) {
  Tensor e = zeros(Shape{like.numel()}, Dtype::Float64);
  e.data<double>()[k] = 1;
  return Variable(e.to(like.dtype()).reshape(like.shape()));
}

// Pieces of the flattened rows (or columns) stacked along `axis` into shape a.shape + b.shape.
Variable assemble(const std::vector<Variable>& pieces, int axis, const Variable& a, const Variable& b) {
  const Shape shape = joined(a.shape(), b.shape());
  if (pieces.empty()) return Variable(zeros(shape, a.dtype()));
  return reshape(stack(pieces, axis), shape);
}

const GradOptions kRecord{.create_graph = true, .retain_graph = true, .allow_unused = true};

// The gradients of y with respect to xs as a graph; undefined where y does not depend on xs[i].
Inputs gradient_graph(const Variable& y, const Inputs& xs) {
  if (!y.requires_grad()) return Inputs(xs.size());
  return grad({y}, xs, {}, kRecord);
}

// The forward-mode core. For outputs ys of inputs xs it records the reverse pass g = J^T u for cotangents u
// (zeros that require grad: the values do not matter, g is linear in u); the gradient of <g, v> in u is then
// J v, one per output. `transposed` holds (us, g) so several directions can reuse one recording.
struct Transposed {
  Inputs us, g;  // us[k] is ys[k]'s cotangent (undefined when ys[k] requires no grad)
};

Transposed transpose(const Inputs& ys, const Inputs& xs) {
  EnableGradGuard recording;
  Transposed t;
  Inputs live_ys, live_us;
  for (const Variable& y : ys) {
    if (!y.defined() || !y.requires_grad()) {
      t.us.emplace_back();
      continue;
    }
    t.us.emplace_back(zeros(y.shape(), y.dtype()), true);
    live_ys.push_back(y);
    live_us.push_back(t.us.back());
  }
  t.g = live_ys.empty() ? Inputs(xs.size()) : grad(live_ys, xs, live_us, kRecord);
  return t;
}

// J v for every output: the gradient in us of sum_i <g_i, vs[i]>.
Inputs along(const Transposed& t, const Inputs& ys, const Inputs& vs, bool create_graph, bool retain) {
  EnableGradGuard recording(create_graph);
  Inputs gs, gvs, us;
  for (std::size_t i = 0; i < t.g.size(); ++i)
    if (t.g[i].defined() && t.g[i].requires_grad() && vs[i].defined()) {
      gs.push_back(t.g[i]);
      gvs.push_back(vs[i]);
    }
  for (const Variable& u : t.us)
    if (u.defined()) us.push_back(u);
  Inputs out;
  if (gs.empty()) {
    for (const Variable& y : ys) out.push_back(zeros_like(y));
    return out;
  }
  auto jv = grad(gs, us, gvs, {.create_graph = create_graph, .retain_graph = retain, .allow_unused = true});
  for (std::size_t k = 0, live = 0; k < ys.size(); ++k)
    out.push_back(t.us[k].defined() ? or_zeros(jv[live++], ys[k]) : zeros_like(ys[k]));
  return out;
}

// The direction that is e_k in input j and zero elsewhere (undefined parts are skipped by along()).
Inputs basis_direction(const Inputs& xs, std::size_t j, std::size_t k) {
  Inputs vs(xs.size());
  vs[j] = unit(xs[j], k);
  return vs;
}

}  // namespace

std::pair<Variable, Variable> vjp(const UnaryFn& f, const Variable& x0, const Variable& v,
                                  const DerivativeOptions& options) {
  const Variable x = input_leaf(x0, "vjp");
  const Variable y = evaluate(several(f), {x}, "vjp");
  if (!y.requires_grad()) return {y, zeros_like(x)};
  auto g =
      grad({y}, {x}, {v}, {.create_graph = options.create_graph, .retain_graph = {}, .allow_unused = true});
  return {y, or_zeros(g[0], x)};
}

Variable jacobian(const UnaryFn& f, const Variable& x0, const DerivativeOptions& options) {
  const Variable x = input_leaf(x0, "jacobian");
  const Variable y = evaluate(several(f), {x}, "jacobian");
  if (!y.requires_grad()) return assemble({}, 0, y, x);
  std::vector<Variable> rows;
  EnableGradGuard recording(options.create_graph);
  for (std::size_t i = 0; i < y.numel(); ++i) {  // the i-th output's unit gradient
    auto g = grad({y}, {x}, {unit(y, i)},
                  {.create_graph = options.create_graph, .retain_graph = true, .allow_unused = true});
    rows.push_back(reshape(or_zeros(g[0], x), Shape{x.numel()}));
  }
  return assemble(rows, 0, y, x);
}

std::pair<Variable, Variable> jvp(const Fn& f, const Inputs& xs0, const Inputs& vs,
                                  const DerivativeOptions& options) {
  const Inputs xs = input_leaves(xs0, "jvp");
  check_directions(vs, xs, "jvp");
  const Variable y = evaluate(f, xs, "jvp");
  const Transposed t = transpose({y}, xs);
  return {y, along(t, {y}, vs, options.create_graph, options.create_graph)[0]};
}

std::pair<Variable, Variable> jvp(const UnaryFn& f, const Variable& x, const Variable& v,
                                  const DerivativeOptions& options) {
  return jvp(several(f), Inputs{x}, Inputs{v}, options);
}

Variable jacfwd(const UnaryFn& f, const Variable& x0, const DerivativeOptions& options) {
  const Variable x = input_leaf(x0, "jacfwd");
  const Variable y = evaluate(several(f), {x}, "jacfwd");
  if (!y.requires_grad()) return assemble({}, 1, y, x);
  const Transposed t = transpose({y}, {x});
  std::vector<Variable> columns;  // column k: J e_k
  for (std::size_t k = 0; k < x.numel(); ++k)
    columns.push_back(reshape(along(t, {y}, {unit(x, k)}, options.create_graph, true)[0], Shape{y.numel()}));
  return assemble(columns, 1, y, x);
}

std::vector<std::vector<Variable>> hessian(const Fn& f, const Inputs& xs0, const DerivativeOptions& options) {
  const Inputs xs = input_leaves(xs0, "hessian");
  const Variable y = evaluate_scalar(f, xs, "hessian");
  const Inputs g = gradient_graph(y, xs);
  const std::size_t n = xs.size();
  // pieces[i][j]: the flattened rows (reverse) or columns (forward) of block (i, j).
  std::vector<std::vector<std::vector<Variable>>> pieces(n, std::vector<std::vector<Variable>>(n));
  EnableGradGuard recording(options.create_graph);
  if (options.second_order == SecondOrder::ReverseOverReverse) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!g[i].defined() || !g[i].requires_grad()) continue;
      for (std::size_t k = 0; k < xs[i].numel(); ++k) {
        auto row = grad({g[i]}, xs, {unit(xs[i], k)},
                        {.create_graph = options.create_graph, .retain_graph = true, .allow_unused = true});
        for (std::size_t j = 0; j < n; ++j)
          pieces[i][j].push_back(reshape(or_zeros(row[j], xs[j]), Shape{xs[j].numel()}));
      }
    }
  } else {
    const Transposed t = transpose(g, xs);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < xs[j].numel(); ++k) {
        const Inputs column = along(t, xs, basis_direction(xs, j, k), options.create_graph, true);
        for (std::size_t i = 0; i < n; ++i) pieces[i][j].push_back(reshape(column[i], Shape{xs[i].numel()}));
      }
  }
  const int axis = options.second_order == SecondOrder::ReverseOverReverse ? 0 : 1;
  std::vector<std::vector<Variable>> h(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      h[i].push_back(pieces[i][j].size() == xs[axis == 0 ? i : j].numel()
                         ? assemble(pieces[i][j], axis, xs[i], xs[j])
                         : assemble({}, axis, xs[i], xs[j]));
  return h;
}

Variable hessian(const UnaryFn& f, const Variable& x, const DerivativeOptions& options) {
  return hessian(several(f), Inputs{x}, options)[0][0];
}

std::vector<Variable> hvp(const Fn& f, const Inputs& xs0, const Inputs& vs,
                          const DerivativeOptions& options) {
  const Inputs xs = input_leaves(xs0, "hvp");
  check_directions(vs, xs, "hvp");
  const Variable y = evaluate_scalar(f, xs, "hvp");
  const Inputs g = gradient_graph(y, xs);
  if (options.second_order == SecondOrder::ForwardOverReverse)
    return along(transpose(g, xs), xs, vs, options.create_graph, options.create_graph);
  // The gradient of <grad f, v>.
  EnableGradGuard recording;
  Inputs gs, gvs;
  for (std::size_t i = 0; i < xs.size(); ++i)
    if (g[i].defined() && g[i].requires_grad()) {
      gs.push_back(g[i]);
      gvs.push_back(vs[i]);
    }
  Inputs h(xs.size());
  if (!gs.empty())
    h = grad(gs, xs, gvs, {.create_graph = options.create_graph, .retain_graph = {}, .allow_unused = true});
  for (std::size_t i = 0; i < xs.size(); ++i) h[i] = or_zeros(h[i], xs[i]);
  return h;
}

Variable hvp(const UnaryFn& f, const Variable& x, const Variable& v, const DerivativeOptions& options) {
  return hvp(several(f), Inputs{x}, Inputs{v}, options)[0];
}

}  // namespace tsumiki
