// Rows for autograd/ops/math.cpp: elementwise functions, maximum/minimum, clip and where.
#include <cmath>
#include <string>
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "op_table.hpp"

namespace op_table {
namespace {

XA ref_sigmoid(const XA& a) { return 1.0 / (1.0 + xt::exp(-a)); }
XA ref_relu(const XA& a) { return xt::where(a > 0.0, a, 0.0); }

// Elementwise with the limits at +-inf written out: x * (a function that tends to 0) is 0 at -inf.
template <class F>
XA elementwise(const XA& a, F f) {
  XA out = XA::from_shape(a.shape());
  for (std::size_t i = 0; i < a.size(); ++i) out.flat(i) = f(a.flat(i));
  return out;
}
double limit_at_infinity(double v, double finite) {
  if (std::isinf(v)) return v > 0 ? v : 0.0;
  return finite;
}
XA ref_silu(const XA& a) {
  return elementwise(a, [](double v) { return limit_at_infinity(v, v / (1 + std::exp(-v))); });
}
XA ref_gelu(const XA& a) {
  return elementwise(
      a, [](double v) { return limit_at_infinity(v, 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)))); });
}
XA ref_gelu_tanh(const XA& a) {
  const double k = std::sqrt(2 / M_PI);
  return elementwise(a, [k](double v) {
    return limit_at_infinity(v, 0.5 * v * (1 + std::tanh(k * (v + 0.044715 * v * v * v))));
  });
}

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
  // ---- log1p, expm1, erf (tiny arguments: where the composed forms lose their digits) ----
  const UnaryFn ts_log1p = [](const Variable& x) { return ts::log1p(x); };
  add(unary("log1p", "matrix", Shape{2, 3}, U(-0.5, 2), ts_log1p,
            [](const XA& a) -> XA { return xt::log1p(a); }));
  add(unary("log1p", "tiny", Shape{4}, AwayFromZero(1e-12, 1e-9), ts_log1p,
            [](const XA& a) -> XA { return xt::log1p(a); }));
  const UnaryFn ts_expm1 = [](const Variable& x) { return ts::expm1(x); };
  add(unary("expm1", "matrix", Shape{2, 3}, U(-2, 2), ts_expm1,
            [](const XA& a) -> XA { return xt::expm1(a); }));
  add(unary("expm1", "tiny_scalar_shape", Shape{}, U(1e-12, 1e-9), ts_expm1,
            [](const XA& a) -> XA { return xt::expm1(a); }));
  add(unary(
      "erf", "matrix", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::erf(x); },
      [](const XA& a) -> XA { return xt::erf(a); }));

  // ---- silu, gelu ----
  const UnaryFn ts_silu = [](const Variable& x) { return ts::silu(x); };
  add(unary("silu", "matrix", Shape{3, 4}, U(-4, 4), ts_silu, ref_silu));
  add(unary("silu", "large_magnitude", Shape{6}, AwayFromZero(20, 40), ts_silu, ref_silu));
  const UnaryFn ts_gelu = [](const Variable& x) { return ts::gelu(x); };
  add(unary("gelu", "exact", Shape{3, 4}, U(-3, 3), ts_gelu, ref_gelu));
  add(unary("gelu", "exact_tails", Shape{6}, AwayFromZero(4, 8), ts_gelu, ref_gelu));
  const UnaryFn ts_gelu_tanh = [](const Variable& x) { return ts::gelu(x, "tanh"); };
  add(unary("gelu", "tanh", Shape{3, 4}, U(-3, 3), ts_gelu_tanh, ref_gelu_tanh));
  add(unary("gelu", "tanh_tails_scalar_shape", Shape{}, U(-8, -4), ts_gelu_tanh, ref_gelu_tanh));

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

  // ---- clamp with tensor bounds (composite; x away from the bounds, lo < hi) ----
  const Domain inside_and_out = Parts({{-3, -1.4}, {-0.6, 0.6}, {1.4, 3}});
  auto ts_clamp = [](const Inputs& v) { return ts::clamp(v[0], v[1], v[2]); };
  auto ref_clamp = [](const Refs& a) -> XA { return xt::minimum(xt::maximum(a[0], a[1]), a[2]); };
  // An infinite lo above hi (or hi below lo) is refused: the infinity check cannot run with bounds as inputs.
  const std::string bounds_refused = "clamp refuses lo > hi, which an infinite bound makes";
  add(no_infinity({.op = "clamp",
                   .label = "tensor_bounds_same_shape",
                   .fn = ts_clamp,
                   .shapes = {Shape{2, 3}, Shape{2, 3}, Shape{2, 3}},
                   .domains = {inside_and_out, U(-1.2, -0.8), U(0.8, 1.2)},
                   .ref = ref_clamp},
                  bounds_refused));
  add(no_infinity({.op = "clamp",
                   .label = "tensor_bounds_broadcast",
                   .fn = ts_clamp,
                   .shapes = {Shape{2, 3}, Shape{3}, Shape{2, 1}},
                   .domains = {inside_and_out, U(-1.2, -0.8), U(0.8, 1.2)},
                   .ref = ref_clamp},
                  bounds_refused));
  add(no_infinity({.op = "clamp",
                   .label = "bounds_broadcast_to_a_larger_shape",
                   .fn = ts_clamp,
                   .shapes = {Shape{3}, Shape{2, 1}, Shape{}},
                   .domains = {inside_and_out, U(-1.2, -0.8), U(0.8, 1.2)},
                   .ref = ref_clamp},
                  bounds_refused));
  add(binary(
      "clamp", "lower_bound_only", {Shape{2, 3}, Shape{3}}, {inside_and_out, U(-1.2, -0.8)},
      [](const Variable& x, const Variable& lo) { return ts::clamp(x, lo, Variable()); },
      [](const XA& a, const XA& lo) -> XA { return xt::maximum(a, lo); }));
  add(unary(
      "clamp", "constant_bounds", Shape{2, 3}, inside_and_out,
      [](const Variable& x) {
        return ts::clamp(x, constant_like({-1, -0.9, -1.1}, Shape{3}, x),
                         constant_like({1, 1.1}, Shape{2, 1}, x));
      },
      [](const XA& a) -> XA {
        return xt::minimum(xt::maximum(a, xa({-1, -0.9, -1.1}, {3})), xa({1, 1.1}, {2, 1}));
      }));

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
