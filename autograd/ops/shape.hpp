// Shapes: reshape, transpose, squeeze, broadcast_to and its adjoint sum_to; identity.
//
// Primitives: each has its backward beside its forward in the .cpp of the same name and a row in the op
// test table. Every op takes a trailing `site` that defaults to the caller's line.
#pragma once

#include <vector>

#include "../variable.hpp"

namespace tsumiki {
Variable reshape(const Variable& x, const Shape& shape, const Site& site = Site::current());
// Reverses all the axes, as numpy.transpose (torch.transpose swaps two: that is swapaxes here).
Variable transpose(const Variable& x, const Site& site = Site::current());
Variable transpose(const Variable& x, const Axes& axes, const Site& site = Site::current());
Variable swapaxes(const Variable& x, int a, int b, const Site& site = Site::current());
Variable flatten(const Variable& x, int start_dim = 0, int end_dim = -1, const Site& site = Site::current());
Variable unsqueeze(const Variable& x, int axis, const Site& site = Site::current());
Variable squeeze(const Variable& x, int axis, const Site& site = Site::current());
Variable broadcast_to(const Variable& x, const Shape& shape, const Site& site = Site::current());
Variable sum_to(const Variable& x, const Shape& shape, const Site& site = Site::current());
// y = x as a node of its own (sharing x's data): a place in the graph where a gradient can be watched, e.g.
// the inputs and outputs of a module with backward hooks (nn/module.hpp).
Variable identity(const Variable& x, const Site& site = Site::current());

}  // namespace tsumiki
