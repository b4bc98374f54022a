// Arithmetic: + - * / neg pow, and the operators that take scalars on either side.
#include "arithmetic.hpp"

#include <cmath>

#include "../apply.hpp"
#include "../detail/checks.hpp"
#include "../detail/kernels.hpp"
#include "../detail/map.hpp"
#include "../ops.hpp"

namespace tsumiki {
using kernels::Binary;

namespace {
Variable binary_op(const char* op, Binary kind, const Variable& a, const Variable& b, const Site& site,
                   BackwardFn backward) {
  detail::check_pair(op, a, b, site);
  const Shape shape = kernels::broadcast_shapes(a.shape(), b.shape(), op, site);
  return apply(
      op, {a, b}, site, [&] { return kernels::binary(kind, a.data(), b.data(), shape); },
      std::move(backward));
}
}  // namespace

// y = a + b;  ga = gy, gb = gy
TSUMIKI_PRIMITIVE(kAdd, "add");
Variable add(const Variable& a, const Variable& b, const Site& site) {
  return binary_op(kAdd, Binary::Add, a, b, site, [](const Function&, const Variable& gy) {
    return Grads{gy, gy};
  });
}

// y = a - b;  ga = gy, gb = -gy
TSUMIKI_PRIMITIVE(kSub, "sub");
Variable sub(const Variable& a, const Variable& b, const Site& site) {
  return binary_op(kSub, Binary::Sub, a, b, site, [](const Function& f, const Variable& gy) {
    return Grads{gy, f.needs_grad(1) ? neg(gy) : Variable()};
  });
}

// y = a * b;  ga = gy * b, gb = gy * a
TSUMIKI_PRIMITIVE(kMul, "mul");
Variable mul(const Variable& a, const Variable& b, const Site& site) {
  return binary_op(kMul, Binary::Mul, a, b, site, [](const Function& f, const Variable& gy) {
    return Grads{f.needs_grad(0) ? mul(gy, f.input(1)) : Variable(),
                 f.needs_grad(1) ? mul(gy, f.input(0)) : Variable()};
  });
}

// y = a / b;  ga = gy / b, gb = -gy * a / b^2
TSUMIKI_PRIMITIVE(kDiv, "div");
Variable div(const Variable& a, const Variable& b, const Site& site) {
  return binary_op(kDiv, Binary::Div, a, b, site, [](const Function& f, const Variable& gy) {
    const Variable& b = f.input(1);
    const Variable ga = div(gy, b);
    return Grads{ga, f.needs_grad(1) ? neg(div(mul(ga, f.input(0)), b)) : Variable()};
  });
}

// y = x + c (c a number);  gx = gy. The operators' scalar form: no constant Variable and no 0-d buffer,
// and a backward that saves nothing.
TSUMIKI_PRIMITIVE(kAddScalar, "add_scalar");
Variable add(const Variable& x, double c, const Site& site) {
  detail::check_floating(kAddScalar, x, site);
  return apply(
      kAddScalar, {x}, site,
      [&] {
        return kernels::map(x.data(), kAddScalar, [c](auto a) { return a + static_cast<decltype(a)>(c); });
      },
      [](const Function&, const Variable& gy) { return Grads{gy}; });
}

// y = x * c (c a number);  gx = gy * c
TSUMIKI_PRIMITIVE(kMulScalar, "mul_scalar");
Variable mul(const Variable& x, double c, const Site& site) {
  detail::check_floating(kMulScalar, x, site);
  return apply(
      kMulScalar, {x}, site,
      [&] {
        return kernels::map(x.data(), kMulScalar, [c](auto a) { return a * static_cast<decltype(a)>(c); });
      },
      [c](const Function&, const Variable& gy) { return Grads{mul(gy, c)}; });
}

// y = -x;  gx = -gy
TSUMIKI_PRIMITIVE(kNeg, "neg");
Variable neg(const Variable& x, const Site& site) {
  detail::check_floating(kNeg, x, site);
  return apply(
      kNeg, {x}, site, [&] { return kernels::map(x.data(), kNeg, [](auto a) { return -a; }); },
      [](const Function&, const Variable& gy) { return Grads{neg(gy)}; });
}

// y = x^c;  gx = gy * c * x^(c-1)
TSUMIKI_PRIMITIVE(kPow, "pow");
Variable pow(const Variable& x, double c, const Site& site) {
  detail::check_floating(kPow, x, site);
  return apply(
      kPow, {x}, site, [&] { return kernels::pow(x.data(), c); },
      [c](const Function& f, const Variable& gy) {
        const Variable& x = f.input(0);
        if (c == 1) return Grads{gy};
        return Grads{mul(gy, mul(scalar_like(c, x), pow(x, c - 1)))};
      });
}

// y = a^b;  ga = gy * b * a^(b-1) (0 at 0^0), gb = gy * y * log(a), with log(a) read as 0 where a == 0, b >=
// 0 (there y is 0 or 1 and PyTorch's gradient is 0; the substitution keeps double backward free of 0 * -inf).
// The same primitive name as the number exponent: one op to the user, two forms.
Variable pow(const Variable& a, const Variable& b, const Site& site) {
  detail::check_pair(kPow, a, b, site);
  const Shape shape = kernels::broadcast_shapes(a.shape(), b.shape(), kPow, site);
  return apply(
      kPow, {a, b}, site,
      [&] {
        const Tensor ab = kernels::broadcast_to(a.data(), shape);
        const Tensor bb = kernels::broadcast_to(b.data(), shape);
        return dispatch_floating(ab.dtype(), kPow, [&](auto tag) {
          using T = decltype(tag);
          Tensor out(shape, ab.dtype());
          const T* pa = ab.data<T>();
          const T* pb = bb.data<T>();
          T* po = out.data<T>();
          for (std::size_t i = 0; i < out.numel(); ++i) po[i] = std::pow(pa[i], pb[i]);
          return out;
        });
      },
      [](const Function& f, const Variable& gy) {
        const Variable& a = f.input(0);
        const Variable& b = f.input(1);
        const Variable zero = scalar_like(0, a);
        Variable ga, gb;
        if (f.needs_grad(0)) {
          // 0^0: the exponent b - 1 = -1 would give 0 * inf; PyTorch's gradient there is 0, which b * 0^0
          // gives.
          const Variable zero_zero = mul(equal(a, zero), equal(b, zero));
          ga = mul(gy, mul(b, pow(a, where(zero_zero, zero, add(b, -1.0)))));
        }
        if (f.needs_grad(1)) {
          const Variable base_zero = mul(equal(a, zero), greater_equal(b, zero));
          const Variable safe_a = where(base_zero, scalar_like(1, a), a);
          gb = mul(gy, mul(f.output(), log(safe_a)));
        }
        return Grads{ga, gb};
      });
}

Variable square(const Variable& x, const Site& site) { return pow(x, 2.0, site); }

Variable scalar_like(double value, const Variable& like, const Site& site) {
  return Variable(scalar_tensor(value, like.defined() ? like.dtype() : Dtype::Float32), false, site);
}

namespace {
Variable operand(const Operand& o, const Operand& other) {
  return o.var.defined() ? o.var : scalar_like(o.value, other.var, o.site);
}
}  // namespace

namespace {
// A floating Variable on one side and a number on the other: the scalar ops apply (bit for bit the same
// results as the 0-d constant of the Variable's dtype would give).
bool scalar_form(const Operand& var, const Operand& number) {
  return var.var.defined() && !number.var.defined() && is_floating(var.var.dtype());
}
}  // namespace

// x + c and c + x are one add_scalar; x - c is x + (-c), exact in IEEE arithmetic; x * c and c * x one
// mul_scalar. x / c keeps the division (x * (1 / c) would round differently).
Variable operator+(const Operand& a, const Operand& b) {
  if (scalar_form(a, b)) return add(a.var, b.value, a.site);
  if (scalar_form(b, a)) return add(b.var, a.value, a.site);
  return add(operand(a, b), operand(b, a), a.site);
}
Variable operator-(const Operand& a, const Operand& b) {
  if (scalar_form(a, b)) return add(a.var, -b.value, a.site);
  return sub(operand(a, b), operand(b, a), a.site);
}
Variable operator*(const Operand& a, const Operand& b) {
  if (scalar_form(a, b)) return mul(a.var, b.value, a.site);
  if (scalar_form(b, a)) return mul(b.var, a.value, a.site);
  return mul(operand(a, b), operand(b, a), a.site);
}
Variable operator/(const Operand& a, const Operand& b) { return div(operand(a, b), operand(b, a), a.site); }
Variable operator-(const Operand& x) { return neg(x.var, x.site); }

}  // namespace tsumiki
