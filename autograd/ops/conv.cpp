// im2col and col2im: the pair of layout primitives under convolution and average pooling, each the other's
// adjoint, so convolutions have derivatives of every order.
#include "conv.hpp"

#include "../apply.hpp"
#include "../detail/checks.hpp"
#include "../detail/window.hpp"
#include "../ops.hpp"

namespace tsumiki {

std::size_t conv_output_size(std::size_t n, std::size_t kernel, std::size_t stride, std::size_t padding,
                             const char* op) {
  if (kernel == 0 || stride == 0)
    throw Error(std::string(op) + ": kernel and stride must be positive, got kernel " +
                std::to_string(kernel) + ", stride " + std::to_string(stride));
  if (n + 2 * padding < kernel)
    throw Error(std::string(op) + ": kernel " + std::to_string(kernel) + " is larger than the input size " +
                std::to_string(n) + " plus padding 2 * " + std::to_string(padding));
  return (n + 2 * padding - kernel) / stride + 1;
}

namespace {
Variable col2im_impl(const Variable& col, const Shape& x_shape, const kernels::Window& w, const Site& site);

// y = im2col(x);  gx = col2im(gy)
TSUMIKI_PRIMITIVE(kIm2col, "im2col");
Variable im2col_impl(const Variable& x, const kernels::Window& w, const Site& site) {
  return apply(
      kIm2col, {x}, site, [&] { return kernels::im2col(x.data(), w); },
      [w, site](const Function& f, const Variable& gy) {
        return Grads{col2im_impl(gy, f.input(0).shape(), w, site)};
      });
}

// y = col2im(c);  gc = im2col(gy)
TSUMIKI_PRIMITIVE(kCol2im, "col2im");
Variable col2im_impl(const Variable& col, const Shape& x_shape, const kernels::Window& w, const Site& site) {
  return apply(
      kCol2im, {col}, site, [&] { return kernels::col2im(col.data(), x_shape, w); },
      [w, site](const Function&, const Variable& gy) { return Grads{im2col_impl(gy, w, site)}; });
}
}  // namespace

Variable im2col(const Variable& x, Size2 kernel, Size2 stride, Size2 padding, Size2 dilation,
                const Site& site) {
  detail::check_floating("im2col", x, site);
  return im2col_impl(x, detail::window("im2col", x.shape(), kernel, stride, padding, site, dilation), site);
}

Variable detail::im2col(const Variable& x, const kernels::Window& w, const Site& site) {
  return im2col_impl(x, w, site);
}

Variable col2im(const Variable& col, const Shape& x_shape, Size2 kernel, Size2 stride, Size2 padding,
                Size2 dilation, const Site& site) {
  detail::check_floating(kCol2im, col, site);
  const kernels::Window w = detail::window(kCol2im, x_shape, kernel, stride, padding, site, dilation);
  const Shape want{x_shape[0], x_shape[1] * w.kh * w.kw, w.oh * w.ow};
  if (col.shape() != want)
    fail(kCol2im,
         "columns of shape " + to_string(col.shape()) + " do not match image " + to_string(x_shape) +
             " (expected " + to_string(want) + ")",
         site);
  return col2im_impl(col, x_shape, w, site);
}

}  // namespace tsumiki
