// im2col and col2im: the pair of layout primitives under convolution and average pooling, each the other's
// adjoint, so convolutions have derivatives of every order.
#include "../apply.hpp"
#include "checks.hpp"
#include "window.hpp"

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

namespace detail {
kernels::Window window(const char* op, const Shape& x_shape, Size2 kernel, Size2 stride, Size2 padding,
                       const Site& site) {
  if (x_shape.size() != 4)
    fail(op, "expected an input of shape (N, C, H, W), got " + to_string(x_shape), site);
  const std::string geometry = "kernel (" + std::to_string(kernel.h) + ", " + std::to_string(kernel.w) +
                               "), stride (" + std::to_string(stride.h) + ", " + std::to_string(stride.w) +
                               "), padding (" + std::to_string(padding.h) + ", " + std::to_string(padding.w) +
                               ")";
  kernels::Window w{kernel.h, kernel.w, stride.h, stride.w, padding.h, padding.w, 0, 0};
  if (w.kh == 0 || w.kw == 0 || w.sh == 0 || w.sw == 0)
    fail(op, "kernel and stride must be positive, got " + geometry, site);
  const std::size_t h = x_shape[2], wd = x_shape[3];
  if (h + 2 * w.ph < w.kh || wd + 2 * w.pw < w.kw)
    fail(op, "the window does not fit the input " + to_string(x_shape) + " with " + geometry, site);
  w.oh = (h + 2 * w.ph - w.kh) / w.sh + 1;
  w.ow = (wd + 2 * w.pw - w.kw) / w.sw + 1;
  return w;
}

kernels::Window pool_window(const char* op, const Shape& x_shape, Size2 kernel, Size2 stride, Size2 padding,
                            const Site& site) {
  if (stride.h == 0 && stride.w == 0) stride = kernel;
  const kernels::Window w = window(op, x_shape, kernel, stride, padding, site);
  if (2 * w.ph > w.kh || 2 * w.pw > w.kw)
    fail(op,
         "padding (" + std::to_string(w.ph) + ", " + std::to_string(w.pw) +
             ") must be at most half the kernel (" + std::to_string(w.kh) + ", " + std::to_string(w.kw) + ")",
         site);
  return w;
}
}  // namespace detail

namespace {
Variable col2im_impl(const Variable& col, const Shape& x_shape, const kernels::Window& w, const Site& site);

// y = im2col(x);  gx = col2im(gy)
TSUMIKI_REGISTER_OP("im2col");
Variable im2col_impl(const Variable& x, const kernels::Window& w, const Site& site) {
  return apply(
      "im2col", {x}, site, [&] { return kernels::im2col(x.data(), w); },
      [w, site](const Function& f, const Variable& gy) {
        return Grads{col2im_impl(gy, f.input(0).shape(), w, site)};
      });
}

// y = col2im(c);  gc = im2col(gy)
TSUMIKI_REGISTER_OP("col2im");
Variable col2im_impl(const Variable& col, const Shape& x_shape, const kernels::Window& w, const Site& site) {
  return apply(
      "col2im", {col}, site, [&] { return kernels::col2im(col.data(), x_shape, w); },
      [w, site](const Function&, const Variable& gy) { return Grads{im2col_impl(gy, w, site)}; });
}
}  // namespace

Variable im2col(const Variable& x, Size2 kernel, Size2 stride, Size2 padding, const Site& site) {
  detail::check_floating("im2col", x, site);
  return im2col_impl(x, detail::window("im2col", x.shape(), kernel, stride, padding, site), site);
}

Variable col2im(const Variable& col, const Shape& x_shape, Size2 kernel, Size2 stride, Size2 padding,
                const Site& site) {
  detail::check_floating("col2im", col, site);
  const kernels::Window w = detail::window("col2im", x_shape, kernel, stride, padding, site);
  const Shape want{x_shape[0], x_shape[1] * w.kh * w.kw, w.oh * w.ow};
  if (col.shape() != want)
    fail("col2im",
         "columns of shape " + to_string(col.shape()) + " do not match image " + to_string(x_shape) +
             " (expected " + to_string(want) + ")",
         site);
  return col2im_impl(col, x_shape, w, site);
}

}  // namespace tsumiki
