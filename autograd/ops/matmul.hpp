// Matrix products.
//
// Primitives: each has its backward beside its forward in the .cpp of the same name and a row in the op
// test table. Every op takes a trailing `site` that defaults to the caller's line.
#pragma once

#include "../variable.hpp"

namespace tsumiki {
// Matrix product: 2-D x 2-D, batched (leading dimensions broadcast), and 1-D operands as in NumPy.
Variable matmul(const Variable& a, const Variable& b, const Site& site = Site::current());

}  // namespace tsumiki
