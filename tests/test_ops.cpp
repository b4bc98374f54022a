// The op table: one row per (op, case). Every row runs, in float64,
//   (1) the forward against a reference computed independently with xtensor on xt::xarray<double>,
//   (2) gradcheck (autograd against central differences),
//   (3) gradgradcheck (second derivatives) unless the row says why not,
// and (4) the forward in float32 against the float64 result.
// OpTable.EveryRegisteredOpHasARow fails when a primitive registered with TSUMIKI_REGISTER_OP has no row.
//
// Inputs are drawn uniformly from the row's domain with a fixed seed, then rounded to float32-representable
// values, so the float32 and float64 forwards start from the same numbers and differ only by arithmetic.
// Domains keep away from the places where an op is not differentiable (0 for abs/relu, the bounds for clip,
// ties for max/min/maximum/minimum), so central differences are valid there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <tsumiki.hpp>
#include <vector>
#include <xtensor/xarray.hpp>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>
#include <xtensor/xreducer.hpp>
#include <xtensor/xview.hpp>

#include "autograd/gradcheck_gtest.hpp"

namespace {

namespace ts = tsumiki;
using ts::Dtype;
using ts::Inputs;
using ts::Shape;
using ts::Tensor;
using ts::Variable;
using XA = xt::xarray<double>;
using Refs = std::vector<XA>;
using RefFn = std::function<XA(const Refs&)>;
using Idx = std::vector<std::int64_t>;

// ---------------------------------------------------------------------------------------------------------
// Domains
// ---------------------------------------------------------------------------------------------------------

struct Interval {
  double lo, hi;
};
// A union of intervals; values are drawn uniformly over their total length.
struct Domain {
  std::vector<Interval> parts;
};
Domain U(double lo, double hi) { return Domain{{{lo, hi}}}; }
// [-hi, -lo] u [lo, hi]: keeps clear of a kink at 0.
Domain AwayFromZero(double lo, double hi) { return Domain{{{-hi, -lo}, {lo, hi}}}; }
Domain Parts(std::initializer_list<Interval> parts) { return Domain{parts}; }

// ---------------------------------------------------------------------------------------------------------
// The row
// ---------------------------------------------------------------------------------------------------------

struct Row {
  std::string op;                // the registered primitive name, or the composite's function name
  std::string label;             // the case
  ts::Fn fn;                     // what is applied to the inputs
  std::vector<Shape> shapes;     // one per input
  std::vector<Domain> domains;   // one per input, or a single one for all inputs
  RefFn ref;                     // the expected forward, on xt::xarray<double>
  bool distinct = false;         // every input value pairwise distinct, well apart (no ties for max/min)
  std::string no_gradgrad = {};  // non-empty: why gradgradcheck is not run for this row
};

void PrintTo(const Row& row, std::ostream* os) { *os << row.op << "/" << row.label; }

std::string test_name(const Row& row) {
  std::string name = row.op + "_" + row.label;
  for (char& c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ok) c = '_';
  }
  return name;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers for rows
// ---------------------------------------------------------------------------------------------------------

constexpr std::uint64_t kSeed = 0x7473756d696b69ULL;  // "tsumiki"

std::vector<std::size_t> dims(const Shape& s) { return s.to_vector(); }

// A float constant for a row function, in the dtype of `like` (float32 or float64 runs).
Variable constant_like(const std::vector<double>& values, const Shape& shape, const Variable& like) {
  return Variable(ts::from_vector<double>(values, shape).to(like.dtype()));
}

Tensor int_tensor(const Idx& values, const Shape& shape) {
  return ts::from_vector<std::int64_t>(values, shape);
}

XA xa(const std::vector<double>& values, const std::vector<std::size_t>& shape) {
  XA out = XA::from_shape(shape);
  std::copy(values.begin(), values.end(), out.begin());
  return out;
}

XA reshaped(const XA& a, const std::vector<std::size_t>& shape) {
  XA out = a;
  out.reshape(shape);
  return out;
}

// NumPy matmul, written as a naive triple loop (no BLAS, no xt::linalg).
XA ref_matmul(const XA& a_in, const XA& b_in) {
  XA a = a_in, b = b_in;
  const bool a_vec = a.dimension() == 1, b_vec = b.dimension() == 1;
  if (a_vec) a.reshape({1, a.shape()[0]});
  if (b_vec) b.reshape({b.shape()[0], 1});
  const std::size_t m = a.shape()[a.dimension() - 2], k = a.shape()[a.dimension() - 1];
  const std::size_t k2 = b.shape()[b.dimension() - 2], n = b.shape()[b.dimension() - 1];
  EXPECT_EQ(k, k2) << "bad reference matmul shapes";
  std::vector<std::size_t> ba(a.shape().begin(), a.shape().end() - 2);
  std::vector<std::size_t> bb(b.shape().begin(), b.shape().end() - 2);
  const std::size_t r = std::max(ba.size(), bb.size());
  std::vector<std::size_t> batch(r, 1);
  for (std::size_t i = 0; i < r; ++i) {
    std::size_t da = i + ba.size() >= r ? ba[i + ba.size() - r] : 1;
    std::size_t db = i + bb.size() >= r ? bb[i + bb.size() - r] : 1;
    batch[i] = std::max(da, db);
  }
  std::vector<std::size_t> sa = batch, sb = batch, sc = batch;
  sa.insert(sa.end(), {m, k});
  sb.insert(sb.end(), {k, n});
  sc.insert(sc.end(), {m, n});
  XA A = xt::broadcast(a, sa);
  XA B = xt::broadcast(b, sb);
  XA C = xt::zeros<double>(sc);
  std::size_t nb = 1;
  for (auto d : batch) nb *= d;
  for (std::size_t p = 0; p < nb; ++p)
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        double acc = 0;
        for (std::size_t l = 0; l < k; ++l)
          acc += A.data()[p * m * k + i * k + l] * B.data()[p * k * n + l * n + j];
        C.data()[p * m * n + i * n + j] = acc;
      }
  std::vector<std::size_t> out = batch;
  if (!a_vec) out.push_back(m);
  if (!b_vec) out.push_back(n);
  C.reshape(out);
  return C;
}

// numpy.take(x, idx, axis) with idx already non-negative; loops over raw data.
XA ref_take(const XA& x, const Idx& idx, const std::vector<std::size_t>& idx_shape, std::size_t axis) {
  std::size_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= x.shape()[d];
  for (std::size_t d = axis + 1; d < x.dimension(); ++d) inner *= x.shape()[d];
  const std::size_t n = x.shape()[axis];
  std::vector<std::size_t> shape(x.shape().begin(), x.shape().begin() + axis);
  shape.insert(shape.end(), idx_shape.begin(), idx_shape.end());
  shape.insert(shape.end(), x.shape().begin() + axis + 1, x.shape().end());
  XA out = XA::from_shape(shape);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t j = 0; j < idx.size(); ++j)
      for (std::size_t i = 0; i < inner; ++i)
        out.data()[(o * idx.size() + j) * inner + i] = x.data()[(o * n + idx[j]) * inner + i];
  return out;
}

// The scatter-add that is take's backward: gx[.., idx[j], ..] += g[.., j, ..] (np.add.at).
XA ref_take_backward(const XA& g, const std::vector<std::size_t>& x_shape, const Idx& idx, std::size_t axis) {
  std::size_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= x_shape[d];
  for (std::size_t d = axis + 1; d < x_shape.size(); ++d) inner *= x_shape[d];
  const std::size_t n = x_shape[axis];
  XA gx = xt::zeros<double>(x_shape);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t j = 0; j < idx.size(); ++j)
      for (std::size_t i = 0; i < inner; ++i)
        gx.data()[(o * n + idx[j]) * inner + i] += g.data()[(o * idx.size() + j) * inner + i];
  return gx;
}

XA ref_sigmoid(const XA& a) { return 1.0 / (1.0 + xt::exp(-a)); }
XA ref_softplus(const XA& a) { return xt::log1p(xt::exp(a)); }
// Naive softmax / log-softmax / logsumexp (the inputs are small, so no overflow), along `axis`.
XA ref_softmax(const XA& a, std::size_t axis) {
  XA e = xt::exp(a);
  XA s = xt::sum(e, {axis}, xt::keep_dims);
  return e / s;
}
XA ref_log_softmax(const XA& a, std::size_t axis) {
  XA s = xt::sum(xt::exp(a), {axis}, xt::keep_dims);
  return a - xt::log(s);
}
// Stable form, for rows with large logits: max + log(sum(exp(x - max))).
XA ref_logsumexp_stable(const XA& a, std::size_t axis, bool keepdims) {
  XA m = xt::amax(a, {axis}, xt::keep_dims);
  XA l = m + xt::log(xt::sum(xt::exp(a - m), {axis}, xt::keep_dims));
  if (!keepdims) {
    std::vector<std::size_t> s(l.shape().begin(), l.shape().end());
    s.erase(s.begin() + static_cast<std::ptrdiff_t>(axis));
    l.reshape(s);
  }
  return l;
}

ts::GradOptions create_graph() {
  ts::GradOptions options;
  options.create_graph = true;
  return options;
}

// f(x, w) = d/dx sum(w * get_item(x, index)^2) = scatter of 2 * w * x[index] into x's shape: the forward runs
// get_item_backward (the scatter), gradcheck differentiates through it, gradgradcheck once more.
ts::Fn get_item_backward_fn(std::vector<ts::Index> index) {
  return [index](const Inputs& x) {
    ts::EnableGradGuard recording;
    Variable y = ts::get_item(x[0], index);
    return ts::grad(ts::sum(y * y * x[1]), x[0], create_graph());
  };
}
// Same for take (take_backward is the scatter-add; repeated indices must accumulate).
ts::Fn take_backward_fn(Idx idx, Shape idx_shape, int axis) {
  return [idx, idx_shape, axis](const Inputs& x) {
    ts::EnableGradGuard recording;
    Variable y = ts::take(x[0], int_tensor(idx, idx_shape), axis);
    return ts::grad(ts::sum(y * y * x[1]), x[0], create_graph());
  };
}

// ---- images (NCHW): direct nested-loop references for the convolution and pooling rows ----
struct Geom {
  std::size_t kh, kw, sh, sw, ph, pw;
};
std::size_t out_size(std::size_t n, std::size_t k, std::size_t s, std::size_t p) {
  return (n + 2 * p - k) / s + 1;
}

