// Rows for autograd/ops/indexing.cpp: get_item, take, gather, scatter_add, concat, their scatter backwards,
// and the composites slice, stack, masked_fill, masked_select and pad.
#include <optional>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xoperation.hpp>
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

// Row-major coordinates of flat position i in `shape`.
std::vector<std::size_t> unravel(std::size_t i, const std::vector<std::size_t>& shape) {
  std::vector<std::size_t> at(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    at[d] = i % shape[d];
    i /= shape[d];
  }
  return at;
}
std::size_t ravel(const std::vector<std::size_t>& at, const std::vector<std::size_t>& shape) {
  std::size_t i = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) i = i * shape[d] + at[d];
  return i;
}

// torch.gather, from its definition: out[pos] = x[pos with pos[axis] replaced by index[pos]].
XA ref_gather(const XA& x, const Idx& index, const std::vector<std::size_t>& index_shape, std::size_t axis) {
  const std::vector<std::size_t> xs = xshape(x);
  XA out = XA::from_shape(index_shape);
  for (std::size_t i = 0; i < index.size(); ++i) {
    std::vector<std::size_t> at = unravel(i, index_shape);
    at[axis] = static_cast<std::size_t>(index[i]);
    out.data()[i] = x.data()[ravel(at, xs)];
  }
  return out;
}

// torch.scatter_add: a copy of x, src[pos] added at x[pos with pos[axis] replaced by index[pos]] for every
// position of index (src may be larger: only its positions inside index's shape are read).
XA ref_scatter_add(const XA& x, const Idx& index, const std::vector<std::size_t>& index_shape, const XA& src,
                   std::size_t axis) {
  const std::vector<std::size_t> xs = xshape(x), ss = xshape(src);
  XA out = x;
  for (std::size_t i = 0; i < index.size(); ++i) {
    const std::vector<std::size_t> pos = unravel(i, index_shape);
    std::vector<std::size_t> at = pos;
    at[axis] = static_cast<std::size_t>(index[i]);
    out.data()[ravel(at, xs)] += src.data()[ravel(pos, ss)];
  }
  return out;
}

// torch.nn.functional.pad from the definition: output coordinate o along a padded axis reads input coordinate
// o - before, mapped back into [0, n) by the mode (constant: `value` outside).
XA ref_pad(const XA& x, const Idx& pads, ts::PadMode mode, double value) {
  const std::vector<std::size_t> xs = xshape(x);
  std::vector<std::int64_t> before(xs.size(), 0), after(xs.size(), 0);
  for (std::size_t k = 0; k < pads.size() / 2; ++k) {
    before[xs.size() - 1 - k] = pads[2 * k];
    after[xs.size() - 1 - k] = pads[2 * k + 1];
  }
  std::vector<std::size_t> os(xs.size());
  for (std::size_t d = 0; d < xs.size(); ++d)
    os[d] = static_cast<std::size_t>(static_cast<std::int64_t>(xs[d]) + before[d] + after[d]);
  XA out = XA::from_shape(os);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::vector<std::size_t> o = unravel(i, os);
    std::vector<std::size_t> at(xs.size());
    bool inside = true;
    for (std::size_t d = 0; d < xs.size(); ++d) {
      const auto n = static_cast<std::int64_t>(xs[d]);
      std::int64_t j = static_cast<std::int64_t>(o[d]) - before[d];
      switch (mode) {
        case ts::PadMode::Constant:
          inside = inside && j >= 0 && j < n;
          break;
        case ts::PadMode::Reflect:  // mirror about the edge element
          if (j < 0) j = -j;
          if (j >= n) j = 2 * (n - 1) - j;
          break;
        case ts::PadMode::Replicate:
          j = j < 0 ? 0 : (j >= n ? n - 1 : j);
          break;
        case ts::PadMode::Circular:
          while (j < 0) j += n;
          while (j >= n) j -= n;
          break;
      }
      at[d] = static_cast<std::size_t>(inside ? j : 0);
    }
    out.data()[i] = inside ? x.data()[ravel(at, xs)] : value;
  }
  return out;
}

Row gather_row(const char* label, Shape shape, Idx idx, Shape idx_shape, int axis) {
  const std::vector<std::size_t> ref_idx_shape = dims(idx_shape);
  const std::size_t ref_axis =
      static_cast<std::size_t>(axis < 0 ? axis + static_cast<int>(shape.size()) : axis);
  return unary(
      "gather", label, std::move(shape), U(-2, 2),
      [idx, idx_shape, axis](const Variable& x) { return ts::gather(x, axis, int_tensor(idx, idx_shape)); },
      [idx, ref_idx_shape, ref_axis](const XA& a) -> XA {
        return ref_gather(a, idx, ref_idx_shape, ref_axis);
      });
}

Row scatter_add_row(const char* label, Shape x, Shape src, Idx idx, Shape idx_shape, int axis) {
  const std::vector<std::size_t> ref_idx_shape = dims(idx_shape);
  const std::size_t ref_axis = static_cast<std::size_t>(axis < 0 ? axis + static_cast<int>(x.size()) : axis);
  return binary(
      "scatter_add", label, {std::move(x), std::move(src)}, {U(-2, 2)},
      [idx, idx_shape, axis](const Variable& a, const Variable& s) {
        return ts::scatter_add(a, axis, int_tensor(idx, idx_shape), s);
      },
      [idx, ref_idx_shape, ref_axis](const XA& a, const XA& s) -> XA {
        return ref_scatter_add(a, idx, ref_idx_shape, s, ref_axis);
      });
}

