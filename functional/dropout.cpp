// y = x * mask, mask = (u >= p) / (1 - p) with u uniform in [0, 1): a constant, so the gradient is gy * mask.
#include "dropout.hpp"

#include "../autograd/detail/checks.hpp"
#include "../autograd/ops.hpp"

namespace tsumiki {
inline namespace functional {

Variable dropout(const Variable& x, double p, bool training, Generator& gen, const Site& site) {
  detail::check_floating("dropout", x, site);
  if (!(p >= 0 && p <= 1)) fail("dropout", "p must be in [0, 1], got " + std::to_string(p), site);
  if (!training || p == 0) return x;
  Tensor mask = rand(x.shape(), x.dtype(), gen);
  dispatch_floating(x.dtype(), "dropout", [&](auto t) {
    using T = decltype(t);
    const T keep = p < 1 ? static_cast<T>(1 / (1 - p)) : T(0);
    const T drop = static_cast<T>(p);
    T* m = mask.data<T>();
    for (std::size_t i = 0; i < mask.numel(); ++i) m[i] = m[i] >= drop ? keep : T(0);
  });
  return mul(x, Variable(mask), site);
}

}  // namespace functional
}  // namespace tsumiki