// x[n, c, ih, iw] or 0 in the padding.
double pixel(const XA& x, std::size_t n, std::size_t c, std::ptrdiff_t ih, std::ptrdiff_t iw) {
  const auto h = static_cast<std::ptrdiff_t>(x.shape()[2]), w = static_cast<std::ptrdiff_t>(x.shape()[3]);
  if (ih < 0 || iw < 0 || ih >= h || iw >= w) return 0.0;
  return x(n, c, static_cast<std::size_t>(ih), static_cast<std::size_t>(iw));
}

// Calls f(n, c, oh, ow, i, j, ih, iw) for every tap of every window.
template <class F>
void for_each_tap(const std::vector<std::size_t>& xs, const Geom& g, F&& f) {
  const std::size_t oh = out_size(xs[2], g.kh, g.sh, g.ph), ow = out_size(xs[3], g.kw, g.sw, g.pw);
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t c = 0; c < xs[1]; ++c)
      for (std::size_t y = 0; y < oh; ++y)
        for (std::size_t x = 0; x < ow; ++x)
          for (std::size_t i = 0; i < g.kh; ++i)
            for (std::size_t j = 0; j < g.kw; ++j)
              f(n, c, y, x, i, j,
                static_cast<std::ptrdiff_t>(y * g.sh + i) - static_cast<std::ptrdiff_t>(g.ph),
                static_cast<std::ptrdiff_t>(x * g.sw + j) - static_cast<std::ptrdiff_t>(g.pw));
}

std::vector<std::size_t> xshape(const XA& x) { return {x.shape().begin(), x.shape().end()}; }

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

// The textbook definition: y[n, o, y, x] = b[o] + sum over c, i, j of W[o, c, i, j] x[n, c, y*s + i - p, x*s
// + j - p].
XA ref_conv2d(const XA& x, const XA& W, const XA* b, const Geom& g) {
  const auto xs = xshape(x);
  const std::size_t oc = W.shape()[0];
  const std::size_t oh = out_size(xs[2], g.kh, g.sh, g.ph), ow = out_size(xs[3], g.kw, g.sw, g.pw);
  XA y = xt::zeros<double>({xs[0], oc, oh, ow});
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t o = 0; o < oc; ++o)
      for (std::size_t r = 0; r < oh; ++r)
        for (std::size_t q = 0; q < ow; ++q) {
          double acc = b ? (*b)(o) : 0.0;
          for (std::size_t c = 0; c < xs[1]; ++c)
            for (std::size_t i = 0; i < g.kh; ++i)
              for (std::size_t j = 0; j < g.kw; ++j)
                acc += W(o, c, i, j) *
                       pixel(x, n, c,
                             static_cast<std::ptrdiff_t>(r * g.sh + i) - static_cast<std::ptrdiff_t>(g.ph),
                             static_cast<std::ptrdiff_t>(q * g.sw + j) - static_cast<std::ptrdiff_t>(g.pw));
          y(n, o, r, q) = acc;
        }
  return y;
}

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

// PyTorch's local_response_norm, summing over the channel window directly.
XA ref_lrn(const XA& x, std::size_t size, double alpha, double beta, double k) {
  const auto xs = xshape(x);
  XA y = XA::from_shape(xs);
  const auto C = static_cast<std::ptrdiff_t>(xs[1]);
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::ptrdiff_t c = 0; c < C; ++c)
      for (std::size_t h = 0; h < xs[2]; ++h)
        for (std::size_t w = 0; w < xs[3]; ++w) {
          double s = 0;
          for (std::ptrdiff_t d = c - static_cast<std::ptrdiff_t>(size / 2);
               d <= c + static_cast<std::ptrdiff_t>((size - 1) / 2); ++d)
            if (d >= 0 && d < C)
              s += x(n, static_cast<std::size_t>(d), h, w) * x(n, static_cast<std::size_t>(d), h, w);
          y(n, static_cast<std::size_t>(c), h, w) = x(n, static_cast<std::size_t>(c), h, w) /
                                                    std::pow(k + alpha / static_cast<double>(size) * s, beta);
        }
  return y;
}

// Batch norm with the given per-channel mean and variance (computed from the batch when null).
XA ref_batch_norm(const XA& x, const XA& gamma, const XA& beta, const XA* mean_in, const XA* var_in,
                  double eps) {
  const auto xs = xshape(x);
  const std::size_t C = xs[1];
  std::size_t inner = 1;
  for (std::size_t d = 2; d < xs.size(); ++d) inner *= xs[d];
  const std::size_t count = xs[0] * inner;
  std::vector<double> mu(C, 0.0), var(C, 0.0);
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t i = 0; i < inner; ++i)
        mu[c] += x.data()[(n * C + c) * inner + i] / static_cast<double>(count);
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t i = 0; i < inner; ++i) {
        const double d = x.data()[(n * C + c) * inner + i] - mu[c];
        var[c] += d * d / static_cast<double>(count);
      }
  if (mean_in)
    for (std::size_t c = 0; c < C; ++c) mu[c] = mean_in->data()[c], var[c] = var_in->data()[c];
  XA y = XA::from_shape(xs);
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t i = 0; i < inner; ++i) {
        const std::size_t at = (n * C + c) * inner + i;
        y.data()[at] = gamma(c) * (x.data()[at] - mu[c]) / std::sqrt(var[c] + eps) + beta(c);
      }
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

