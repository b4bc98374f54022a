// Average pooling composed: im2col and a mean over the taps (no backward of its own).
#include "pooling.hpp"

#include "../autograd/detail/checks.hpp"
#include "../autograd/detail/window.hpp"
#include "../autograd/ops.hpp"

namespace tsumiki {
inline namespace functional {

// y = mean over the taps of each window: im2col viewed as (N, C, KH*KW, OH*OW), averaged over axis 2.
Variable avg_pool2d(const Variable& x, Size2 kernel, Size2 stride, Size2 padding, const Site& site) {
  detail::check_floating("avg_pool2d", x, site);
  // The window's stride, not `stride`: pool_window resolves a zero stride to the kernel.
  const kernels::Window w = detail::pool_window("avg_pool2d", x.shape(), kernel, stride, padding, site);
  const std::size_t n = x.shape()[0], c = x.shape()[1];
  const Variable col = reshape(im2col(x, kernel, Size2{w.sh, w.sw}, padding, 1, site),
                               Shape{n, c, w.kh * w.kw, w.oh * w.ow}, site);
  return reshape(mean(col, {2}, false, site), Shape{n, c, w.oh, w.ow}, site);
}

}  // namespace functional
}  // namespace tsumiki
