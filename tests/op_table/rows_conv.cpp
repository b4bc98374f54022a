// Rows for autograd/ops/conv.cpp: im2col and col2im, against direct nested loops over the windows; and the
// options of the composites over them (functional/conv.cpp): conv2d's dilation, groups and padding modes,
// and conv_transpose2d. (conv2d's plain rows are in rows_composite.cpp.)
#include <tuple>
#include <xtensor/xbuilder.hpp>

#include "op_table.hpp"

namespace op_table {
namespace {

XA ref_im2col(const XA& x, const Geom& g) {
  const auto xs = xshape(x);
  const std::size_t oh = out_size(xs[2], g.kh, g.sh, g.ph), ow = out_size(xs[3], g.kw, g.sw, g.pw);
  XA col = xt::zeros<double>({xs[0], xs[1] * g.kh * g.kw, oh * ow});
  for_each_tap(xs, g, [&](auto n, auto c, auto y, auto xx, auto i, auto j, auto ih, auto iw) {
    col(n, (c * g.kh + i) * g.kw + j, y * ow + xx) = pixel(x, n, c, ih, iw);
  });
  return col;
}

XA ref_col2im(const XA& col, const std::vector<std::size_t>& xs, const Geom& g) {
  const std::size_t ow = out_size(xs[3], g.kw, g.sw, g.pw);
  XA x = xt::zeros<double>(xs);
  for_each_tap(xs, g, [&](auto n, auto c, auto y, auto xx, auto i, auto j, auto ih, auto iw) {
    if (ih >= 0 && iw >= 0 && ih < static_cast<std::ptrdiff_t>(xs[2]) &&
        iw < static_cast<std::ptrdiff_t>(xs[3]))
      x(n, c, static_cast<std::size_t>(ih), static_cast<std::size_t>(iw)) +=
          col(n, (c * g.kh + i) * g.kw + j, y * ow + xx);
  });
  return x;
}

// ---- dilated windows, groups and padding modes: the textbook loops, written out again ----
struct Conv {
  std::size_t kh, kw, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1, groups = 1;
  ts::PaddingMode mode = ts::PaddingMode::Zeros;
};

std::size_t dilated_out(std::size_t n, std::size_t k, std::size_t s, std::size_t p, std::size_t d) {
  return (n + 2 * p - d * (k - 1) - 1) / s + 1;
}

// x[n, c, ih, iw] with (ih, iw) mapped into the image by the padding mode (0 outside for zeros).
double padded_pixel(const XA& x, std::size_t n, std::size_t c, std::ptrdiff_t ih, std::ptrdiff_t iw,
                    ts::PaddingMode mode) {
  const auto h = static_cast<std::ptrdiff_t>(x.shape()[2]), w = static_cast<std::ptrdiff_t>(x.shape()[3]);
  auto map = [mode](std::ptrdiff_t i, std::ptrdiff_t len) -> std::ptrdiff_t {
    if (i >= 0 && i < len) return i;
    switch (mode) {
      case ts::PaddingMode::Reflect:  // ... 2 1 | 0 1 2 ... len-1 | len-2 ...
        return i < 0 ? -i : 2 * (len - 1) - i;
      case ts::PaddingMode::Replicate:
        return i < 0 ? 0 : len - 1;
      case ts::PaddingMode::Circular:
        return i < 0 ? i + len : i - len;
      default:
        return -1;
    }
  };
  const std::ptrdiff_t r = map(ih, h), q = map(iw, w);
  if (r < 0 || q < 0) return 0.0;
  return x(n, c, static_cast<std::size_t>(r), static_cast<std::size_t>(q));
}

// y[n, o, r, q] = b[o] + sum over the c of o's group, i, j of W[o, c, i, j] x[n, g*C/g + c, r*s + i*d - p,
// q*s + j*d - p].
XA ref_conv(const XA& x, const XA& W, const XA* b, const Conv& k) {
  const auto xs = xshape(x);
  const std::size_t oc = W.shape()[0], cg = W.shape()[1], ocg = oc / k.groups;
  const std::size_t oh = dilated_out(xs[2], k.kh, k.sh, k.ph, k.dh),
                    ow = dilated_out(xs[3], k.kw, k.sw, k.pw, k.dw);
  XA y = xt::zeros<double>({xs[0], oc, oh, ow});
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t o = 0; o < oc; ++o)
      for (std::size_t r = 0; r < oh; ++r)
        for (std::size_t q = 0; q < ow; ++q) {
          double acc = b ? (*b)(o) : 0.0;
          for (std::size_t c = 0; c < cg; ++c)
            for (std::size_t i = 0; i < k.kh; ++i)
              for (std::size_t j = 0; j < k.kw; ++j)
                acc += W(o, c, i, j) * padded_pixel(x, n, (o / ocg) * cg + c,
                                                    static_cast<std::ptrdiff_t>(r * k.sh + i * k.dh) -
                                                        static_cast<std::ptrdiff_t>(k.ph),
                                                    static_cast<std::ptrdiff_t>(q * k.sw + j * k.dw) -
                                                        static_cast<std::ptrdiff_t>(k.pw),
                                                    k.mode);
          y(n, o, r, q) = acc;
        }
  return y;
}

// Transposed convolution as a scatter: each input pixel adds x * W[c, o, i, j] at (ih*s + i*d - p,
// iw*s + j*d - p) of output channel g*C_out/g + o; the output is (H - 1)*s - 2p + d(k - 1) + op + 1 tall.
XA ref_conv_transpose(const XA& x, const XA& W, const XA* b, const Conv& k, std::size_t oph,
                      std::size_t opw) {
  const auto xs = xshape(x);
  const std::size_t cin = xs[1], ocg = W.shape()[1], oc = ocg * k.groups, cg = cin / k.groups;
  const std::size_t oh = (xs[2] - 1) * k.sh - 2 * k.ph + k.dh * (k.kh - 1) + oph + 1;
  const std::size_t ow = (xs[3] - 1) * k.sw - 2 * k.pw + k.dw * (k.kw - 1) + opw + 1;
  XA y = xt::zeros<double>({xs[0], oc, oh, ow});
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t o = 0; o < oc; ++o)
      for (std::size_t r = 0; r < oh; ++r)
        for (std::size_t q = 0; q < ow; ++q) y(n, o, r, q) = b ? (*b)(o) : 0.0;
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t c = 0; c < cin; ++c)
      for (std::size_t ih = 0; ih < xs[2]; ++ih)
        for (std::size_t iw = 0; iw < xs[3]; ++iw)
          for (std::size_t o = 0; o < ocg; ++o)
            for (std::size_t i = 0; i < k.kh; ++i)
              for (std::size_t j = 0; j < k.kw; ++j) {
                const auto r =
                    static_cast<std::ptrdiff_t>(ih * k.sh + i * k.dh) - static_cast<std::ptrdiff_t>(k.ph);
                const auto q =
                    static_cast<std::ptrdiff_t>(iw * k.sw + j * k.dw) - static_cast<std::ptrdiff_t>(k.pw);
                if (r < 0 || q < 0 || r >= static_cast<std::ptrdiff_t>(oh) ||
                    q >= static_cast<std::ptrdiff_t>(ow))
                  continue;
                y(n, (c / cg) * ocg + o, static_cast<std::size_t>(r), static_cast<std::size_t>(q)) +=
                    x(n, c, ih, iw) * W(c, o, i, j);
              }
  return y;
}

