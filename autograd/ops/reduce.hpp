// Reductions: sum, mean, max, min, prod, var, std, norm (no axes: over all elements), and cumsum.
//
// Primitives: each has its backward beside its forward in the .cpp of the same name and a row in the op
// test table. Every op takes a trailing `site` that defaults to the caller's line.
#pragma once

#include <vector>

#include "../variable.hpp"

namespace tsumiki {
Variable sum(const Variable& x, const Axes& axes = {}, bool keepdims = false,
             const Site& site = Site::current());
Variable mean(const Variable& x, const Axes& axes = {}, bool keepdims = false,
              const Site& site = Site::current());
Variable max(const Variable& x, const Axes& axes = {}, bool keepdims = false,
             const Site& site = Site::current());
Variable min(const Variable& x, const Axes& axes = {}, bool keepdims = false,
             const Site& site = Site::current());

// Product over axes (torch.prod; several axes at once, as numpy.prod). A composite: a pairwise tree of
// multiplications, so the gradient is exact where the input has zeros (no division by x) and every order of
// derivative follows from mul's.
Variable prod(const Variable& x, const Axes& axes = {}, bool keepdims = false,
              const Site& site = Site::current());

// Variance over axes: sum((x - mean)^2) / (N - correction), N the number of elements reduced. correction = 1
// (Bessel's, the default) or 0 (population), as torch.var's keyword; a bool in its place reads as PyTorch's
// `unbiased` (true = 1, false = 0). N - correction <= 0 is an error (PyTorch returns inf or NaN with a
// warning). Composites over mean and sum.
Variable var(const Variable& x, const Axes& axes = {}, double correction = 1, bool keepdims = false,
             const Site& site = Site::current());
// sqrt(var(x, ...)); where the variance is 0 (a constant slice) the gradient is 0, as PyTorch's (sqrt's own
// derivative is infinite there). Call it tsumiki::std: after `using namespace tsumiki` a bare std(x) is
// ambiguous with the namespace std.
Variable std(const Variable& x, const Axes& axes = {}, double correction = 1, bool keepdims = false,
             const Site& site = Site::current());

// The p-norm over axes (torch.norm / torch.linalg.vector_norm) for p = 1, 2 or INFINITY; other p are an
// error. Subgradient at 0: the gradient where the norm is 0 is 0 (as PyTorch's). p = 2 is a primitive that
// scales by the largest |x| (no overflow of x^2: float32 norms of 1e20 stay finite); p = 1 is sum(abs(x)) and
// p = inf is max(abs(x)), whose ties share the gradient equally (as PyTorch's).
Variable norm(const Variable& x, double p = 2, const Axes& axes = {}, bool keepdims = false,
              const Site& site = Site::current());

// Running sum along `axis` (torch.cumsum): y[..., i, ...] = sum of x[..., :i+1, ...]. A 0-d x is an error.
Variable cumsum(const Variable& x, int axis, const Site& site = Site::current());

}  // namespace tsumiki
