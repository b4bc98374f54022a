// Max pooling with the positions of the maxima, and the flat scatter-add that is its adjoint.
// (The memory pool lives in pool.cpp; this file is about pooling windows.)
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "kernels.hpp"
#include "loops.hpp"
#include "parallel.hpp"

namespace tsumiki::kernels {
namespace {

// c ? a : b by masks: the compiler turns a ?: on floats into a branch, and a data-dependent branch here
// mispredicts about half the time.
template <class T>
T select(bool c, T a, T b) {
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  U ua, ub;
  std::memcpy(&ua, &a, sizeof(T));
  std::memcpy(&ub, &b, sizeof(T));
  const U m = U(0) - static_cast<U>(c);
  const U r = (ua & m) | (ub & ~m);
  T out;
  std::memcpy(&out, &r, sizeof(T));
  return out;
}

inline std::uint32_t select_bits(bool c, std::uint32_t a, std::uint32_t b) {
  const std::uint32_t m = 0U - static_cast<std::uint32_t>(c);
  return (a & m) | (b & ~m);
}

// Walks each output row tap by tap, keeping the running maximum of every output column in a small buffer:
// the columns are independent, so the comparisons pipeline (one window at a time is a chain of dependent
// compare-and-select steps, several times slower).
template <class T>
void max_pool_typed(const Tensor& x, const Window& w, Tensor& out, Tensor& indices) {
  const Shape& s = x.shape();
  const std::size_t planes = s[0] * s[1], h = s[2], wd = s[3];
  const T* src = x.data<T>();
  T* dst = out.data<T>();
  std::int64_t* idx = indices.data<std::int64_t>();
  std::vector<ColumnRange> cols(w.kw);
  for (std::size_t j = 0; j < w.kw; ++j) cols[j] = inside_columns(wd, j, w);
  // Planes are independent: chunks of them run on parallel_for's threads, each with its own buffers.
  const std::size_t grain = std::max<std::size_t>(1, kElementwiseGrain / (h * wd + 1));
  parallel_for(planes, grain, [&](std::size_t p0, std::size_t p1) {
    std::vector<T> best(w.ow);
    std::vector<std::ptrdiff_t> at(w.ow);
    for (std::size_t p = p0; p < p1; ++p) {
      const auto base = static_cast<std::ptrdiff_t>(p * h * wd);
      for (std::size_t oh = 0; oh < w.oh; ++oh) {
        // Rows of the window inside the image; padding <= kernel / 2, so every window has a pixel.
        const auto top = static_cast<std::ptrdiff_t>(oh * w.sh) - static_cast<std::ptrdiff_t>(w.ph);
        const std::ptrdiff_t i0 = top < 0 ? 0 : top;
        const std::ptrdiff_t i1 = std::min<std::ptrdiff_t>(top + static_cast<std::ptrdiff_t>(w.kh), h);
        for (std::size_t ow = 0; ow < w.ow; ++ow) {  // start from the window's first pixel
          const auto left = static_cast<std::ptrdiff_t>(ow * w.sw) - static_cast<std::ptrdiff_t>(w.pw);
          at[ow] = base + i0 * static_cast<std::ptrdiff_t>(wd) + (left < 0 ? 0 : left);
          best[ow] = src[at[ow]];
        }
        for (std::ptrdiff_t i = i0; i < i1; ++i) {
          const std::ptrdiff_t row = base + i * static_cast<std::ptrdiff_t>(wd);
          for (std::size_t j = 0; j < w.kw; ++j) {
            const std::ptrdiff_t shift =
                row + static_cast<std::ptrdiff_t>(j) - static_cast<std::ptrdiff_t>(w.pw);
            for (std::size_t ow = cols[j].lo; ow < cols[j].hi; ++ow) {
              const std::ptrdiff_t pos = shift + static_cast<std::ptrdiff_t>(ow * w.sw);
              const T v = src[pos];
              // The first maximum wins; a NaN wins and stays. `|`, not `||`: no branch.
              const bool take =
                  (v > best[ow]) | (v != v);  // NOLINT(misc-redundant-expression): v != v is isnan
              best[ow] = select(take, v, best[ow]);
              at[ow] = select(take, pos, at[ow]);
            }
          }
        }
        const std::size_t o = (p * w.oh + oh) * w.ow;
        for (std::size_t ow = 0; ow < w.ow; ++ow) {
          dst[o + ow] = best[ow];
          idx[o + ow] = at[ow];
        }
      }
    }
  });
}

// The common 2x2 window with stride 2 and no padding. Per output row, a first loop finds each window's
// maximum and which of its four taps holds it (0..3, in the general walk's order, so ties and NaNs resolve
// the same way); a second turns the tap into a flat index. Both loops are branch-free and the compiler
// vectorises them.
template <class T>
void max_pool_2x2(const Tensor& x, const Window& w, Tensor& out, Tensor& indices) {
  const Shape& s = x.shape();
  const std::size_t planes = s[0] * s[1], h = s[2];
  const auto wd = static_cast<std::int64_t>(s[3]);
  const T* src = x.data<T>();
  T* dst = out.data<T>();
  std::int64_t* idx = indices.data<std::int64_t>();
  const std::size_t grain = std::max<std::size_t>(1, kElementwiseGrain / (h * s[3] + 1));
  // The window sizes as locals: read through `w` inside the loops they could alias the stores, and the
  // compiler would not vectorise loops whose trip count it cannot fix.
  const std::size_t out_h = w.oh, out_w = w.ow;
  parallel_for(planes, grain, [&, out_h, out_w, wd](std::size_t p0, std::size_t p1) {
    std::vector<std::uint8_t> taps(out_w);
    std::uint8_t* tap = taps.data();
    for (std::size_t p = p0; p < p1; ++p)
      for (std::size_t oh = 0; oh < out_h; ++oh) {
        const auto top = static_cast<std::int64_t>(p * h + 2 * oh) * wd;
        const T* r0 = src + top;
        const T* r1 = r0 + wd;
        T* o = dst + (p * out_h + oh) * out_w;
        for (std::size_t ow = 0; ow < out_w; ++ow) {
          const T a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
          // A later tap replaces the maximum so far when larger or NaN. `|`, not `||`, and selects by
          // masks: no branch (GCC turns ?: on floats into branches that a random image mispredicts).
          const bool tb = (b > a) | (b != b);  // NOLINT(misc-redundant-expression): b != b is isnan
          T m = select(tb, b, a);
          std::uint32_t k = tb;
          const bool tc = (c > m) | (c != c);  // NOLINT(misc-redundant-expression)
          m = select(tc, c, m);
          k = select_bits(tc, 2U, k);
          const bool td = (d > m) | (d != d);  // NOLINT(misc-redundant-expression)
          o[ow] = select(td, d, m);
          tap[ow] = static_cast<std::uint8_t>(select_bits(td, 3U, k));
        }
        std::int64_t* io = idx + (p * out_h + oh) * out_w;
        // An int64 store may alias a size_t: the trip count is copied to a local that nothing points to.
        const std::size_t n = out_w;
        for (std::size_t ow = 0; ow < n; ++ow)  // tap k sits at row k / 2, column k % 2 of the window
          io[ow] = top + static_cast<std::int64_t>(2 * ow) + (tap[ow] & 1) + (tap[ow] >> 1) * wd;
      }
  });
}

// Dilated windows (rare): one window at a time, taps d apart, skipping those in the padding. The first tap
// inside starts the maximum; a later one replaces it when larger or NaN, as in the walks above.
template <class T>
void max_pool_dilated(const Tensor& x, const Window& w, Tensor& out, Tensor& indices) {
  const Shape& s = x.shape();
  const std::size_t planes = s[0] * s[1];
  const auto h = static_cast<std::ptrdiff_t>(s[2]), wd = static_cast<std::ptrdiff_t>(s[3]);
  const T* src = x.data<T>();
  T* dst = out.data<T>();
  std::int64_t* idx = indices.data<std::int64_t>();
  const std::size_t grain = std::max<std::size_t>(1, kElementwiseGrain / (s[2] * s[3] + 1));
  parallel_for(planes, grain, [&](std::size_t p0, std::size_t p1) {
    for (std::size_t p = p0; p < p1; ++p)
      for (std::size_t oh = 0; oh < w.oh; ++oh)
        for (std::size_t ow = 0; ow < w.ow; ++ow) {
          const auto top = static_cast<std::ptrdiff_t>(oh * w.sh) - static_cast<std::ptrdiff_t>(w.ph);
          const auto left = static_cast<std::ptrdiff_t>(ow * w.sw) - static_cast<std::ptrdiff_t>(w.pw);
          std::ptrdiff_t at = -1;
          T best = T(0);
          for (std::size_t i = 0; i < w.kh; ++i) {
            const std::ptrdiff_t r = top + static_cast<std::ptrdiff_t>(i * w.dh);
            if (r < 0 || r >= h) continue;
            for (std::size_t j = 0; j < w.kw; ++j) {
              const std::ptrdiff_t c = left + static_cast<std::ptrdiff_t>(j * w.dw);
              if (c < 0 || c >= wd) continue;
              const std::ptrdiff_t pos = (static_cast<std::ptrdiff_t>(p) * h + r) * wd + c;
              const T v = src[pos];
              if (at < 0 || v > best || (v != v && best == best)) {  // NOLINT(misc-redundant-expression)
                best = v;
                at = pos;
              }
            }
          }
          const std::size_t o = (p * w.oh + oh) * w.ow + ow;
          assert(at >= 0);  // pool_window refuses a window with no tap inside
          dst[o] = best;
          idx[o] = at;
        }
  });
}
}  // namespace

Tensor max_pool2d(const Tensor& x, const Window& w, Tensor& indices) {
  const Shape shape{x.shape()[0], x.shape()[1], w.oh, w.ow};
  indices = Tensor(shape, Dtype::Int64);
  return dispatch_floating(x.dtype(), "max_pool2d", [&](auto t) {
    using T = decltype(t);
    Tensor out(shape, x.dtype());
    // (ceil_mode may add a last window that overhangs the image: the general walk clips it)
    const bool two_by_two = w.kh == 2 && w.kw == 2 && w.sh == 2 && w.sw == 2 && w.ph == 0 && w.pw == 0 &&
                            w.dh == 1 && w.dw == 1 && 2 * w.oh <= x.shape()[2] && 2 * w.ow <= x.shape()[3];
    if (two_by_two)
      max_pool_2x2<T>(x, w, out, indices);
    else if (w.dh != 1 || w.dw != 1)
      max_pool_dilated<T>(x, w, out, indices);
    else
      max_pool_typed<T>(x, w, out, indices);
    return out;
  });
}

Tensor scatter_add_flat(const Tensor& g, const Tensor& indices, const Shape& shape) {
  return dispatch_floating(g.dtype(), "scatter_add_flat", [&](auto t) {
    using T = decltype(t);
    Tensor out(shape, g.dtype());
    const T* src = g.data<T>();
    const std::int64_t* idx = indices.data<std::int64_t>();
    T* dst = out.data<T>();
    // Max pooling's indices: those of plane (n, c) of g fall in plane (n, c) of the output, so each chunk of
    // planes zeroes and fills its own part, in one pass and in parallel.
    const std::size_t planes = shape.size() == 4 ? shape[0] * shape[1] : 1;
    const std::size_t in_plane = g.numel() / std::max<std::size_t>(1, planes);
    const std::size_t out_plane = out.numel() / std::max<std::size_t>(1, planes);
    parallel_for(planes, std::max<std::size_t>(1, kElementwiseGrain / (out_plane + 1)),
                 [&](std::size_t p0, std::size_t p1) {
                   std::fill(dst + p0 * out_plane, dst + p1 * out_plane, T(0));
                   for (std::size_t i = p0 * in_plane; i < p1 * in_plane; ++i) {
                     assert(idx[i] >= static_cast<std::int64_t>(p0 * out_plane) &&
                            idx[i] < static_cast<std::int64_t>(p1 * out_plane));
                     dst[idx[i]] += src[i];
                   }
                 });
    return out;
  });
}

}  // namespace tsumiki::kernels
