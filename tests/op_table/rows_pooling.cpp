// Rows for autograd/ops/pooling.cpp: max_pool2d and its backward, against direct loops over the windows;
// the composites of functional/pooling.cpp (avg_pool2d, max_pool2d_with_indices, the adaptive poolings) share
// the cases, so their rows are here too.
#include <cmath>
#include <string>
#include <tuple>
#include <utility>
#include <vector>
#include <xtensor/xbuilder.hpp>

#include "op_table.hpp"

namespace op_table {
namespace {

// Max (padding never wins) or mean (padding counts as 0) of each window; `argmax` receives the flat index of
// each maximum in x.
XA ref_pool(const XA& x, const Geom& g, bool is_max, std::vector<std::size_t>* argmax = nullptr) {
  const auto xs = xshape(x);
  const std::size_t oh = out_size(xs[2], g.kh, g.sh, g.ph), ow = out_size(xs[3], g.kw, g.sw, g.pw);
  XA y = XA::from_shape({xs[0], xs[1], oh, ow});
  y.fill(is_max ? -INFINITY : 0.0);
  std::vector<std::size_t> at(y.size(), 0);
  for_each_tap(xs, g, [&](auto n, auto c, auto r, auto q, auto, auto, auto ih, auto iw) {
    const std::size_t o = ((n * xs[1] + c) * oh + r) * ow + q;
    const bool inside = ih >= 0 && iw >= 0 && ih < static_cast<std::ptrdiff_t>(xs[2]) &&
                        iw < static_cast<std::ptrdiff_t>(xs[3]);
    if (!is_max) {
      y.data()[o] += pixel(x, n, c, ih, iw) / static_cast<double>(g.kh * g.kw);
    } else if (inside && pixel(x, n, c, ih, iw) > y.data()[o]) {
      y.data()[o] = pixel(x, n, c, ih, iw);
      at[o] = ((n * xs[1] + c) * xs[2] + static_cast<std::size_t>(ih)) * xs[3] + static_cast<std::size_t>(iw);
    }
  });
  if (argmax) *argmax = at;
  return y;
}

// f(x, w) = d/dx sum(w * max_pool2d(x)^2): runs max_pool2d_backward forward, and differentiates it.
ts::Fn max_pool2d_backward_fn(ts::Size2 k, ts::Size2 s, ts::Size2 p) {
  return [k, s, p](const Inputs& x) {
    ts::EnableGradGuard recording;
    Variable y = ts::max_pool2d(x[0], k, s, p);
    return ts::grad(ts::sum(y * y * x[1]), x[0], create_graph());
  };
}

// ---- ceil_mode, count_include_pad and adaptive windows: each output's window as row and column ranges ----
struct Span {
  std::ptrdiff_t lo, hi;  // [lo, hi) in input coordinates, possibly outside the image
};

// PyTorch's pooling output size: rounded down, or up with ceil_mode, where a last window must start inside
// the image or its leading padding.
std::size_t pool_out(std::size_t n, std::size_t k, std::size_t s, std::size_t p, bool ceil_mode) {
  const std::size_t room = n + 2 * p - k;
  std::size_t out = (ceil_mode ? (room + s - 1) / s : room / s) + 1;
  if (ceil_mode && (out - 1) * s >= n + p) --out;
  return out;
}

// Reduces each window of every plane: f(values inside the image, the window's rows, its columns) -> output.
template <class F>
XA pool_windows(const XA& x, const std::vector<Span>& rows, const std::vector<Span>& cols, F&& f) {
  const auto xs = xshape(x);
  XA y = XA::from_shape({xs[0], xs[1], rows.size(), cols.size()});
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t c = 0; c < xs[1]; ++c)
      for (std::size_t r = 0; r < rows.size(); ++r)
        for (std::size_t q = 0; q < cols.size(); ++q) {
          std::vector<std::pair<double, std::size_t>> inside;  // value, flat index in the plane
          for (std::ptrdiff_t i = rows[r].lo; i < rows[r].hi; ++i)
            for (std::ptrdiff_t j = cols[q].lo; j < cols[q].hi; ++j)
              if (i >= 0 && j >= 0 && i < static_cast<std::ptrdiff_t>(xs[2]) &&
                  j < static_cast<std::ptrdiff_t>(xs[3]))
                inside.emplace_back(x(n, c, static_cast<std::size_t>(i), static_cast<std::size_t>(j)),
                                    static_cast<std::size_t>(i) * xs[3] + static_cast<std::size_t>(j));
          y(n, c, r, q) = f(inside, rows[r], cols[q]);
        }
  return y;
}

std::vector<Span> strided_spans(std::size_t n, std::size_t k, std::size_t s, std::size_t p, bool ceil_mode) {
  std::vector<Span> spans;
  for (std::size_t o = 0; o < pool_out(n, k, s, p, ceil_mode); ++o) {
    const auto lo = static_cast<std::ptrdiff_t>(o * s) - static_cast<std::ptrdiff_t>(p);
    spans.push_back({lo, lo + static_cast<std::ptrdiff_t>(k)});
  }
  return spans;
}

std::vector<Span> adaptive_spans(std::size_t n, std::size_t out) {
  std::vector<Span> spans;
  for (std::size_t i = 0; i < out; ++i)
    spans.push_back({static_cast<std::ptrdiff_t>(i * n / out),
                     static_cast<std::ptrdiff_t>(((i + 1) * n + out - 1) / out)});
  return spans;
}

double max_of(const std::vector<std::pair<double, std::size_t>>& v) {
  double m = -INFINITY;
  for (const auto& e : v) m = std::max(m, e.first);
  return m;
}

double argmax_of(const std::vector<std::pair<double, std::size_t>>& v) {
  std::size_t at = v[0].second;
  double m = v[0].first;
  for (const auto& e : v)
    if (e.first > m) m = e.first, at = e.second;
  return static_cast<double>(at);
}

double sum_of(const std::vector<std::pair<double, std::size_t>>& v) {
  double s = 0;
  for (const auto& e : v) s += e.first;
  return s;
}

// avg_pool2d with PyTorch's divisor: the window clipped to the padded image (count_include_pad) or to the
// image.
XA ref_avg_pool(const XA& x, const Geom& g, bool ceil_mode, bool count_include_pad) {
  const auto xs = xshape(x);
  const auto h = static_cast<std::ptrdiff_t>(xs[2]), w = static_cast<std::ptrdiff_t>(xs[3]);
  const auto ph = static_cast<std::ptrdiff_t>(g.ph), pw = static_cast<std::ptrdiff_t>(g.pw);
  return pool_windows(
      x, strided_spans(xs[2], g.kh, g.sh, g.ph, ceil_mode), strided_spans(xs[3], g.kw, g.sw, g.pw, ceil_mode),
      [&](const auto& inside, Span r, Span q) {
        const double count =
            count_include_pad
                ? static_cast<double>((std::min(r.hi, h + ph) - r.lo) * (std::min(q.hi, w + pw) - q.lo))
                : static_cast<double>(inside.size());
        return sum_of(inside) / count;
      });
}

// Max pooling with taps d apart: the maximum over the taps inside, written as its own loop.
XA ref_max_pool_dilated(const XA& x, const Geom& g, std::size_t dh, std::size_t dw, bool ceil_mode) {
  const auto xs = xshape(x);
  const std::size_t oh = pool_out(xs[2], dh * (g.kh - 1) + 1, g.sh, g.ph, ceil_mode);
  const std::size_t ow = pool_out(xs[3], dw * (g.kw - 1) + 1, g.sw, g.pw, ceil_mode);
  XA y = XA::from_shape({xs[0], xs[1], oh, ow});
  y.fill(-INFINITY);
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t c = 0; c < xs[1]; ++c)
      for (std::size_t r = 0; r < oh; ++r)
        for (std::size_t q = 0; q < ow; ++q)
          for (std::size_t i = 0; i < g.kh; ++i)
            for (std::size_t j = 0; j < g.kw; ++j) {
              const auto ih =
                  static_cast<std::ptrdiff_t>(r * g.sh + i * dh) - static_cast<std::ptrdiff_t>(g.ph);
              const auto iw =
                  static_cast<std::ptrdiff_t>(q * g.sw + j * dw) - static_cast<std::ptrdiff_t>(g.pw);
              if (ih >= 0 && iw >= 0 && ih < static_cast<std::ptrdiff_t>(xs[2]) &&
                  iw < static_cast<std::ptrdiff_t>(xs[3]))
                y(n, c, r, q) = std::max(y(n, c, r, q),
                                         x(n, c, static_cast<std::size_t>(ih), static_cast<std::size_t>(iw)));
            }
  return y;
}

