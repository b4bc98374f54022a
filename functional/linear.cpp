// linear: one matrix product and a broadcast add.
#include "linear.hpp"

#include "../autograd/ops.hpp"

namespace tsumiki {
inline namespace functional {

Variable linear(const Variable& x, const Variable& W, const Variable& b, const Site& site) {
  const Variable y = matmul(x, W, site);
  return b.defined() ? add(y, b, site) : y;
}

}  // namespace functional
}  // namespace tsumiki
