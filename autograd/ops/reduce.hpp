// Reductions: sum, mean, max, min (no axes: over all elements).
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

}  // namespace tsumiki
