// Composites on images: convolution (im2col + one matrix product per image), average pooling (im2col +
// mean) and local response normalisation. None has a backward of its own.
#include "conv.hpp"

#include <vector>

#include "ops/checks.hpp"
#include "ops/window.hpp"

namespace tsumiki {

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

// y = mean over the taps of each window: im2col viewed as (N, C, KH*KW, OH*OW), averaged over axis 2.
Variable avg_pool2d(const Variable& x, Size2 kernel, Size2 stride, Size2 padding, const Site& site) {
  detail::check_floating("avg_pool2d", x, site);
  // The window's stride, not `stride`: pool_window resolves a zero stride to the kernel.
  const kernels::Window w = detail::pool_window("avg_pool2d", x.shape(), kernel, stride, padding, site);
  const std::size_t n = x.shape()[0], c = x.shape()[1];
  const Variable col = reshape(im2col(x, kernel, Size2{w.sh, w.sw}, padding, site),
                               Shape{n, c, w.kh * w.kw, w.oh * w.ow}, site);
  return reshape(mean(col, {2}, false, site), Shape{n, c, w.oh, w.ow}, site);
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
    return Variable(zeros(s, x.dtype()));
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
  const Variable scale =
      add(scalar_like(k, x), mul(s, scalar_like(alpha / static_cast<double>(size), x), site), site);
  return div(x, pow(scale, beta, site), site);
}

}  // namespace tsumiki
