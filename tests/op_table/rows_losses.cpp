// Rows for functional/losses.cpp beyond the defaults that rows_composite.cpp covers: the reductions,
// nll_loss, cross_entropy (weights, ignore_index, label smoothing, (N, C, d1, ...) inputs, probability
// targets), huber_loss and smooth_l1_loss. The references loop over plain arrays with PyTorch's formulas
// written out (torch.nn.functional docs; aten/src/ATen/native/LossNLL.cpp for label smoothing).
#include <cmath>
#include <limits>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>
#include <xtensor/xreducer.hpp>

#include "op_table.hpp"

namespace op_table {
namespace {

using ts::Reduction;

XA reduced(const XA& loss, Reduction r) {
  if (r == Reduction::None) return loss;
  if (r == Reduction::Sum) return XA(xt::sum(loss)());
  return XA(xt::mean(loss)());
}

// The (N, C, D) view of a class-loss input: (C,) is N = D = 1, (N, C) is D = 1, (N, C, d1, ...) D = d1 d2 ...
struct Ncd {
  std::size_t n, c, d;
};
Ncd ncd(const XA& x) {
  if (x.dimension() == 1) return {1, x.shape()[0], 1};
  return {x.shape()[0], x.shape()[1], x.size() / (x.shape()[0] * x.shape()[1])};
}

// Log-probabilities over the class axis: x itself (nll_loss) or the stable log_softmax, whose shift is the
// class maximum (0 when that maximum is infinite, as Tsumiki and PyTorch take it).
std::vector<double> log_probs(const XA& x, bool softmax) {
  const Ncd s = ncd(x);
  std::vector<double> lp(x.begin(), x.end());
  if (!softmax) return lp;
  for (std::size_t n = 0; n < s.n; ++n)
    for (std::size_t e = 0; e < s.d; ++e) {
      double m = -std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < s.c; ++c) m = std::max(m, x.data()[(n * s.c + c) * s.d + e]);
      if (std::isinf(m)) m = 0;
      double z = 0;
      for (std::size_t c = 0; c < s.c; ++c) z += std::exp(x.data()[(n * s.c + c) * s.d + e] - m);
      for (std::size_t c = 0; c < s.c; ++c) {
        const std::size_t at = (n * s.c + c) * s.d + e;
        lp[at] = x.data()[at] - m - std::log(z);
      }
    }
  return lp;
}

// A labels case: int64 labels of `shape`, class weights (empty: all 1), ignore_index, smoothing, reduction.
struct Labels {
  Idx labels;
  std::vector<std::size_t> shape;
  std::vector<double> weight = {};
  std::int64_t ignore = -100;
  double smoothing = 0;
  Reduction reduction = Reduction::Mean;
};

// loss[m] = (1 - e) (-w[y] lp[n, y, d]) + e / C sum_c (-w[c] lp[n, c, d]), 0 where y = ignore; Mean divides
// the sum by the summed w[y] of the non-ignored elements.
XA ref_label_loss(const XA& x, const Labels& k, bool softmax) {
  const Ncd s = ncd(x);
  const std::vector<double> lp = log_probs(x, softmax);
  auto w = [&k](std::size_t c) { return k.weight.empty() ? 1.0 : k.weight[c]; };
  std::vector<double> loss(k.labels.size(), 0.0);
  double wsum = 0, total = 0;
  for (std::size_t m = 0; m < k.labels.size(); ++m) {
    if (k.labels[m] == k.ignore) continue;
    const auto y = static_cast<std::size_t>(k.labels[m]);
    const std::size_t n = m / s.d, e = m % s.d;
    double l = -w(y) * lp[(n * s.c + y) * s.d + e];
    if (k.smoothing > 0) {
      double smooth = 0;
      for (std::size_t c = 0; c < s.c; ++c) smooth -= w(c) * lp[(n * s.c + c) * s.d + e];
      l = (1 - k.smoothing) * l + k.smoothing / static_cast<double>(s.c) * smooth;
    }
    loss[m] = l;
    wsum += w(y);
    total += l;
  }
  if (k.reduction == Reduction::None) return xa(loss, k.shape);
  if (k.reduction == Reduction::Sum) return XA(total);
  return XA(total / wsum);
}

// Probability targets t: loss[n, d] = -sum_c w[c] ((1 - e) t[n, c, d] + e / C) lp[n, c, d]; Mean divides by N
// D.
XA ref_probability_loss(const XA& x, const XA& t, const std::vector<double>& weight, double e, Reduction r) {
  const Ncd s = ncd(x);
  const std::vector<double> lp = log_probs(x, true);
  std::vector<double> loss(s.n * s.d, 0.0);
  for (std::size_t n = 0; n < s.n; ++n)
    for (std::size_t d = 0; d < s.d; ++d)
      for (std::size_t c = 0; c < s.c; ++c) {
        const std::size_t at = (n * s.c + c) * s.d + d;
        const double tc = (1 - e) * t.data()[at] + e / static_cast<double>(s.c);
        loss[n * s.d + d] -= (weight.empty() ? 1.0 : weight[c]) * tc * lp[at];
      }
  std::vector<std::size_t> shape = xshape(x);
  shape.erase(shape.begin() + (x.dimension() == 1 ? 0 : 1));
  return reduced(xa(loss, shape), r);
}

Tensor weight_tensor(const std::vector<double>& w) {
  return w.empty() ? Tensor() : ts::from_vector<double>(w, Shape{w.size()});
}

Row nll_row(const char* label, Shape shape, Labels k) {
  const Shape tshape(k.shape);
  return unary(
      "nll_loss", label, std::move(shape), U(-3, 0),
      [k, tshape](const Variable& x) {
        return ts::nll_loss(x, Variable(int_tensor(k.labels, tshape)), weight_tensor(k.weight), k.ignore,
                            k.reduction);
      },
      [k](const XA& a) -> XA { return ref_label_loss(a, k, false); });
}

Row ce_row(const char* label, Shape shape, Labels k, Domain domain = U(-3, 3)) {
  const Shape tshape(k.shape);
  return unary(
      "cross_entropy", label, std::move(shape), std::move(domain),
      [k, tshape](const Variable& x) {
        return ts::cross_entropy(x, Variable(int_tensor(k.labels, tshape)),
                                 {.weight = weight_tensor(k.weight),
                                  .ignore_index = k.ignore,
                                  .reduction = k.reduction,
                                  .label_smoothing = k.smoothing});
      },
      [k](const XA& a) -> XA { return ref_label_loss(a, k, true); });
}

Row ce_probability_row(const char* label, Shape shape, std::vector<double> t, std::vector<double> weight,
                       double e, Reduction r) {
  return unary(
      "cross_entropy", label, shape, U(-3, 3),
      [t, weight, e, r, shape](const Variable& x) {
        return ts::cross_entropy(x, constant_like(t, shape, x),
                                 {.weight = weight_tensor(weight), .reduction = r, .label_smoothing = e});
      },
      [t, weight, e, r](const XA& a) -> XA {
        return ref_probability_loss(a, xa(t, xshape(a)), weight, e, r);
      });
}

// Elementwise regression losses with a kink at |y - t| = k: t stays within 0.05 of 0 and y keeps 0.15 or more
// from +-k (and from 0 when the kink is there, k = 0).
Domain away_from_kink(double k) {
  if (k == 0) return AwayFromZero(0.2, 2);
  return Parts({{-k - 1.5, -k - 0.2}, {-k + 0.2, k - 0.2}, {k + 0.2, k + 1.5}});
}

XA ref_huber(const XA& y, const XA& t, double delta, Reduction r) {
  XA l = XA::from_shape(xshape(y));
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double z = std::abs(y.data()[i] - t.data()[i]);
    l.data()[i] = z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
  }
  return reduced(l, r);
}

