// Elementwise math, comparisons and selection.
#include "math.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include "../apply.hpp"
#include "../detail/checks.hpp"
#include "../detail/kernels.hpp"
#include "../detail/map.hpp"
#include "../ops.hpp"
#include "arithmetic.hpp"

namespace tsumiki {
using kernels::Binary;

namespace {
// An elementwise op: `formula` is y = f(x) for one element, `backward` its gradient in ops.
template <class F>
Variable unary_op(const char* op, const Variable& x, const Site& site, F formula, BackwardFn backward) {
  detail::check_floating(op, x, site);
  return apply(
      op, {x}, site, [&] { return kernels::map(x.data(), op, formula); }, std::move(backward));
}

// A 0/1 mask: a constant, never part of the graph.
Variable compare(const char* op, Binary kind, const Variable& a, const Variable& b, const Site& site) {
  detail::check_pair(op, a, b, site);
  const Shape shape = kernels::broadcast_shapes(a.shape(), b.shape(), op, site);
  return Variable(kernels::binary(kind, a.data(), b.data(), shape), false, site);
}
}  // namespace

// y = exp(x);  gx = gy * y
TSUMIKI_PRIMITIVE(kExp, "exp");
Variable exp(const Variable& x, const Site& site) {
  return unary_op(
      kExp, x, site, [](auto a) { return std::exp(a); },
      [](const Function& f, const Variable& gy) { return Grads{mul(gy, f.output())}; });
}

// y = log(x);  gx = gy / x
TSUMIKI_PRIMITIVE(kLog, "log");
Variable log(const Variable& x, const Site& site) {
  return unary_op(
      kLog, x, site, [](auto a) { return std::log(a); },
      [](const Function& f, const Variable& gy) { return Grads{div(gy, f.input(0))}; });
}

// y = sqrt(x);  gx = gy / (2 y)
TSUMIKI_PRIMITIVE(kSqrt, "sqrt");
Variable sqrt(const Variable& x, const Site& site) {
  return unary_op(
      kSqrt, x, site, [](auto a) { return std::sqrt(a); },
      [](const Function& f, const Variable& gy) {
        const Variable y = f.output();
        return Grads{div(gy, mul(scalar_like(2, y), y))};
      });
}

// y = |x|;  gx = gy * sign(x)
TSUMIKI_PRIMITIVE(kAbs, "abs");
Variable abs(const Variable& x, const Site& site) {
  return unary_op(
      kAbs, x, site, [](auto a) { return std::abs(a); },
      [](const Function& f, const Variable& gy) { return Grads{mul(gy, sign(f.input(0)))}; });
}

// y = sin(x);  gx = gy * cos(x)
TSUMIKI_PRIMITIVE(kSin, "sin");
Variable sin(const Variable& x, const Site& site) {
  return unary_op(
      kSin, x, site, [](auto a) { return std::sin(a); },
      [](const Function& f, const Variable& gy) { return Grads{mul(gy, cos(f.input(0)))}; });
}

// y = cos(x);  gx = -gy * sin(x)
TSUMIKI_PRIMITIVE(kCos, "cos");
Variable cos(const Variable& x, const Site& site) {
  return unary_op(
      kCos, x, site, [](auto a) { return std::cos(a); },
      [](const Function& f, const Variable& gy) { return Grads{neg(mul(gy, sin(f.input(0))))}; });
}

// y = tanh(x);  gx = gy * (1 - y^2)
TSUMIKI_PRIMITIVE(kTanh, "tanh");
Variable tanh(const Variable& x, const Site& site) {
  return unary_op(
      kTanh, x, site, [](auto a) { return std::tanh(a); },
      [](const Function& f, const Variable& gy) {
        const Variable y = f.output();
        return Grads{mul(gy, sub(scalar_like(1, y), mul(y, y)))};
      });
}

// y = 1 / (1 + exp(-x)), computed as (1 + tanh(x / 2)) / 2 (no overflow for large |x|);  gx = gy * y * (1 -
// y)
TSUMIKI_PRIMITIVE(kSigmoid, "sigmoid");
Variable sigmoid(const Variable& x, const Site& site) {
  return unary_op(
      kSigmoid, x, site, [](auto a) { return (1 + std::tanh(a / 2)) / 2; },
      [](const Function& f, const Variable& gy) {
        const Variable y = f.output();
        return Grads{mul(gy, mul(y, sub(scalar_like(1, y), y)))};
      });
}

// y = log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|)) (no overflow);  gx = gy * sigmoid(x)
// A primitive, not max(x, 0) + log1p(exp(-|x|)) composed: relu's and abs's zero slope at 0 would make
// that composite's gradient 0 there instead of 1/2.
TSUMIKI_PRIMITIVE(kSoftplus, "softplus");
Variable softplus(const Variable& x, const Site& site) {
  return unary_op(
      kSoftplus, x, site,
      [](auto a) { return std::max(a, decltype(a)(0)) + std::log1p(std::exp(-std::abs(a))); },
      [](const Function& f, const Variable& gy) { return Grads{mul(gy, sigmoid(f.input(0)))}; });
}

// y = log(1 + x);  gx = gy / (1 + x)
// A primitive for precision: log(1 + x) composed rounds 1 + x first and loses every digit of a tiny x.
TSUMIKI_PRIMITIVE(kLog1p, "log1p");
Variable log1p(const Variable& x, const Site& site) {
  return unary_op(
      kLog1p, x, site, [](auto a) { return std::log1p(a); },
      [](const Function& f, const Variable& gy) { return Grads{div(gy, add(f.input(0), 1.0))}; });
}

// y = exp(x) - 1;  gx = gy * (y + 1)
// A primitive for precision: exp(x) - 1 composed cancels near 0.
TSUMIKI_PRIMITIVE(kExpm1, "expm1");
Variable expm1(const Variable& x, const Site& site) {
  return unary_op(
      kExpm1, x, site, [](auto a) { return std::expm1(a); },
      [](const Function& f, const Variable& gy) { return Grads{mul(gy, add(f.output(), 1.0))}; });
}

namespace {
constexpr double kTwoOverSqrtPi = 1.1283791670955126;  // 2 / sqrt(pi)
constexpr double kSqrtHalf = 0.7071067811865476;       // 1 / sqrt(2)
constexpr double kInvSqrt2Pi = 0.3989422804014327;     // 1 / sqrt(2 pi)
constexpr double kSqrt2OverPi = 0.7978845608028654;    // sqrt(2 / pi)
constexpr double kGeluCubic = 0.044715;
}  // namespace

// y = erf(x);  gx = gy * 2 / sqrt(pi) * exp(-x^2)
TSUMIKI_PRIMITIVE(kErf, "erf");
Variable erf(const Variable& x, const Site& site) {
  return unary_op(
      kErf, x, site, [](auto a) { return std::erf(a); },
      [](const Function& f, const Variable& gy) {
        const Variable& x = f.input(0);
        return Grads{mul(gy, mul(exp(neg(mul(x, x))), kTwoOverSqrtPi))};
      });
}

// y = x * s, s = sigmoid(x);  gx = gy * s * (1 + x * (1 - s))
// A primitive: one pass instead of two ops, and silu(-inf) = 0 (the product gives -inf * 0 = NaN).
TSUMIKI_PRIMITIVE(kSilu, "silu");
Variable silu(const Variable& x, const Site& site) {
  return unary_op(
      kSilu, x, site,
      [](auto a) {
        using T = decltype(a);
        return std::isinf(a) && a < 0 ? T(-0.0) : a * ((1 + std::tanh(a / 2)) / 2);
      },
      [](const Function& f, const Variable& gy) {
        const Variable& x = f.input(0);
        const Variable s = sigmoid(x);
        return Grads{mul(gy, mul(s, add(mul(x, sub(scalar_like(1, s), s)), 1.0)))};
      });
}

// exact: y = x * Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2;  gx = gy * (Phi(x) + x * exp(-x^2 / 2) / sqrt(2
// pi)) tanh: y = x (1 + t) / 2, t = tanh(u), u = sqrt(2/pi) (x + 0.044715 x^3);
//       gx = gy * ((1 + t) / 2 + x (1 - t^2) / 2 * sqrt(2/pi) (1 + 3 * 0.044715 x^2))
// A primitive: one pass instead of six ops, and the limits gelu(-inf) = 0, gelu(inf) = inf (the composed
// product gives -inf * 0 = NaN).
TSUMIKI_PRIMITIVE(kGelu, "gelu");
Variable gelu(const Variable& x, std::string_view approximate, const Site& site) {
  detail::check_floating(kGelu, x, site);
  const bool tanh_form = approximate == "tanh";
  if (!tanh_form && approximate != "none")
    fail(kGelu, "approximate must be \"none\" or \"tanh\", got \"" + std::string(approximate) + "\"", site);
  auto backward = [tanh_form](const Function& f, const Variable& gy) {
    const Variable& x = f.input(0);
    if (!tanh_form) {
      const Variable cdf = mul(add(erf(mul(x, kSqrtHalf)), 1.0), 0.5);
      const Variable pdf = mul(exp(mul(mul(x, x), -0.5)), kInvSqrt2Pi);
      return Grads{mul(gy, add(cdf, mul(x, pdf)))};
    }
    const Variable x2 = mul(x, x);
    const Variable t = tanh(mul(add(x, mul(mul(x2, x), kGeluCubic)), kSqrt2OverPi));
    const Variable du = mul(add(mul(x2, 3 * kGeluCubic), 1.0), 0.5 * kSqrt2OverPi);
    const Variable one_minus_t2 = sub(scalar_like(1, t), mul(t, t));
    return Grads{mul(gy, add(mul(add(t, 1.0), 0.5), mul(mul(x, one_minus_t2), du)))};
  };
  if (tanh_form)
    return unary_op(
        kGelu, x, site,
        [](auto a) {
          using T = decltype(a);
          if (std::isinf(a)) return a > 0 ? a : T(-0.0);
          const T u = T(kSqrt2OverPi) * (a + T(kGeluCubic) * a * a * a);
          return T(0.5) * a * (1 + std::tanh(u));
        },
        backward);
  return unary_op(
      kGelu, x, site,
      [](auto a) {
        using T = decltype(a);
        if (std::isinf(a)) return a > 0 ? a : T(-0.0);
        return T(0.5) * a * std::erfc(-a * T(kSqrtHalf));
      },
      backward);
}

// y = max(x, 0);  gx = (x <= 0) ? 0 : gy
// NaN propagates as in PyTorch: relu(NaN) = NaN, and its gradient passes (NaN <= 0 is false).
TSUMIKI_PRIMITIVE(kRelu, "relu");
Variable relu(const Variable& x, const Site& site) {
  return unary_op(
      kRelu, x, site, [](auto a) { return a < 0 ? decltype(a)(0) : a; },
      [](const Function& f, const Variable& gy) {
        const Variable& x = f.input(0);
        return Grads{where(less_equal(x, scalar_like(0, x)), scalar_like(0, gy), gy)};
      });
}

// y = max(a, b);  ga = gy * (a >= b), gb = gy * (a < b)
TSUMIKI_PRIMITIVE(kMaximum, "maximum");
Variable maximum(const Variable& a, const Variable& b, const Site& site) {
  detail::check_pair(kMaximum, a, b, site);
  const Shape shape = kernels::broadcast_shapes(a.shape(), b.shape(), kMaximum, site);
  return apply(
      kMaximum, {a, b}, site, [&] { return kernels::binary(Binary::Maximum, a.data(), b.data(), shape); },
      [](const Function& f, const Variable& gy) {
        const Variable& a = f.input(0);
        const Variable& b = f.input(1);
        return Grads{mul(gy, greater_equal(a, b)), mul(gy, less(a, b))};
      });
}

// y = min(a, b);  ga = gy * (a <= b), gb = gy * (a > b)
TSUMIKI_PRIMITIVE(kMinimum, "minimum");
Variable minimum(const Variable& a, const Variable& b, const Site& site) {
  detail::check_pair(kMinimum, a, b, site);
  const Shape shape = kernels::broadcast_shapes(a.shape(), b.shape(), kMinimum, site);
  return apply(
      kMinimum, {a, b}, site, [&] { return kernels::binary(Binary::Minimum, a.data(), b.data(), shape); },
      [](const Function& f, const Variable& gy) {
        const Variable& a = f.input(0);
        const Variable& b = f.input(1);
        return Grads{mul(gy, less_equal(a, b)), mul(gy, greater(a, b))};
      });
}

// y = min(max(x, lo), hi);  gx = gy * (lo <= x <= hi)
TSUMIKI_PRIMITIVE(kClip, "clip");
Variable clip(const Variable& x, double lo, double hi, const Site& site) {
  detail::check_floating(kClip, x, site);
  if (!(lo <= hi))
    fail(kClip, "expected lo <= hi, got lo = " + std::to_string(lo) + ", hi = " + std::to_string(hi), site);
  return apply(
      kClip, {x}, site, [&] { return kernels::clip(x.data(), lo, hi); },
      [lo, hi](const Function& f, const Variable& gy) {
        return Grads{mul(gy, Variable(kernels::inside(f.input(0).data(), lo, hi)))};
      });
}

// Composite: maximum then minimum; their tie rule sends the gradient to x at either bound.
Variable clamp(const Variable& x, const Variable& lo, const Variable& hi, const Site& site) {
  const char* op = "clamp";
  detail::check_floating(op, x, site);
  if (!lo.defined() && !hi.defined()) fail(op, "at least one of lo and hi must be defined", site);
  Shape shape = x.shape();
  for (const Variable* bound : {&lo, &hi})
    if (bound->defined()) {
      detail::check_pair(op, x, *bound, site);
      shape = kernels::broadcast_shapes(shape, bound->shape(), op, site);
    }
  if (lo.defined() && hi.defined()) {
    const Shape both = kernels::broadcast_shapes(lo.shape(), hi.shape(), op, site);
    const Tensor bad = kernels::binary(Binary::Greater, lo.data(), hi.data(), both);
    for (std::size_t i = 0; i < bad.numel(); ++i)
      if (bad.flat(i) != 0)
        fail(op,
             "expected lo <= hi, got lo " + to_string(lo.shape()) + " above hi " + to_string(hi.shape()) +
                 " at flat element " + std::to_string(i) + " of their broadcast shape " + to_string(both),
             site);
  }
  Variable y = x;
  if (lo.defined()) y = maximum(y, lo, site);
  if (hi.defined()) y = minimum(y, hi, site);
  return y;
}

// y = cond ? a : b;  ga = cond ? gy : 0, gb = cond ? 0 : gy
TSUMIKI_PRIMITIVE(kWhere, "where");
Variable where(const Variable& cond, const Variable& a, const Variable& b, const Site& site) {
  detail::check_defined(kWhere, cond, site);
  detail::check_pair(kWhere, a, b, site);
  const Shape ab = kernels::broadcast_shapes(a.shape(), b.shape(), kWhere, site);
  const Shape shape = kernels::broadcast_shapes(cond.shape(), ab, kWhere, site);
  const Variable c = cond.detach();
  return apply(
      kWhere, {a, b}, site, [&] { return kernels::where(c.data(), a.data(), b.data(), shape); },
      [c](const Function&, const Variable& gy) {
        const Variable zero = scalar_like(0, gy);
        return Grads{where(c, gy, zero), where(c, zero, gy)};
      });
}

Variable sign(const Variable& x, const Site& site) {
  detail::check_floating("sign", x, site);
  return Variable(kernels::map(x.data(), "sign", [](auto a) { return decltype(a)((a > 0) - (a < 0)); }),
                  false, site);
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
