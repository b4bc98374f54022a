// Rows for autograd/ops/math.cpp: elementwise functions, maximum/minimum, clip and where.
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "op_table.hpp"

namespace op_table {
namespace {

XA ref_sigmoid(const XA& a) { return 1.0 / (1.0 + xt::exp(-a)); }
XA ref_relu(const XA& a) { return xt::where(a > 0.0, a, 0.0); }

}  // namespace

std::vector<Row> math_rows() {
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };

  // ---- elementwise math ----
  const UnaryFn ts_exp = [](const Variable& x) { return ts::exp(x); };
  add(unary("exp", "matrix", Shape{2, 3}, U(-2, 2), ts_exp, [](const XA& a) -> XA { return xt::exp(a); }));
  add(unary("exp", "scalar_shape", Shape{}, U(-2, 2), ts_exp, [](const XA& a) -> XA { return xt::exp(a); }));
  const UnaryFn ts_log = [](const Variable& x) { return ts::log(x); };
  add(unary("log", "matrix", Shape{2, 3}, U(0.5, 2), ts_log, [](const XA& a) -> XA { return xt::log(a); }));
  add(unary("log", "tensor_3d", Shape{2, 2, 2}, U(0.5, 2), ts_log,
            [](const XA& a) -> XA { return xt::log(a); }));
  add(unary(
      "sqrt", "matrix", Shape{2, 3}, U(0.5, 2), [](const Variable& x) { return ts::sqrt(x); },
      [](const XA& a) -> XA { return xt::sqrt(a); }));
  const UnaryFn ts_abs = [](const Variable& x) { return ts::abs(x); };
  add(unary("abs", "matrix", Shape{2, 3}, AwayFromZero(0.1, 2), ts_abs,
            [](const XA& a) -> XA { return xt::abs(a); }));
  add(unary("abs", "vector", Shape{5}, AwayFromZero(0.1, 2), ts_abs,
            [](const XA& a) -> XA { return xt::abs(a); }));
  add(unary(
      "sin", "matrix", Shape{2, 3}, U(-3, 3), [](const Variable& x) { return ts::sin(x); },
      [](const XA& a) -> XA { return xt::sin(a); }));
  add(unary(
      "cos", "matrix", Shape{2, 3}, U(-3, 3), [](const Variable& x) { return ts::cos(x); },
      [](const XA& a) -> XA { return xt::cos(a); }));
  add(unary(
      "tanh", "matrix", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::tanh(x); },
      [](const XA& a) -> XA { return xt::tanh(a); }));
  const UnaryFn ts_sigmoid = [](const Variable& x) { return ts::sigmoid(x); };
  add(unary("sigmoid", "matrix", Shape{2, 3}, U(-3, 3), ts_sigmoid, ref_sigmoid));
  add(unary("sigmoid", "large_magnitude", Shape{6}, AwayFromZero(10, 30), ts_sigmoid, ref_sigmoid));
  const UnaryFn ts_softplus = [](const Variable& x) { return ts::softplus(x); };
  add(unary("softplus", "moderate", Shape{2, 3}, U(-3, 3), ts_softplus, ref_softplus));
  add(unary("softplus", "large_magnitude", Shape{6}, AwayFromZero(20, 50), ts_softplus, ref_softplus));
  // The composite max(x, 0) + log1p(exp(-|x|)) had gradient 0 here (relu' = abs' = 0 at 0); found by the
  // graph fuzzer.
  add(unary("softplus", "at_zero", Shape{3}, U(0, 0), ts_softplus, ref_softplus));
  const UnaryFn ts_relu = [](const Variable& x) { return ts::relu(x); };
  add(unary("relu", "matrix", Shape{3, 4}, AwayFromZero(0.1, 2), ts_relu, ref_relu));
  add(unary("relu", "scalar_shape", Shape{}, U(0.1, 2), ts_relu, ref_relu));

  // ---- maximum / minimum (all values distinct: no ties) ----
  for (const char* op : {"maximum", "minimum"}) {
    const bool is_max = std::string(op) == "maximum";
    const BinaryFn fn = [is_max](const Variable& a, const Variable& b) {
      return is_max ? ts::maximum(a, b) : ts::minimum(a, b);
    };
    const BinaryRef ref = [is_max](const XA& a, const XA& b) -> XA {
      return is_max ? XA(xt::maximum(a, b)) : XA(xt::minimum(a, b));
    };
    add(distinct(binary(op, "same_shape", {Shape{2, 3}, Shape{2, 3}}, {U(-2, 2)}, fn, ref)));
    add(distinct(binary(op, "broadcast_row", {Shape{2, 3}, Shape{3}}, {U(-2, 2)}, fn, ref)));
    add(distinct(binary(op, "outer_broadcast", {Shape{2, 1}, Shape{1, 3}}, {U(-2, 2)}, fn, ref)));
    add(distinct(binary(op, "scalar_shape_rhs", {Shape{2, 3}, Shape{}}, {U(-2, 2)}, fn, ref)));
  }

  // ---- clip (values away from the bounds) ----
  add(unary(
      "clip", "both_bounds_active", Shape{3, 4}, Parts({{-2, -0.6}, {-0.4, 0.4}, {0.6, 2}}),
      [](const Variable& x) { return ts::clip(x, -0.5, 0.5); },
      [](const XA& a) -> XA { return xt::clip(a, -0.5, 0.5); }));
  add(unary(
      "clip", "lower_bound_only_active", Shape{5}, AwayFromZero(0.1, 2),
      [](const Variable& x) { return ts::clip(x, 0.0, 10.0); },
      [](const XA& a) -> XA { return xt::clip(a, 0.0, 10.0); }));

  // ---- where (the condition is a constant captured by the row) ----
  add(binary(
      "where", "broadcast_b", {Shape{2, 3}, Shape{3}}, {U(-2, 2)},
      [](const Variable& a, const Variable& b) {
        return ts::where(constant_like({1, 0, 0, 1, 1, 0}, Shape{2, 3}, a), a, b);
      },
      [](const XA& a, const XA& b) -> XA {
        return xt::where(xt::not_equal(xa({1, 0, 0, 1, 1, 0}, {2, 3}), 0.0), a, b);
      }));
  add(binary(
      "where", "broadcast_cond_and_a", {Shape{1, 3}, Shape{2, 3}}, {U(-2, 2)},
      [](const Variable& a, const Variable& b) {
        return ts::where(constant_like({0, 1}, Shape{2, 1}, a), a, b);
      },
      [](const XA& a, const XA& b) -> XA {
        return xt::where(xt::not_equal(xa({0, 1}, {2, 1}), 0.0), a, b);
      }));
  add(nan_may_vanish(
      distinct(binary(
          "where", "greater_mask_is_maximum", {Shape{2, 3}, Shape{2, 3}}, {U(-2, 2)},
          [](const Variable& a, const Variable& b) { return ts::where(ts::greater(a, b), a, b); },
          [](const XA& a, const XA& b) -> XA { return xt::maximum(a, b); })),
      "a > b is false for a NaN a, so where picks b (as in PyTorch); maximum(a, b) propagates it"));
  return rows;
}

}  // namespace op_table
