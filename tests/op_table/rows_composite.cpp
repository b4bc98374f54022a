// Rows for the composites in functional/: the softmax family, linear, the losses, conv2d, normalisation and
// dropout. Composites have no backward of their own (they are not registered), but their forward and their
// gradients through the primitives deserve rows.
#include <cmath>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>
#include <xtensor/xreducer.hpp>

#include "op_table.hpp"

namespace op_table {
namespace {

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
// The maximum along `axis` that the stable forms subtract, with an infinite one taken as 0 (as PyTorch does).
XA ref_shift(const XA& a, std::size_t axis) {
  XA m = xt::amax(a, {axis}, xt::keep_dims);
  return xt::where(xt::isinf(m), 0.0, m);
}
// Stable form, for rows with large logits: max + log(sum(exp(x - max))).
XA ref_logsumexp_stable(const XA& a, std::size_t axis, bool keepdims) {
  XA m = ref_shift(a, axis);
  XA l = m + xt::log(xt::sum(xt::exp(a - m), {axis}, xt::keep_dims));
  if (!keepdims) {
    std::vector<std::size_t> s(l.shape().begin(), l.shape().end());
    s.erase(s.begin() + static_cast<std::ptrdiff_t>(axis));
    l.reshape(s);
  }
  return l;
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

}  // namespace

std::vector<Row> composite_rows() {
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };

  // ---- softmax, log_softmax, logsumexp (functional/activations.cpp) ----
  const UnaryFn softmax = [](const Variable& x) { return ts::softmax(x); };
  const UnaryFn log_softmax = [](const Variable& x) { return ts::log_softmax(x); };
  const UnaryFn logsumexp = [](const Variable& x) { return ts::logsumexp(x); };
  add(unary("softmax", "last_axis", Shape{3, 4}, U(-3, 3), softmax,
            [](const XA& a) -> XA { return ref_softmax(a, 1); }));
  add(unary(
      "softmax", "axis0_3d", Shape{3, 2, 2}, U(-3, 3), [](const Variable& x) { return ts::softmax(x, 0); },
      [](const XA& a) -> XA { return ref_softmax(a, 0); }));
  add(unary("softmax", "large_logits", Shape{2, 3}, U(1000, 1003), softmax,
            [](const XA& a) -> XA { return ref_softmax(a - ref_shift(a, 1), 1); }));
  add(unary("log_softmax", "last_axis", Shape{3, 4}, U(-3, 3), log_softmax,
            [](const XA& a) -> XA { return ref_log_softmax(a, 1); }));
  add(unary(
      "log_softmax", "axis0", Shape{3, 4}, U(-3, 3), [](const Variable& x) { return ts::log_softmax(x, 0); },
      [](const XA& a) -> XA { return ref_log_softmax(a, 0); }));
  add(unary("log_softmax", "large_logits", Shape{2, 3}, U(1000, 1003), log_softmax,
            [](const XA& a) -> XA { return ref_log_softmax(a - ref_shift(a, 1), 1); }));
  add(unary("softmax", "vector", Shape{5}, U(-3, 3), softmax,
            [](const XA& a) -> XA { return ref_softmax(a, 0); }));
  add(unary("logsumexp", "default_last_axis", Shape{3, 4}, U(-3, 3), logsumexp,
            [](const XA& a) -> XA { return xt::log(xt::sum(xt::exp(a), {1})); }));
  add(unary(
      "logsumexp", "axis0_keepdims", Shape{3, 4}, U(-3, 3),
      [](const Variable& x) { return ts::logsumexp(x, {0}, true); },
      [](const XA& a) -> XA { return xt::log(xt::sum(xt::exp(a), {0}, xt::keep_dims)); }));
  add(unary("logsumexp", "large_logits", Shape{2, 3}, U(1000, 1003), logsumexp,
            [](const XA& a) -> XA { return ref_logsumexp_stable(a, 1, false); }));

