// Argument checks shared by the ops (internal). Each throws Error naming the op, the shapes and the site.
#pragma once

#include <vector>

#include "../error.hpp"
#include "../variable.hpp"

namespace tsumiki::detail {

void check_defined(const char* op, const Variable& x, const Site& site);
void check_floating(const char* op, const Variable& x, const Site& site);
// Both defined, floating and of one dtype.
void check_pair(const char* op, const Variable& a, const Variable& b, const Site& site);
std::size_t normalize_axis(const char* op, int axis, std::size_t ndim, const Site& site);
// Sorted, unique, non-negative; empty input means every axis.
std::vector<std::size_t> normalize_axes(const char* op, const Axes& axes, std::size_t ndim, const Site& site);
// The shape with the reduced axes kept as 1.
Shape keepdims_shape(const Shape& s, const std::vector<std::size_t>& axes);

}  // namespace tsumiki::detail
