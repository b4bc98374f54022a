// Rows for autograd/ops/checkpoint.cpp: checkpoint(f, x) must give f's values and every derivative of f,
// including through the Variables f reads from outside (the second input of each row is such a closure).
#include <xtensor/xmath.hpp>

#include "op_table.hpp"

namespace op_table {

std::vector<Row> checkpoint_rows() {
  std::vector<Row> rows;
  rows.push_back(unary(
      "checkpoint", "chain", Shape{2, 3}, U(-1.5, 1.5),
      [](const Variable& x) {
        return ts::checkpoint([](const Variable& z) { return ts::tanh(z) * ts::exp(z * 0.5); }, x);
      },
      [](const XA& a) -> XA { return xt::tanh(a) * xt::exp(a * 0.5); }));
  // The weight is read from outside f: its gradient comes from the recomputation.
  rows.push_back(binary(
      "checkpoint", "closes_over_weight", {Shape{2, 3}, Shape{3, 4}}, {U(-1, 1)},
      [](const Variable& x, const Variable& w) {
        return ts::checkpoint([w](const Variable& z) { return ts::sin(ts::matmul(z, w)); }, x);
      },
      [](const XA& a, const XA& b) -> XA { return xt::sin(ref_matmul(a, b)); }));
  rows.push_back(binary(
      "checkpoint", "several_inputs", {Shape{3}, Shape{3}}, {U(0.5, 2)},
      [](const Variable& x, const Variable& y) {
        return ts::checkpoint([](const ts::Inputs& in) { return ts::log(in[0]) * in[1] + in[1]; }, {x, y});
      },
      [](const XA& a, const XA& b) -> XA { return xt::log(a) * b + b; }));
  rows.push_back(binary(
      "checkpoint", "nested", {Shape{4}, Shape{4}}, {U(-1, 1)},
      [](const Variable& x, const Variable& b) {
        return ts::checkpoint(
            [b](const Variable& z) {
              const Variable inner = ts::checkpoint([b](const Variable& u) { return ts::tanh(u + b); }, z);
              return inner * inner * b;
            },
            x);
      },
      [](const XA& a, const XA& b) -> XA {
        const XA t = xt::tanh(a + b);
        return t * t * b;
      }));
  return rows;
}

}  // namespace op_table