XA ref_max_pool(const XA& x, const Geom& g, bool ceil_mode) {
  const auto xs = xshape(x);
  return pool_windows(x, strided_spans(xs[2], g.kh, g.sh, g.ph, ceil_mode),
                      strided_spans(xs[3], g.kw, g.sw, g.pw, ceil_mode),
                      [](const auto& inside, Span, Span) { return max_of(inside); });
}

}  // namespace

std::vector<Row> pooling_rows() {
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };
  // Max pooling: all values distinct, so no ties.
  const std::vector<WindowCase> pools = {{"k2_s2", Shape{2, 2, 4, 4}, {2, 2, 2, 2, 0, 0}},
                                         {"k3_s2_p1", Shape{1, 2, 5, 5}, {3, 3, 2, 2, 1, 1}},
                                         {"k2_s1_overlapping", Shape{1, 1, 4, 3}, {2, 2, 1, 1, 0, 0}},
                                         {"k2x3_s2x1_p1x1_odd", Shape{1, 1, 5, 4}, {2, 3, 2, 1, 1, 1}}};
  for (const auto& c : pools) {
    const Geom g = c.g;
    const ts::Size2 k{g.kh, g.kw}, s{g.sh, g.sw}, p{g.ph, g.pw};
    add(distinct(unary(
        "max_pool2d", c.label, c.x, U(-2, 2),
        [k, s, p](const Variable& x) { return ts::max_pool2d(x, k, s, p); },
        [g](const XA& a) -> XA { return ref_pool(a, g, true); })));
    add(unary(
        "avg_pool2d", c.label, c.x, U(-2, 2),
        [k, s, p](const Variable& x) { return ts::avg_pool2d(x, k, s, p); },
        [g](const XA& a) -> XA { return ref_pool(a, g, false); }));
    const std::size_t oh = out_size(c.x[2], g.kh, g.sh, g.ph), ow = out_size(c.x[3], g.kw, g.sw, g.pw);
    add({.op = "max_pool2d_backward",
         .label = std::string("via_grad_") + c.label,
         .fn = max_pool2d_backward_fn(k, s, p),
         .shapes = {c.x, Shape{c.x[0], c.x[1], oh, ow}},
         .domains = {U(-2, 2)},
         .ref = [g](const Refs& a) -> XA {  // 2 w y scattered to the maxima (overlapping windows add up)
           std::vector<std::size_t> at;
           const XA y = ref_pool(a[0], g, true, &at);
           XA gx = xt::zeros<double>(xshape(a[0]));
           for (std::size_t o = 0; o < y.size(); ++o) gx.data()[at[o]] += 2 * a[1].data()[o] * y.data()[o];
           return gx;
         },
         .distinct = true});
  }
  add(distinct(unary(
      "max_pool2d", "default_stride_is_kernel", Shape{1, 3, 4, 6}, U(-2, 2),
      [](const Variable& x) { return ts::max_pool2d(x, 2); },
      [](const XA& a) -> XA {
        return ref_pool(a, {2, 2, 2, 2, 0, 0}, true);
      })));
  // ---- ceil_mode and count_include_pad ----
  struct PoolCase {
    const char* label;
    Shape x;
    Geom g;
    bool ceil_mode, count_include_pad;
  };
  const std::vector<PoolCase> options = {
      {"ceil_k2_s2_odd", Shape{1, 2, 5, 5}, {2, 2, 2, 2, 0, 0}, true, true},
      {"ceil_k3_s2_p1", Shape{2, 1, 6, 7}, {3, 3, 2, 2, 1, 1}, true, true},
      {"ceil_k3x2_s2x3_p1x0_exclude_pad", Shape{1, 2, 6, 7}, {3, 2, 2, 3, 1, 0}, true, false},
      {"ceil_drops_window_in_padding", Shape{1, 1, 5, 5}, {2, 2, 2, 2, 1, 1}, true, true},
      {"exclude_pad_k3_s1_p1", Shape{1, 2, 4, 5}, {3, 3, 1, 1, 1, 1}, false, false},
      {"exclude_pad_k2x3_s2_p1", Shape{2, 1, 5, 4}, {2, 3, 2, 2, 1, 1}, false, false},
  };
  for (const PoolCase& c : options) {
    const Geom g = c.g;
    const ts::Size2 k{g.kh, g.kw}, s{g.sh, g.sw}, p{g.ph, g.pw};
    const bool ceil_mode = c.ceil_mode, include = c.count_include_pad;
    add(unary(
        "avg_pool2d", c.label, c.x, U(-2, 2),
        [=](const Variable& x) { return ts::avg_pool2d(x, k, s, p, ceil_mode, include); },
        [=](const XA& a) -> XA { return ref_avg_pool(a, g, ceil_mode, include); }));
    if (!include) continue;  // max pooling has no count
    add(distinct(unary(
        "max_pool2d", c.label, c.x, U(-2, 2),
        [=](const Variable& x) { return ts::max_pool2d(x, k, s, p, 1, ceil_mode); },
        [=](const XA& a) -> XA { return ref_max_pool(a, g, ceil_mode); })));
    add(distinct(unary(
        "max_pool2d_with_indices", c.label, c.x, U(-2, 2),
        [=](const Variable& x) { return ts::max_pool2d_with_indices(x, k, s, p, 1, ceil_mode).first; },
        [=](const XA& a) -> XA { return ref_max_pool(a, g, ceil_mode); })));
    const std::size_t oh = pool_out(c.x[2], g.kh, g.sh, g.ph, ceil_mode),
                      ow = pool_out(c.x[3], g.kw, g.sw, g.pw, ceil_mode);
    add({.op = "max_pool2d_backward",
         .label = std::string("via_grad_") + c.label,
         .fn =
             [=](const Inputs& x) {
               ts::EnableGradGuard recording;
               Variable y = ts::max_pool2d(x[0], k, s, p, 1, ceil_mode);
               return ts::grad(ts::sum(y * y * x[1]), x[0], create_graph());
             },
         .shapes = {c.x, Shape{c.x[0], c.x[1], oh, ow}},
         .domains = {U(-2, 2)},
         .ref = [=](const Refs& a) -> XA {  // 2 w y scattered to the maxima
           const auto xs = xshape(a[0]);
           const XA at = pool_windows(a[0], strided_spans(xs[2], g.kh, g.sh, g.ph, ceil_mode),
                                      strided_spans(xs[3], g.kw, g.sw, g.pw, ceil_mode),
                                      [](const auto& inside, Span, Span) { return argmax_of(inside); });
           const XA y = ref_max_pool(a[0], g, ceil_mode);
           XA gx = xt::zeros<double>(xs);
           const std::size_t plane = xs[2] * xs[3], per_plane = at.size() / (xs[0] * xs[1]);
           for (std::size_t o = 0; o < y.size(); ++o)
             gx.data()[o / per_plane * plane + static_cast<std::size_t>(at.data()[o])] +=
                 2 * a[1].data()[o] * y.data()[o];
           return gx;
         },
         .distinct = true});
  }
  // ---- dilated max pooling (its own kernel walk) ----
  const std::vector<std::tuple<const char*, Shape, Geom, ts::Size2, bool>> dilated = {
      {"dilation2_k3_s1", Shape{1, 2, 6, 7}, {3, 3, 1, 1, 0, 0}, {2, 2}, false},
      {"dilation2x3_k2_s2_p1_ceil", Shape{2, 1, 7, 8}, {2, 2, 2, 2, 1, 1}, {2, 3}, true}};
  for (const auto& [label, xs, geom, dil, ceil] : dilated) {
    const Geom g = geom;
    const ts::Size2 k{g.kh, g.kw}, s{g.sh, g.sw}, p{g.ph, g.pw}, d = dil;
    const bool ceil_mode = ceil;
    add(distinct(unary(
        "max_pool2d", label, xs, U(-2, 2),
        [=](const Variable& x) { return ts::max_pool2d(x, k, s, p, d, ceil_mode); },
        [=](const XA& a) -> XA { return ref_max_pool_dilated(a, g, d.h, d.w, ceil_mode); })));
    add(distinct(unary(
        "max_pool2d_with_indices", label, xs, U(-2, 2),
        [=](const Variable& x) { return ts::max_pool2d_with_indices(x, k, s, p, d, ceil_mode).first; },
        [=](const XA& a) -> XA { return ref_max_pool_dilated(a, g, d.h, d.w, ceil_mode); })));
    const std::size_t oh = pool_out(xs[2], d.h * (g.kh - 1) + 1, g.sh, g.ph, ceil_mode),
                      ow = pool_out(xs[3], d.w * (g.kw - 1) + 1, g.sw, g.pw, ceil_mode);
    add({.op = "max_pool2d_backward",
         .label = std::string("via_grad_") + label,
         .fn =
             [=](const Inputs& x) {
               ts::EnableGradGuard recording;
               Variable y = ts::max_pool2d(x[0], k, s, p, d, ceil_mode);
               return ts::grad(ts::sum(y * y * x[1]), x[0], create_graph());
             },
         .shapes = {xs, Shape{xs[0], xs[1], oh, ow}},
         .domains = {U(-2, 2)},
         .ref = [=](const Refs& a) -> XA {  // 2 w y at the pixel that holds each maximum (values distinct)
           const XA y = ref_max_pool_dilated(a[0], g, d.h, d.w, ceil_mode);
           XA gx = xt::zeros<double>(xshape(a[0]));
           const std::size_t plane = a[0].size() / (xs[0] * xs[1]), per_plane = y.size() / (xs[0] * xs[1]);
           for (std::size_t o = 0; o < y.size(); ++o)
             for (std::size_t e = o / per_plane * plane; e < (o / per_plane + 1) * plane; ++e)
               if (a[0].data()[e] == y.data()[o]) gx.data()[e] += 2 * a[1].data()[o] * y.data()[o];
           return gx;
         },
         .distinct = true});
  }
  add(distinct(unary(
      "max_pool2d_with_indices", "k2_s2", Shape{2, 2, 4, 4}, U(-2, 2),
      [](const Variable& x) { return ts::max_pool2d_with_indices(x, 2).first; },
      [](const XA& a) -> XA {
        return ref_max_pool(a, {2, 2, 2, 2, 0, 0}, false);
      })));

  // ---- adaptive pooling: uneven, overlapping, even (avg_pool2d's path), global and upsampling windows ----
  const std::vector<std::tuple<const char*, Shape, ts::Size2>> adaptive = {
      {"5x7_to_3x4", Shape{2, 2, 5, 7}, {3, 4}},
      {"6x4_to_4x3", Shape{1, 3, 6, 4}, {4, 3}},
      {"even_6x4_to_3x2", Shape{1, 2, 6, 4}, {3, 2}},
      {"global", Shape{2, 3, 3, 5}, {1, 1}},
      {"upsample_2x3_to_3x5", Shape{1, 1, 2, 3}, {3, 5}}};
  for (const auto& [label, xs, out] : adaptive) {
    const ts::Size2 o = out;
    add(unary(
        "adaptive_avg_pool2d", label, xs, U(-2, 2),
        [o](const Variable& x) { return ts::adaptive_avg_pool2d(x, o); },
        [o](const XA& a) -> XA {
          return pool_windows(a, adaptive_spans(a.shape()[2], o.h), adaptive_spans(a.shape()[3], o.w),
                              [](const auto& inside, Span, Span) {
                                return sum_of(inside) / static_cast<double>(inside.size());
                              });
        }));
    add(distinct(unary(
        "adaptive_max_pool2d", label, xs, U(-2, 2),
        [o](const Variable& x) { return ts::adaptive_max_pool2d(x, o); },
        [o](const XA& a) -> XA {
          return pool_windows(a, adaptive_spans(a.shape()[2], o.h), adaptive_spans(a.shape()[3], o.w),
                              [](const auto& inside, Span, Span) { return max_of(inside); });
        })));
  }
  return rows;
}

}  // namespace op_table
