// Elementwise math, comparisons and selection.
//
// Primitives: each has its backward beside its forward in the .cpp of the same name and a row in the op
// test table. Every op takes a trailing `site` that defaults to the caller's line.
#pragma once

#include "../variable.hpp"

namespace tsumiki {
Variable exp(const Variable& x, const Site& site = Site::current());
Variable log(const Variable& x, const Site& site = Site::current());
Variable sqrt(const Variable& x, const Site& site = Site::current());
Variable abs(const Variable& x, const Site& site = Site::current());
Variable sin(const Variable& x, const Site& site = Site::current());
Variable cos(const Variable& x, const Site& site = Site::current());
Variable tanh(const Variable& x, const Site& site = Site::current());
Variable sigmoid(const Variable& x, const Site& site = Site::current());
Variable softplus(const Variable& x, const Site& site = Site::current());  // log(1 + exp(x)), no overflow
// NaN propagates through every op here as in IEEE arithmetic and PyTorch: relu(NaN), maximum(NaN, 1),
// minimum(1, NaN) and clip(NaN, lo, hi) are NaN.
Variable relu(const Variable& x, const Site& site = Site::current());
// Where a == b, maximum and minimum send the whole gradient to a (PyTorch splits a tie in halves).
Variable maximum(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable minimum(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable clip(const Variable& x, double lo, double hi, const Site& site = Site::current());
// where(cond, a, b): a where cond != 0, else b. cond is a float mask of 0 and 1 (as the comparisons below
// make; PyTorch takes a bool tensor) and gets no gradient.
Variable where(const Variable& cond, const Variable& a, const Variable& b,
               const Site& site = Site::current());

// ---- comparisons and sign: masks of 0 and 1 in the inputs' dtype, never differentiable ----
Variable sign(const Variable& x, const Site& site = Site::current());
Variable greater(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable greater_equal(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable less(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable less_equal(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable equal(const Variable& a, const Variable& b, const Site& site = Site::current());

}  // namespace tsumiki
