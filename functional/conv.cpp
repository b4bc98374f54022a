// conv2d composed: im2col followed by one matrix product per image (no backward of its own).
#include "../autograd/ops/conv.hpp"

#include "../autograd/detail/checks.hpp"
#include "../autograd/detail/window.hpp"
#include "../autograd/ops.hpp"
#include "../autograd/ops/pooling.hpp"
#include "conv.hpp"
#include "normalization.hpp"
#include "pooling.hpp"

namespace tsumiki {
inline namespace functional {

// y[n] = W2 col[n] + b with W2 = W as (OC, C*KH*KW) and col = im2col(x) (N, C*KH*KW, OH*OW): the matmul
// shares the 2-D W2 across the batch, so the result is (N, OC, OH*OW) in NCHW order and needs no transpose.
Variable conv2d(const Variable& x, const Variable& W, const Variable& b, Size2 stride, Size2 padding,
                const Site& site) {
  detail::check_pair("conv2d", x, W, site);
  if (x.ndim() != 4 || W.ndim() != 4 || W.shape()[1] != x.shape()[1])
    fail("conv2d",
         "expected input (N, C, H, W) and weight (OC, C, KH, KW) with the same C, got input " +
             to_string(x.shape()) + " and weight " + to_string(W.shape()),
         site);
  const std::size_t oc = W.shape()[0];
  if (b.defined()) {
    detail::check_pair("conv2d", x, b, site);
    if (b.shape() != Shape{oc})
      fail("conv2d",
           "bias of shape " + to_string(b.shape()) + " for weight " + to_string(W.shape()) + "; expected (" +
               std::to_string(oc) + ",)",
           site);
  }
  const Size2 kernel{W.shape()[2], W.shape()[3]};
  const kernels::Window w = detail::window("conv2d", x.shape(), kernel, stride, padding, site);
  const Variable col = im2col(x, kernel, stride, padding, site);
  Variable y = matmul(reshape(W, Shape{oc, W.numel() / oc}, site), col, site);
  if (b.defined()) y = add(y, reshape(b, Shape{oc, 1}, site), site);
  return reshape(y, Shape{x.shape()[0], oc, w.oh, w.ow}, site);
}

}  // namespace functional
}  // namespace tsumiki