Row pad_row(const char* label, Shape shape, Idx pads, ts::PadMode mode, double value = 0) {
  return unary(
      "pad", label, std::move(shape), U(-2, 2),
      [pads, mode, value](const Variable& x) { return ts::pad(x, pads, mode, value); },
      [pads, mode, value](const XA& a) -> XA { return ref_pad(a, pads, mode, value); });
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

  // ---- gather (torch.gather) and scatter_add: each is the other's backward ----
  add(gather_row("axis1_repeats", Shape{3, 4}, {3, 3, 0, 1, 2, 1}, Shape{3, 2}, 1));
  add(gather_row("axis0_smaller_index_3d", Shape{3, 4, 2}, {2, 0, 1, 1, 0, 2, 0, 0, 2, 2, 1, 0},
                 Shape{2, 3, 2}, 0));
  add(gather_row("negative_axis_wider_than_input", Shape{2, 3}, {0, 2, 2, 1, 1, 0, 0, 1}, Shape{2, 4}, -1));
  add(gather_row("vector", Shape{5}, {4, 0, 4}, Shape{3}, 0));
  add(scatter_add_row("axis1_repeats", Shape{3, 4}, Shape{3, 2}, {3, 3, 0, 1, 2, 1}, Shape{3, 2}, 1));
  add(scatter_add_row("axis0_src_larger_than_index", Shape{2, 4}, Shape{3, 3}, {1, 0, 1, 1, 0, 0},
                      Shape{3, 2}, 0));
  add(scatter_add_row("negative_axis_3d", Shape{2, 2, 3}, Shape{2, 2, 2}, {2, 2, 0, 1, 1, 1, 0, 2},
                      Shape{2, 2, 2}, -1));
  // gather's backward is a scatter_add into zeros: its gradient, differentiated again, runs both.
  add({.op = "scatter_add",
       .label = "via_grad_of_gather",
       .fn =
           [](const Inputs& x) {
             ts::EnableGradGuard recording;
             Variable y = ts::gather(x[0], 1, int_tensor({1, 1, 0, 2, 0, 0}, Shape{2, 3}));
             return ts::grad(ts::sum(y * y * x[1]), x[0], create_graph());
           },
       .shapes = {Shape{2, 3}, Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         const Idx idx{1, 1, 0, 2, 0, 0};
         const XA g = 2.0 * ref_gather(a[0], idx, {2, 3}, 1) * a[1];
         return ref_scatter_add(xt::zeros<double>({2, 3}), idx, {2, 3}, g, 1);
       }});

  // ---- masked_fill, masked_select (composites over where and take; float 0/1 masks) ----
  const std::vector<double> mask_values{1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1};
  add(unary(
      "masked_fill", "same_shape", Shape{3, 4}, U(-2, 2),
      [mask_values](const Variable& x) {
        return ts::masked_fill(x, constant_like(mask_values, Shape{3, 4}, x), -1.5);
      },
      [mask_values](const XA& a) -> XA {
        return xt::where(xt::not_equal(xa(mask_values, {3, 4}), 0.0), -1.5, a);
      }));
  add(unary(
      "masked_fill", "broadcast_row_mask_from_comparison", Shape{3, 4}, U(-2, 2),
      [](const Variable& x) {
        const Variable row = constant_like({0.5, -1, 2, 0}, Shape{4}, x);
        return ts::masked_fill(x, ts::greater(row, constant_like({0}, Shape{}, x)), 7.0);
      },
      [](const XA& a) -> XA {
        XA m = xa({1, 0, 1, 0}, {4});
        return xt::where(xt::not_equal(xt::broadcast(m, {3, 4}), 0.0), 7.0, a);
      }));
  add(unary(
      "masked_select", "same_shape", Shape{3, 4}, U(-2, 2),
      [mask_values](const Variable& x) {
        return ts::masked_select(x, constant_like(mask_values, Shape{3, 4}, x));
      },
      [mask_values](const XA& a) -> XA {
        std::vector<double> out;
        for (std::size_t i = 0; i < a.size(); ++i)
          if (mask_values[i] != 0) out.push_back(a.data()[i]);
        return xa(out, {out.size()});
      }));
  add(unary(
      "masked_select", "input_broadcast_to_mask", Shape{3, 1}, U(-2, 2),
      [mask_values](const Variable& x) {
        return ts::masked_select(x, constant_like(mask_values, Shape{3, 4}, x));
      },
      [mask_values](const XA& a) -> XA {
        std::vector<double> out;
        for (std::size_t i = 0; i < mask_values.size(); ++i)
          if (mask_values[i] != 0) out.push_back(a(i / 4, 0));
        return xa(out, {out.size()});
      }));

  // ---- pad (composite: concat of constant blocks, or take with an index map per axis) ----
  add(pad_row("constant_two_axes", Shape{2, 3}, {1, 2, 0, 1}, ts::PadMode::Constant, 0.5));
  add(pad_row("constant_crop_and_pad", Shape{2, 4}, {-1, 2}, ts::PadMode::Constant));
  add(pad_row("constant_first_axis_of_3d", Shape{2, 2, 2}, {0, 0, 0, 0, 2, 1}, ts::PadMode::Constant, -3));
  add(pad_row("reflect_last_axis", Shape{2, 5}, {2, 4}, ts::PadMode::Reflect));
  add(pad_row("reflect_two_axes_3d", Shape{2, 3, 4}, {1, 3, 2, 0}, ts::PadMode::Reflect));
  add(pad_row("replicate_two_axes", Shape{3, 2}, {2, 3, 1, 0}, ts::PadMode::Replicate));
  add(pad_row("circular_two_axes", Shape{2, 3}, {3, 1, 1, 2}, ts::PadMode::Circular));
  add(pad_row("circular_negative_crop", Shape{2, 4}, {-1, 2}, ts::PadMode::Circular));

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
