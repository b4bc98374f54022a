// Sliding-window geometry shared by the convolution and pooling ops.
#include "window.hpp"

#include <string>

namespace tsumiki {
namespace detail {

namespace {
// "(h, w)", appended piece by piece (GCC 12 warns falsely, -Wrestrict, on "(" + std::to_string(...)).
std::string pair_string(Size2 s) {
  std::string out = "(";
  out += std::to_string(s.h);
  out += ", ";
  out += std::to_string(s.w);
  out += ")";
  return out;
}

// Output size along one axis; `span` = dilation * (kernel - 1) + 1 fits in n + 2 * padding.
std::size_t out_size(std::size_t n, std::size_t span, std::size_t stride, std::size_t padding,
                     bool ceil_mode) {
  const std::size_t room = n + 2 * padding - span;
  std::size_t out = (ceil_mode ? (room + stride - 1) / stride : room / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= n + padding) --out;  // the last window must start inside the image
  return out;
}
}  // namespace

kernels::Window window(const char* op, const Shape& x_shape, Size2 kernel, Size2 stride, Size2 padding,
                       const Site& site, Size2 dilation, bool ceil_mode) {
  if (x_shape.size() != 4)
    fail(op, "expected an input of shape (N, C, H, W), got " + to_string(x_shape), site);
  std::string geometry = "kernel " + pair_string(kernel) + ", stride " + pair_string(stride) + ", padding " +
                         pair_string(padding);
  if (dilation != Size2{1}) geometry += ", dilation " + pair_string(dilation);
  kernels::Window w{kernel.h,  kernel.w, stride.h, stride.w,   padding.h,
                    padding.w, 0,        0,        dilation.h, dilation.w};
  if (w.kh == 0 || w.kw == 0 || w.sh == 0 || w.sw == 0 || w.dh == 0 || w.dw == 0)
    fail(op, "kernel, stride and dilation must be positive, got " + geometry, site);
  const std::size_t h = x_shape[2], wd = x_shape[3];
  const std::size_t span_h = w.dh * (w.kh - 1) + 1, span_w = w.dw * (w.kw - 1) + 1;
  if (h + 2 * w.ph < span_h || wd + 2 * w.pw < span_w)
    fail(op, "the window does not fit the input " + to_string(x_shape) + " with " + geometry, site);
  w.oh = out_size(h, span_h, w.sh, w.ph, ceil_mode);
  w.ow = out_size(wd, span_w, w.sw, w.pw, ceil_mode);
  return w;
}

kernels::Window pool_window(const char* op, const Shape& x_shape, Size2 kernel, Size2 stride, Size2 padding,
                            const Site& site, bool ceil_mode, Size2 dilation) {
  if (stride.h == 0 && stride.w == 0) stride = kernel;
  const kernels::Window w = window(op, x_shape, kernel, stride, padding, site, dilation, ceil_mode);
  if (2 * w.ph > w.kh || 2 * w.pw > w.kw)
    fail(op,
         "padding (" + std::to_string(w.ph) + ", " + std::to_string(w.pw) +
             ") must be at most half the kernel (" + std::to_string(w.kh) + ", " + std::to_string(w.kw) + ")",
         site);
  // Dilated taps may step over a short image: each window needs one inside.
  auto all_see_the_image = [](std::size_t out, std::size_t n, std::size_t k, std::size_t s, std::size_t p,
                              std::size_t d) {
    for (std::size_t o = 0; o < out; ++o) {
      bool seen = false;
      for (std::size_t i = 0; i < k && !seen; ++i) seen = o * s + i * d >= p && o * s + i * d < n + p;
      if (!seen) return false;
    }
    return true;
  };
  if ((w.dh > 1 || w.dw > 1) && (!all_see_the_image(w.oh, x_shape[2], w.kh, w.sh, w.ph, w.dh) ||
                                 !all_see_the_image(w.ow, x_shape[3], w.kw, w.sw, w.pw, w.dw)))
    fail(op,
         "a window of kernel (" + std::to_string(w.kh) + ", " + std::to_string(w.kw) + "), dilation (" +
             std::to_string(w.dh) + ", " + std::to_string(w.dw) + ") sees padding only on input " +
             to_string(x_shape),
         site);
  return w;
}
}  // namespace detail

}  // namespace tsumiki
