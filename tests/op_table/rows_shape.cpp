// Rows for autograd/ops/shape.cpp: reshape, identity, transpose, broadcast_to, sum_to, and the composites
// over them (flatten, swapaxes, unsqueeze, squeeze).
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xreducer.hpp>

#include "op_table.hpp"

namespace op_table {

std::vector<Row> shape_rows() {
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };

  // ---- reshape ----
  // x of shape `from` reshaped to `to`, against the same reshape of the reference array.
  auto reshape_row = [](const char* label, Shape from, const Shape& to) {
    return unary(
        "reshape", label, std::move(from), U(-2, 2), [to](const Variable& x) { return ts::reshape(x, to); },
        [to](const XA& a) -> XA { return reshaped(a, dims(to)); });
  };
  add(reshape_row("2d_to_2d", Shape{2, 3}, Shape{3, 2}));
  add(reshape_row("3d_to_2d", Shape{2, 3, 4}, Shape{6, 4}));
  add(reshape_row("1d_to_3d", Shape{6}, Shape{1, 2, 3}));
  add(reshape_row("scalar_shape_to_1x1", Shape{}, Shape{1, 1}));
  add(unary(
      "reshape", "after_transpose", Shape{2, 3}, U(-2, 2),
      [](const Variable& x) { return ts::reshape(ts::transpose(x), Shape{6}); },
      [](const XA& a) -> XA { return reshaped(XA(xt::transpose(a)), {6}); }));

  // ---- identity ----
  add(unary(
      "identity", "3d", Shape{2, 3, 4}, U(-2, 2), [](const Variable& x) { return ts::identity(x); },
      [](const XA& a) -> XA { return a; }));

  // ---- transpose ----
  add(unary(
      "transpose", "2d_default", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::transpose(x); },
      [](const XA& a) -> XA { return xt::transpose(a); }));
  add(unary(
      "transpose", "3d_default_reverses", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) { return ts::transpose(x); },
      [](const XA& a) -> XA {
        return xt::transpose(a, {2, 1, 0});
      }));
  add(unary(
      "transpose", "3d_axes_102", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) {
        return ts::transpose(x, {1, 0, 2});
      },
      [](const XA& a) -> XA {
        return xt::transpose(a, {1, 0, 2});
      }));
  add(unary(
      "transpose", "3d_axes_201", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) {
        return ts::transpose(x, {2, 0, 1});
      },
      [](const XA& a) -> XA {
        return xt::transpose(a, {2, 0, 1});
      }));
  add(unary(
      "transpose", "3d_negative_axes", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) {
        return ts::transpose(x, {0, -1, 1});
      },
      [](const XA& a) -> XA {
        return xt::transpose(a, {0, 2, 1});
      }));

  // ---- broadcast_to / sum_to ----
  // x of shape `from` broadcast to `to`, against xt::broadcast.
  auto broadcast_row = [](const char* label, Shape from, const Shape& to) {
    return unary(
        "broadcast_to", label, std::move(from), U(-2, 2),
        [to](const Variable& x) { return ts::broadcast_to(x, to); },
        [to](const XA& a) -> XA { return xt::broadcast(a, dims(to)); });
  };
  add(broadcast_row("row_to_matrix", Shape{3}, Shape{2, 3}));
  add(broadcast_row("column_new_leading_axis", Shape{2, 1}, Shape{4, 2, 3}));
  add(broadcast_row("scalar_shape", Shape{}, Shape{2, 2}));
  add(unary(
      "sum_to", "leading_axis", Shape{2, 3}, U(-2, 2),
      [](const Variable& x) { return ts::sum_to(x, Shape{3}); },
      [](const XA& a) -> XA { return xt::sum(a, {0}); }));
  add(unary(
      "sum_to", "keep_row_axis", Shape{2, 3}, U(-2, 2),
      [](const Variable& x) {
        return ts::sum_to(x, Shape{1, 3});
      },
      [](const XA& a) -> XA { return xt::sum(a, {0}, xt::keep_dims); }));
  add(unary(
      "sum_to", "leading_and_inner_axes", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) {
        return ts::sum_to(x, Shape{3, 1});
      },
      [](const XA& a) -> XA {
        return reshaped(XA(xt::sum(a, {0, 2})), {3, 1});
      }));
  add(unary(
      "sum_to", "to_scalar_shape", Shape{2, 3}, U(-2, 2),
      [](const Variable& x) { return ts::sum_to(x, Shape{}); },
      [](const XA& a) -> XA { return xt::sum(a); }));

  // ---- composites: flatten, swapaxes, unsqueeze, squeeze (reshapes and transposes underneath) ----
  add(unary(
      "flatten", "all_dims", Shape{2, 3, 4}, U(-2, 2), [](const Variable& x) { return ts::flatten(x); },
      [](const XA& a) -> XA { return reshaped(a, {24}); }));
  add(unary(
      "flatten", "start_dim1", Shape{2, 3, 4}, U(-2, 2), [](const Variable& x) { return ts::flatten(x, 1); },
      [](const XA& a) -> XA {
        return reshaped(a, {2, 12});
      }));
  add(unary(
      "flatten", "dims_0_to_1", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) { return ts::flatten(x, 0, 1); },
      [](const XA& a) -> XA {
        return reshaped(a, {6, 4});
      }));
  add(unary(
      "swapaxes", "axes_0_2", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) { return ts::swapaxes(x, 0, 2); },
      [](const XA& a) -> XA {
        return xt::transpose(a, {2, 1, 0});
      }));
  add(unary(
      "unsqueeze", "axis1", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::unsqueeze(x, 1); },
      [](const XA& a) -> XA {
        return reshaped(a, {2, 1, 3});
      }));
  add(unary(
      "unsqueeze", "axis_minus1", Shape{2, 3}, U(-2, 2),
      [](const Variable& x) { return ts::unsqueeze(x, -1); },
      [](const XA& a) -> XA {
        return reshaped(a, {2, 3, 1});
      }));
  add(unary(
      "squeeze", "axis1", Shape{2, 1, 3}, U(-2, 2), [](const Variable& x) { return ts::squeeze(x, 1); },
      [](const XA& a) -> XA {
        return reshaped(a, {2, 3});
      }));
  return rows;
}

}  // namespace op_table
