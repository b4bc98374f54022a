// Rows for autograd/ops/arithmetic.cpp: add, sub, mul, div, add_scalar, mul_scalar, neg, pow, and the
// composite square.
#include <cmath>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmath.hpp>

#include "op_table.hpp"

namespace op_table {

std::vector<Row> arithmetic_rows() {
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };
  // Each op is checked both through its function and through its operator.
  const BinaryFn ts_add = [](const Variable& a, const Variable& b) { return ts::add(a, b); };
  const BinaryFn ts_sub = [](const Variable& a, const Variable& b) { return ts::sub(a, b); };
  const BinaryFn ts_mul = [](const Variable& a, const Variable& b) { return ts::mul(a, b); };
  const BinaryFn ts_div = [](const Variable& a, const Variable& b) { return ts::div(a, b); };
  const BinaryFn plus = [](const Variable& a, const Variable& b) { return a + b; };
  const BinaryFn minus = [](const Variable& a, const Variable& b) { return a - b; };
  const BinaryFn times = [](const Variable& a, const Variable& b) { return a * b; };
  const BinaryFn over = [](const Variable& a, const Variable& b) { return a / b; };
  const BinaryRef ref_add = [](const XA& a, const XA& b) -> XA { return a + b; };
  const BinaryRef ref_sub = [](const XA& a, const XA& b) -> XA { return a - b; };
  const BinaryRef ref_mul = [](const XA& a, const XA& b) -> XA { return a * b; };
  const BinaryRef ref_div = [](const XA& a, const XA& b) -> XA { return a / b; };

  // ---- add ----
  add(binary("add", "same_shape", {Shape{2, 3}, Shape{2, 3}}, {U(-2, 2)}, ts_add, ref_add));
  add(binary("add", "broadcast_row", {Shape{2, 3}, Shape{3}}, {U(-2, 2)}, plus, ref_add));
  add(binary("add", "outer_broadcast", {Shape{2, 1}, Shape{1, 3}}, {U(-2, 2)}, ts_add, ref_add));
  add(binary("add", "scalar_shape_rhs", {Shape{2, 3}, Shape{}}, {U(-2, 2)}, ts_add, ref_add));
  add(binary("add", "both_scalar_shape", {Shape{}, Shape{}}, {U(-2, 2)}, ts_add, ref_add));
  add(binary("add", "broadcast_3d", {Shape{2, 1, 4}, Shape{3, 1}}, {U(-2, 2)}, ts_add, ref_add));
  // ---- add_scalar: x + c, c + x and x - c ----
  add(unary(
      "add_scalar", "python_scalar_both_sides", Shape{2, 3}, U(-2, 2),
      [](const Variable& x) { return (x + 1.5) + (2.5 + x); },
      [](const XA& a) -> XA { return (a + 1.5) + (2.5 + a); }));
  add(unary(
      "add_scalar", "function_scalar_shape", Shape{}, U(-2, 2),
      [](const Variable& x) { return ts::add(x, -0.75); }, [](const XA& a) -> XA { return a - 0.75; }));
  add(unary(
      "add_scalar", "minus_number", Shape{3, 2}, U(-2, 2), [](const Variable& x) { return x * x - 0.25; },
      [](const XA& a) -> XA { return a * a - 0.25; }));
  add(unary(
      "add", "same_input_twice", Shape{3}, U(-2, 2), [](const Variable& x) { return ts::add(x, x); },
      [](const XA& a) -> XA { return a + a; }));

  // ---- sub ----
  add(binary("sub", "broadcast_row", {Shape{2, 3}, Shape{3}}, {U(-2, 2)}, ts_sub, ref_sub));
  add(binary("sub", "outer_broadcast", {Shape{3, 1}, Shape{1, 4}}, {U(-2, 2)}, minus, ref_sub));
  add(binary("sub", "scalar_shape_lhs", {Shape{}, Shape{2, 2}}, {U(-2, 2)}, ts_sub, ref_sub));
  add(unary(
      "sub", "python_scalar_both_sides", Shape{2, 3}, U(-2, 2),
      [](const Variable& x) { return (2.0 - x) * (x - 0.5); },
      [](const XA& a) -> XA { return (2.0 - a) * (a - 0.5); }));

