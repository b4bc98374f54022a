// Elementwise math, comparisons and selection.
//
// Primitives: each has its backward beside its forward in the .cpp of the same name and a row in the op
// test table. Every op takes a trailing `site` that defaults to the caller's line.
#pragma once

#include <string_view>

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
// log(1 + x) and exp(x) - 1, exact near 0 where the composed forms lose every digit (log1p(1e-10)).
Variable log1p(const Variable& x, const Site& site = Site::current());
Variable expm1(const Variable& x, const Site& site = Site::current());
Variable erf(const Variable& x, const Site& site = Site::current());
// silu(x) = x * sigmoid(x) (PyTorch's SiLU, also called swish); silu(-inf) = 0, the limit.
Variable silu(const Variable& x, const Site& site = Site::current());
// gelu(x) = x * Phi(x), Phi the standard normal CDF. approximate = "none" (exact, with erf) or "tanh"
// (0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))), PyTorch's names; anything else is an error.
// gelu(-inf) = 0 and gelu(inf) = inf, the limits (PyTorch's CPU kernel gives NaN for both).
Variable gelu(const Variable& x, std::string_view approximate = "none", const Site& site = Site::current());
// NaN propagates through every op here as in IEEE arithmetic and PyTorch: relu(NaN), maximum(NaN, 1),
// minimum(1, NaN) and clip(NaN, lo, hi) are NaN.
Variable relu(const Variable& x, const Site& site = Site::current());
// Where a == b, maximum and minimum send the whole gradient to a (PyTorch splits a tie in halves).
Variable maximum(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable minimum(const Variable& a, const Variable& b, const Site& site = Site::current());
// clip(x, lo, hi) = min(max(x, lo), hi) with number bounds; lo <= hi is required (PyTorch lets lo > hi
// through and answers hi). The gradient passes where lo <= x <= hi, bounds included (as torch.clamp).
Variable clip(const Variable& x, double lo, double hi, const Site& site = Site::current());
// clamp(x, lo, hi) with tensor bounds broadcasting against x: minimum(maximum(x, lo), hi), a composite. The
// gradient goes to x where lo <= x <= hi (a tie goes to x), to lo where x < lo, to hi where x > hi. An
// undefined bound is no bound (PyTorch's None); lo > hi anywhere is an error (PyTorch answers hi there).
Variable clamp(const Variable& x, const Variable& lo, const Variable& hi, const Site& site = Site::current());
// where(cond, a, b): a where cond != 0, else b. cond is a float mask of 0 and 1 (as the comparisons below
// make; PyTorch takes a bool tensor) and gets no gradient: torch.where(x > 0, a, b) is
// where(greater(x, scalar_like(0, x)), a, b) here.
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
