// Rows for autograd/ops/indexing.cpp: get_item, take, concat, their scatter backwards, and the composites
// slice and stack.
#include <optional>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

#include "op_table.hpp"

namespace op_table {
namespace {

using ts::Index;
using ts::Slice;

// numpy.take(x, idx, axis) with idx already non-negative; loops over raw data.
XA ref_take(const XA& x, const Idx& idx, const std::vector<std::size_t>& idx_shape, std::size_t axis) {
  std::size_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= x.shape()[d];
  for (std::size_t d = axis + 1; d < x.dimension(); ++d) inner *= x.shape()[d];
  const std::size_t n = x.shape()[axis];
  std::vector<std::size_t> shape(x.shape().begin(), x.shape().begin() + axis);
  shape.insert(shape.end(), idx_shape.begin(), idx_shape.end());
  shape.insert(shape.end(), x.shape().begin() + axis + 1, x.shape().end());
  XA out = XA::from_shape(shape);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t j = 0; j < idx.size(); ++j)
      for (std::size_t i = 0; i < inner; ++i)
        out.data()[(o * idx.size() + j) * inner + i] = x.data()[(o * n + idx[j]) * inner + i];
  return out;
}

// The scatter-add that is take's backward: gx[.., idx[j], ..] += g[.., j, ..] (np.add.at).
XA ref_take_backward(const XA& g, const std::vector<std::size_t>& x_shape, const Idx& idx, std::size_t axis) {
  std::size_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= x_shape[d];
  for (std::size_t d = axis + 1; d < x_shape.size(); ++d) inner *= x_shape[d];
  const std::size_t n = x_shape[axis];
  XA gx = xt::zeros<double>(x_shape);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t j = 0; j < idx.size(); ++j)
      for (std::size_t i = 0; i < inner; ++i)
        gx.data()[(o * n + idx[j]) * inner + i] += g.data()[(o * idx.size() + j) * inner + i];
  return gx;
}

// f(x, w) = d/dx sum(w * get_item(x, index)^2) = scatter of 2 * w * x[index] into x's shape: the forward runs
// get_item_backward (the scatter), gradcheck differentiates through it, gradgradcheck once more.
ts::Fn get_item_backward_fn(std::vector<Index> index) {
  return [index](const Inputs& x) {
    ts::EnableGradGuard recording;
    Variable y = ts::get_item(x[0], index);
    return ts::grad(ts::sum(y * y * x[1]), x[0], create_graph());
  };
}
// Same for take (take_backward is the scatter-add; repeated indices must accumulate).
ts::Fn take_backward_fn(Idx idx, Shape idx_shape, int axis) {
  return [idx, idx_shape, axis](const Inputs& x) {
    ts::EnableGradGuard recording;
    Variable y = ts::take(x[0], int_tensor(idx, idx_shape), axis);
    return ts::grad(ts::sum(y * y * x[1]), x[0], create_graph());
  };
}

// get_item(x, index) on x of `shape`, against the xtensor view `ref` takes of it.
Row get_item_row(const char* label, Shape shape, std::vector<Index> index, UnaryRef ref) {
  return unary(
      "get_item", label, std::move(shape), U(-2, 2),
      [index = std::move(index)](const Variable& x) { return ts::get_item(x, index); }, std::move(ref));
}

// take(x, idx, axis) with non-negative indices and axis, against ref_take with the same ones.
Row take_row(const char* label, Shape shape, Idx idx, Shape idx_shape, int axis) {
  const std::vector<std::size_t> ref_idx_shape = dims(idx_shape);
  return unary(
      "take", label, std::move(shape), U(-2, 2),
      [idx, idx_shape, axis](const Variable& x) { return ts::take(x, int_tensor(idx, idx_shape), axis); },
      [idx, ref_idx_shape, axis](const XA& a) -> XA {
        return ref_take(a, idx, ref_idx_shape, static_cast<std::size_t>(axis));
      });
}

}  // namespace

