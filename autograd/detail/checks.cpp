#include "checks.hpp"

#include <algorithm>

namespace tsumiki::detail {

void check_defined(const char* op, const Variable& x, const Site& site) {
  if (!x.defined()) fail(op, "input is an undefined Variable", site);
}

void check_floating(const char* op, const Variable& x, const Site& site) {
  check_defined(op, x, site);
  if (!is_floating(x.dtype()))
    fail(op,
         std::string("expected a floating tensor (float32 or float64), got ") + dtype_name(x.dtype()) + " " +
             to_string(x.shape()),
         site);
}

void check_pair(const char* op, const Variable& a, const Variable& b, const Site& site) {
  check_floating(op, a, site);
  check_floating(op, b, site);
  if (a.dtype() != b.dtype())
    fail(op,
         std::string("dtype mismatch: ") + dtype_name(a.dtype()) + " " + to_string(a.shape()) + " and " +
             dtype_name(b.dtype()) + " " + to_string(b.shape()) + " (convert one with Tensor::to)",
         site);
}

std::size_t normalize_axis(const char* op, int axis, std::size_t ndim, const Site& site) {
  const int n = static_cast<int>(ndim);
  if (axis < -n || axis >= n)
    fail(op,
         "axis " + std::to_string(axis) + " is out of range for a tensor with " + std::to_string(ndim) +
             " dimensions",
         site);
  return static_cast<std::size_t>(axis < 0 ? axis + n : axis);
}

std::vector<std::size_t> normalize_axes(const char* op, const Axes& axes, std::size_t ndim,
                                        const Site& site) {
  std::vector<std::size_t> out;
  if (axes.empty()) {
    for (std::size_t d = 0; d < ndim; ++d) out.push_back(d);
    return out;
  }
  for (int a : axes) out.push_back(normalize_axis(op, a, ndim, site));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) fail(op, "repeated axis", site);
  return out;
}

Shape keepdims_shape(const Shape& s, const std::vector<std::size_t>& axes) {
  Shape k = s;
  for (auto a : axes) k[a] = 1;
  return k;
}

}  // namespace tsumiki::detail