  // ---- linear (functional/linear.cpp) ----
  add({.op = "linear",
       .label = "with_bias",
       .fn = [](const Inputs& x) { return ts::linear(x[0], x[1], x[2]); },
       .shapes = {Shape{4, 3}, Shape{3, 2}, Shape{2}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA { return ref_matmul(a[0], a[1]) + a[2]; }});
  add(binary(
      "linear", "no_bias", {Shape{4, 3}, Shape{3, 2}}, {U(-1, 1)},
      [](const Variable& x, const Variable& W) { return ts::linear(x, W, Variable()); }, ref_matmul));

  // ---- losses (functional/losses.cpp) ----
  // Shapes where "mean over the batch" and "mean over all elements" agree ((N,) or (N, 1)).
  const BinaryFn mse = [](const Variable& y, const Variable& t) { return ts::mean_squared_error(y, t); };
  const BinaryRef ref_mse = [](const XA& y, const XA& t) -> XA { return xt::mean((y - t) * (y - t)); };
  add(binary("mean_squared_error", "vector", {Shape{5}, Shape{5}}, {U(-2, 2)}, mse, ref_mse));
  add(binary("mean_squared_error", "column", {Shape{4, 1}, Shape{4, 1}}, {U(-2, 2)}, mse, ref_mse));
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
    const std::string zero_times_inf =
        "probability targets multiply log_softmax: 0 * -Inf is NaN where the reference picks a label "
        "(as in PyTorch; labels give the finite loss)";
    add(no_infinity({.op = "softmax_cross_entropy",
                     .label = "one_hot",
                     .fn =
                         [](const Inputs& x) {
                           return ts::softmax_cross_entropy(
                               x[0], constant_like({0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}, Shape{4, 3}, x[0]));
                         },
                     .shapes = {Shape{4, 3}},
                     .domains = {U(-3, 3)},
                     .ref = ref_labels},
                    zero_times_inf));
    add(no_infinity({.op = "softmax_cross_entropy",
                     .label = "one_hot_helper",
                     .fn =
                         [labels](const Inputs& x) {
                           return ts::softmax_cross_entropy(
                               x[0], Variable(ts::one_hot(int_tensor(labels, Shape{4}), 3, x[0].dtype())));
                         },
                     .shapes = {Shape{4, 3}},
                     .domains = {U(-3, 3)},
                     .ref = ref_labels},
                    zero_times_inf));
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
    const std::string outside_unit =
        "a prediction outside [0, 1], Inf included, is refused (tests/test_nan.cpp checks the message)";
    add(no_infinity({.op = "binary_cross_entropy",
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
                     }},
                    outside_unit));
    add(no_infinity({.op = "binary_cross_entropy",
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
                     }},
                    outside_unit));
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

  // ---- normalisation (functional/normalization.cpp): local response norm, odd and even windows ----
  add(unary(
      "local_response_norm", "size3", Shape{2, 4, 2, 2}, U(-2, 2),
      [](const Variable& x) { return ts::local_response_norm(x, 3, 0.5, 0.75, 1.0); },
      [](const XA& a) -> XA { return ref_lrn(a, 3, 0.5, 0.75, 1.0); }));
  add(unary(
      "local_response_norm", "size4_even_window_k2", Shape{1, 5, 2, 1}, U(-2, 2),
      [](const Variable& x) { return ts::local_response_norm(x, 4, 0.3, 0.6, 2.0); },
      [](const XA& a) -> XA { return ref_lrn(a, 4, 0.3, 0.6, 2.0); }));

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
  // ---- dropout (functional/dropout.cpp) ----
  add(unary(
      "dropout", "eval_is_identity", Shape{2, 3}, U(-2, 2),
      [](const Variable& x) { return ts::dropout(x, 0.5, false) * 1.0; },
      [](const XA& a) -> XA { return a; }));
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
  return rows;
}

}  // namespace op_table