// Rows for the image ops: every primitive and composite with stride, padding, rectangular and channel cases.
void add_image_rows(const std::function<void(Row)>& add) {
  // ---- im2col / col2im ----
  struct Case {
    const char* label;
    Shape x;
    Geom g;
  };
  const std::vector<Case> windows = {{"k3_s1_p0", Shape{1, 2, 4, 4}, {3, 3, 1, 1, 0, 0}},
                                     {"k3_s2_p1_two_images", Shape{2, 1, 5, 5}, {3, 3, 2, 2, 1, 1}},
                                     {"k2x3_s1x2_p1x0", Shape{1, 2, 4, 5}, {2, 3, 1, 2, 1, 0}}};
  for (const auto& c : windows) {
    const Geom g = c.g;
    const ts::Size2 k{g.kh, g.kw}, s{g.sh, g.sw}, p{g.ph, g.pw};
    add({.op = "im2col",
         .label = c.label,
         .fn = [k, s, p](const Inputs& x) { return ts::im2col(x[0], k, s, p); },
         .shapes = {c.x},
         .domains = {U(-2, 2)},
         .ref = [g](const Refs& a) -> XA { return ref_im2col(a[0], g); }});
    const std::size_t oh = out_size(c.x[2], g.kh, g.sh, g.ph), ow = out_size(c.x[3], g.kw, g.sw, g.pw);
    const Shape xs = c.x;
    add({.op = "col2im",
         .label = c.label,
         .fn = [xs, k, s, p](const Inputs& x) { return ts::col2im(x[0], xs, k, s, p); },
         .shapes = {Shape{xs[0], xs[1] * g.kh * g.kw, oh * ow}},
         .domains = {U(-2, 2)},
         .ref = [xs, g](const Refs& a) -> XA { return ref_col2im(a[0], dims(xs), g); }});
  }

  // ---- conv2d (composite: im2col + matmul), against the direct nested-loop convolution ----
  add({.op = "conv2d",
       .label = "channels_bias",
       .fn = [](const Inputs& x) { return ts::conv2d(x[0], x[1], x[2]); },
       .shapes = {Shape{2, 2, 5, 5}, Shape{3, 2, 3, 3}, Shape{3}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA {
         return ref_conv2d(a[0], a[1], &a[2], {3, 3, 1, 1, 0, 0});
       }});
  add({.op = "conv2d",
       .label = "stride2_pad1",
       .fn = [](const Inputs& x) { return ts::conv2d(x[0], x[1], x[2], 2, 1); },
       .shapes = {Shape{1, 2, 5, 6}, Shape{2, 2, 3, 3}, Shape{2}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA {
         return ref_conv2d(a[0], a[1], &a[2], {3, 3, 2, 2, 1, 1});
       }});
  add({.op = "conv2d",
       .label = "rect_kernel_no_bias",
       .fn =
           [](const Inputs& x) {
             return ts::conv2d(x[0], x[1], {}, {1, 2}, {1, 0});
           },
       .shapes = {Shape{2, 1, 4, 5}, Shape{2, 1, 2, 3}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA {
         return ref_conv2d(a[0], a[1], nullptr, {2, 3, 1, 2, 1, 0});
       }});
  add({.op = "conv2d",
       .label = "1x1_kernel",
       .fn = [](const Inputs& x) { return ts::conv2d(x[0], x[1], x[2]); },
       .shapes = {Shape{1, 3, 2, 3}, Shape{2, 3, 1, 1}, Shape{2}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA {
         return ref_conv2d(a[0], a[1], &a[2], {1, 1, 1, 1, 0, 0});
       }});

  // ---- pooling (max: all values distinct, so no ties) ----
  const std::vector<Case> pools = {{"k2_s2", Shape{2, 2, 4, 4}, {2, 2, 2, 2, 0, 0}},
                                   {"k3_s2_p1", Shape{1, 2, 5, 5}, {3, 3, 2, 2, 1, 1}},
                                   {"k2_s1_overlapping", Shape{1, 1, 4, 3}, {2, 2, 1, 1, 0, 0}},
                                   {"k2x3_s2x1_p1x1_odd", Shape{1, 1, 5, 4}, {2, 3, 2, 1, 1, 1}}};
  for (const auto& c : pools) {
    const Geom g = c.g;
    const ts::Size2 k{g.kh, g.kw}, s{g.sh, g.sw}, p{g.ph, g.pw};
    add({.op = "max_pool2d",
         .label = c.label,
         .fn = [k, s, p](const Inputs& x) { return ts::max_pool2d(x[0], k, s, p); },
         .shapes = {c.x},
         .domains = {U(-2, 2)},
         .ref = [g](const Refs& a) -> XA { return ref_pool(a[0], g, true); },
         .distinct = true});
    add({.op = "avg_pool2d",
         .label = c.label,
         .fn = [k, s, p](const Inputs& x) { return ts::avg_pool2d(x[0], k, s, p); },
         .shapes = {c.x},
         .domains = {U(-2, 2)},
         .ref = [g](const Refs& a) -> XA { return ref_pool(a[0], g, false); }});
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
  add({.op = "max_pool2d",
       .label = "default_stride_is_kernel",
       .fn = [](const Inputs& x) { return ts::max_pool2d(x[0], 2); },
       .shapes = {Shape{1, 3, 4, 6}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return ref_pool(a[0], {2, 2, 2, 2, 0, 0}, true);
       },
       .distinct = true});

  // ---- local response normalisation (odd and even windows) ----
  add({.op = "local_response_norm",
       .label = "size3",
       .fn = [](const Inputs& x) { return ts::local_response_norm(x[0], 3, 0.5, 0.75, 1.0); },
       .shapes = {Shape{2, 4, 2, 2}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return ref_lrn(a[0], 3, 0.5, 0.75, 1.0); }});
  add({.op = "local_response_norm",
       .label = "size4_even_window_k2",
       .fn = [](const Inputs& x) { return ts::local_response_norm(x[0], 4, 0.3, 0.6, 2.0); },
       .shapes = {Shape{1, 5, 2, 1}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return ref_lrn(a[0], 4, 0.3, 0.6, 2.0); }});

  // ---- batch norm: batch statistics (2-D and images), and evaluation with running statistics ----
  add({.op = "batch_norm",
       .label = "train_2d",
       .fn = [](const Inputs& x) { return ts::batch_norm(x[0], x[1], x[2], {}, {}); },
       .shapes = {Shape{4, 3}, Shape{3}, Shape{3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return ref_batch_norm(a[0], a[1], a[2], nullptr, nullptr, 1e-5); }});
  add({.op = "batch_norm",
       .label = "train_images",
       .fn = [](const Inputs& x) { return ts::batch_norm(x[0], x[1], x[2], {}, {}); },
       .shapes = {Shape{2, 3, 2, 2}, Shape{3}, Shape{3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return ref_batch_norm(a[0], a[1], a[2], nullptr, nullptr, 1e-5); }});
  add({.op = "batch_norm",
       .label = "eval_running_stats",
       .fn =
           [](const Inputs& x) {
             return ts::batch_norm(x[0], x[1], x[2], constant_like({0.5, -0.25}, Shape{2}, x[0]),
                                   constant_like({2.0, 0.5}, Shape{2}, x[0]), {.training = false});
           },
       .shapes = {Shape{3, 2, 2, 1}, Shape{2}, Shape{2}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         const XA m = xa({0.5, -0.25}, {2}), v = xa({2.0, 0.5}, {2});
         return ref_batch_norm(a[0], a[1], a[2], &m, &v, 1e-5);
       }});
  add({.op = "dropout",
       .label = "eval_is_identity",
       .fn = [](const Inputs& x) { return ts::dropout(x[0], 0.5, false) * 1.0; },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0]; }});
  add({.op = "dropout",
       .label = "train_fixed_seed",
       .fn =
           [](const Inputs& x) {
             ts::Generator gen(3);  // the same mask in every evaluation, so central differences are valid
             return ts::dropout(x[0], 0.5, true, gen);
           },
       .shapes = {Shape{4, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {  // the same draws: keep where u >= p, scaled by 2
         ts::Generator gen(3);
         const Tensor u = ts::rand(Shape{4, 4}, Dtype::Float64, gen);
         XA y = a[0];
         for (std::size_t i = 0; i < y.size(); ++i) y.data()[i] = u.flat(i) >= 0.5 ? 2 * y.data()[i] : 0.0;
         return y;
       }});
}

// ---------------------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------------------

std::vector<Row> make_rows() {
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };

  // ---- add ----
  add({.op = "add",
       .label = "same_shape",
       .fn = [](const Inputs& x) { return ts::add(x[0], x[1]); },
       .shapes = {Shape{2, 3}, Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] + a[1]; }});
  add({.op = "add",
       .label = "broadcast_row",
       .fn = [](const Inputs& x) { return x[0] + x[1]; },
       .shapes = {Shape{2, 3}, Shape{3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] + a[1]; }});
  add({.op = "add",
       .label = "outer_broadcast",
       .fn = [](const Inputs& x) { return ts::add(x[0], x[1]); },
       .shapes = {Shape{2, 1}, Shape{1, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] + a[1]; }});
  add({.op = "add",
       .label = "scalar_shape_rhs",
       .fn = [](const Inputs& x) { return ts::add(x[0], x[1]); },
       .shapes = {Shape{2, 3}, Shape{}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] + a[1]; }});
  add({.op = "add",
       .label = "both_scalar_shape",
       .fn = [](const Inputs& x) { return ts::add(x[0], x[1]); },
       .shapes = {Shape{}, Shape{}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] + a[1]; }});
  add({.op = "add",
       .label = "broadcast_3d",
       .fn = [](const Inputs& x) { return ts::add(x[0], x[1]); },
       .shapes = {Shape{2, 1, 4}, Shape{3, 1}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] + a[1]; }});
  add({.op = "add",
       .label = "python_scalar_both_sides",
       .fn = [](const Inputs& x) { return (x[0] + 1.5) + (2.5 + x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return (a[0] + 1.5) + (2.5 + a[0]); }});
  add({.op = "add",
       .label = "same_input_twice",
       .fn = [](const Inputs& x) { return ts::add(x[0], x[0]); },
       .shapes = {Shape{3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] + a[0]; }});

  // ---- sub ----
  add({.op = "sub",
       .label = "broadcast_row",
       .fn = [](const Inputs& x) { return ts::sub(x[0], x[1]); },
       .shapes = {Shape{2, 3}, Shape{3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] - a[1]; }});
  add({.op = "sub",
       .label = "outer_broadcast",
       .fn = [](const Inputs& x) { return x[0] - x[1]; },
       .shapes = {Shape{3, 1}, Shape{1, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] - a[1]; }});
  add({.op = "sub",
       .label = "scalar_shape_lhs",
       .fn = [](const Inputs& x) { return ts::sub(x[0], x[1]); },
       .shapes = {Shape{}, Shape{2, 2}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] - a[1]; }});
  add({.op = "sub",
       .label = "python_scalar_both_sides",
       .fn = [](const Inputs& x) { return (2.0 - x[0]) * (x[0] - 0.5); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return (2.0 - a[0]) * (a[0] - 0.5); }});

  // ---- mul ----
  add({.op = "mul",
       .label = "same_shape",
       .fn = [](const Inputs& x) { return ts::mul(x[0], x[1]); },
       .shapes = {Shape{2, 3}, Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] * a[1]; }});
  add({.op = "mul",
       .label = "outer_broadcast",
       .fn = [](const Inputs& x) { return x[0] * x[1]; },
       .shapes = {Shape{2, 1}, Shape{1, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] * a[1]; }});
  add({.op = "mul",
       .label = "broadcast_row",
       .fn = [](const Inputs& x) { return ts::mul(x[0], x[1]); },
       .shapes = {Shape{2, 3}, Shape{3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] * a[1]; }});
  add({.op = "mul",
       .label = "scalar_shape_rhs",
       .fn = [](const Inputs& x) { return ts::mul(x[0], x[1]); },
       .shapes = {Shape{2, 3}, Shape{}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] * a[1]; }});
  add({.op = "mul",
       .label = "same_input_twice",
       .fn = [](const Inputs& x) { return ts::mul(x[0], x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] * a[0]; }});
  add({.op = "mul",
       .label = "python_scalar_both_sides",
       .fn = [](const Inputs& x) { return 3.0 * x[0] * -0.5; },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return 3.0 * a[0] * -0.5; }});

  add({.op = "mul",
       .label = "broadcast_3d_both_sides",
       .fn = [](const Inputs& x) { return ts::mul(x[0], x[1]); },
       .shapes = {Shape{2, 1, 3}, Shape{1, 4, 1}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] * a[1]; }});

  // ---- div (denominators positive, away from 0) ----
  add({.op = "div",
       .label = "same_shape",
       .fn = [](const Inputs& x) { return ts::div(x[0], x[1]); },
       .shapes = {Shape{2, 3}, Shape{2, 3}},
       .domains = {U(-2, 2), U(0.5, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] / a[1]; }});
  add({.op = "div",
       .label = "broadcast_row",
       .fn = [](const Inputs& x) { return x[0] / x[1]; },
       .shapes = {Shape{2, 3}, Shape{3}},
       .domains = {U(-2, 2), U(0.5, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] / a[1]; }});
  add({.op = "div",
       .label = "outer_broadcast",
       .fn = [](const Inputs& x) { return ts::div(x[0], x[1]); },
       .shapes = {Shape{2, 1}, Shape{1, 3}},
       .domains = {U(-2, 2), U(0.5, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] / a[1]; }});
  add({.op = "div",
       .label = "scalar_shape_lhs",
       .fn = [](const Inputs& x) { return ts::div(x[0], x[1]); },
       .shapes = {Shape{}, Shape{2, 3}},
       .domains = {U(-2, 2), U(0.5, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] / a[1]; }});
  add({.op = "div",
       .label = "python_scalar_numerator",
       .fn = [](const Inputs& x) { return 1.0 / x[0]; },
       .shapes = {Shape{2, 3}},
       .domains = {U(0.5, 2)},
       .ref = [](const Refs& a) -> XA { return 1.0 / a[0]; }});
  add({.op = "div",
       .label = "python_scalar_denominator",
       .fn = [](const Inputs& x) { return x[0] / 4.0; },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] / 4.0; }});

  // ---- neg ----
  add({.op = "neg",
       .label = "matrix",
       .fn = [](const Inputs& x) { return ts::neg(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return -a[0]; }});
  add({.op = "neg",
       .label = "unary_minus_scalar_shape",
       .fn = [](const Inputs& x) { return -x[0]; },
       .shapes = {Shape{}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return -a[0]; }});

  // ---- pow ----
  add({.op = "pow",
       .label = "cube_negative_base",
       .fn = [](const Inputs& x) { return ts::pow(x[0], 3.0); },
       .shapes = {Shape{2, 3}},
       .domains = {AwayFromZero(0.5, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] * a[0] * a[0]; }});
  add({.op = "pow",
       .label = "negative_fractional",
       .fn = [](const Inputs& x) { return ts::pow(x[0], -1.5); },
       .shapes = {Shape{2, 3}},
       .domains = {U(0.5, 2)},
       .ref = [](const Refs& a) -> XA { return 1.0 / (a[0] * xt::sqrt(a[0])); }});
  add({.op = "pow",
       .label = "half",
       .fn = [](const Inputs& x) { return ts::pow(x[0], 0.5); },
       .shapes = {Shape{3}},
       .domains = {U(0.5, 2)},
       .ref = [](const Refs& a) -> XA { return xt::sqrt(a[0]); }});
  add({.op = "pow",
       .label = "square_scalar_shape",
       .fn = [](const Inputs& x) { return ts::pow(x[0], 2.0); },
       .shapes = {Shape{}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] * a[0]; }});
  add({.op = "pow",
       .label = "zero_exponent",
       .fn = [](const Inputs& x) { return ts::pow(x[0], 0.0); },
       .shapes = {Shape{2, 2}},
       .domains = {U(0.5, 2)},
       .ref = [](const Refs& a) -> XA { return xt::ones_like(a[0]); }});

  add({.op = "pow",
       .label = "one_exponent",
       .fn = [](const Inputs& x) { return ts::pow(x[0], 1.0); },
       .shapes = {Shape{2, 2}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0]; }});

  // ---- elementwise math ----
  add({.op = "exp",
       .label = "matrix",
       .fn = [](const Inputs& x) { return ts::exp(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::exp(a[0]); }});
  add({.op = "exp",
       .label = "scalar_shape",
       .fn = [](const Inputs& x) { return ts::exp(x[0]); },
       .shapes = {Shape{}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::exp(a[0]); }});
  add({.op = "log",
       .label = "matrix",
       .fn = [](const Inputs& x) { return ts::log(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(0.5, 2)},
       .ref = [](const Refs& a) -> XA { return xt::log(a[0]); }});
  add({.op = "log",
       .label = "tensor_3d",
       .fn = [](const Inputs& x) { return ts::log(x[0]); },
       .shapes = {Shape{2, 2, 2}},
       .domains = {U(0.5, 2)},
       .ref = [](const Refs& a) -> XA { return xt::log(a[0]); }});
  add({.op = "sqrt",
       .label = "matrix",
       .fn = [](const Inputs& x) { return ts::sqrt(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(0.5, 2)},
       .ref = [](const Refs& a) -> XA { return xt::sqrt(a[0]); }});
  add({.op = "abs",
       .label = "matrix",
       .fn = [](const Inputs& x) { return ts::abs(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {AwayFromZero(0.1, 2)},
       .ref = [](const Refs& a) -> XA { return xt::abs(a[0]); }});
  add({.op = "abs",
       .label = "vector",
       .fn = [](const Inputs& x) { return ts::abs(x[0]); },
       .shapes = {Shape{5}},
       .domains = {AwayFromZero(0.1, 2)},
       .ref = [](const Refs& a) -> XA { return xt::abs(a[0]); }});
  add({.op = "sin",
       .label = "matrix",
       .fn = [](const Inputs& x) { return ts::sin(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-3, 3)},
       .ref = [](const Refs& a) -> XA { return xt::sin(a[0]); }});
  add({.op = "cos",
       .label = "matrix",
       .fn = [](const Inputs& x) { return ts::cos(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-3, 3)},
       .ref = [](const Refs& a) -> XA { return xt::cos(a[0]); }});
  add({.op = "tanh",
       .label = "matrix",
       .fn = [](const Inputs& x) { return ts::tanh(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::tanh(a[0]); }});
  add({.op = "sigmoid",
       .label = "matrix",
       .fn = [](const Inputs& x) { return ts::sigmoid(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-3, 3)},
       .ref = [](const Refs& a) -> XA { return ref_sigmoid(a[0]); }});
  add({.op = "sigmoid",
       .label = "large_magnitude",
       .fn = [](const Inputs& x) { return ts::sigmoid(x[0]); },
       .shapes = {Shape{6}},
       .domains = {AwayFromZero(10, 30)},
       .ref = [](const Refs& a) -> XA { return ref_sigmoid(a[0]); }});
  add({.op = "softplus",
       .label = "moderate",
       .fn = [](const Inputs& x) { return ts::softplus(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-3, 3)},
       .ref = [](const Refs& a) -> XA { return ref_softplus(a[0]); }});
  add({.op = "softplus",
       .label = "large_magnitude",
       .fn = [](const Inputs& x) { return ts::softplus(x[0]); },
       .shapes = {Shape{6}},
       .domains = {AwayFromZero(20, 50)},
       .ref = [](const Refs& a) -> XA { return ref_softplus(a[0]); }});
  // The composite max(x, 0) + log1p(exp(-|x|)) had gradient 0 here (relu' = abs' = 0 at 0); found by the
  // graph fuzzer.
  add({.op = "softplus",
       .label = "at_zero",
       .fn = [](const Inputs& x) { return ts::softplus(x[0]); },
       .shapes = {Shape{3}},
       .domains = {U(0, 0)},
       .ref = [](const Refs& a) -> XA { return ref_softplus(a[0]); }});
  add({.op = "relu",
       .label = "matrix",
       .fn = [](const Inputs& x) { return ts::relu(x[0]); },
       .shapes = {Shape{3, 4}},
       .domains = {AwayFromZero(0.1, 2)},
       .ref = [](const Refs& a) -> XA { return xt::where(a[0] > 0.0, a[0], 0.0); }});
  add({.op = "relu",
       .label = "scalar_shape",
       .fn = [](const Inputs& x) { return ts::relu(x[0]); },
       .shapes = {Shape{}},
       .domains = {U(0.1, 2)},
       .ref = [](const Refs& a) -> XA { return xt::where(a[0] > 0.0, a[0], 0.0); }});

  // ---- maximum / minimum (all values distinct: no ties) ----
  for (const char* op : {"maximum", "minimum"}) {
    const bool is_max = std::string(op) == "maximum";
    auto fn = [is_max](const Inputs& x) {
      return is_max ? ts::maximum(x[0], x[1]) : ts::minimum(x[0], x[1]);
    };
    auto ref = [is_max](const Refs& a) -> XA {
      return is_max ? XA(xt::maximum(a[0], a[1])) : XA(xt::minimum(a[0], a[1]));
    };
    add({.op = op,
         .label = "same_shape",
         .fn = fn,
         .shapes = {Shape{2, 3}, Shape{2, 3}},
         .domains = {U(-2, 2)},
         .ref = ref,
         .distinct = true});
    add({.op = op,
         .label = "broadcast_row",
         .fn = fn,
         .shapes = {Shape{2, 3}, Shape{3}},
         .domains = {U(-2, 2)},
         .ref = ref,
         .distinct = true});
    add({.op = op,
         .label = "outer_broadcast",
         .fn = fn,
         .shapes = {Shape{2, 1}, Shape{1, 3}},
         .domains = {U(-2, 2)},
         .ref = ref,
         .distinct = true});
    add({.op = op,
         .label = "scalar_shape_rhs",
         .fn = fn,
         .shapes = {Shape{2, 3}, Shape{}},
         .domains = {U(-2, 2)},
         .ref = ref,
         .distinct = true});
  }

  // ---- clip (values away from the bounds) ----
  add({.op = "clip",
       .label = "both_bounds_active",
       .fn = [](const Inputs& x) { return ts::clip(x[0], -0.5, 0.5); },
       .shapes = {Shape{3, 4}},
       .domains = {Parts({{-2, -0.6}, {-0.4, 0.4}, {0.6, 2}})},
       .ref = [](const Refs& a) -> XA { return xt::clip(a[0], -0.5, 0.5); }});
  add({.op = "clip",
       .label = "lower_bound_only_active",
       .fn = [](const Inputs& x) { return ts::clip(x[0], 0.0, 10.0); },
       .shapes = {Shape{5}},
       .domains = {AwayFromZero(0.1, 2)},
       .ref = [](const Refs& a) -> XA { return xt::clip(a[0], 0.0, 10.0); }});

  // ---- where (the condition is a constant captured by the row) ----
  add({.op = "where",
       .label = "broadcast_b",
       .fn =
           [](const Inputs& x) {
             return ts::where(constant_like({1, 0, 0, 1, 1, 0}, Shape{2, 3}, x[0]), x[0], x[1]);
           },
       .shapes = {Shape{2, 3}, Shape{3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::where(xt::not_equal(xa({1, 0, 0, 1, 1, 0}, {2, 3}), 0.0), a[0], a[1]);
       }});
  add({.op = "where",
       .label = "broadcast_cond_and_a",
       .fn =
           [](const Inputs& x) {
             return ts::where(constant_like({0, 1}, Shape{2, 1}, x[0]), x[0], x[1]);
           },
       .shapes = {Shape{1, 3}, Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::where(xt::not_equal(xa({0, 1}, {2, 1}), 0.0), a[0], a[1]);
       }});
  add({.op = "where",
       .label = "greater_mask_is_maximum",
       .fn = [](const Inputs& x) { return ts::where(ts::greater(x[0], x[1]), x[0], x[1]); },
       .shapes = {Shape{2, 3}, Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::maximum(a[0], a[1]); },
       .distinct = true});

  // ---- matmul ----
  auto matmul_fn = [](const Inputs& x) { return ts::matmul(x[0], x[1]); };
  auto matmul_ref = [](const Refs& a) -> XA { return ref_matmul(a[0], a[1]); };
  add({.op = "matmul",
       .label = "2d_2d",
       .fn = matmul_fn,
       .shapes = {Shape{2, 3}, Shape{3, 4}},
       .domains = {U(-1, 1)},
       .ref = matmul_ref});
  add({.op = "matmul",
       .label = "batched",
       .fn = matmul_fn,
       .shapes = {Shape{2, 3, 4}, Shape{2, 4, 5}},
       .domains = {U(-1, 1)},
       .ref = matmul_ref});
  add({.op = "matmul",
       .label = "broadcast_batch_rhs_2d",
       .fn = matmul_fn,
       .shapes = {Shape{2, 3, 4}, Shape{4, 5}},
       .domains = {U(-1, 1)},
       .ref = matmul_ref});
  add({.op = "matmul",
       .label = "broadcast_batch_lhs_2d",
       .fn = matmul_fn,
       .shapes = {Shape{3, 4}, Shape{2, 4, 2}},
       .domains = {U(-1, 1)},
       .ref = matmul_ref});
  add({.op = "matmul",
       .label = "broadcast_batch_both",
       .fn = matmul_fn,
       .shapes = {Shape{2, 1, 3, 4}, Shape{3, 4, 2}},
       .domains = {U(-1, 1)},
       .ref = matmul_ref});
  add({.op = "matmul",
       .label = "matrix_vector",
       .fn = matmul_fn,
       .shapes = {Shape{3, 4}, Shape{4}},
       .domains = {U(-1, 1)},
       .ref = matmul_ref});
  add({.op = "matmul",
       .label = "vector_matrix",
       .fn = matmul_fn,
       .shapes = {Shape{4}, Shape{4, 3}},
       .domains = {U(-1, 1)},
       .ref = matmul_ref});
  add({.op = "matmul",
       .label = "vector_vector",
       .fn = matmul_fn,
       .shapes = {Shape{4}, Shape{4}},
       .domains = {U(-1, 1)},
       .ref = matmul_ref});
  add({.op = "matmul",
       .label = "batched_matrix_vector",
       .fn = matmul_fn,
       .shapes = {Shape{2, 3, 4}, Shape{4}},
       .domains = {U(-1, 1)},
       .ref = matmul_ref});

  // ---- reshape ----
  add({.op = "reshape",
       .label = "2d_to_2d",
       .fn =
           [](const Inputs& x) {
             return ts::reshape(x[0], Shape{3, 2});
           },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return reshaped(a[0], {3, 2});
       }});
  add({.op = "reshape",
       .label = "3d_to_2d",
       .fn =
           [](const Inputs& x) {
             return ts::reshape(x[0], Shape{6, 4});
           },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return reshaped(a[0], {6, 4});
       }});
  add({.op = "reshape",
       .label = "1d_to_3d",
       .fn =
           [](const Inputs& x) {
             return ts::reshape(x[0], Shape{1, 2, 3});
           },
       .shapes = {Shape{6}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return reshaped(a[0], {1, 2, 3});
       }});
  add({.op = "reshape",
       .label = "scalar_shape_to_1x1",
       .fn =
           [](const Inputs& x) {
             return ts::reshape(x[0], Shape{1, 1});
           },
       .shapes = {Shape{}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return reshaped(a[0], {1, 1});
       }});
  add({.op = "reshape",
       .label = "after_transpose",
       .fn = [](const Inputs& x) { return ts::reshape(ts::transpose(x[0]), Shape{6}); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return reshaped(XA(xt::transpose(a[0])), {6}); }});

  // ---- transpose ----
  add({.op = "transpose",
       .label = "2d_default",
       .fn = [](const Inputs& x) { return ts::transpose(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::transpose(a[0]); }});
  add({.op = "transpose",
       .label = "3d_default_reverses",
       .fn = [](const Inputs& x) { return ts::transpose(x[0]); },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::transpose(a[0], {2, 1, 0});
       }});
  add({.op = "transpose",
       .label = "3d_axes_102",
       .fn =
           [](const Inputs& x) {
             return ts::transpose(x[0], {1, 0, 2});
           },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::transpose(a[0], {1, 0, 2});
       }});
  add({.op = "transpose",
       .label = "3d_axes_201",
       .fn =
           [](const Inputs& x) {
             return ts::transpose(x[0], {2, 0, 1});
           },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::transpose(a[0], {2, 0, 1});
       }});
  add({.op = "transpose",
       .label = "3d_negative_axes",
       .fn =
           [](const Inputs& x) {
             return ts::transpose(x[0], {0, -1, 1});
           },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::transpose(a[0], {0, 2, 1});
       }});

  // ---- broadcast_to / sum_to ----
  add({.op = "broadcast_to",
       .label = "row_to_matrix",
       .fn =
           [](const Inputs& x) {
             return ts::broadcast_to(x[0], Shape{2, 3});
           },
       .shapes = {Shape{3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::broadcast(a[0], std::vector<std::size_t>{2, 3});
       }});
  add({.op = "broadcast_to",
       .label = "column_new_leading_axis",
       .fn =
           [](const Inputs& x) {
             return ts::broadcast_to(x[0], Shape{4, 2, 3});
           },
       .shapes = {Shape{2, 1}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::broadcast(a[0], std::vector<std::size_t>{4, 2, 3});
       }});
  add({.op = "broadcast_to",
       .label = "scalar_shape",
       .fn =
           [](const Inputs& x) {
             return ts::broadcast_to(x[0], Shape{2, 2});
           },
       .shapes = {Shape{}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::broadcast(a[0], std::vector<std::size_t>{2, 2});
       }});
  add({.op = "sum_to",
       .label = "leading_axis",
       .fn = [](const Inputs& x) { return ts::sum_to(x[0], Shape{3}); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::sum(a[0], {0}); }});
  add({.op = "sum_to",
       .label = "keep_row_axis",
       .fn =
           [](const Inputs& x) {
             return ts::sum_to(x[0], Shape{1, 3});
           },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::sum(a[0], {0}, xt::keep_dims); }});
  add({.op = "sum_to",
       .label = "leading_and_inner_axes",
       .fn =
           [](const Inputs& x) {
             return ts::sum_to(x[0], Shape{3, 1});
           },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return reshaped(XA(xt::sum(a[0], {0, 2})), {3, 1});
       }});
  add({.op = "sum_to",
       .label = "to_scalar_shape",
       .fn = [](const Inputs& x) { return ts::sum_to(x[0], Shape{}); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::sum(a[0]); }});

  // ---- sum ----
  add({.op = "sum",
       .label = "all",
       .fn = [](const Inputs& x) { return ts::sum(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::sum(a[0]); }});
  add({.op = "sum",
       .label = "axis0",
       .fn = [](const Inputs& x) { return ts::sum(x[0], {0}); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::sum(a[0], {0}); }});
  add({.op = "sum",
       .label = "axis_minus1_3d",
       .fn = [](const Inputs& x) { return ts::sum(x[0], {-1}); },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::sum(a[0], {2}); }});
  add({.op = "sum",
       .label = "axis1_keepdims",
       .fn = [](const Inputs& x) { return ts::sum(x[0], {1}, true); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::sum(a[0], {1}, xt::keep_dims); }});
  add({.op = "sum",
       .label = "axes_0_2",
       .fn =
           [](const Inputs& x) {
             return ts::sum(x[0], {0, 2});
           },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::sum(a[0], {0, 2});
       }});
  add({.op = "sum",
       .label = "axes_0_2_keepdims",
       .fn =
           [](const Inputs& x) {
             return ts::sum(x[0], {0, -1}, true);
           },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::sum(a[0], {0, 2}, xt::keep_dims);
       }});

  add({.op = "sum",
       .label = "all_keepdims",
       .fn = [](const Inputs& x) { return ts::sum(x[0], {}, true); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return reshaped(XA(xt::sum(a[0])), {1, 1});
       }});
  add({.op = "sum",
       .label = "vector_axis0_to_scalar_shape",
       .fn = [](const Inputs& x) { return ts::sum(x[0], {0}); },
       .shapes = {Shape{4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::sum(a[0]); }});

  // ---- max / min (distinct values: the arg-extremum is unique and far from a tie) ----
  for (const char* op : {"max", "min"}) {
    const bool is_max = std::string(op) == "max";
    auto reduce = [is_max](const Variable& v, const ts::Axes& axes, bool keep) {
      return is_max ? ts::max(v, axes, keep) : ts::min(v, axes, keep);
    };
    add({.op = op,
         .label = "all",
         .fn = [reduce](const Inputs& x) { return reduce(x[0], {}, false); },
         .shapes = {Shape{3, 4}},
         .domains = {U(-2, 2)},
         .ref = [is_max](const Refs& a) -> XA { return is_max ? XA(xt::amax(a[0])) : XA(xt::amin(a[0])); },
         .distinct = true});
    add({.op = op,
         .label = "axis1",
         .fn = [reduce](const Inputs& x) { return reduce(x[0], {1}, false); },
         .shapes = {Shape{3, 4}},
         .domains = {U(-2, 2)},
         .ref = [is_max](const Refs& a) -> XA {
           return is_max ? XA(xt::amax(a[0], {1})) : XA(xt::amin(a[0], {1}));
         },
         .distinct = true});
    add({.op = op,
         .label = "axis0_keepdims",
         .fn = [reduce](const Inputs& x) { return reduce(x[0], {0}, true); },
         .shapes = {Shape{3, 4}},
         .domains = {U(-2, 2)},
         .ref = [is_max](const Refs& a) -> XA {
           return is_max ? XA(xt::amax(a[0], {0}, xt::keep_dims)) : XA(xt::amin(a[0], {0}, xt::keep_dims));
         },
         .distinct = true});
    add({.op = op,
         .label = "axis_minus1_3d",
         .fn = [reduce](const Inputs& x) { return reduce(x[0], {-1}, false); },
         .shapes = {Shape{2, 3, 4}},
         .domains = {U(-2, 2)},
         .ref = [is_max](const Refs& a) -> XA {
           return is_max ? XA(xt::amax(a[0], {2})) : XA(xt::amin(a[0], {2}));
         },
         .distinct = true});
  }

  add({.op = "max",
       .label = "all_keepdims",
       .fn = [](const Inputs& x) { return ts::max(x[0], {}, true); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return reshaped(XA(xt::amax(a[0])), {1, 1});
       },
       .distinct = true});
  add({.op = "min",
       .label = "axes_0_1_of_3d",
       .fn =
           [](const Inputs& x) {
             return ts::min(x[0], {0, 1});
           },
       .shapes = {Shape{2, 3, 2}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::amin(a[0], {0, 1});
       },
       .distinct = true});

  // ---- get_item ----
  using ts::Index;
  using ts::Slice;
  add({.op = "get_item",
       .label = "int_index",
       .fn = [](const Inputs& x) { return ts::get_item(x[0], {Index{std::int64_t{1}}}); },
       .shapes = {Shape{4, 5}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::view(a[0], 1); }});
  add({.op = "get_item",
       .label = "negative_int_index",
       .fn = [](const Inputs& x) { return ts::get_item(x[0], {Index{std::int64_t{-1}}}); },
       .shapes = {Shape{4, 5}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::view(a[0], 3); }});
  add({.op = "get_item",
       .label = "slice_step2",
       .fn =
           [](const Inputs& x) {
             return ts::get_item(x[0], {Index{Slice{1, 6, 2}}});
           },
       .shapes = {Shape{6, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::view(a[0], xt::keep(1, 3, 5)); }});
  add({.op = "get_item",
       .label = "negative_start_and_reverse_step",
       .fn =
           [](const Inputs& x) {
             return ts::get_item(
                 x[0], {Index{Slice{-3, std::nullopt, 1}}, Index{Slice{std::nullopt, std::nullopt, -2}}});
           },
       .shapes = {Shape{4, 5}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::view(a[0], xt::keep(1, 2, 3), xt::keep(4, 2, 0)); }});
  add({.op = "get_item",
       .label = "int_then_negative_stop_3d",
       .fn =
           [](const Inputs& x) {
             return ts::get_item(x[0], {Index{std::int64_t{2}}, Index{Slice{std::nullopt, -1, 1}}});
           },
       .shapes = {Shape{3, 4, 5}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::view(a[0], 2, xt::keep(0, 1, 2)); }});
  add({.op = "get_item",
       .label = "full_reverse_slice_int_3d",
       .fn =
           [](const Inputs& x) {
             return ts::get_item(x[0], {Index{Slice{}}, Index{Slice{-1, 0, -1}}, Index{std::int64_t{-2}}});
           },
       .shapes = {Shape{3, 4, 5}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::view(a[0], xt::all(), xt::keep(3, 2, 1), 3); }});
  add({.op = "get_item",
       .label = "all_ints_to_scalar_shape",
       .fn =
           [](const Inputs& x) {
             return ts::get_item(x[0], {Index{std::int64_t{1}}, Index{std::int64_t{-2}}});
           },
       .shapes = {Shape{3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::view(a[0], 1, 2); }});

  add({.op = "get_item",
       .label = "stop_past_end_is_clamped",
       .fn =
           [](const Inputs& x) {
             return ts::get_item(x[0], {Index{Slice{1, 100, 1}}});
           },
       .shapes = {Shape{4, 2}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::view(a[0], xt::keep(1, 2, 3)); }});
  add({.op = "get_item",
       .label = "negative_start_step_minus3",
       .fn =
           [](const Inputs& x) {
             return ts::get_item(x[0], {Index{Slice{-1, std::nullopt, -3}}});
           },
       .shapes = {Shape{5}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::view(a[0], xt::keep(4, 1)); }});

  // ---- get_item_backward: exercised through the gradient of get_item (see get_item_backward_fn) ----
  add({.op = "get_item_backward",
       .label = "via_grad_of_get_item_int_and_slice",
       .fn = get_item_backward_fn({Index{std::int64_t{2}}, Index{Slice{std::nullopt, -1, 1}}}),
       .shapes = {Shape{3, 4, 5}, Shape{3, 5}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         XA g = xt::zeros<double>({3, 4, 5});
         xt::view(g, 2, xt::keep(0, 1, 2)) = 2.0 * xt::view(a[0], 2, xt::keep(0, 1, 2)) * a[1];
         return g;
       }});
  add({.op = "get_item_backward",
       .label = "via_grad_of_get_item_reverse_steps",
       .fn = get_item_backward_fn(
           {Index{Slice{-3, std::nullopt, 1}}, Index{Slice{std::nullopt, std::nullopt, -2}}}),
       .shapes = {Shape{4, 5}, Shape{3, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         XA g = xt::zeros<double>({4, 5});
         xt::view(g, xt::keep(1, 2, 3), xt::keep(4, 2, 0)) =
             2.0 * xt::view(a[0], xt::keep(1, 2, 3), xt::keep(4, 2, 0)) * a[1];
         return g;
       }});

  // ---- slice (composite over get_item) ----
  add({.op = "slice",
       .label = "axis1_step2",
       .fn = [](const Inputs& x) { return ts::slice(x[0], 1, 1, 5, 2); },
       .shapes = {Shape{3, 6}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::view(a[0], xt::all(), xt::keep(1, 3)); }});

  // ---- take (int64 indices with repeats) ----
  add({.op = "take",
       .label = "axis0_repeats",
       .fn =
           [](const Inputs& x) {
             return ts::take(x[0], int_tensor({2, 0, 2, 3}, Shape{4}), 0);
           },
       .shapes = {Shape{4, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return ref_take(a[0], {2, 0, 2, 3}, {4}, 0);
       }});
  add({.op = "take",
       .label = "axis1_repeats",
       .fn =
           [](const Inputs& x) {
             return ts::take(x[0], int_tensor({1, 1, 3}, Shape{3}), 1);
           },
       .shapes = {Shape{3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return ref_take(a[0], {1, 1, 3}, {3}, 1);
       }});
  add({.op = "take",
       .label = "negative_axis",
       .fn =
           [](const Inputs& x) {
             return ts::take(x[0], int_tensor({0, 3, 0}, Shape{3}), -1);
           },
       .shapes = {Shape{2, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return ref_take(a[0], {0, 3, 0}, {3}, 1);
       }});
  add({.op = "take",
       .label = "index_matrix_axis0",
       .fn =
           [](const Inputs& x) {
             return ts::take(x[0], int_tensor({0, 4, 4, 1, 0, 2}, Shape{2, 3}), 0);
           },
       .shapes = {Shape{5, 2}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return ref_take(a[0], {0, 4, 4, 1, 0, 2}, {2, 3}, 0);
       }});
  add({.op = "take",
       .label = "negative_index_as_numpy",
       .fn =
           [](const Inputs& x) {
             return ts::take(x[0], int_tensor({-1, 0, -1}, Shape{3}), 0);
           },
       .shapes = {Shape{4, 2}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return ref_take(a[0], {3, 0, 3}, {3}, 0);
       }});

  add({.op = "take",
       .label = "vector_input",
       .fn =
           [](const Inputs& x) {
             return ts::take(x[0], int_tensor({4, 4, 0}, Shape{3}));
           },
       .shapes = {Shape{5}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return ref_take(a[0], {4, 4, 0}, {3}, 0);
       }});

  // ---- take_backward: exercised through the gradient of take (repeated indices must accumulate) ----
  add({.op = "take_backward",
       .label = "via_grad_of_take_axis0_repeats",
       .fn = take_backward_fn({2, 0, 2, 3, 2}, Shape{5}, 0),
       .shapes = {Shape{4, 3}, Shape{5, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         const Idx idx{2, 0, 2, 3, 2};
         XA g = 2.0 * ref_take(a[0], idx, {5}, 0) * a[1];
         return ref_take_backward(g, {4, 3}, idx, 0);
       }});
  add({.op = "take_backward",
       .label = "via_grad_of_take_axis1_index_matrix",
       .fn = take_backward_fn({1, 1, 0, 3}, Shape{2, 2}, 1),
       .shapes = {Shape{3, 4}, Shape{3, 2, 2}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         const Idx idx{1, 1, 0, 3};
         XA g = 2.0 * ref_take(a[0], idx, {2, 2}, 1) * a[1];
         return ref_take_backward(g, {3, 4}, idx, 1);
       }});

  // ---- concat ----
  add({.op = "concat",
       .label = "axis0_three_inputs",
       .fn =
           [](const Inputs& x) {
             return ts::concat({x[0], x[1], x[2]}, 0);
           },
       .shapes = {Shape{2, 3}, Shape{1, 3}, Shape{3, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::concatenate(xt::xtuple(a[0], a[1], a[2]), 0); }});
  add({.op = "concat",
       .label = "axis1",
       .fn =
           [](const Inputs& x) {
             return ts::concat({x[0], x[1]}, 1);
           },
       .shapes = {Shape{2, 1}, Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::concatenate(xt::xtuple(a[0], a[1]), 1); }});
  add({.op = "concat",
       .label = "axis_minus1_3d",
       .fn =
           [](const Inputs& x) {
             return ts::concat({x[0], x[1]}, -1);
           },
       .shapes = {Shape{2, 2, 1}, Shape{2, 2, 2}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::concatenate(xt::xtuple(a[0], a[1]), 2); }});
  add({.op = "concat",
       .label = "same_input_twice",
       .fn =
           [](const Inputs& x) {
             return ts::concat({x[0], x[0]}, 0);
           },
       .shapes = {Shape{2, 2}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::concatenate(xt::xtuple(a[0], a[0]), 0); }});

  // =========================================================================================================
  // Composites: not registered (no backward of their own), but their forward and gradients deserve rows.
  // =========================================================================================================
  add({.op = "square",
       .label = "matrix",
       .fn = [](const Inputs& x) { return ts::square(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return a[0] * a[0]; }});
  add({.op = "mean",
       .label = "all",
       .fn = [](const Inputs& x) { return ts::mean(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::mean(a[0]); }});
  add({.op = "mean",
       .label = "axis0",
       .fn = [](const Inputs& x) { return ts::mean(x[0], {0}); },
       .shapes = {Shape{3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::mean(a[0], {0}); }});
  add({.op = "mean",
       .label = "axis_minus1_keepdims",
       .fn = [](const Inputs& x) { return ts::mean(x[0], {-1}, true); },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::mean(a[0], {2}, xt::keep_dims); }});
  add({.op = "stack",
       .label = "axis0",
       .fn =
           [](const Inputs& x) {
             return ts::stack({x[0], x[1]}, 0);
           },
       .shapes = {Shape{2, 3}, Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::stack(xt::xtuple(a[0], a[1]), 0); }});
  add({.op = "stack",
       .label = "axis1",
       .fn =
           [](const Inputs& x) {
             return ts::stack({x[0], x[1], x[2]}, 1);
           },
       .shapes = {Shape{2, 3}, Shape{2, 3}, Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::stack(xt::xtuple(a[0], a[1], a[2]), 1); }});
  add({.op = "stack",
       .label = "axis_minus1",
       .fn =
           [](const Inputs& x) {
             return ts::stack({x[0], x[1]}, -1);
           },
       .shapes = {Shape{2, 3}, Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::stack(xt::xtuple(a[0], a[1]), 2); }});
  add({.op = "flatten",
       .label = "all_dims",
       .fn = [](const Inputs& x) { return ts::flatten(x[0]); },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return reshaped(a[0], {24}); }});
  add({.op = "flatten",
       .label = "start_dim1",
       .fn = [](const Inputs& x) { return ts::flatten(x[0], 1); },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return reshaped(a[0], {2, 12});
       }});
  add({.op = "flatten",
       .label = "dims_0_to_1",
       .fn = [](const Inputs& x) { return ts::flatten(x[0], 0, 1); },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return reshaped(a[0], {6, 4});
       }});
  add({.op = "swapaxes",
       .label = "axes_0_2",
       .fn = [](const Inputs& x) { return ts::swapaxes(x[0], 0, 2); },
       .shapes = {Shape{2, 3, 4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return xt::transpose(a[0], {2, 1, 0});
       }});
  add({.op = "unsqueeze",
       .label = "axis1",
       .fn = [](const Inputs& x) { return ts::unsqueeze(x[0], 1); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return reshaped(a[0], {2, 1, 3});
       }});
  add({.op = "unsqueeze",
       .label = "axis_minus1",
       .fn = [](const Inputs& x) { return ts::unsqueeze(x[0], -1); },
       .shapes = {Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return reshaped(a[0], {2, 3, 1});
       }});
  add({.op = "squeeze",
       .label = "axis1",
       .fn = [](const Inputs& x) { return ts::squeeze(x[0], 1); },
       .shapes = {Shape{2, 1, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA {
         return reshaped(a[0], {2, 3});
       }});
  add({.op = "softmax",
       .label = "last_axis",
       .fn = [](const Inputs& x) { return ts::softmax(x[0]); },
       .shapes = {Shape{3, 4}},
       .domains = {U(-3, 3)},
       .ref = [](const Refs& a) -> XA { return ref_softmax(a[0], 1); }});
  add({.op = "softmax",
       .label = "axis0_3d",
       .fn = [](const Inputs& x) { return ts::softmax(x[0], 0); },
       .shapes = {Shape{3, 2, 2}},
       .domains = {U(-3, 3)},
       .ref = [](const Refs& a) -> XA { return ref_softmax(a[0], 0); }});
  add({.op = "softmax",
       .label = "large_logits",
       .fn = [](const Inputs& x) { return ts::softmax(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(1000, 1003)},
       .ref = [](const Refs& a) -> XA {
         XA m = xt::amax(a[0], {1}, xt::keep_dims);
         return ref_softmax(a[0] - m, 1);
       }});
  add({.op = "log_softmax",
       .label = "last_axis",
       .fn = [](const Inputs& x) { return ts::log_softmax(x[0]); },
       .shapes = {Shape{3, 4}},
       .domains = {U(-3, 3)},
       .ref = [](const Refs& a) -> XA { return ref_log_softmax(a[0], 1); }});
  add({.op = "log_softmax",
       .label = "axis0",
       .fn = [](const Inputs& x) { return ts::log_softmax(x[0], 0); },
       .shapes = {Shape{3, 4}},
       .domains = {U(-3, 3)},
       .ref = [](const Refs& a) -> XA { return ref_log_softmax(a[0], 0); }});
  add({.op = "log_softmax",
       .label = "large_logits",
       .fn = [](const Inputs& x) { return ts::log_softmax(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(1000, 1003)},
       .ref = [](const Refs& a) -> XA {
         XA m = xt::amax(a[0], {1}, xt::keep_dims);
         return ref_log_softmax(a[0] - m, 1);
       }});
  add({.op = "softmax",
       .label = "vector",
       .fn = [](const Inputs& x) { return ts::softmax(x[0]); },
       .shapes = {Shape{5}},
       .domains = {U(-3, 3)},
       .ref = [](const Refs& a) -> XA { return ref_softmax(a[0], 0); }});
  add({.op = "logsumexp",
       .label = "default_last_axis",
       .fn = [](const Inputs& x) { return ts::logsumexp(x[0]); },
       .shapes = {Shape{3, 4}},
       .domains = {U(-3, 3)},
       .ref = [](const Refs& a) -> XA { return xt::log(xt::sum(xt::exp(a[0]), {1})); }});
  add({.op = "logsumexp",
       .label = "axis0_keepdims",
       .fn = [](const Inputs& x) { return ts::logsumexp(x[0], {0}, true); },
       .shapes = {Shape{3, 4}},
       .domains = {U(-3, 3)},
       .ref = [](const Refs& a) -> XA { return xt::log(xt::sum(xt::exp(a[0]), {0}, xt::keep_dims)); }});
  add({.op = "logsumexp",
       .label = "large_logits",
       .fn = [](const Inputs& x) { return ts::logsumexp(x[0]); },
       .shapes = {Shape{2, 3}},
       .domains = {U(1000, 1003)},
       .ref = [](const Refs& a) -> XA { return ref_logsumexp_stable(a[0], 1, false); }});
  add({.op = "linear",
       .label = "with_bias",
       .fn = [](const Inputs& x) { return ts::linear(x[0], x[1], x[2]); },
       .shapes = {Shape{4, 3}, Shape{3, 2}, Shape{2}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA { return ref_matmul(a[0], a[1]) + a[2]; }});
  add({.op = "linear",
       .label = "no_bias",
       .fn = [](const Inputs& x) { return ts::linear(x[0], x[1], Variable()); },
       .shapes = {Shape{4, 3}, Shape{3, 2}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA { return ref_matmul(a[0], a[1]); }});
  // Losses: shapes where "mean over the batch" and "mean over all elements" agree ((N,) or (N, 1)).
  add({.op = "mean_squared_error",
       .label = "vector",
       .fn = [](const Inputs& x) { return ts::mean_squared_error(x[0], x[1]); },
       .shapes = {Shape{5}, Shape{5}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::mean((a[0] - a[1]) * (a[0] - a[1])); }});
  add({.op = "mean_squared_error",
       .label = "column",
       .fn = [](const Inputs& x) { return ts::mean_squared_error(x[0], x[1]); },
       .shapes = {Shape{4, 1}, Shape{4, 1}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return xt::mean((a[0] - a[1]) * (a[0] - a[1])); }});
  {
    // logits (4, 3), labels {2, 0, 1, 2}: loss = -mean_i log_softmax(x)[i, label_i].
    const Idx labels{2, 0, 1, 2};
    auto ref_labels = [labels](const Refs& a) -> XA {
      XA ls = ref_log_softmax(a[0], 1);
      double acc = 0;
      for (std::size_t i = 0; i < labels.size(); ++i) acc -= ls(i, static_cast<std::size_t>(labels[i]));
      return XA(acc / static_cast<double>(labels.size()));
    };
    add({.op = "softmax_cross_entropy",
         .label = "int64_labels",
         .fn =
             [labels](const Inputs& x) {
               return ts::softmax_cross_entropy(x[0], Variable(int_tensor(labels, Shape{4})));
             },
         .shapes = {Shape{4, 3}},
         .domains = {U(-3, 3)},
         .ref = ref_labels});
    add({.op = "softmax_cross_entropy",
         .label = "one_hot",
         .fn =
             [](const Inputs& x) {
               return ts::softmax_cross_entropy(
                   x[0], constant_like({0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}, Shape{4, 3}, x[0]));
             },
         .shapes = {Shape{4, 3}},
         .domains = {U(-3, 3)},
         .ref = ref_labels});
    add({.op = "softmax_cross_entropy",
         .label = "one_hot_helper",
         .fn =
             [labels](const Inputs& x) {
               return ts::softmax_cross_entropy(
                   x[0], Variable(ts::one_hot(int_tensor(labels, Shape{4}), 3, x[0].dtype())));
             },
         .shapes = {Shape{4, 3}},
         .domains = {U(-3, 3)},
         .ref = ref_labels});
    add({.op = "softmax_cross_entropy",
         .label = "soft_targets",
         .fn =
             [](const Inputs& x) {
               return ts::softmax_cross_entropy(
                   x[0], constant_like({0.2, 0.3, 0.5, 1.0, 0.0, 0.0}, Shape{2, 3}, x[0]));
             },
         .shapes = {Shape{2, 3}},
         .domains = {U(-3, 3)},
         .ref = [](const Refs& a) -> XA {
           XA t = xa({0.2, 0.3, 0.5, 1.0, 0.0, 0.0}, {2, 3});
           return XA(-xt::sum(t * ref_log_softmax(a[0], 1))() / 2.0);
         }});
    add({.op = "softmax_cross_entropy",
         .label = "int64_labels_large_logits",
         .fn =
             [labels](const Inputs& x) {
               return ts::softmax_cross_entropy(x[0], Variable(int_tensor(labels, Shape{4})));
             },
         .shapes = {Shape{4, 3}},
         .domains = {U(1000, 1003)},
         .ref = [labels](const Refs& a) -> XA {
           XA lse = ref_logsumexp_stable(a[0], 1, false);
           double acc = 0;
           for (std::size_t i = 0; i < labels.size(); ++i)
             acc += lse(i) - a[0](i, static_cast<std::size_t>(labels[i]));
           return XA(acc / static_cast<double>(labels.size()));
         }});
  }
  {
    const std::vector<double> targets{1, 0, 1, 0.25, 0, 0.75};
    add({.op = "binary_cross_entropy",
         .label = "vector",
         .fn =
             [targets](const Inputs& x) {
               return ts::binary_cross_entropy(x[0], constant_like(targets, Shape{6}, x[0]));
             },
         .shapes = {Shape{6}},
         .domains = {U(0.1, 0.9)},
         .ref = [targets](const Refs& a) -> XA {
           XA t = xa(targets, {6});
           return -xt::mean(t * xt::log(a[0]) + (1.0 - t) * xt::log(1.0 - a[0]));
         }});
    add({.op = "binary_cross_entropy",
         .label = "column",
         .fn =
             [targets](const Inputs& x) {
               return ts::binary_cross_entropy(x[0], constant_like(targets, Shape{6, 1}, x[0]));
             },
         .shapes = {Shape{6, 1}},
         .domains = {U(0.1, 0.9)},
         .ref = [targets](const Refs& a) -> XA {
           XA t = xa(targets, {6, 1});
           return -xt::mean(t * xt::log(a[0]) + (1.0 - t) * xt::log(1.0 - a[0]));
         }});
    add({.op = "sigmoid_cross_entropy",
         .label = "vector",
         .fn =
             [targets](const Inputs& x) {
               return ts::sigmoid_cross_entropy(x[0], constant_like(targets, Shape{6}, x[0]));
             },
         .shapes = {Shape{6}},
         .domains = {U(-3, 3)},
         .ref = [targets](const Refs& a) -> XA {
           XA t = xa(targets, {6});
           return xt::mean(ref_softplus(a[0]) - t * a[0]);
         }});
    add({.op = "sigmoid_cross_entropy",
         .label = "large_logits",
         .fn =
             [targets](const Inputs& x) {
               return ts::sigmoid_cross_entropy(x[0], constant_like(targets, Shape{6}, x[0]));
             },
         .shapes = {Shape{6}},
         .domains = {AwayFromZero(20, 40)},
         .ref = [targets](const Refs& a) -> XA {
           XA t = xa(targets, {6});
           return xt::mean(ref_softplus(a[0]) - t * a[0]);
         }});
  }
  add_image_rows(add);
  return rows;
}

const std::vector<Row>& all_rows() {
  static const std::vector<Row> rows = make_rows();
  return rows;
}

// ---------------------------------------------------------------------------------------------------------
// Inputs and comparisons
// ---------------------------------------------------------------------------------------------------------

double sample(const Domain& d,
              double u) {  // u in [0, 1): a point of the union at that fraction of its length
  double total = 0;
  for (const auto& p : d.parts) total += p.hi - p.lo;
  double t = u * total;
  for (const auto& p : d.parts) {
    if (t <= p.hi - p.lo) return p.lo + t;
    t -= p.hi - p.lo;
  }
  return d.parts.back().hi;
}

// Values rounded to float32, so float32 and float64 runs see the same inputs.
double to_f32(double v) { return static_cast<double>(static_cast<float>(v)); }

std::vector<XA> draw_inputs(const Row& row) {
  std::mt19937_64 gen(kSeed);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  auto domain = [&row](std::size_t i) -> const Domain& {
    return row.domains.size() == 1 ? row.domains[0] : row.domains.at(i);
  };
  std::vector<XA> out;
  for (const auto& s : row.shapes) out.push_back(XA::from_shape(dims(s)));
  if (row.distinct) {
    // Stratified over the first domain: one value in the middle half of each of N equal strata, shuffled, so
    // any two values are at least half a stratum apart.
    std::size_t n = 0;
    for (const auto& a : out) n += a.size();
    std::vector<double> values(n);
    for (std::size_t i = 0; i < n; ++i)
      values[i] = to_f32(
          sample(domain(0), (static_cast<double>(i) + 0.25 + 0.5 * unif(gen)) / static_cast<double>(n)));
    std::shuffle(values.begin(), values.end(), gen);
    std::size_t k = 0;
    for (auto& a : out)
      for (auto& v : a) v = values[k++];
  } else {
    for (std::size_t i = 0; i < out.size(); ++i)
      for (auto& v : out[i]) v = to_f32(sample(domain(i), unif(gen)));
  }
  return out;
}

Inputs make_inputs(const std::vector<XA>& values, Dtype dtype) {
  Inputs in;
  for (const auto& a : values) in.emplace_back(ts::from_xarray(a).to(dtype), true);
  return in;
}

std::string shape_string(const std::vector<std::size_t>& s) {
  std::ostringstream os;
  os << "(";
  for (std::size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << ")";
  return os.str();
}

// |got - want| <= rtol * max(1, |want|) elementwise, and the shapes equal.
::testing::AssertionResult near(const Tensor& got, const XA& want, double rtol) {
  std::vector<std::size_t> gs = got.shape().to_vector();
  std::vector<std::size_t> ws(want.shape().begin(), want.shape().end());
  if (gs != ws)
    return ::testing::AssertionFailure() << "shape " << shape_string(gs) << ", expected " << shape_string(ws);
  std::vector<double> w(want.begin(), want.end());
  double worst = 0;
  std::size_t worst_i = 0;
  bool ok = true;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double g = got.flat(i);
    const double err = std::abs(g - w[i]);
    const double tol = rtol * std::max(1.0, std::abs(w[i]));
    if (!(err <= tol)) {  // NaN fails too
      if (ok || err > worst || std::isnan(err)) {
        worst = err;
        worst_i = i;
      }
      ok = false;
    }
  }
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "element " << worst_i << " (flat) is " << got.flat(worst_i) << ", expected " << w[worst_i]
         << " (error " << worst << ", rtol " << rtol << ")";
}

// ---------------------------------------------------------------------------------------------------------
// The parameterised suite
// ---------------------------------------------------------------------------------------------------------

class OpTest : public ::testing::TestWithParam<Row> {};

TEST_P(OpTest, ForwardFloat64MatchesReference) {
  const Row& row = GetParam();
  const std::vector<XA> x = draw_inputs(row);
  const XA want = row.ref(x);
  Variable y = row.fn(make_inputs(x, Dtype::Float64));
  ASSERT_TRUE(y.defined());
  EXPECT_EQ(y.dtype(), Dtype::Float64);
  EXPECT_TRUE(near(y.data(), want, 1e-10));
}

TEST_P(OpTest, Gradcheck) {
  const Row& row = GetParam();
  const Inputs in = make_inputs(draw_inputs(row), Dtype::Float64);
  EXPECT_GRADCHECK(row.fn, in);
}

TEST_P(OpTest, Gradgradcheck) {
  const Row& row = GetParam();
  if (!row.no_gradgrad.empty()) GTEST_SKIP() << row.no_gradgrad;
  const Inputs in = make_inputs(draw_inputs(row), Dtype::Float64);
  EXPECT_GRADGRADCHECK(row.fn, in);
}

TEST_P(OpTest, ForwardFloat32MatchesFloat64) {
  const Row& row = GetParam();
  const std::vector<XA> x = draw_inputs(row);
  Variable y64 = row.fn(make_inputs(x, Dtype::Float64));
  Variable y32 = row.fn(make_inputs(x, Dtype::Float32));
  ASSERT_TRUE(y32.defined());
  EXPECT_EQ(y32.dtype(), Dtype::Float32);
  EXPECT_TRUE(near(y32.data(), ts::to_xarray<double>(y64.data()), 1e-5));
}

INSTANTIATE_TEST_SUITE_P(Ops, OpTest, ::testing::ValuesIn(all_rows()),
                         [](const ::testing::TestParamInfo<Row>& info) { return test_name(info.param); });

// ---------------------------------------------------------------------------------------------------------
// The table itself
// ---------------------------------------------------------------------------------------------------------

TEST(OpTable, EveryRegisteredOpHasARow) {
  const auto& registered = ts::registered_ops();
  ASSERT_FALSE(registered.empty()) << "no op registered: TSUMIKI_REGISTER_OP is not reaching the registry";
  for (const auto& name : registered) {
    const bool found =
        std::any_of(all_rows().begin(), all_rows().end(), [&name](const Row& r) { return r.op == name; });
    EXPECT_TRUE(found) << "registered op '" << name << "' has no row in tests/test_ops.cpp";
  }
}

// The primitives the design names are all registered (a primitive that forgot TSUMIKI_REGISTER_OP would
// escape the check above).
TEST(OpTable, KnownPrimitivesAreRegistered) {
  const std::vector<std::string> primitives = {"add",
                                               "sub",
                                               "mul",
                                               "div",
                                               "neg",
                                               "pow",
                                               "exp",
                                               "log",
                                               "sqrt",
                                               "abs",
                                               "sin",
                                               "cos",
                                               "tanh",
                                               "sigmoid",
                                               "softplus",
                                               "relu",
                                               "maximum",
                                               "minimum",
                                               "clip",
                                               "where",
                                               "matmul",
                                               "reshape",
                                               "transpose",
                                               "broadcast_to",
                                               "sum_to",
                                               "sum",
                                               "max",
                                               "min",
                                               "get_item",
                                               "get_item_backward",
                                               "take",
                                               "take_backward",
                                               "concat",
                                               "im2col",
                                               "col2im",
                                               "max_pool2d",
                                               "max_pool2d_backward"};
  const auto& registered = ts::registered_ops();
  for (const auto& name : primitives)
    EXPECT_NE(std::find(registered.begin(), registered.end(), name), registered.end())
        << "primitive '" << name << "' is not registered";
}

TEST(OpTable, TestNamesAreUniqueAndEveryRowIsWellFormed) {
  std::vector<std::string> names;
  for (const Row& r : all_rows()) {
    names.push_back(test_name(r));
    EXPECT_TRUE(r.fn) << test_name(r);
    EXPECT_TRUE(r.ref) << test_name(r);
    EXPECT_FALSE(r.shapes.empty()) << test_name(r);
    EXPECT_TRUE(r.domains.size() == 1 || r.domains.size() == r.shapes.size()) << test_name(r);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end()) << "two rows share a test name";
}

// The checks the table relies on can fail: a deliberately wrong backward (exp with gradient gy * 2) is
// caught.
TEST(OpTable, GradcheckRejectsAWrongBackward) {
  ts::Fn wrong_exp = [](const Inputs& x) {
    const Variable& in = x[0];
    return ts::apply(
        "wrong_exp_for_test", {in}, ts::Site::current(),
        [&in] {
          Tensor out = in.data().to(Dtype::Float64).clone();
          double* p = out.data<double>();
          for (std::size_t i = 0; i < out.numel(); ++i) p[i] = std::exp(p[i]);
          return out;
        },
        [](const ts::Function&, const Variable& gy) { return ts::Grads{gy * 2.0}; });
  };
  Row row;
  row.shapes = {Shape{3}};
  row.domains = {U(-1, 1)};
  const Inputs in = make_inputs(draw_inputs(row), Dtype::Float64);
  EXPECT_FALSE(ts::gradcheck(wrong_exp, in).ok);
  // A backward that is right to first order but detaches what it saved: gradcheck passes, gradgradcheck must
  // not.
  ts::Fn detached_exp = [](const Inputs& x) {
    const Variable& in = x[0];
    return ts::apply(
        "detached_exp_for_test", {in}, ts::Site::current(),
        [&in] {
          Tensor out = in.data().to(Dtype::Float64).clone();
          double* p = out.data<double>();
          for (std::size_t i = 0; i < out.numel(); ++i) p[i] = std::exp(p[i]);
          return out;
        },
        [](const ts::Function& f, const Variable& gy) { return ts::Grads{gy * f.output().detach()}; });
  };
  EXPECT_TRUE(ts::gradcheck(detached_exp, in).ok);
  EXPECT_FALSE(ts::gradgradcheck(detached_exp, in).ok);
  // ... and the forward comparison is not vacuous either.
  EXPECT_FALSE(near(ts::exp(in[0]).data(), XA(xt::exp(ts::to_xarray<double>(in[0].data())) + 1e-6), 1e-10));
}

}  // namespace
