// Rows for the sequence-model composites in functional/: layer_norm, group_norm, embedding,
// scaled_dot_product_attention and the recurrent cells. The references are plain loops over
// xt::xarray<double>, written from the formulas (PyTorch's), not from the library's code.
#include <cmath>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "op_table.hpp"

namespace op_table {
namespace {

// Normalises each run of `block` consecutive values of x (row-major) to mean 0 and variance 1 (+ eps).
XA ref_standardize(const XA& x, std::size_t block, double eps) {
  XA y = x;
  for (std::size_t r = 0; r < x.size() / block; ++r) {
    double mu = 0, var = 0;
    for (std::size_t i = 0; i < block; ++i) mu += x.data()[r * block + i];
    mu /= static_cast<double>(block);
    for (std::size_t i = 0; i < block; ++i) {
      const double d = x.data()[r * block + i] - mu;
      var += d * d;
    }
    var /= static_cast<double>(block);
    for (std::size_t i = 0; i < block; ++i)
      y.data()[r * block + i] = (x.data()[r * block + i] - mu) / std::sqrt(var + eps);
  }
  return y;
}

// layer_norm over the trailing gamma.size() values, with gamma and beta of the trailing shape.
XA ref_layer_norm(const XA& x, const XA* gamma, const XA* beta, std::size_t block, double eps) {
  XA y = ref_standardize(x, block, eps);
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (gamma) y.data()[i] *= gamma->data()[i % block];
    if (beta) y.data()[i] += beta->data()[i % block];
  }
  return y;
}

// group_norm on x (N, C, ...): groups of C / G channels, per-channel affine.
XA ref_group_norm(const XA& x, std::size_t groups, const XA& gamma, const XA& beta, double eps) {
  const auto xs = xshape(x);
  const std::size_t c = xs[1], inner = x.size() / (xs[0] * c);
  XA y = ref_standardize(x, (c / groups) * inner, eps);
  for (std::size_t i = 0; i < y.size(); ++i) {
    const std::size_t ch = (i / inner) % c;
    y.data()[i] = y.data()[i] * gamma(ch) + beta(ch);
  }
  return y;
}

double ref_sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// Columns [k H, (k + 1) H) of a (N, G H) matrix.
XA block(const XA& a, std::size_t k, std::size_t h) {
  return xt::view(a, xt::all(), xt::range(k * h, (k + 1) * h));
}

// x W_ih + b_ih and h W_hh + b_hh.
XA affine(const XA& x, const XA& w, const XA& b) { return ref_matmul(x, w) + b; }

XA map(const XA& a, double (*f)(double)) {
  XA y = a;
  for (auto& v : y) v = f(v);
  return y;
}
double tanh_d(double v) { return std::tanh(v); }

// softmax(q k^T / sqrt(d) + mask) v over the last two axes, every leading index separately.
XA ref_attention(const XA& q, const XA& k, const XA& v, bool causal) {
  const auto qs = xshape(q), ks = xshape(k), vs = xshape(v);
  const std::size_t r = qs.size(), L = qs[r - 2], S = ks[r - 2], d = qs[r - 1], dv = vs[r - 1];
  const std::size_t batch = q.size() / (L * d);
  std::vector<std::size_t> out_shape(qs.begin(), qs.end() - 1);
  out_shape.push_back(dv);
  XA out = XA::from_shape(out_shape);
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t i = 0; i < L; ++i) {
      std::vector<double> s(S);
      double m = -HUGE_VAL;
      for (std::size_t j = 0; j < S; ++j) {
        double acc = 0;
        for (std::size_t e = 0; e < d; ++e)
          acc += q.data()[(b * L + i) * d + e] * k.data()[(b * S + j) * d + e];
        s[j] = acc / std::sqrt(static_cast<double>(d)) + (causal && j > i ? -1e9 : 0.0);
        m = std::max(m, s[j]);
      }
      if (std::isinf(m)) m = 0;  // an infinite maximum is not subtracted (softmax's rule, as PyTorch's)
      double z = 0;
      for (auto& e : s) z += (e = std::exp(e - m));
      for (std::size_t c = 0; c < dv; ++c) {
        double acc = 0;
        for (std::size_t j = 0; j < S; ++j) acc += s[j] / z * v.data()[(b * S + j) * dv + c];
        out.data()[(b * L + i) * dv + c] = acc;
      }
    }
  return out;
}

}  // namespace

