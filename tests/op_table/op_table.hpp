// The op table's rows (tests/test_ops.cpp runs them): one row per (op, case), one file per op family.
//
// A family file is tests/op_table/rows_<family>.cpp; adding an op means adding its rows there. The primitive
// families follow autograd/ops/<family>.cpp (a composite declared next to its primitives, such as square or
// mean, sits with them); composite_rows() holds the functional/ composites.
//
// This header holds what the rows share: the Row itself, input domains, row helpers, and the references
// used by more than one family. A reference used by one family stays in that family's file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <ostream>
#include <string>
#include <tsumiki.hpp>
#include <tsumiki/autograd/xtensor_interop.hpp>
#include <utility>
#include <vector>
#include <xtensor/xarray.hpp>

namespace op_table {

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
inline Domain U(double lo, double hi) { return Domain{{{lo, hi}}}; }
// [-hi, -lo] u [lo, hi]: keeps clear of a kink at 0.
inline Domain AwayFromZero(double lo, double hi) { return Domain{{{-hi, -lo}, {lo, hi}}}; }
inline Domain Parts(std::initializer_list<Interval> parts) { return Domain{parts}; }

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
  std::string no_nan = {};       // non-empty: why a NaN input may leave outputs that depend on it finite
  std::string no_infinity = {};  // non-empty: why the infinity check is not run for this row
};

// gtest prints a parameter through this (found by argument-dependent lookup, so it lives next to Row).
inline void PrintTo(const Row& row, std::ostream* os) { *os << row.op << "/" << row.label; }

// ---------------------------------------------------------------------------------------------------------
// The families: make_rows() in tests/test_ops.cpp concatenates them
// ---------------------------------------------------------------------------------------------------------

// autograd/ops/arithmetic.cpp: add, sub, mul, div, add_scalar, mul_scalar, neg, pow (number and tensor
// exponents), square.
std::vector<Row> arithmetic_rows();
// autograd/ops/math.cpp: elementwise functions (log1p, expm1, erf, silu, gelu, ...), maximum/minimum, clip,
// clamp, where.
std::vector<Row> math_rows();
// autograd/ops/matmul.cpp: matmul.
std::vector<Row> matmul_rows();
// autograd/ops/shape.cpp: reshape, transpose, broadcast_to, sum_to, flatten, swapaxes, (un)squeeze.
std::vector<Row> shape_rows();
// autograd/ops/reduce.cpp: sum, max, min, norm, cumsum; the composites mean, prod, var, std.
std::vector<Row> reduce_rows();
// autograd/ops/indexing.cpp: get_item, slice, take, gather, scatter_add, concat, stack, the scatter
// backwards, and the composites masked_fill, masked_select and pad.
std::vector<Row> indexing_rows();
// autograd/ops/conv.cpp: im2col, col2im.
std::vector<Row> conv_rows();
// autograd/ops/pooling.cpp: max_pool2d and its backward; avg_pool2d shares their cases.
std::vector<Row> pooling_rows();
// autograd/ops/checkpoint.cpp: checkpoint, with a function that closes over an input, and nested.
std::vector<Row> checkpoint_rows();
// functional/: the softmax family, linear, losses, conv2d, normalisation, dropout.
std::vector<Row> composite_rows();
// functional/activations.cpp: leaky_relu, elu, hardtanh, logsigmoid.
std::vector<Row> activations_rows();
// functional/losses.cpp: reductions, nll_loss, cross_entropy, huber_loss, smooth_l1_loss.
std::vector<Row> losses_rows();
// functional/: sequence models' composites: layer_norm, group_norm, embedding, attention, recurrent cells.
std::vector<Row> sequence_rows();

// ---------------------------------------------------------------------------------------------------------
// Row helpers: the common shapes of a row, so a row states only its case
// ---------------------------------------------------------------------------------------------------------

using UnaryFn = std::function<Variable(const Variable&)>;
using UnaryRef = std::function<XA(const XA&)>;
using BinaryFn = std::function<Variable(const Variable&, const Variable&)>;
using BinaryRef = std::function<XA(const XA&, const XA&)>;

// One input of `shape` drawn from `domain`: fn(x) against ref(a).
inline Row unary(std::string op, std::string label, Shape shape, Domain domain, UnaryFn fn, UnaryRef ref) {
  return {.op = std::move(op),
          .label = std::move(label),
          .fn = [fn = std::move(fn)](const Inputs& x) { return fn(x[0]); },
          .shapes = {std::move(shape)},
          .domains = {std::move(domain)},
          .ref = [ref = std::move(ref)](const Refs& a) { return ref(a[0]); }};
}

// Two inputs of `shapes`, drawn from `domains` (one for both, or one each): fn(x0, x1) against ref(a0, a1).
inline Row binary(std::string op, std::string label, std::vector<Shape> shapes, std::vector<Domain> domains,
                  BinaryFn fn, BinaryRef ref) {
  return {.op = std::move(op),
          .label = std::move(label),
          .fn = [fn = std::move(fn)](const Inputs& x) { return fn(x[0], x[1]); },
          .shapes = std::move(shapes),
          .domains = std::move(domains),
          .ref = [ref = std::move(ref)](const Refs& a) { return ref(a[0], a[1]); }};
}

// The row, with why a NaN input may rightly vanish from it (see OpTest.NaNReachesEveryOutputThatDependsOnIt).
inline Row nan_may_vanish(Row row, std::string why) {
  row.no_nan = std::move(why);
  return row;
}

// The row, with why the infinity check does not apply to it.
inline Row no_infinity(Row row, std::string why) {
  row.no_infinity = std::move(why);
  return row;
}

// The row with every input value pairwise distinct and well apart (max/min and friends: no ties).
inline Row distinct(Row row) {
  row.distinct = true;
  return row;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers shared by several families
// ---------------------------------------------------------------------------------------------------------

inline std::vector<std::size_t> dims(const Shape& s) { return s.to_vector(); }

// A float constant for a row function, in the dtype of `like` (float32 or float64 runs).
inline Variable constant_like(const std::vector<double>& values, const Shape& shape, const Variable& like) {
  return Variable(ts::from_vector<double>(values, shape).to(like.dtype()));
}

inline Tensor int_tensor(const Idx& values, const Shape& shape) {
  return ts::from_vector<std::int64_t>(values, shape);
}

XA xa(const std::vector<double>& values, const std::vector<std::size_t>& shape);
XA reshaped(const XA& a, const std::vector<std::size_t>& shape);

// NumPy matmul, written as a naive triple loop (no BLAS, no xt::linalg).
XA ref_matmul(const XA& a, const XA& b);
// log1p(exp(a)), naively (no row's input is large enough to overflow it).
XA ref_softplus(const XA& a);

inline ts::GradOptions create_graph() {
  ts::GradOptions options;
  options.create_graph = true;
  return options;
}

// ---- images (NCHW): shared by the direct nested-loop references of the conv, pooling and composite rows
// ----
struct Geom {
  std::size_t kh, kw, sh, sw, ph, pw;
};
// One window case of the conv and pooling rows: a label, the input shape and the window.
struct WindowCase {
  const char* label;
  Shape x;
  Geom g;
};
inline std::size_t out_size(std::size_t n, std::size_t k, std::size_t s, std::size_t p) {
  return (n + 2 * p - k) / s + 1;
}
inline std::vector<std::size_t> xshape(const XA& x) { return {x.shape().begin(), x.shape().end()}; }

// x[n, c, ih, iw] or 0 in the padding.
double pixel(const XA& x, std::size_t n, std::size_t c, std::ptrdiff_t ih, std::ptrdiff_t iw);

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

}  // namespace op_table