// im2col with dilation: tap (i, j) of window (r, q) reads x[r*s + i*d - p, q*s + j*d - p].
XA ref_im2col_dilated(const XA& x, const Conv& k) {
  const auto xs = xshape(x);
  const std::size_t oh = dilated_out(xs[2], k.kh, k.sh, k.ph, k.dh),
                    ow = dilated_out(xs[3], k.kw, k.sw, k.pw, k.dw);
  XA col = xt::zeros<double>({xs[0], xs[1] * k.kh * k.kw, oh * ow});
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t c = 0; c < xs[1]; ++c)
      for (std::size_t i = 0; i < k.kh; ++i)
        for (std::size_t j = 0; j < k.kw; ++j)
          for (std::size_t r = 0; r < oh; ++r)
            for (std::size_t q = 0; q < ow; ++q)
              col(n, (c * k.kh + i) * k.kw + j, r * ow + q) =
                  pixel(x, n, c,
                        static_cast<std::ptrdiff_t>(r * k.sh + i * k.dh) - static_cast<std::ptrdiff_t>(k.ph),
                        static_cast<std::ptrdiff_t>(q * k.sw + j * k.dw) - static_cast<std::ptrdiff_t>(k.pw));
  return col;
}

// The adjoint, as the scatter of the same taps.
XA ref_col2im_dilated(const XA& col, const std::vector<std::size_t>& xs, const Conv& k) {
  const std::size_t oh = dilated_out(xs[2], k.kh, k.sh, k.ph, k.dh),
                    ow = dilated_out(xs[3], k.kw, k.sw, k.pw, k.dw);
  XA x = xt::zeros<double>(xs);
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t c = 0; c < xs[1]; ++c)
      for (std::size_t i = 0; i < k.kh; ++i)
        for (std::size_t j = 0; j < k.kw; ++j)
          for (std::size_t r = 0; r < oh; ++r)
            for (std::size_t q = 0; q < ow; ++q) {
              const auto ih =
                  static_cast<std::ptrdiff_t>(r * k.sh + i * k.dh) - static_cast<std::ptrdiff_t>(k.ph);
              const auto iw =
                  static_cast<std::ptrdiff_t>(q * k.sw + j * k.dw) - static_cast<std::ptrdiff_t>(k.pw);
              if (ih >= 0 && iw >= 0 && ih < static_cast<std::ptrdiff_t>(xs[2]) &&
                  iw < static_cast<std::ptrdiff_t>(xs[3]))
                x(n, c, static_cast<std::size_t>(ih), static_cast<std::size_t>(iw)) +=
                    col(n, (c * k.kh + i) * k.kw + j, r * ow + q);
            }
  return x;
}

}  // namespace

