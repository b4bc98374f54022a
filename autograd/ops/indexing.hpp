// Indexing: slices, take, gather/scatter_add, masks, padding, concat, stack.
//
// Primitives: each has its backward beside its forward in the .cpp of the same name and a row in the op
// test table. Every op takes a trailing `site` that defaults to the caller's line.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "../variable.hpp"

namespace tsumiki {
// A Python-style slice: start/stop may be negative or omitted; step is non-zero.
struct Slice {
  std::optional<std::int64_t> start, stop;
  std::int64_t step = 1;
};
// One entry per leading axis: an integer (removes the axis) or a Slice. Axes not named are kept whole.
using Index = std::variant<std::int64_t, Slice>;
Variable get_item(const Variable& x, const std::vector<Index>& index, const Site& site = Site::current());
Variable slice(const Variable& x, int axis, std::int64_t start, std::int64_t stop, std::int64_t step = 1,
               const Site& site = Site::current());
// Picks entries along `axis` by integer indices (an int64 tensor, any shape), as numpy.take. Unlike
// torch.take, which indexes the flattened tensor, the result has x's other axes around the indices' shape.
Variable take(const Variable& x, const Tensor& indices, int axis = 0, const Site& site = Site::current());

// torch.gather: y[i][j][k] = x[i][index[i][j][k]][k] for axis 1 (likewise for any axis). index is an int64
// tensor of x's rank with index.shape[d] <= x.shape[d] for d != axis; y has index's shape. Every index must
// be in [0, x.shape[axis]) (negative ones are refused, as in PyTorch). Gradient: a scatter_add into x's
// shape.
Variable gather(const Variable& x, int axis, const Tensor& index, const Site& site = Site::current());
// torch.scatter_add: a copy of x with src[i][j][k] added at x[i][index[i][j][k]][k] for axis 1 (repeated
// indices accumulate). index as for gather, and also index.shape[d] <= src.shape[d] for every d; only src's
// leading index.shape block is read (the rest of src gets a zero gradient). Gradients: gx = gy,
// gsrc = gather(gy, axis, index).
Variable scatter_add(const Variable& x, int axis, const Tensor& index, const Variable& src,
                     const Site& site = Site::current());

// Boolean masks are float masks of 0 and 1 here, as the comparisons (greater, equal, ...) make them; PyTorch
// takes bool tensors. Any dtype is accepted; every element must be 0 or 1. The mask never gets a gradient.
// masked_fill: x with `value` where mask is 1; mask broadcasts to x's shape (the result keeps x's shape).
Variable masked_fill(const Variable& x, const Variable& mask, double value,
                     const Site& site = Site::current());
// masked_select: the elements of x where mask is 1, as a 1-D tensor in row-major order; x and mask broadcast
// together, as in PyTorch. The result's length depends on the mask's values.
Variable masked_select(const Variable& x, const Variable& mask, const Site& site = Site::current());

// torch.nn.functional.pad. `pads` lists (before, after) pairs from the last axis backwards: {l, r} pads the
// last axis, {l, r, t, b} the last two. Negative amounts crop. Constant fills with `value`; Reflect mirrors
// without repeating the edge (pad < size), Replicate repeats the edge, Circular wraps around (pad <= size).
// Unlike PyTorch, every mode pads any number of axes of a tensor of any rank.
enum class PadMode { Constant, Reflect, Replicate, Circular };
Variable pad(const Variable& x, const std::vector<std::int64_t>& pads, PadMode mode = PadMode::Constant,
             double value = 0, const Site& site = Site::current());

Variable concat(const std::vector<Variable>& xs, int axis = 0, const Site& site = Site::current());
Variable stack(const std::vector<Variable>& xs, int axis = 0, const Site& site = Site::current());

}  // namespace tsumiki
