// Batch normalisation as a formula of ops:
//   training:   mu = mean(x), var = mean((x - mu)^2) over every axis but 1;  y = gamma (x - mu) / sqrt(var +
//   eps) + beta evaluation: the same with the running mean and variance in place of mu and var.
#include "normalization.hpp"

#include <algorithm>
#include <vector>

#include "../autograd/detail/checks.hpp"
#include "../autograd/grad_mode.hpp"
#include "../autograd/ops.hpp"

namespace tsumiki {
inline namespace functional {
namespace {

// A per-channel vector (C,) viewed so that it broadcasts against x: (C,) for (N, C), (C, 1, 1) for images.
Variable per_channel(const Variable& v, std::size_t ndim, const Site& site) {
  Shape s{v.numel()};
  for (std::size_t d = 2; d < ndim; ++d) s.push_back(1);
  return reshape(v, s, site);
}

void check_channel_vector(const char* what, const Variable& v, const Variable& x, const Site& site) {
  if (!v.defined()) return;
  detail::check_pair("batch_norm", x, v, site);
  if (v.shape() != Shape{x.shape()[1]})
    fail("batch_norm",
         std::string(what) + " of shape " + to_string(v.shape()) + " for input " + to_string(x.shape()) +
             "; expected (" + std::to_string(x.shape()[1]) + ",)",
         site);
}

}  // namespace

Variable batch_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                    const Variable& running_mean, const Variable& running_var, const BatchNormFuncOptions& o,
                    const Site& site) {
  detail::check_floating("batch_norm", x, site);
  if (x.ndim() < 2)
    fail("batch_norm", "expected an input (N, C) or (N, C, ...), got " + to_string(x.shape()), site);
  check_channel_vector("gamma", gamma, x, site);
  check_channel_vector("beta", beta, x, site);
  check_channel_vector("running_mean", running_mean, x, site);
  check_channel_vector("running_var", running_var, x, site);
  if (running_mean.defined() != running_var.defined())
    fail("batch_norm", "give both running_mean and running_var, or neither", site);
  Axes axes{0};
  for (std::size_t d = 2; d < x.ndim(); ++d) axes.push_back(static_cast<int>(d));
  const std::size_t count = x.numel() / x.shape()[1];  // values per channel
  const Variable eps = scalar_like(o.eps, x, site);

  Variable xhat;
  if (o.training || !running_mean.defined()) {
    if (count < 2 && o.training)
      fail("batch_norm",
           "training needs more than one value per channel to compute a variance, got input " +
               to_string(x.shape()),
           site);
    const Variable mu = mean(x, axes, true, site);
    const Variable xc = sub(x, mu, site);
    const Variable var = mean(mul(xc, xc, site), axes, true, site);
    xhat = div(xc, sqrt(add(var, eps, site), site), site);
    if (running_mean.defined() && o.training) {
      NoGradGuard no_grad;
      const Shape c{x.shape()[1]};
      const Variable m = scalar_like(o.momentum, x, site), keep = scalar_like(1 - o.momentum, x, site);
      const Variable unbiased =
          mul(reshape(var.detach(), c), scalar_like(double(count) / double(count - 1), x, site));
      Variable rm = running_mean, rv = running_var;  // handles: the caller's buffers change in place
      rm.set_data(add(mul(rm.detach(), keep), mul(reshape(mu.detach(), c), m)).data());
      rv.set_data(add(mul(rv.detach(), keep), mul(unbiased, m)).data());
    }
  } else {
    const Variable rm = per_channel(running_mean.detach(), x.ndim(), site);
    const Variable rv = per_channel(running_var.detach(), x.ndim(), site);
    xhat = div(sub(x, rm, site), sqrt(add(rv, eps, site), site), site);
  }
  Variable y = xhat;
  if (gamma.defined()) y = mul(y, per_channel(gamma, x.ndim(), site), site);
  if (beta.defined()) y = add(y, per_channel(beta, x.ndim(), site), site);
  return y;
}

namespace {
// (x - mean) / sqrt(var + eps) over `axes` (kept as size 1), var the mean of squared deviations: the
// centred form, not mean(x^2) - mean(x)^2, which cancels badly in float32.
Variable standardize(const Variable& x, const Axes& axes, double eps, const Site& site) {
  const Variable mu = mean(x, axes, true, site);
  const Variable xc = sub(x, mu, site);
  const Variable var = mean(mul(xc, xc, site), axes, true, site);
  return div(xc, sqrt(add(var, scalar_like(eps, x, site), site), site), site);
}

void check_affine(const char* op, const char* what, const Variable& v, const Shape& want, const Variable& x,
                  const Site& site) {
  if (!v.defined()) return;
  detail::check_pair(op, x, v, site);
  if (v.shape() != want)
    fail(op,
         std::string(what) + " of shape " + to_string(v.shape()) + " for input " + to_string(x.shape()) +
             "; expected " + to_string(want),
         site);
}
}  // namespace

Variable layer_norm(const Variable& x, const Shape& normalized_shape, const Variable& gamma,
                    const Variable& beta, double eps, const Site& site) {
  detail::check_floating("layer_norm", x, site);
  const std::size_t k = normalized_shape.size();
  bool trailing = k > 0 && k <= x.ndim();
  for (std::size_t i = 0; trailing && i < k; ++i)
    trailing = x.shape()[x.ndim() - k + i] == normalized_shape[i];
  if (!trailing)
    fail("layer_norm",
         "normalized_shape " + to_string(normalized_shape) + " must be the last axes of the input " +
             to_string(x.shape()),
         site);
  if (!(eps >= 0)) fail("layer_norm", "eps must be >= 0, got " + std::to_string(eps), site);
  check_affine("layer_norm", "gamma", gamma, normalized_shape, x, site);
  check_affine("layer_norm", "beta", beta, normalized_shape, x, site);
  Axes axes;
  for (std::size_t d = x.ndim() - k; d < x.ndim(); ++d) axes.push_back(static_cast<int>(d));
  Variable y = standardize(x, axes, eps, site);
  if (gamma.defined()) y = mul(y, gamma, site);  // trailing shape: broadcasts as it is
  if (beta.defined()) y = add(y, beta, site);
  return y;
}

Variable group_norm(const Variable& x, std::size_t num_groups, const Variable& gamma, const Variable& beta,
                    double eps, const Site& site) {
  detail::check_floating("group_norm", x, site);
  if (x.ndim() < 2) fail("group_norm", "expected an input (N, C, ...), got " + to_string(x.shape()), site);
  const std::size_t n = x.shape()[0], c = x.shape()[1];
  if (num_groups == 0 || c % num_groups != 0)
    fail("group_norm",
         "num_groups " + std::to_string(num_groups) + " must divide the " + std::to_string(c) +
             " channels of input " + to_string(x.shape()),
         site);
  if (!(eps >= 0)) fail("group_norm", "eps must be >= 0, got " + std::to_string(eps), site);
  check_affine("group_norm", "gamma", gamma, Shape{c}, x, site);
  check_affine("group_norm", "beta", beta, Shape{c}, x, site);
  // (N, G, C/G * rest): each group's values are one row.
  const Variable grouped =
      reshape(x, Shape{n, num_groups, x.numel() / std::max<std::size_t>(n * num_groups, 1)}, site);
  Variable y = reshape(standardize(grouped, {2}, eps, site), x.shape(), site);
  if (gamma.defined()) y = mul(y, per_channel(gamma, x.ndim(), site), site);
  if (beta.defined()) y = add(y, per_channel(beta, x.ndim(), site), site);
  return y;
}

// s_c = sum of x_c'^2 for c' in [c - size/2, c + (size-1)/2] (zeros beyond the ends, as PyTorch pads);
// y = x / (k + alpha/size * s)^beta
Variable local_response_norm(const Variable& x, std::size_t size, double alpha, double beta, double k,
                             const Site& site) {
  detail::check_floating("local_response_norm", x, site);
  if (x.ndim() < 2)
    fail("local_response_norm", "expected an input (N, C, ...), got " + to_string(x.shape()), site);
  if (size == 0) fail("local_response_norm", "size must be positive", site);
  const std::size_t c = x.shape()[1];
  const Variable sq = mul(x, x, site);
  auto zeros_of = [&](std::size_t channels) {
    Shape s = x.shape();
    s[1] = channels;
    return Variable(zeros(s, x.dtype()), false, site);
  };
  std::vector<Variable> parts;
  if (size / 2 > 0) parts.push_back(zeros_of(size / 2));
  parts.push_back(sq);
  if ((size - 1) / 2 > 0) parts.push_back(zeros_of((size - 1) / 2));
  const Variable padded = parts.size() == 1 ? sq : concat(parts, 1, site);
  Variable s = slice(padded, 1, 0, static_cast<std::int64_t>(c), 1, site);
  for (std::size_t j = 1; j < size; ++j)
    s = add(s, slice(padded, 1, static_cast<std::int64_t>(j), static_cast<std::int64_t>(j + c), 1, site),
            site);
  const Variable scale = add(scalar_like(k, x, site),
                             mul(s, scalar_like(alpha / static_cast<double>(size), x, site), site), site);
  return div(x, pow(scale, beta, site), site);
}

}  // namespace functional
}  // namespace tsumiki
