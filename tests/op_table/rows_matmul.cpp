// Rows for autograd/ops/matmul.cpp: NumPy matmul semantics, against a naive triple loop.
#include "op_table.hpp"

namespace op_table {

std::vector<Row> matmul_rows() {
  std::vector<Row> rows;
  // Every case is matmul(a, b) on inputs in [-1, 1]; the cases differ only in the shapes.
  auto add = [&rows](const char* label, Shape a, Shape b) {
    rows.push_back(binary(
        "matmul", label, {std::move(a), std::move(b)}, {U(-1, 1)},
        [](const Variable& x, const Variable& y) { return ts::matmul(x, y); }, ref_matmul));
  };
  add("2d_2d", Shape{2, 3}, Shape{3, 4});
  add("batched", Shape{2, 3, 4}, Shape{2, 4, 5});
  add("broadcast_batch_rhs_2d", Shape{2, 3, 4}, Shape{4, 5});
  add("broadcast_batch_lhs_2d", Shape{3, 4}, Shape{2, 4, 2});
  add("broadcast_batch_both", Shape{2, 1, 3, 4}, Shape{3, 4, 2});
  add("matrix_vector", Shape{3, 4}, Shape{4});
  add("vector_matrix", Shape{4}, Shape{4, 3});
  add("vector_vector", Shape{4}, Shape{4});
  add("batched_matrix_vector", Shape{2, 3, 4}, Shape{4});
  return rows;
}

}  // namespace op_table
