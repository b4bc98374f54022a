// Rows for the activations composed in functional/activations.cpp: leaky_relu, elu, hardtanh, logsigmoid.
// (The softmax family's rows sit with the other composites; relu, sigmoid, softplus, silu and gelu are
// primitives with rows in rows_math.cpp.) Domains keep clear of the kinks at 0 and at hardtanh's bounds.
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "op_table.hpp"

namespace op_table {
namespace {

XA ref_leaky_relu(const XA& a, double slope) { return xt::where(a > 0.0, a, slope * a); }
XA ref_elu(const XA& a, double alpha) { return xt::where(a > 0.0, a, alpha * (xt::exp(a) - 1.0)); }

}  // namespace

std::vector<Row> activations_rows() {
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };

  // ---- leaky_relu ----
  add(unary(
      "leaky_relu", "default_slope", Shape{3, 4}, AwayFromZero(0.1, 2),
      [](const Variable& x) { return ts::leaky_relu(x); },
      [](const XA& a) -> XA { return ref_leaky_relu(a, 0.01); }));
  add(unary(
      "leaky_relu", "slope_0_2_scalar_shape", Shape{}, U(-2, -0.1),
      [](const Variable& x) { return ts::leaky_relu(x, 0.2); },
      [](const XA& a) -> XA { return ref_leaky_relu(a, 0.2); }));
  add(unary(
      "leaky_relu", "slope_above_one", Shape{6}, AwayFromZero(0.1, 2),
      [](const Variable& x) { return ts::leaky_relu(x, 1.5); },
      [](const XA& a) -> XA { return ref_leaky_relu(a, 1.5); }));

  // ---- elu ----
  add(unary(
      "elu", "default_alpha", Shape{3, 4}, AwayFromZero(0.1, 3), [](const Variable& x) { return ts::elu(x); },
      [](const XA& a) -> XA { return ref_elu(a, 1.0); }));
  add(unary(
      "elu", "alpha_0_5", Shape{2, 3}, AwayFromZero(0.1, 3),
      [](const Variable& x) { return ts::elu(x, 0.5); }, [](const XA& a) -> XA { return ref_elu(a, 0.5); }));
  // exp(800) overflows in the branch not taken; the gradient must stay finite (1) there.
  add(unary(
      "elu", "large_positive", Shape{4}, U(750, 800), [](const Variable& x) { return ts::elu(x, 2.0); },
      [](const XA& a) -> XA { return ref_elu(a, 2.0); }));

  // ---- hardtanh ----
  add(unary(
      "hardtanh", "default_bounds", Shape{3, 4}, Parts({{-2, -1.1}, {-0.9, 0.9}, {1.1, 2}}),
      [](const Variable& x) { return ts::hardtanh(x); },
      [](const XA& a) -> XA { return xt::clip(a, -1.0, 1.0); }));
  add(unary(
      "hardtanh", "bounds_0_6", Shape{5}, Parts({{-1, -0.1}, {0.1, 5.9}, {6.1, 8}}),
      [](const Variable& x) { return ts::hardtanh(x, 0.0, 6.0); },
      [](const XA& a) -> XA { return xt::clip(a, 0.0, 6.0); }));

  // ---- logsigmoid ----
  const UnaryFn ts_logsigmoid = [](const Variable& x) { return ts::logsigmoid(x); };
  const UnaryRef ref_logsigmoid = [](const XA& a) -> XA { return -ref_softplus(-a); };
  add(unary("logsigmoid", "moderate", Shape{2, 3}, U(-3, 3), ts_logsigmoid, ref_logsigmoid));
  add(unary("logsigmoid", "large_magnitude", Shape{6}, AwayFromZero(20, 50), ts_logsigmoid, ref_logsigmoid));
  return rows;
}

}  // namespace op_table
