// Indexing: slices, take, concat, stack.
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
Variable concat(const std::vector<Variable>& xs, int axis = 0, const Site& site = Site::current());
Variable stack(const std::vector<Variable>& xs, int axis = 0, const Site& site = Site::current());

}  // namespace tsumiki