std::vector<Row> indexing_rows() {
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };

  // ---- get_item ----
  add(get_item_row("int_index", Shape{4, 5}, {Index{std::int64_t{1}}},
                   [](const XA& a) -> XA { return xt::view(a, 1); }));
  add(get_item_row("negative_int_index", Shape{4, 5}, {Index{std::int64_t{-1}}},
                   [](const XA& a) -> XA { return xt::view(a, 3); }));
  add(get_item_row("slice_step2", Shape{6, 4}, {Index{Slice{1, 6, 2}}},
                   [](const XA& a) -> XA { return xt::view(a, xt::keep(1, 3, 5)); }));
  add(get_item_row("negative_start_and_reverse_step", Shape{4, 5},
                   {Index{Slice{-3, std::nullopt, 1}}, Index{Slice{std::nullopt, std::nullopt, -2}}},
                   [](const XA& a) -> XA { return xt::view(a, xt::keep(1, 2, 3), xt::keep(4, 2, 0)); }));
  add(get_item_row("int_then_negative_stop_3d", Shape{3, 4, 5},
                   {Index{std::int64_t{2}}, Index{Slice{std::nullopt, -1, 1}}},
                   [](const XA& a) -> XA { return xt::view(a, 2, xt::keep(0, 1, 2)); }));
  add(get_item_row("full_reverse_slice_int_3d", Shape{3, 4, 5},
                   {Index{Slice{}}, Index{Slice{-1, 0, -1}}, Index{std::int64_t{-2}}},
                   [](const XA& a) -> XA { return xt::view(a, xt::all(), xt::keep(3, 2, 1), 3); }));
  add(get_item_row("all_ints_to_scalar_shape", Shape{3, 4}, {Index{std::int64_t{1}}, Index{std::int64_t{-2}}},
                   [](const XA& a) -> XA { return xt::view(a, 1, 2); }));
  add(get_item_row("stop_past_end_is_clamped", Shape{4, 2}, {Index{Slice{1, 100, 1}}},
                   [](const XA& a) -> XA { return xt::view(a, xt::keep(1, 2, 3)); }));
  add(get_item_row("negative_start_step_minus3", Shape{5}, {Index{Slice{-1, std::nullopt, -3}}},
                   [](const XA& a) -> XA { return xt::view(a, xt::keep(4, 1)); }));

  // ---- get_item_backward: exercised through the gradient of get_item (see get_item_backward_fn) ----
  add({.op = "get_item_backward",
       .label = "via_grad_of_get_item_int_and_slice",
       .fn = get_item_backward_fn({Index{std::int64_t{2}}, Index{Slice{std::nullopt, -1, 1}}}),
       .shapes = {Shape{3, 4, 5}, Shape{3, 5}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         XA g = xt::zeros<double>({3, 4, 5});
         xt::view(g, 2, xt::keep(0, 1, 2)) = 2.0 * xt::view(a[0], 2, xt::keep(0, 1, 2)) * a[1];
         return g;
       }});
  add({.op = "get_item_backward",
       .label = "via_grad_of_get_item_reverse_steps",
       .fn = get_item_backward_fn(
           {Index{Slice{-3, std::nullopt, 1}}, Index{Slice{std::nullopt, std::nullopt, -2}}}),
       .shapes = {Shape{4, 5}, Shape{3, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         XA g = xt::zeros<double>({4, 5});
         xt::view(g, xt::keep(1, 2, 3), xt::keep(4, 2, 0)) =
             2.0 * xt::view(a[0], xt::keep(1, 2, 3), xt::keep(4, 2, 0)) * a[1];
         return g;
       }});

  // ---- slice (composite over get_item) ----
  add(unary(
      "slice", "axis1_step2", Shape{3, 6}, U(-2, 2),
      [](const Variable& x) { return ts::slice(x, 1, 1, 5, 2); },
      [](const XA& a) -> XA { return xt::view(a, xt::all(), xt::keep(1, 3)); }));

  // ---- take (int64 indices with repeats) ----
  add(take_row("axis0_repeats", Shape{4, 3}, {2, 0, 2, 3}, Shape{4}, 0));
  add(take_row("axis1_repeats", Shape{3, 4}, {1, 1, 3}, Shape{3}, 1));
  add(unary(
      "take", "negative_axis", Shape{2, 4}, U(-2, 2),
      [](const Variable& x) {
        return ts::take(x, int_tensor({0, 3, 0}, Shape{3}), -1);
      },
      [](const XA& a) -> XA {
        return ref_take(a, {0, 3, 0}, {3}, 1);
      }));
  add(take_row("index_matrix_axis0", Shape{5, 2}, {0, 4, 4, 1, 0, 2}, Shape{2, 3}, 0));
  add(unary(
      "take", "negative_index_as_numpy", Shape{4, 2}, U(-2, 2),
      [](const Variable& x) {
        return ts::take(x, int_tensor({-1, 0, -1}, Shape{3}), 0);
      },
      [](const XA& a) -> XA {
        return ref_take(a, {3, 0, 3}, {3}, 0);
      }));
  add(unary(
      "take", "vector_input", Shape{5}, U(-2, 2),
      [](const Variable& x) {
        return ts::take(x, int_tensor({4, 4, 0}, Shape{3}));
      },  // the default axis, 0
      [](const XA& a) -> XA {
        return ref_take(a, {4, 4, 0}, {3}, 0);
      }));

  // ---- take_backward: exercised through the gradient of take (repeated indices must accumulate) ----
  add({.op = "take_backward",
       .label = "via_grad_of_take_axis0_repeats",
       .fn = take_backward_fn({2, 0, 2, 3, 2}, Shape{5}, 0),
       .shapes = {Shape{4, 3}, Shape{5, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         const Idx idx{2, 0, 2, 3, 2};
         XA g = 2.0 * ref_take(a[0], idx, {5}, 0) * a[1];
         return ref_take_backward(g, {4, 3}, idx, 0);
       }});
  add({.op = "take_backward",
       .label = "via_grad_of_take_axis1_index_matrix",
       .fn = take_backward_fn({1, 1, 0, 3}, Shape{2, 2}, 1),
       .shapes = {Shape{3, 4}, Shape{3, 2, 2}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         const Idx idx{1, 1, 0, 3};
         XA g = 2.0 * ref_take(a[0], idx, {2, 2}, 1) * a[1];
         return ref_take_backward(g, {3, 4}, idx, 1);
       }});

  // ---- concat ----
  add({.op = "concat",
       .label = "axis0_three_inputs",
       .fn =
           [](const Inputs& x) {
             return ts::concat({x[0], x[1], x[2]}, 0);
           },
       .shapes = {Shape{2, 3}, Shape{1, 3}, Shape{3, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::concatenate(xt::xtuple(a[0], a[1], a[2]), 0); }});
  add(binary(
      "concat", "axis1", {Shape{2, 1}, Shape{2, 3}}, {U(-2, 2)},
      [](const Variable& a, const Variable& b) {
        return ts::concat({a, b}, 1);
      },
      [](const XA& a, const XA& b) -> XA { return xt::concatenate(xt::xtuple(a, b), 1); }));
  add(binary(
      "concat", "axis_minus1_3d", {Shape{2, 2, 1}, Shape{2, 2, 2}}, {U(-2, 2)},
      [](const Variable& a, const Variable& b) {
        return ts::concat({a, b}, -1);
      },
      [](const XA& a, const XA& b) -> XA { return xt::concatenate(xt::xtuple(a, b), 2); }));
  add(unary(
      "concat", "same_input_twice", Shape{2, 2}, U(-2, 2),
      [](const Variable& x) {
        return ts::concat({x, x}, 0);
      },
      [](const XA& a) -> XA { return xt::concatenate(xt::xtuple(a, a), 0); }));

  // ---- stack (composite: unsqueeze, then concat) ----
  add(binary(
      "stack", "axis0", {Shape{2, 3}, Shape{2, 3}}, {U(-2, 2)},
      [](const Variable& a, const Variable& b) {
        return ts::stack({a, b}, 0);
      },
      [](const XA& a, const XA& b) -> XA { return xt::stack(xt::xtuple(a, b), 0); }));
  add({.op = "stack",
       .label = "axis1",
       .fn =
           [](const Inputs& x) {
             return ts::stack({x[0], x[1], x[2]}, 1);
           },
       .shapes = {Shape{2, 3}, Shape{2, 3}, Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::stack(xt::xtuple(a[0], a[1], a[2]), 1); }});
  add(binary(
      "stack", "axis_minus1", {Shape{2, 3}, Shape{2, 3}}, {U(-2, 2)},
      [](const Variable& a, const Variable& b) {
        return ts::stack({a, b}, -1);
      },
      [](const XA& a, const XA& b) -> XA { return xt::stack(xt::xtuple(a, b), 2); }));
  return rows;
}

}  // namespace op_table