  // ---- mul ----
  add(binary("mul", "same_shape", {Shape{2, 3}, Shape{2, 3}}, {U(-2, 2)}, ts_mul, ref_mul));
  add(binary("mul", "outer_broadcast", {Shape{2, 1}, Shape{1, 3}}, {U(-2, 2)}, times, ref_mul));
  add(binary("mul", "broadcast_row", {Shape{2, 3}, Shape{3}}, {U(-2, 2)}, ts_mul, ref_mul));
  add(binary("mul", "scalar_shape_rhs", {Shape{2, 3}, Shape{}}, {U(-2, 2)}, ts_mul, ref_mul));
  add(unary(
      "mul", "same_input_twice", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::mul(x, x); },
      [](const XA& a) -> XA { return a * a; }));
  // ---- mul_scalar: x * c and c * x ----
  add(unary(
      "mul_scalar", "python_scalar_both_sides", Shape{2, 3}, U(-2, 2),
      [](const Variable& x) { return 3.0 * x * -0.5; }, [](const XA& a) -> XA { return 3.0 * a * -0.5; }));
  add(unary(
      "mul_scalar", "function_of_a_square", Shape{4}, U(-2, 2),
      [](const Variable& x) { return ts::mul(x * x, 1.25); },
      [](const XA& a) -> XA { return a * a * 1.25; }));
  add(binary("mul", "broadcast_3d_both_sides", {Shape{2, 1, 3}, Shape{1, 4, 1}}, {U(-2, 2)}, ts_mul,
             ref_mul));

  // ---- div (denominators positive, away from 0) ----
  add(binary("div", "same_shape", {Shape{2, 3}, Shape{2, 3}}, {U(-2, 2), U(0.5, 2)}, ts_div, ref_div));
  add(binary("div", "broadcast_row", {Shape{2, 3}, Shape{3}}, {U(-2, 2), U(0.5, 2)}, over, ref_div));
  add(binary("div", "outer_broadcast", {Shape{2, 1}, Shape{1, 3}}, {U(-2, 2), U(0.5, 2)}, ts_div, ref_div));
  add(binary("div", "scalar_shape_lhs", {Shape{}, Shape{2, 3}}, {U(-2, 2), U(0.5, 2)}, ts_div, ref_div));
  add(unary(
      "div", "python_scalar_numerator", Shape{2, 3}, U(0.5, 2), [](const Variable& x) { return 1.0 / x; },
      [](const XA& a) -> XA { return 1.0 / a; }));
  add(unary(
      "div", "python_scalar_denominator", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return x / 4.0; },
      [](const XA& a) -> XA { return a / 4.0; }));

  // ---- neg ----
  add(unary(
      "neg", "matrix", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::neg(x); },
      [](const XA& a) -> XA { return -a; }));
  add(unary(
      "neg", "unary_minus_scalar_shape", Shape{}, U(-2, 2), [](const Variable& x) { return -x; },
      [](const XA& a) -> XA { return -a; }));

  // ---- pow ----
  add(unary(
      "pow", "cube_negative_base", Shape{2, 3}, AwayFromZero(0.5, 2),
      [](const Variable& x) { return ts::pow(x, 3.0); }, [](const XA& a) -> XA { return a * a * a; }));
  add(unary(
      "pow", "negative_fractional", Shape{2, 3}, U(0.5, 2),
      [](const Variable& x) { return ts::pow(x, -1.5); },
      [](const XA& a) -> XA { return 1.0 / (a * xt::sqrt(a)); }));
  add(unary(
      "pow", "half", Shape{3}, U(0.5, 2), [](const Variable& x) { return ts::pow(x, 0.5); },
      [](const XA& a) -> XA { return xt::sqrt(a); }));
  add(unary(
      "pow", "square_scalar_shape", Shape{}, U(-2, 2), [](const Variable& x) { return ts::pow(x, 2.0); },
      [](const XA& a) -> XA { return a * a; }));
  add(unary(
      "pow", "zero_exponent", Shape{2, 2}, U(0.5, 2), [](const Variable& x) { return ts::pow(x, 0.0); },
      [](const XA& a) -> XA { return xt::ones_like(a); }));
  add(unary(
      "pow", "one_exponent", Shape{2, 2}, U(-2, 2), [](const Variable& x) { return ts::pow(x, 1.0); },
      [](const XA& a) -> XA { return a; }));

  // ---- pow with a tensor exponent (bases positive: the exponent's gradient is y log(a)) ----
  const BinaryFn ts_pow = [](const Variable& a, const Variable& b) { return ts::pow(a, b); };
  // std::pow elementwise (C's limits: (-inf)^1.5 = inf, where xt::pow's vector form gives NaN).
  const BinaryRef ref_pow = [](const XA& a, const XA& b) -> XA {
    const auto shape = (a + b).shape();
    const XA ab = xt::broadcast(a, shape), bb = xt::broadcast(b, shape);
    XA out = XA::from_shape(shape);
    for (std::size_t i = 0; i < out.size(); ++i) out.flat(i) = std::pow(ab.flat(i), bb.flat(i));
    return out;
  };
  add(binary("pow", "tensor_exponent_same_shape", {Shape{2, 3}, Shape{2, 3}}, {U(0.5, 2), U(-2, 2)}, ts_pow,
             ref_pow));
  add(binary("pow", "tensor_exponent_broadcast_row", {Shape{2, 3}, Shape{3}}, {U(0.5, 2), U(-2, 2)}, ts_pow,
             ref_pow));
  add(binary("pow", "tensor_exponent_outer_broadcast", {Shape{2, 1}, Shape{1, 3}}, {U(0.5, 2), U(-2, 2)},
             ts_pow, ref_pow));
  add(binary("pow", "tensor_exponent_scalar_shape_base", {Shape{}, Shape{2, 2}}, {U(0.5, 2), U(-2, 2)},
             ts_pow, ref_pow));

  // ---- square (composite: pow(x, 2)) ----
  add(unary(
      "square", "matrix", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::square(x); },
      [](const XA& a) -> XA { return a * a; }));
  return rows;
}

}  // namespace op_table