std::vector<Row> conv_rows() {
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };
  // One im2col row and one col2im row per window: stride, padding, rectangular and channel cases.
  const std::vector<WindowCase> windows = {{"k3_s1_p0", Shape{1, 2, 4, 4}, {3, 3, 1, 1, 0, 0}},
                                           {"k3_s2_p1_two_images", Shape{2, 1, 5, 5}, {3, 3, 2, 2, 1, 1}},
                                           {"k2x3_s1x2_p1x0", Shape{1, 2, 4, 5}, {2, 3, 1, 2, 1, 0}}};
  for (const auto& c : windows) {
    const Geom g = c.g;
    const ts::Size2 k{g.kh, g.kw}, s{g.sh, g.sw}, p{g.ph, g.pw};
    add(unary(
        "im2col", c.label, c.x, U(-2, 2), [k, s, p](const Variable& x) { return ts::im2col(x, k, s, p); },
        [g](const XA& a) -> XA { return ref_im2col(a, g); }));
    const std::size_t oh = out_size(c.x[2], g.kh, g.sh, g.ph), ow = out_size(c.x[3], g.kw, g.sw, g.pw);
    const Shape xs = c.x;
    add(unary(
        "col2im", c.label, Shape{xs[0], xs[1] * g.kh * g.kw, oh * ow}, U(-2, 2),
        [xs, k, s, p](const Variable& x) { return ts::col2im(x, xs, k, s, p); },
        [xs, g](const XA& a) -> XA { return ref_col2im(a, dims(xs), g); }));
  }
  // ---- dilation in the primitives themselves ----
  for (const auto& [label, xs, k] : std::vector<std::tuple<const char*, Shape, Conv>>{
           {"dilation2_k3", Shape{1, 2, 6, 7}, Conv{.kh = 3, .kw = 3, .dh = 2, .dw = 2}},
           {"dilation2x3_s2_p2x1", Shape{2, 1, 7, 8},
            Conv{.kh = 2, .kw = 3, .sh = 2, .sw = 1, .ph = 2, .pw = 1, .dh = 2, .dw = 3}}}) {
    const ts::Size2 kk{k.kh, k.kw}, s{k.sh, k.sw}, p{k.ph, k.pw}, d{k.dh, k.dw};
    const Conv g = k;
    add(unary(
        "im2col", label, xs, U(-2, 2),
        [kk, s, p, d](const Variable& x) { return ts::im2col(x, kk, s, p, d); },
        [g](const XA& a) -> XA { return ref_im2col_dilated(a, g); }));
    const std::size_t oh = dilated_out(xs[2], k.kh, k.sh, k.ph, k.dh),
                      ow = dilated_out(xs[3], k.kw, k.sw, k.pw, k.dw);
    const Shape x_shape = xs;
    add(unary(
        "col2im", label, Shape{xs[0], xs[1] * k.kh * k.kw, oh * ow}, U(-2, 2),
        [x_shape, kk, s, p, d](const Variable& x) { return ts::col2im(x, x_shape, kk, s, p, d); },
        [x_shape, g](const XA& a) -> XA { return ref_col2im_dilated(a, dims(x_shape), g); }));
  }

  // ---- conv2d's options (composite: padding by take, im2col, a batched matmul per group) ----
  using PM = ts::PaddingMode;
  struct ConvCase {
    const char* label;
    Shape x, w;
    Conv k;
    bool bias;
  };
  const std::vector<ConvCase> convs = {
      {"dilation2", Shape{1, 2, 6, 6}, Shape{3, 2, 3, 3}, Conv{.kh = 3, .kw = 3, .dh = 2, .dw = 2}, true},
      {"dilation2x1_stride2_pad2", Shape{2, 1, 7, 6}, Shape{2, 1, 3, 2},
       Conv{.kh = 3, .kw = 2, .sh = 2, .sw = 2, .ph = 2, .pw = 2, .dh = 2, .dw = 1}, false},
      {"groups2", Shape{2, 4, 5, 5}, Shape{6, 2, 3, 3}, Conv{.kh = 3, .kw = 3, .ph = 1, .pw = 1, .groups = 2},
       true},
      {"depthwise_groups3_stride2", Shape{1, 3, 6, 5}, Shape{3, 1, 3, 3},
       Conv{.kh = 3, .kw = 3, .sh = 2, .sw = 2, .ph = 1, .pw = 1, .groups = 3}, true},
      {"groups2_dilation2_reflect", Shape{1, 4, 5, 6}, Shape{4, 2, 2, 3},
       Conv{.kh = 2, .kw = 3, .ph = 2, .pw = 1, .dh = 2, .dw = 2, .groups = 2, .mode = PM::Reflect}, false},
      {"reflect_pad2x1", Shape{1, 2, 4, 5}, Shape{2, 2, 3, 3},
       Conv{.kh = 3, .kw = 3, .ph = 2, .pw = 1, .mode = PM::Reflect}, true},
      {"replicate_pad2_stride2", Shape{2, 1, 4, 5}, Shape{2, 1, 3, 3},
       Conv{.kh = 3, .kw = 3, .sh = 2, .sw = 2, .ph = 2, .pw = 2, .mode = PM::Replicate}, true},
      {"circular_pad1x3", Shape{1, 2, 3, 4}, Shape{1, 2, 2, 3},
       Conv{.kh = 2, .kw = 3, .ph = 1, .pw = 3, .mode = PM::Circular}, true},
  };
  for (const ConvCase& c : convs) {
    const Conv k = c.k;
    const bool bias = c.bias;
    std::vector<Shape> shapes = {c.x, c.w};
    if (bias) shapes.push_back(Shape{c.w[0]});
    add({.op = "conv2d",
         .label = c.label,
         .fn =
             [k, bias](const Inputs& x) {
               return ts::conv2d(x[0], x[1], bias ? x[2] : Variable{}, {k.sh, k.sw}, {k.ph, k.pw},
                                 {k.dh, k.dw}, k.groups, k.mode);
             },
         .shapes = shapes,
         .domains = {U(-1, 1)},
         .ref = [k, bias](const Refs& a) -> XA { return ref_conv(a[0], a[1], bias ? &a[2] : nullptr, k); }});
  }

  // ---- conv_transpose2d (composite: the transposed matmul, then col2im) ----
  struct TransposeCase {
    const char* label;
    Shape x, w;
    Conv k;
    std::size_t oph, opw;
    bool bias;
  };
  const std::vector<TransposeCase> transposed = {
      {"k3_bias", Shape{2, 2, 3, 3}, Shape{2, 3, 3, 3}, Conv{.kh = 3, .kw = 3}, 0, 0, true},
      {"stride2_pad1_output_padding1", Shape{1, 2, 3, 4}, Shape{2, 2, 3, 3},
       Conv{.kh = 3, .kw = 3, .sh = 2, .sw = 2, .ph = 1, .pw = 1}, 1, 1, true},
      {"rect_stride2x3_output_padding0x2", Shape{1, 1, 3, 2}, Shape{1, 2, 2, 3},
       Conv{.kh = 2, .kw = 3, .sh = 2, .sw = 3}, 0, 2, false},
      {"groups2_dilation2", Shape{1, 4, 3, 3}, Shape{4, 1, 2, 2},
       Conv{.kh = 2, .kw = 2, .sh = 2, .sw = 1, .ph = 1, .pw = 0, .dh = 2, .dw = 2, .groups = 2}, 1, 0, true},
  };
  for (const TransposeCase& c : transposed) {
    const Conv k = c.k;
    const bool bias = c.bias;
    const std::size_t oph = c.oph, opw = c.opw;
    std::vector<Shape> shapes = {c.x, c.w};
    if (bias) shapes.push_back(Shape{c.w[1] * k.groups});
    add({.op = "conv_transpose2d",
         .label = c.label,
         .fn =
             [k, bias, oph, opw](const Inputs& x) {
               return ts::conv_transpose2d(x[0], x[1], bias ? x[2] : Variable{}, {k.sh, k.sw}, {k.ph, k.pw},
                                           {oph, opw}, k.groups, {k.dh, k.dw});
             },
         .shapes = shapes,
         .domains = {U(-1, 1)},
         .ref = [k, bias, oph, opw](const Refs& a) -> XA {
           return ref_conv_transpose(a[0], a[1], bias ? &a[2] : nullptr, k, oph, opw);
         }});
  }
  return rows;
}

}  // namespace op_table