XA ref_smooth_l1(const XA& y, const XA& t, double beta, Reduction r) {
  XA l = XA::from_shape(xshape(y));
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double z = std::abs(y.data()[i] - t.data()[i]);
    l.data()[i] = beta == 0 ? z : (z < beta ? 0.5 * z * z / beta : z - 0.5 * beta);
  }
  return reduced(l, r);
}

Row huber_row(const char* label, Shape shape, double delta, Reduction r) {
  return binary(
      "huber_loss", label, {shape, shape}, {away_from_kink(delta), U(-0.05, 0.05)},
      [delta, r](const Variable& y, const Variable& t) { return ts::huber_loss(y, t, delta, r); },
      [delta, r](const XA& y, const XA& t) -> XA { return ref_huber(y, t, delta, r); });
}

Row smooth_l1_row(const char* label, Shape shape, double beta, Reduction r) {
  return binary(
      "smooth_l1_loss", label, {shape, shape}, {away_from_kink(beta), U(-0.05, 0.05)},
      [beta, r](const Variable& y, const Variable& t) { return ts::smooth_l1_loss(y, t, beta, r); },
      [beta, r](const XA& y, const XA& t) -> XA { return ref_smooth_l1(y, t, beta, r); });
}

}  // namespace

std::vector<Row> losses_rows() {
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };

  // ---- reductions of the existing elementwise losses ----
  for (const auto& [name, r] : {std::pair{"none", Reduction::None}, std::pair{"sum", Reduction::Sum}}) {
    add(binary(
        "mean_squared_error", std::string("reduction_") + name, {Shape{2, 3}, Shape{2, 3}}, {U(-2, 2)},
        [r](const Variable& y, const Variable& t) { return ts::mean_squared_error(y, t, r); },
        [r](const XA& y, const XA& t) -> XA { return reduced((y - t) * (y - t), r); }));
    const std::vector<double> targets{1, 0, 1, 0.25, 0, 0.75};
    add(no_infinity(unary(
                        "binary_cross_entropy", std::string("reduction_") + name, Shape{2, 3}, U(0.1, 0.9),
                        [r, targets](const Variable& p) {
                          return ts::binary_cross_entropy(p, constant_like(targets, Shape{2, 3}, p), r);
                        },
                        [r, targets](const XA& p) -> XA {
                          const XA t = xa(targets, {2, 3});
                          return reduced(-(t * xt::log(p) + (1.0 - t) * xt::log(1.0 - p)), r);
                        }),
                    "a prediction outside [0, 1], Inf included, is refused"));
    add(unary(
        "sigmoid_cross_entropy", std::string("reduction_") + name, Shape{2, 3}, U(-3, 3),
        [r, targets](const Variable& x) {
          return ts::sigmoid_cross_entropy(x, constant_like(targets, Shape{2, 3}, x), r);
        },
        [r, targets](const XA& x) -> XA {
          return reduced(ref_softplus(x) - xa(targets, {2, 3}) * x, r);
        }));
  }

  // ---- huber_loss and smooth_l1_loss (inputs kept away from the kink at |y - t| = delta or beta) ----
  add(huber_row("delta1_mean", Shape{3, 4}, 1.0, Reduction::Mean));
  add(huber_row("delta0_5_none", Shape{2, 5}, 0.5, Reduction::None));
  add(huber_row("delta2_sum", Shape{6}, 2.0, Reduction::Sum));
  add(smooth_l1_row("beta1_mean", Shape{3, 4}, 1.0, Reduction::Mean));
  add(smooth_l1_row("beta0_5_none", Shape{2, 5}, 0.5, Reduction::None));
  add(smooth_l1_row("beta0_is_l1_sum", Shape{6}, 0.0, Reduction::Sum));

  // ---- nll_loss (the input is taken as log-probabilities as given) ----
  add(nll_row("mean", Shape{4, 3}, {.labels = {2, 0, 1, 2}, .shape = {4}}));
  add(nll_row("weights_ignored_label_mean", Shape{5, 3},
              {.labels = {2, -100, 0, 1, 2}, .shape = {5}, .weight = {0.2, 1.5, 0.7}}));
  add(nll_row("custom_ignore_index_none", Shape{4, 3},
              {.labels = {1, 1, 0, 2}, .shape = {4}, .ignore = 1, .reduction = Reduction::None}));
  add(nll_row("images_weights_sum", Shape{2, 3, 2, 2},
              {.labels = {0, 2, 1, 1, 2, 2, 0, 1},
               .shape = {2, 2, 2},
               .weight = {1.0, 0.5, 2.0},
               .reduction = Reduction::Sum}));
  add(nll_row("vector_input_scalar_target", Shape{3}, {.labels = {2}, .shape = {}}));

  // ---- cross_entropy with labels ----
  add(ce_row("labels_mean", Shape{4, 3}, {.labels = {2, 0, 1, 2}, .shape = {4}}));
  const Labels weighted{.labels = {3, -100, 0, 1, 3},
                        .shape = {5},
                        .weight = {0.5, 1.0, 2.0, 0.25},
                        .ignore = -100,
                        .smoothing = 0.1};
  add(ce_row("weights_ignore_smoothing_mean", Shape{5, 4}, weighted));
  Labels none = weighted;
  none.reduction = Reduction::None;
  add(ce_row("weights_ignore_smoothing_none", Shape{5, 4}, none));
  add(ce_row("smoothing_sum", Shape{3, 4},
             {.labels = {0, 3, 3}, .shape = {3}, .smoothing = 0.3, .reduction = Reduction::Sum}));
  add(ce_row("images_weights_ignore_smoothing_mean", Shape{2, 3, 2, 2},
             {.labels = {0, 2, 1, -100, 2, 2, 0, 1},
              .shape = {2, 2, 2},
              .weight = {1.0, 0.5, 2.0},
              .smoothing = 0.2}));
  add(ce_row("sequence_ignore_index_none", Shape{2, 3, 3},
             {.labels = {0, 2, 1, 1, 0, 1}, .shape = {2, 3}, .ignore = 1, .reduction = Reduction::None}));
  add(ce_row("vector_logits", Shape{4}, {.labels = {1}, .shape = {}, .smoothing = 0.1}));
  add(ce_row("large_logits", Shape{3, 4}, {.labels = {0, 3, 1}, .shape = {3}, .smoothing = 0.1},
             U(1000, 1003)));

  // ---- cross_entropy with probability targets ----
  const std::string zero_times_inf =
      "probability targets multiply log_softmax: a zero target times -Inf is NaN (as in PyTorch)";
  add(no_infinity(ce_probability_row("probabilities_weights_smoothing_mean", Shape{2, 3},
                                     {0.2, 0.3, 0.5, 1.0, 0.0, 0.0}, {0.5, 1.0, 2.0}, 0.2, Reduction::Mean),
                  zero_times_inf));
  add(no_infinity(ce_probability_row("probabilities_images_none", Shape{2, 2, 3},
                                     {0.1, 0.5, 0.9, 0.0, 0.9, 0.5, 0.1, 1.0, 0.3, 0.3, 0.7, 0.7}, {}, 0.0,
                                     Reduction::None),
                  zero_times_inf));
  return rows;
}

}  // namespace op_table
