// Pooling composed: average pooling of im2col and a mean (or a sum and counts), adaptive average pooling of
// take and a sum, and max pooling with indices as take at the maxima (no backward of their own).
#include "pooling.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "../autograd/detail/checks.hpp"
#include "../autograd/detail/window.hpp"
#include "../autograd/ops.hpp"

namespace tsumiki {
inline namespace functional {

namespace {

// A float constant of x's dtype.
Variable constant_like(const std::vector<double>& values, const Shape& shape, const Variable& x) {
  return Variable(from_vector(values, shape).to(x.dtype()));
}

// The window's start and end along one axis of adaptive pooling: [floor(i*n/out), ceil((i+1)*n/out)).
std::size_t adaptive_start(std::size_t i, std::size_t n, std::size_t out) { return i * n / out; }
std::size_t adaptive_end(std::size_t i, std::size_t n, std::size_t out) {
  return ((i + 1) * n + out - 1) / out;
}

// y = take(flatten(x), indices): the values at flat indices into x, with take's derivative (a scatter to
// those places). Returns them with the indices made per plane (ih * W + iw), PyTorch's format.
std::pair<Variable, Tensor> gather_maxima(const Variable& x, const Tensor& indices, const Site& site) {
  Variable y = take(reshape(x, Shape{x.numel()}, site), indices, 0, site);
  // A new tensor: take's backward keeps `indices`.
  Tensor local(indices.shape(), Dtype::Int64);
  const std::size_t plane = x.shape()[2] * x.shape()[3];
  const std::size_t per_plane = indices.numel() / std::max<std::size_t>(1, x.shape()[0] * x.shape()[1]);
  const std::int64_t* idx = indices.data<std::int64_t>();
  std::int64_t* out = local.data<std::int64_t>();
  for (std::size_t k = 0; k < indices.numel(); ++k)
    out[k] = idx[k] - static_cast<std::int64_t>(k / per_plane * plane);
  return {y, std::move(local)};
}

// Flat index into x of the first maximum (a NaN wins) of each adaptive window, of shape (N, C, OH, OW).
template <class T>
Tensor adaptive_argmax(const Tensor& x, Size2 out) {
  const Shape& s = x.shape();
  const std::size_t planes = s[0] * s[1], h = s[2], w = s[3];
  Tensor indices(Shape{s[0], s[1], out.h, out.w}, Dtype::Int64);
  const T* src = x.data<T>();
  std::int64_t* idx = indices.data<std::int64_t>();
  for (std::size_t p = 0; p < planes; ++p)
    for (std::size_t i = 0; i < out.h; ++i)
      for (std::size_t j = 0; j < out.w; ++j) {
        const std::size_t i0 = adaptive_start(i, h, out.h), i1 = adaptive_end(i, h, out.h);
        const std::size_t j0 = adaptive_start(j, w, out.w), j1 = adaptive_end(j, w, out.w);
        std::size_t at = (p * h + i0) * w + j0;
        for (std::size_t r = i0; r < i1; ++r)
          for (std::size_t c = j0; c < j1; ++c) {
            const std::size_t k = (p * h + r) * w + c;
            const T v = src[k], best = src[at];
            if (v > best || (v != v && best == best)) at = k;  // NOLINT(misc-redundant-expression): isnan
          }
        *idx++ = static_cast<std::int64_t>(at);
      }
  return indices;
}

void check_output_size(const char* op, const Variable& x, Size2 output_size, const Site& site) {
  detail::check_floating(op, x, site);
  if (x.ndim() != 4) fail(op, "expected an input of shape (N, C, H, W), got " + to_string(x.shape()), site);
  if (output_size.h == 0 || output_size.w == 0 || x.shape()[2] == 0 || x.shape()[3] == 0)
    fail(op,
         "output size (" + std::to_string(output_size.h) + ", " + std::to_string(output_size.w) +
             ") and the input's height and width must be positive, got input " + to_string(x.shape()),
         site);
}

}  // namespace

// y = mean over the taps of each window: im2col viewed as (N, C, KH*KW, OH*OW), averaged over axis 2. When
// the windows differ in what they count (ceil_mode, or padding left out of the count), the sum over the
// taps times 1 / count, a constant per output position.
Variable avg_pool2d(const Variable& x, Size2 kernel, Size2 stride, Size2 padding, bool ceil_mode,
                    bool count_include_pad, const Site& site) {
  detail::check_floating("avg_pool2d", x, site);
  // The window's stride, not `stride`: pool_window resolves a zero stride to the kernel.
  const kernels::Window w =
      detail::pool_window("avg_pool2d", x.shape(), kernel, stride, padding, site, ceil_mode);
  const std::size_t n = x.shape()[0], c = x.shape()[1];
  const Variable col = reshape(detail::im2col(x, w, site), Shape{n, c, w.kh * w.kw, w.oh * w.ow}, site);
  if (!ceil_mode && count_include_pad)
    return reshape(mean(col, {2}, false, site), Shape{n, c, w.oh, w.ow}, site);
  // PyTorch's counts: a window is clipped to the padded image, and with count_include_pad = false to the
  // image itself.
  const auto h = static_cast<std::ptrdiff_t>(x.shape()[2]), wd = static_cast<std::ptrdiff_t>(x.shape()[3]);
  const auto ph = static_cast<std::ptrdiff_t>(w.ph), pw = static_cast<std::ptrdiff_t>(w.pw);
  auto count = [&](std::size_t o, std::size_t s, std::size_t k, std::ptrdiff_t pad, std::ptrdiff_t size) {
    const std::ptrdiff_t start = static_cast<std::ptrdiff_t>(o * s) - pad;
    const std::ptrdiff_t end = std::min(start + static_cast<std::ptrdiff_t>(k), size + pad);
    return count_include_pad ? end - start : std::min(end, size) - std::max<std::ptrdiff_t>(start, 0);
  };
  std::vector<double> inverse(w.oh * w.ow);
  for (std::size_t i = 0; i < w.oh; ++i)
    for (std::size_t j = 0; j < w.ow; ++j)
      inverse[i * w.ow + j] =
          1.0 / static_cast<double>(count(i, w.sh, w.kh, ph, h) * count(j, w.sw, w.kw, pw, wd));
  const Variable y = mul(sum(col, {2}, false, site), constant_like(inverse, Shape{w.oh * w.ow}, x), site);
  return reshape(y, Shape{n, c, w.oh, w.ow}, site);
}

std::pair<Variable, Tensor> max_pool2d_with_indices(const Variable& x, Size2 kernel, Size2 stride,
                                                    Size2 padding, Size2 dilation, bool ceil_mode,
                                                    const Site& site) {
  detail::check_floating("max_pool2d_with_indices", x, site);
  const kernels::Window w = detail::pool_window("max_pool2d_with_indices", x.shape(), kernel, stride, padding,
                                                site, ceil_mode, dilation);
  Tensor indices;
  kernels::max_pool2d(x.data(), w, indices);  // the same maxima as max_pool2d's (first maximum, NaN wins)
  return gather_maxima(x, indices, site);
}

// Windows that tile the image evenly are avg_pool2d's (im2col and a mean). Otherwise each output gathers
// its window's pixels with take from the image flattened per plane, with one zero appended that pads the
// smaller windows to the largest, sums them and scales by 1 / its count. (Two averaging matrices,
// A_H x A_W^T, would be shorter, but their zeros would turn one infinite pixel into NaN everywhere.)
Variable adaptive_avg_pool2d(const Variable& x, Size2 output_size, const Site& site) {
  check_output_size("adaptive_avg_pool2d", x, output_size, site);
  const std::size_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
  const std::size_t oh = output_size.h, ow = output_size.w;
  if (h % oh == 0 && w % ow == 0) {
    const Size2 k{h / oh, w / ow};
    return avg_pool2d(x, k, k, 0, false, true, site);
  }
  auto extent = [](std::size_t len, std::size_t out) {  // the largest window along an axis
    std::size_t most = 0;
    for (std::size_t i = 0; i < out; ++i)
      most = std::max(most, adaptive_end(i, len, out) - adaptive_start(i, len, out));
    return most;
  };
  const std::size_t kh = extent(h, oh), kw = extent(w, ow), taps = kh * kw, zero = h * w;
  std::vector<std::int64_t> idx(oh * ow * taps, static_cast<std::int64_t>(zero));
  std::vector<double> inverse(oh * ow);
  for (std::size_t i = 0; i < oh; ++i)
    for (std::size_t j = 0; j < ow; ++j) {
      const std::size_t i0 = adaptive_start(i, h, oh), i1 = adaptive_end(i, h, oh);
      const std::size_t j0 = adaptive_start(j, w, ow), j1 = adaptive_end(j, w, ow);
      std::int64_t* at = idx.data() + (i * ow + j) * taps;
      for (std::size_t r = i0; r < i1; ++r)
        for (std::size_t q = j0; q < j1; ++q) *at++ = static_cast<std::int64_t>(r * w + q);
      inverse[i * ow + j] = 1.0 / static_cast<double>((i1 - i0) * (j1 - j0));
    }
  const Variable flat = reshape(x, Shape{n, c, zero}, site);
  const Variable padded =
      concat({flat, Variable(zeros(Shape{n, c, 1}, x.dtype()))}, 2, site);  // index `zero` reads 0
  const Variable taken = take(padded, from_vector(idx, Shape{oh * ow, taps}), 2, site);  // (N, C, P, taps)
  const Variable y = mul(sum(taken, {3}, false, site), constant_like(inverse, Shape{oh * ow}, x), site);
  return reshape(y, Shape{n, c, oh, ow}, site);
}

std::pair<Variable, Tensor> adaptive_max_pool2d_with_indices(const Variable& x, Size2 output_size,
                                                             const Site& site) {
  check_output_size("adaptive_max_pool2d", x, output_size, site);
  Tensor indices = x.dtype() == Dtype::Float32 ? adaptive_argmax<float>(x.data(), output_size)
                                               : adaptive_argmax<double>(x.data(), output_size);
  return gather_maxima(x, indices, site);
}

// y = take(flatten(x), i) with i the first maximum of each window: take's derivative sends the gradient
// there.
Variable adaptive_max_pool2d(const Variable& x, Size2 output_size, const Site& site) {
  return adaptive_max_pool2d_with_indices(x, output_size, site).first;
}

}  // namespace functional
}  // namespace tsumiki
