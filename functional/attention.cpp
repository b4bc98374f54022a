// Attention as formulas of ops: scores by one batched matmul, softmax over the keys, a second matmul.
#include "attention.hpp"

#include <cmath>
#include <vector>

#include "../autograd/detail/checks.hpp"
#include "../autograd/ops.hpp"
#include "activations.hpp"

namespace tsumiki {
inline namespace functional {

Variable scaled_dot_product_attention(const Variable& q, const Variable& k, const Variable& v, bool is_causal,
                                      const Site& site) {
  constexpr const char* op = "scaled_dot_product_attention";
  detail::check_floating(op, q, site);
  detail::check_pair(op, q, k, site);
  detail::check_pair(op, q, v, site);
  const std::size_t r = q.ndim();
  bool ok = r >= 2 && k.ndim() == r && v.ndim() == r && q.shape().back() == k.shape().back() &&
            k.shape()[r - 2] == v.shape()[r - 2] && q.shape().back() > 0;
  for (std::size_t d = 0; ok && d + 2 < r; ++d)
    ok = q.shape()[d] == k.shape()[d] && q.shape()[d] == v.shape()[d];
  if (!ok)
    fail(op,
         "expected q (..., L, d), k (..., S, d), v (..., S, dv) with equal leading axes, got " +
             to_string(q.shape()) + ", " + to_string(k.shape()) + ", " + to_string(v.shape()),
         site);
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.shape().back()));
  Variable scores = mul(matmul(q, swapaxes(k, -1, -2, site), site), scale, site);  // (..., L, S)
  if (is_causal) {
    const std::size_t L = q.shape()[r - 2], S = k.shape()[r - 2];
    std::vector<double> mask(L * S, 0.0);
    for (std::size_t i = 0; i < L; ++i)
      for (std::size_t j = i + 1; j < S; ++j) mask[i * S + j] = -1e9;
    scores = add(scores, Variable(from_vector<double>(mask, Shape{L, S}).to(q.dtype()), false, site), site);
  }
  return matmul(softmax(scores, -1, site), v, site);
}

}  // namespace functional
}  // namespace tsumiki
