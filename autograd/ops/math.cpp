// Elementwise math, comparisons and selection.
#include "../apply.hpp"
#include "../detail/kernels.hpp"
#include "checks.hpp"

namespace tsumiki {
using kernels::Binary;
using kernels::Unary;

namespace {
Variable unary_op(const char* op, Unary kind, const Variable& x, const Site& site, BackwardFn backward) {
  detail::check_floating(op, x, site);
  return apply(
      op, {x}, site, [&] { return kernels::unary(kind, x.data()); }, std::move(backward));
}

// A 0/1 mask: a constant, never part of the graph.
Variable compare(const char* op, Binary kind, const Variable& a, const Variable& b, const Site& site) {
  detail::check_pair(op, a, b, site);
  const Shape shape = kernels::broadcast_shapes(a.shape(), b.shape(), op, site);
  return Variable(kernels::binary(kind, a.data(), b.data(), shape));
}
}  // namespace

// y = exp(x);  gx = gy * y
TSUMIKI_REGISTER_OP("exp");
Variable exp(const Variable& x, const Site& site) {
  return unary_op("exp", Unary::Exp, x, site,
                  [](const Function& f, const Variable& gy) { return Grads{mul(gy, f.output())}; });
}

// y = log(x);  gx = gy / x
TSUMIKI_REGISTER_OP("log");
Variable log(const Variable& x, const Site& site) {
  return unary_op("log", Unary::Log, x, site,
                  [](const Function& f, const Variable& gy) { return Grads{div(gy, f.input(0))}; });
}

// y = sqrt(x);  gx = gy / (2 y)
TSUMIKI_REGISTER_OP("sqrt");
Variable sqrt(const Variable& x, const Site& site) {
  return unary_op("sqrt", Unary::Sqrt, x, site, [](const Function& f, const Variable& gy) {
    const Variable y = f.output();
    return Grads{div(gy, mul(scalar_like(2, y), y))};
  });
}

// y = |x|;  gx = gy * sign(x)
TSUMIKI_REGISTER_OP("abs");
Variable abs(const Variable& x, const Site& site) {
  return unary_op("abs", Unary::Abs, x, site,
                  [](const Function& f, const Variable& gy) { return Grads{mul(gy, sign(f.input(0)))}; });
}

// y = sin(x);  gx = gy * cos(x)
TSUMIKI_REGISTER_OP("sin");
Variable sin(const Variable& x, const Site& site) {
  return unary_op("sin", Unary::Sin, x, site,
                  [](const Function& f, const Variable& gy) { return Grads{mul(gy, cos(f.input(0)))}; });
}

// y = cos(x);  gx = -gy * sin(x)
TSUMIKI_REGISTER_OP("cos");
Variable cos(const Variable& x, const Site& site) {
  return unary_op("cos", Unary::Cos, x, site,
                  [](const Function& f, const Variable& gy) { return Grads{neg(mul(gy, sin(f.input(0))))}; });
}

// y = tanh(x);  gx = gy * (1 - y^2)
TSUMIKI_REGISTER_OP("tanh");
Variable tanh(const Variable& x, const Site& site) {
  return unary_op("tanh", Unary::Tanh, x, site, [](const Function& f, const Variable& gy) {
    const Variable y = f.output();
    return Grads{mul(gy, sub(scalar_like(1, y), mul(y, y)))};
  });
}

// y = 1 / (1 + exp(-x));  gx = gy * y * (1 - y)
TSUMIKI_REGISTER_OP("sigmoid");
Variable sigmoid(const Variable& x, const Site& site) {
  return unary_op("sigmoid", Unary::Sigmoid, x, site, [](const Function& f, const Variable& gy) {
    const Variable y = f.output();
    return Grads{mul(gy, mul(y, sub(scalar_like(1, y), y)))};
  });
}

// y = log(1 + exp(x));  gx = gy * sigmoid(x)
// A primitive, not max(x, 0) + log1p(exp(-|x|)) composed: relu's and abs's zero slope at 0 would make
// that composite's gradient 0 there instead of 1/2.
TSUMIKI_REGISTER_OP("softplus");
Variable softplus(const Variable& x, const Site& site) {
  return unary_op("softplus", Unary::Softplus, x, site,
                  [](const Function& f, const Variable& gy) { return Grads{mul(gy, sigmoid(f.input(0)))}; });
}

// y = max(x, 0);  gx = gy * (x > 0)
TSUMIKI_REGISTER_OP("relu");
Variable relu(const Variable& x, const Site& site) {
  return unary_op("relu", Unary::Relu, x, site, [](const Function& f, const Variable& gy) {
    const Variable& x = f.input(0);
    return Grads{mul(gy, greater(x, scalar_like(0, x)))};
  });
}

// y = max(a, b);  ga = gy * (a >= b), gb = gy * (a < b)
TSUMIKI_REGISTER_OP("maximum");
Variable maximum(const Variable& a, const Variable& b, const Site& site) {
  detail::check_pair("maximum", a, b, site);
  const Shape shape = kernels::broadcast_shapes(a.shape(), b.shape(), "maximum", site);
  return apply(
      "maximum", {a, b}, site, [&] { return kernels::binary(Binary::Maximum, a.data(), b.data(), shape); },
      [](const Function& f, const Variable& gy) {
        const Variable& a = f.input(0);
        const Variable& b = f.input(1);
        return Grads{mul(gy, greater_equal(a, b)), mul(gy, less(a, b))};
      });
}

// y = min(a, b);  ga = gy * (a <= b), gb = gy * (a > b)
TSUMIKI_REGISTER_OP("minimum");
Variable minimum(const Variable& a, const Variable& b, const Site& site) {
  detail::check_pair("minimum", a, b, site);
  const Shape shape = kernels::broadcast_shapes(a.shape(), b.shape(), "minimum", site);
  return apply(
      "minimum", {a, b}, site, [&] { return kernels::binary(Binary::Minimum, a.data(), b.data(), shape); },
      [](const Function& f, const Variable& gy) {
        const Variable& a = f.input(0);
        const Variable& b = f.input(1);
        return Grads{mul(gy, less_equal(a, b)), mul(gy, greater(a, b))};
      });
}

// y = min(max(x, lo), hi);  gx = gy * (lo <= x <= hi)
TSUMIKI_REGISTER_OP("clip");
Variable clip(const Variable& x, double lo, double hi, const Site& site) {
  detail::check_floating("clip", x, site);
  if (!(lo <= hi))
    fail("clip", "expected lo <= hi, got lo = " + std::to_string(lo) + ", hi = " + std::to_string(hi), site);
  return apply(
      "clip", {x}, site, [&] { return kernels::clip(x.data(), lo, hi); },
      [lo, hi](const Function& f, const Variable& gy) {
        return Grads{mul(gy, Variable(kernels::inside(f.input(0).data(), lo, hi)))};
      });
}

// y = cond ? a : b;  ga = cond ? gy : 0, gb = cond ? 0 : gy
TSUMIKI_REGISTER_OP("where");
Variable where(const Variable& cond, const Variable& a, const Variable& b, const Site& site) {
  detail::check_defined("where", cond, site);
  detail::check_pair("where", a, b, site);
  const Shape ab = kernels::broadcast_shapes(a.shape(), b.shape(), "where", site);
  const Shape shape = kernels::broadcast_shapes(cond.shape(), ab, "where", site);
  const Variable c = cond.detach();
  return apply(
      "where", {a, b}, site, [&] { return kernels::where(c.data(), a.data(), b.data(), shape); },
      [c](const Function&, const Variable& gy) {
        const Variable zero = scalar_like(0, gy);
        return Grads{where(c, gy, zero), where(c, zero, gy)};
      });
}

Variable sign(const Variable& x, const Site& site) {
  detail::check_floating("sign", x, site);
  return Variable(kernels::unary(Unary::Sign, x.data()));
}
Variable greater(const Variable& a, const Variable& b, const Site& site) {
  return compare("greater", Binary::Greater, a, b, site);
}
Variable greater_equal(const Variable& a, const Variable& b, const Site& site) {
  return compare("greater_equal", Binary::GreaterEqual, a, b, site);
}
Variable less(const Variable& a, const Variable& b, const Site& site) {
  return compare("less", Binary::Less, a, b, site);
}
Variable less_equal(const Variable& a, const Variable& b, const Site& site) {
  return compare("less_equal", Binary::LessEqual, a, b, site);
}
Variable equal(const Variable& a, const Variable& b, const Site& site) {
  return compare("equal", Binary::Equal, a, b, site);
}

}  // namespace tsumiki
