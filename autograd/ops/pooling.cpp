// Max pooling: a primitive that remembers where each window's maximum was, and its adjoint scatter.
#include "pooling.hpp"

#include "../apply.hpp"
#include "../detail/checks.hpp"
#include "../detail/kernels.hpp"
#include "../detail/window.hpp"
#include "../ops.hpp"

namespace tsumiki {
namespace {

// y = zeros(x_shape) with g added at the positions i of the maxima;  gg = take(flatten(gy), i)
TSUMIKI_PRIMITIVE(kMaxPool2dBackward, "max_pool2d_backward");
Variable max_pool2d_backward(const Variable& g, const Tensor& indices, const Shape& x_shape,
                             const Site& site) {
  return apply(
      kMaxPool2dBackward, {g}, site, [&] { return kernels::scatter_add_flat(g.data(), indices, x_shape); },
      [indices, site](const Function&, const Variable& gy) {
        return Grads{take(reshape(gy, Shape{gy.numel()}, site), indices, 0, site)};
      });
}

}  // namespace

// y = max over each window, i = where it was (saved);  gx = max_pool2d_backward(gy, i)
TSUMIKI_PRIMITIVE(kMaxPool2d, "max_pool2d");
Variable max_pool2d(const Variable& x, Size2 kernel, Size2 stride, Size2 padding, Size2 dilation,
                    bool ceil_mode, const Site& site) {
  detail::check_floating(kMaxPool2d, x, site);
  const kernels::Window w =
      detail::pool_window(kMaxPool2d, x.shape(), kernel, stride, padding, site, ceil_mode, dilation);
  return apply(
      kMaxPool2d, {x}, site,
      [&](SavedTensors& saved) {
        Tensor indices;
        Tensor y = kernels::max_pool2d(x.data(), w, indices);
        saved.save(std::move(indices));
        return y;
      },
      [site](const Function& f, const Variable& gy) {
        return Grads{max_pool2d_backward(gy, f.saved(0), f.input(0).shape(), site)};
      });
}

}  // namespace tsumiki