std::vector<Row> sequence_rows() {
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };

  // ---- layer_norm (functional/normalization.cpp) ----
  add({.op = "layer_norm",
       .label = "last_axis_affine",
       .fn = [](const Inputs& x) { return ts::layer_norm(x[0], Shape{4}, x[1], x[2]); },
       .shapes = {Shape{3, 4}, Shape{4}, Shape{4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return ref_layer_norm(a[0], &a[1], &a[2], 4, 1e-5); }});
  add({.op = "layer_norm",
       .label = "two_axes_affine",
       .fn =
           [](const Inputs& x) {
             return ts::layer_norm(x[0], Shape{2, 3}, x[1], x[2], 1e-3);
           },
       .shapes = {Shape{2, 2, 3}, Shape{2, 3}, Shape{2, 3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return ref_layer_norm(a[0], &a[1], &a[2], 6, 1e-3); }});
  add(unary(
      "layer_norm", "no_affine", Shape{2, 5}, U(-3, 3),
      [](const Variable& x) { return ts::layer_norm(x, Shape{5}); },
      [](const XA& a) -> XA { return ref_layer_norm(a, nullptr, nullptr, 5, 1e-5); }));

  // ---- group_norm: groups of two channels, instance norm (a group per channel), one group ----
  add({.op = "group_norm",
       .label = "two_groups_3d",
       .fn = [](const Inputs& x) { return ts::group_norm(x[0], 2, x[1], x[2]); },
       .shapes = {Shape{2, 4, 3}, Shape{4}, Shape{4}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return ref_group_norm(a[0], 2, a[1], a[2], 1e-5); }});
  add({.op = "group_norm",
       .label = "instance_norm_images",
       .fn = [](const Inputs& x) { return ts::group_norm(x[0], 3, x[1], x[2]); },
       .shapes = {Shape{2, 3, 2, 2}, Shape{3}, Shape{3}},
       .domains = {U(-2, 2)},
       .ref = [](const Refs& a) -> XA { return ref_group_norm(a[0], 3, a[1], a[2], 1e-5); }});
  add(unary(
      "group_norm", "one_group_no_affine", Shape{3, 2, 2}, U(-2, 2),
      [](const Variable& x) { return ts::group_norm(x, 1); },
      [](const XA& a) -> XA {
        return ref_group_norm(a, 1, xt::ones<double>({2}), xt::zeros<double>({2}), 1e-5);
      }));

  // ---- embedding: repeated indices (the backward must add both), a 2-D batch of indices ----
  {
    const Idx idx{1, 4, 1, 0, 2, 1};
    add(unary(
        "embedding", "repeated_2d_indices", Shape{5, 3}, U(-2, 2),
        [idx](const Variable& t) {
          return ts::embedding(t, int_tensor(idx, Shape{2, 3}));
        },
        [idx](const XA& a) -> XA {
          XA y = XA::from_shape({2, 3, 3});
          for (std::size_t i = 0; i < idx.size(); ++i)
            for (std::size_t d = 0; d < 3; ++d) y.data()[i * 3 + d] = a(static_cast<std::size_t>(idx[i]), d);
          return y;
        }));
    add(unary(
        "embedding", "vector_indices", Shape{4, 2}, U(-2, 2),
        [](const Variable& t) {
          return ts::embedding(t, int_tensor({3, 0, 3}, Shape{3}));
        },
        [](const XA& a) -> XA {
          return xa({a(3, 0), a(3, 1), a(0, 0), a(0, 1), a(3, 0), a(3, 1)}, {3, 2});
        }));
  }

  // ---- scaled_dot_product_attention: plain, causal with heads, more keys than queries ----
  add({.op = "scaled_dot_product_attention",
       .label = "plain",
       .fn = [](const Inputs& x) { return ts::scaled_dot_product_attention(x[0], x[1], x[2]); },
       .shapes = {Shape{2, 3, 4}, Shape{2, 3, 4}, Shape{2, 3, 2}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA { return ref_attention(a[0], a[1], a[2], false); }});
  add({.op = "scaled_dot_product_attention",
       .label = "causal_heads",
       .fn = [](const Inputs& x) { return ts::scaled_dot_product_attention(x[0], x[1], x[2], true); },
       .shapes = {Shape{1, 2, 3, 2}, Shape{1, 2, 3, 2}, Shape{1, 2, 3, 2}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA { return ref_attention(a[0], a[1], a[2], true); }});
  add({.op = "scaled_dot_product_attention",
       .label = "causal_more_keys",
       .fn = [](const Inputs& x) { return ts::scaled_dot_product_attention(x[0], x[1], x[2], true); },
       .shapes = {Shape{2, 4}, Shape{3, 4}, Shape{3, 2}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA { return ref_attention(a[0], a[1], a[2], true); }});

  // ---- recurrent cells (functional/recurrent.cpp): x (2, 3), H = 2, every weight an input ----
  add({.op = "rnn_cell",
       .label = "tanh",
       .fn =
           [](const Inputs& x) {
             return ts::rnn_cell(x[0], x[1], {x[2], x[3], x[4], x[5]});
           },
       .shapes = {Shape{2, 3}, Shape{2, 2}, Shape{3, 2}, Shape{2, 2}, Shape{2}, Shape{2}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA {
         return map(XA(affine(a[0], a[2], a[4]) + affine(a[1], a[3], a[5])), tanh_d);
       }});
  add({.op = "rnn_cell",
       .label = "relu_no_bias",
       .fn =
           [](const Inputs& x) {
             return ts::rnn_cell(x[0], x[1], {x[2], x[3], {}, {}}, ts::Nonlinearity::ReLU);
           },
       .shapes = {Shape{2, 3}, Shape{2, 2}, Shape{3, 2}, Shape{2, 2}},
       .domains = {U(0.2, 1)},  // positive inputs and weights: pre-activations well above relu's kink
       .ref = [](const Refs& a) -> XA {
         XA p = ref_matmul(a[0], a[2]) + ref_matmul(a[1], a[3]);
         return xt::maximum(p, 0.0);
       }});
  add({.op = "lstm_cell",
       .label = "h_and_c",
       .fn =
           [](const Inputs& x) {
             const ts::LSTMState s = ts::lstm_cell(x[0], {x[1], x[2]}, {x[3], x[4], x[5], x[6]});
             return ts::concat({s.h, s.c}, 1);
           },
       .shapes = {Shape{2, 3}, Shape{2, 2}, Shape{2, 2}, Shape{3, 8}, Shape{2, 8}, Shape{8}, Shape{8}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA {
         const XA g = affine(a[0], a[3], a[5]) + affine(a[1], a[4], a[6]);
         const XA i = map(block(g, 0, 2), ref_sigmoid), f = map(block(g, 1, 2), ref_sigmoid);
         const XA c = f * a[2] + i * map(block(g, 2, 2), tanh_d);
         const XA h = map(block(g, 3, 2), ref_sigmoid) * map(c, tanh_d);
         return xt::concatenate(xt::xtuple(h, c), 1);
       }});
  add({.op = "gru_cell",
       .label = "with_bias",
       .fn =
           [](const Inputs& x) {
             return ts::gru_cell(x[0], x[1], {x[2], x[3], x[4], x[5]});
           },
       .shapes = {Shape{2, 3}, Shape{2, 2}, Shape{3, 6}, Shape{2, 6}, Shape{6}, Shape{6}},
       .domains = {U(-1, 1)},
       .ref = [](const Refs& a) -> XA {
         const XA gi = affine(a[0], a[2], a[4]), gh = affine(a[1], a[3], a[5]);
         const XA r = map(XA(block(gi, 0, 2) + block(gh, 0, 2)), ref_sigmoid);
         const XA z = map(XA(block(gi, 1, 2) + block(gh, 1, 2)), ref_sigmoid);
         const XA n = map(XA(block(gi, 2, 2) + r * block(gh, 2, 2)), tanh_d);
         return (1.0 - z) * n + z * a[1];
       }});
  return rows;
}

}  // namespace op_table
