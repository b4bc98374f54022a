// Shape ops: reshape, transpose, broadcast_to, sum_to, identity and the composites built on them.
#include "shape.hpp"

#include <numeric>

#include "../apply.hpp"
#include "../detail/checks.hpp"
#include "../detail/kernels.hpp"
#include "../ops.hpp"

namespace tsumiki {

// y = x viewed as `shape`;  gx = reshape(gy, x.shape)
TSUMIKI_PRIMITIVE(kReshape, "reshape");
Variable reshape(const Variable& x, const Shape& shape, const Site& site) {
  detail::check_defined(kReshape, x, site);
  if (shape.numel() != x.numel())
    fail(kReshape,
         "cannot reshape " + to_string(x.shape()) + " (" + std::to_string(x.numel()) + " elements) to " +
             to_string(shape) + " (" + std::to_string(shape.numel()) + " elements)",
         site);
  if (shape == x.shape()) return x;
  return apply(
      kReshape, {x}, site, [&] { return x.data().reshape(shape); },
      [](const Function& f, const Variable& gy) { return Grads{reshape(gy, f.input(0).shape())}; });
}

// y = x with axes permuted;  gx = transpose(gy, inverse permutation)
TSUMIKI_PRIMITIVE(kTranspose, "transpose");
Variable transpose(const Variable& x, const Axes& axes, const Site& site) {
  detail::check_defined(kTranspose, x, site);
  if (axes.size() != x.ndim())
    fail(kTranspose,
         "axes of length " + std::to_string(axes.size()) + " for a tensor of shape " + to_string(x.shape()),
         site);
  std::vector<std::size_t> perm;
  std::vector<bool> seen(x.ndim(), false);
  for (int a : axes) {
    const std::size_t d = detail::normalize_axis(kTranspose, a, x.ndim(), site);
    if (seen[d])
      fail(kTranspose, "axes are not a permutation (repeated axis " + std::to_string(a) + ")", site);
    seen[d] = true;
    perm.push_back(d);
  }
  Axes inverse;
  inverse.resize(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int>(i);
  return apply(
      kTranspose, {x}, site, [&] { return kernels::transpose(x.data(), perm); },
      [inverse](const Function&, const Variable& gy) { return Grads{transpose(gy, inverse)}; });
}

Variable transpose(const Variable& x, const Site& site) {
  detail::check_defined(kTranspose, x, site);
  Axes axes;
  axes.resize(x.ndim());
  std::iota(axes.rbegin(), axes.rend(), 0);
  return transpose(x, axes, site);
}

Variable swapaxes(const Variable& x, int a, int b, const Site& site) {
  detail::check_defined("swapaxes", x, site);
  Axes axes;
  axes.resize(x.ndim());
  std::iota(axes.begin(), axes.end(), 0);
  std::swap(axes[detail::normalize_axis("swapaxes", a, x.ndim(), site)],
            axes[detail::normalize_axis("swapaxes", b, x.ndim(), site)]);
  return transpose(x, axes, site);
}

Variable flatten(const Variable& x, int start_dim, int end_dim, const Site& site) {
  detail::check_defined("flatten", x, site);
  if (x.ndim() == 0) return reshape(x, Shape{1}, site);
  const std::size_t s = detail::normalize_axis("flatten", start_dim, x.ndim(), site);
  const std::size_t e = detail::normalize_axis("flatten", end_dim, x.ndim(), site);
  if (s > e) fail("flatten", "start_dim comes after end_dim for shape " + to_string(x.shape()), site);
  Shape shape;
  std::size_t merged = 1;
  for (std::size_t d = 0; d < x.ndim(); ++d) {
    if (d < s || d > e)
      shape.push_back(x.shape()[d]);
    else
      merged *= x.shape()[d];
    if (d == e) shape.push_back(merged);
  }
  return reshape(x, shape, site);
}

Variable unsqueeze(const Variable& x, int axis, const Site& site) {
  detail::check_defined("unsqueeze", x, site);
  Shape shape = x.shape();
  shape.insert(detail::normalize_axis("unsqueeze", axis, x.ndim() + 1, site), 1);
  return reshape(x, shape, site);
}

Variable squeeze(const Variable& x, int axis, const Site& site) {
  detail::check_defined("squeeze", x, site);
  const std::size_t d = detail::normalize_axis("squeeze", axis, x.ndim(), site);
  if (x.shape()[d] != 1)
    fail("squeeze", "axis " + std::to_string(axis) + " of shape " + to_string(x.shape()) + " is not 1", site);
  Shape shape = x.shape();
  shape.erase(d);
  return reshape(x, shape, site);
}

// y = x repeated along broadcast axes;  gx = sum_to(gy, x.shape)
TSUMIKI_PRIMITIVE(kBroadcastTo, "broadcast_to");
Variable broadcast_to(const Variable& x, const Shape& shape, const Site& site) {
  detail::check_defined(kBroadcastTo, x, site);
  if (kernels::broadcast_shapes(x.shape(), shape, kBroadcastTo, site) != shape)
    fail(kBroadcastTo, "cannot broadcast " + to_string(x.shape()) + " to " + to_string(shape), site);
  if (x.shape() == shape) return x;
  return apply(
      kBroadcastTo, {x}, site, [&] { return kernels::broadcast_to(x.data(), shape); },
      [](const Function& f, const Variable& gy) { return Grads{sum_to(gy, f.input(0).shape())}; });
}

// y = gy summed down to `shape` (the adjoint of broadcast_to);  gx = broadcast_to(gy, x.shape)
TSUMIKI_PRIMITIVE(kSumTo, "sum_to");
Variable sum_to(const Variable& x, const Shape& shape, const Site& site) {
  detail::check_floating(kSumTo, x, site);
  if (shape.size() > x.ndim() || kernels::broadcast_shapes(shape, x.shape(), kSumTo, site) != x.shape())
    fail(kSumTo, "cannot sum " + to_string(x.shape()) + " down to " + to_string(shape), site);
  if (x.shape() == shape) return x;
  return apply(
      kSumTo, {x}, site, [&] { return kernels::sum_to(x.data(), shape); },
      [](const Function& f, const Variable& gy) { return Grads{broadcast_to(gy, f.input(0).shape())}; });
}

// y = x;  gx = gy
TSUMIKI_PRIMITIVE(kIdentity, "identity");
Variable identity(const Variable& x, const Site& site) {
  detail::check_defined(kIdentity, x, site);
  return apply(
      kIdentity, {x}, site, [&] { return x.data(); },
      [](const Function&, const Variable& gy) { return Grads{gy}; });
}

}  // namespace tsumiki
