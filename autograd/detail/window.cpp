// Sliding-window geometry shared by the convolution and pooling ops.
#include "window.hpp"

#include <string>

namespace tsumiki {
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

}  // namespace tsumiki
