// im2col and col2im: hand-written loops (Caffe's layout). For each channel c and tap (i, j) the column row
// (c*kh + i)*kw + j lists the input at that tap for every output position, so a convolution is one matrix
// product per image and no transposes. Rows are walked by output row: the input row is fixed, the output
// columns whose tap falls inside the image form one range (a memcpy when the stride is 1), the rest is
// padding.
#include <algorithm>
#include <cstring>

#include "kernels.hpp"
#include "loops.hpp"
#include "parallel.hpp"

namespace tsumiki::kernels {
namespace {

// Calls f(col_at, x_at, range, shift) for every (image, channel, tap, output row): col_at is the flat offset
// of that ow-long piece of the column matrix, x_at the offset of the input row it reads (-1 when the row is
// in the padding), and output column ow in `range` reads x[x_at + ow*sw + shift].
// A plane (image, channel) reads and writes only its own rows of both, so planes run in parallel chunks.
template <class F>
void for_each_tap_row(const Shape& xs, const Window& w, F&& f) {
  const std::size_t n = xs[0], c = xs[1], h = xs[2], wd = xs[3];
  const std::size_t p = w.oh * w.ow;
  const std::size_t grain = std::max<std::size_t>(1, kElementwiseGrain / (w.kh * w.kw * p + 1));
  parallel_for(n * c, grain, [&](std::size_t plane0, std::size_t plane1) {
    for (std::size_t plane = plane0; plane < plane1; ++plane)
      for (std::size_t i = 0; i < w.kh; ++i)
        for (std::size_t j = 0; j < w.kw; ++j) {
          const std::size_t row = (plane * w.kh * w.kw + i * w.kw + j) * p;
          const ColumnRange r = inside_columns(wd, j, w);
          const auto shift = static_cast<std::ptrdiff_t>(j * w.dw) - static_cast<std::ptrdiff_t>(w.pw);
          for (std::size_t oh = 0; oh < w.oh; ++oh) {
            const auto ih =
                static_cast<std::ptrdiff_t>(oh * w.sh + i * w.dh) - static_cast<std::ptrdiff_t>(w.ph);
            const bool in = ih >= 0 && ih < static_cast<std::ptrdiff_t>(h);
            f(row + oh * w.ow,
              in ? static_cast<std::ptrdiff_t>(plane * h * wd) + ih * static_cast<std::ptrdiff_t>(wd) : -1, r,
              shift);
          }
        }
  });
}

template <class T>
void im2col_typed(const Tensor& x, const Window& w, Tensor& out) {
  T* col = out.data<T>();
  const T* src = x.data<T>();
  const std::size_t sw = w.sw, ow = w.ow;
  for_each_tap_row(
      x.shape(), w, [=](std::size_t col_at, std::ptrdiff_t x_at, ColumnRange r, std::ptrdiff_t shift) {
        T* dst = col + col_at;
        if (x_at < 0) {
          std::fill_n(dst, ow, T(0));
          return;
        }
        std::fill_n(dst, r.lo, T(0));
        if (r.hi > r.lo) {
          const T* in =
              src + (x_at + shift + static_cast<std::ptrdiff_t>(r.lo * sw));  // the first tap inside
          if (sw == 1)
            std::memcpy(dst + r.lo, in, (r.hi - r.lo) * sizeof(T));
          else
            for (std::size_t o = 0; o < r.hi - r.lo; ++o) dst[r.lo + o] = in[o * sw];
        }
        std::fill_n(dst + r.hi, ow - r.hi, T(0));
      });
}

template <class T>
void col2im_typed(const Tensor& col, const Window& w, Tensor& out) {
  const T* src = col.data<T>();
  T* x = out.data<T>();
  const std::size_t sw = w.sw;
  for_each_tap_row(out.shape(), w,
                   [=](std::size_t col_at, std::ptrdiff_t x_at, ColumnRange r, std::ptrdiff_t shift) {
                     if (x_at < 0 || r.hi == r.lo) return;
                     const T* in = src + col_at + r.lo;
                     T* dst = x + (x_at + shift + static_cast<std::ptrdiff_t>(r.lo * sw));
                     for (std::size_t o = 0; o < r.hi - r.lo; ++o) dst[o * sw] += in[o];
                   });
}

}  // namespace

Tensor im2col(const Tensor& x, const Window& w) {
  const Shape& s = x.shape();
  return dispatch_floating(x.dtype(), "im2col", [&](auto t) {
    using T = decltype(t);
    Tensor out(Shape{s[0], s[1] * w.kh * w.kw, w.oh * w.ow}, x.dtype());
    im2col_typed<T>(x, w, out);
    return out;
  });
}

Tensor col2im(const Tensor& col, const Shape& x_shape, const Window& w) {
  return dispatch_floating(col.dtype(), "col2im", [&](auto t) {
    using T = decltype(t);
    Tensor out = zeros(x_shape, col.dtype());
    col2im_typed<T>(col, w, out);
    return out;
  });
}

}  // namespace tsumiki::kernels
