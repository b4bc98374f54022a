// Matrix products. One primitive, op(A) op(B) with transpose flags, whose gradients are again products with
// flags: no transposed copies, and second derivatives for free.
#include "matmul.hpp"

#include "../apply.hpp"
#include "../detail/checks.hpp"
#include "../detail/kernels.hpp"
#include "../ops.hpp"

namespace tsumiki {
namespace {

// C = op(A) op(B)
//   gA = gC op(B)^T  (or its transpose when A was transposed),  gB = op(A)^T gC  (likewise)
TSUMIKI_PRIMITIVE(kMatmul, "matmul");
Variable matmul_t(const Variable& a, const Variable& b, bool ta, bool tb, const Site& site) {
  return apply(
      kMatmul, {a, b}, site, [&] { return kernels::matmul(a.data(), b.data(), ta, tb); },
      [ta, tb, site](const Function& f, const Variable& gy) {
        const Variable& A = f.input(0);
        const Variable& B = f.input(1);
        Variable ga, gb;
        if (f.needs_grad(0)) ga = ta ? matmul_t(B, gy, tb, true, site) : matmul_t(gy, B, false, !tb, site);
        if (f.needs_grad(1)) gb = tb ? matmul_t(gy, A, true, ta, site) : matmul_t(A, gy, !ta, false, site);
        return Grads{ga, gb};
      });
}

Shape batch_of(const Shape& s) {
  Shape b;
  for (std::size_t d = 0; d + 2 < s.size(); ++d) b.push_back(s[d]);
  return b;
}

Shape with_matrix(Shape batch, std::size_t r, std::size_t c) {
  batch.push_back(r);
  batch.push_back(c);
  return batch;
}

}  // namespace

Variable matmul(const Variable& a0, const Variable& b0, const Site& site) {
  detail::check_pair(kMatmul, a0, b0, site);
  if (a0.ndim() == 0 || b0.ndim() == 0)
    fail(kMatmul,
         "operands must have at least one dimension, got " + to_string(a0.shape()) + " and " +
             to_string(b0.shape()),
         site);
  // NumPy's rules for 1-D operands: a vector on the left is a row, on the right a column; that axis is
  // dropped.
  const bool vec_a = a0.ndim() == 1, vec_b = b0.ndim() == 1;
  Variable a = vec_a ? reshape(a0, Shape{1, a0.shape()[0]}, site) : a0;
  Variable b = vec_b ? reshape(b0, Shape{b0.shape()[0], 1}, site) : b0;
  const std::size_t k = a.shape().back();
  if (b.shape()[b.ndim() - 2] != k)
    fail(kMatmul, "inner dimensions differ: " + to_string(a0.shape()) + " @ " + to_string(b0.shape()), site);
  if (a.ndim() > 2 && b.ndim() > 2 && batch_of(a.shape()) != batch_of(b.shape())) {
    const Shape batch = kernels::broadcast_shapes(batch_of(a.shape()), batch_of(b.shape()), kMatmul, site);
    a = broadcast_to(a, with_matrix(batch, a.shape()[a.ndim() - 2], k), site);
    b = broadcast_to(b, with_matrix(batch, k, b.shape().back()), site);
  }
  Variable y = matmul_t(a, b, false, false, site);
  if (vec_a) y = squeeze(y, -2, site);
  if (vec_b) y = squeeze(y, -1, site);
  return y;
}

}  // namespace tsumiki
