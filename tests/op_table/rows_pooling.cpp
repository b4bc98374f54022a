// Rows for autograd/ops/pooling.cpp: max_pool2d and its backward, against direct loops over the windows;
// avg_pool2d (a composite in functional/pooling.cpp) shares the cases, so its rows are here too.
#include <cmath>
#include <string>
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
  return rows;
}

}  // namespace op_table
