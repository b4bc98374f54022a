// Arithmetic: + - * / on Variables and scalars, with NumPy broadcasting.
//
// Primitives: each has its backward beside its forward in the .cpp of the same name and a row in the op
// test table. Every op takes a trailing `site` that defaults to the caller's line.
#pragma once

#include "../variable.hpp"

namespace tsumiki {
Variable add(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable sub(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable mul(const Variable& a, const Variable& b, const Site& site = Site::current());
// A Variable and a number (what x + 0.5 and 2 * x record): no constant Variable is made for the number.
Variable add(const Variable& x, double c, const Site& site = Site::current());
Variable mul(const Variable& x, double c, const Site& site = Site::current());
Variable div(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable neg(const Variable& x, const Site& site = Site::current());
Variable pow(const Variable& x, double exponent, const Site& site = Site::current());
// a^b with a tensor exponent, broadcasting (torch.pow(Tensor, Tensor)). The gradients are b a^(b-1) for a and
// a^b log(a) for b, defined for a > 0; where a == 0 and b >= 0 the gradient for b is 0, and at 0^0 the one
// for a is 0 (as PyTorch's).
Variable pow(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable square(const Variable& x, const Site& site = Site::current());

// Operand: a Variable or a scalar on either side of an operator, carrying the caller's line.
struct Operand {
  Operand(const Variable& v, const Site& s = Site::current()) : var(v), site(s) {}  // NOLINT: implicit
  Operand(double v, const Site& s = Site::current()) : value(v), site(s) {}         // NOLINT: implicit
  Variable var;                                                                     // undefined for a scalar
  double value = 0;
  Site site;
};
Variable operator+(const Operand& a, const Operand& b);
Variable operator-(const Operand& a, const Operand& b);
Variable operator*(const Operand& a, const Operand& b);
Variable operator/(const Operand& a, const Operand& b);
Variable operator-(const Operand& x);
// A scalar as a 0-d constant of `like`'s dtype, made at `site` (the line of the op it serves).
Variable scalar_like(double value, const Variable& like, const Site& site = Site::current());

}  // namespace tsumiki
