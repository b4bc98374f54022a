// Rows for autograd/ops/conv.cpp: im2col and col2im, against direct nested loops over the windows. (conv2d,
// the composite over them, is in rows_composite.cpp.)
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
  return rows;
}

}  // namespace op_table
