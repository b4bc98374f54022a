// Rows for autograd/ops/reduce.cpp: sum, max, min, and the composite mean.
#include <cmath>
#include <utility>
#include <xtensor/xmath.hpp>
#include <xtensor/xreducer.hpp>

#include "op_table.hpp"

namespace op_table {
namespace {

// The reduced axes (sorted, non-negative) of a row's reference.
std::vector<std::size_t> all_axes(const XA& a) {
  std::vector<std::size_t> ax(a.dimension());
  for (std::size_t d = 0; d < ax.size(); ++d) ax[d] = d;
  return ax;
}
// Variance by its definition, over `axes` (keepdims), divided by N - correction.
XA ref_var(const XA& a, const std::vector<std::size_t>& axes, double correction, bool keepdims) {
  std::size_t n = 1;
  for (auto d : axes) n *= a.shape()[d];
  XA m = xt::sum(a, axes, xt::keep_dims) / static_cast<double>(n);
  XA d = a - m;
  XA v = xt::sum(d * d, axes, xt::keep_dims) / (static_cast<double>(n) - correction);
  if (keepdims) return v;
  return xt::sum(v, axes);  // drops the (size 1) axes
}
XA ref_prod(const XA& a, const std::vector<std::size_t>& axes, bool keepdims) {
  return keepdims ? XA(xt::prod(a, axes, xt::keep_dims)) : XA(xt::prod(a, axes));
}
// Running sum along axis, by loops.
XA ref_cumsum(const XA& a, std::size_t axis) {
  XA out = a;
  std::size_t outer = 1, n = a.shape()[axis], inner = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= a.shape()[d];
  for (std::size_t d = axis + 1; d < a.dimension(); ++d) inner *= a.shape()[d];
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t j = 0; j < inner; ++j)
      for (std::size_t k = 1; k < n; ++k)
        out.flat((o * n + k) * inner + j) += out.flat((o * n + k - 1) * inner + j);
  return out;
}

}  // namespace

std::vector<Row> reduce_rows() {
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };

  // ---- sum ----
  add(unary(
      "sum", "all", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::sum(x); },
      [](const XA& a) -> XA { return xt::sum(a); }));
  add(unary(
      "sum", "axis0", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::sum(x, {0}); },
      [](const XA& a) -> XA { return xt::sum(a, {0}); }));
  add(unary(
      "sum", "axis_minus1_3d", Shape{2, 3, 4}, U(-2, 2), [](const Variable& x) { return ts::sum(x, {-1}); },
      [](const XA& a) -> XA { return xt::sum(a, {2}); }));
  add(unary(
      "sum", "axis1_keepdims", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::sum(x, {1}, true); },
      [](const XA& a) -> XA { return xt::sum(a, {1}, xt::keep_dims); }));
  add(unary(
      "sum", "axes_0_2", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) {
        return ts::sum(x, {0, 2});
      },
      [](const XA& a) -> XA {
        return xt::sum(a, {0, 2});
      }));
  add(unary(
      "sum", "axes_0_2_keepdims", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) {
        return ts::sum(x, {0, -1}, true);
      },
      [](const XA& a) -> XA {
        return xt::sum(a, {0, 2}, xt::keep_dims);
      }));
  add(unary(
      "sum", "all_keepdims", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::sum(x, {}, true); },
      [](const XA& a) -> XA {
        return reshaped(XA(xt::sum(a)), {1, 1});
      }));
  add(unary(
      "sum", "vector_axis0_to_scalar_shape", Shape{4}, U(-2, 2),
      [](const Variable& x) { return ts::sum(x, {0}); }, [](const XA& a) -> XA { return xt::sum(a); }));

  // ---- max / min (distinct values: the arg-extremum is unique and far from a tie) ----
  for (const char* op : {"max", "min"}) {
    const bool is_max = std::string(op) == "max";
    auto reduce = [is_max](const Variable& v, const ts::Axes& axes, bool keep) {
      return is_max ? ts::max(v, axes, keep) : ts::min(v, axes, keep);
    };
    add(distinct(unary(
        op, "all", Shape{3, 4}, U(-2, 2), [reduce](const Variable& x) { return reduce(x, {}, false); },
        [is_max](const XA& a) -> XA { return is_max ? XA(xt::amax(a)) : XA(xt::amin(a)); })));
    add(distinct(unary(
        op, "axis1", Shape{3, 4}, U(-2, 2), [reduce](const Variable& x) { return reduce(x, {1}, false); },
        [is_max](const XA& a) -> XA { return is_max ? XA(xt::amax(a, {1})) : XA(xt::amin(a, {1})); })));
    add(distinct(unary(
        op, "axis0_keepdims", Shape{3, 4}, U(-2, 2),
        [reduce](const Variable& x) { return reduce(x, {0}, true); },
        [is_max](const XA& a) -> XA {
          return is_max ? XA(xt::amax(a, {0}, xt::keep_dims)) : XA(xt::amin(a, {0}, xt::keep_dims));
        })));
    add(distinct(unary(
        op, "axis_minus1_3d", Shape{2, 3, 4}, U(-2, 2),
        [reduce](const Variable& x) { return reduce(x, {-1}, false); },
        [is_max](const XA& a) -> XA { return is_max ? XA(xt::amax(a, {2})) : XA(xt::amin(a, {2})); })));
  }
  add(distinct(unary(
      "max", "all_keepdims", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::max(x, {}, true); },
      [](const XA& a) -> XA {
        return reshaped(XA(xt::amax(a)), {1, 1});
      })));
  add(distinct(unary(
      "min", "axes_0_1_of_3d", Shape{2, 3, 2}, U(-2, 2),
      [](const Variable& x) {
        return ts::min(x, {0, 1});
      },
      [](const XA& a) -> XA {
        return xt::amin(a, {0, 1});
      })));

  // ---- mean (composite over sum) ----
  add(unary(
      "mean", "all", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::mean(x); },
      [](const XA& a) -> XA { return xt::mean(a); }));
  add(unary(
      "mean", "axis0", Shape{3, 4}, U(-2, 2), [](const Variable& x) { return ts::mean(x, {0}); },
      [](const XA& a) -> XA { return xt::mean(a, {0}); }));
  add(unary(
      "mean", "axis_minus1_keepdims", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) { return ts::mean(x, {-1}, true); },
      [](const XA& a) -> XA { return xt::mean(a, {2}, xt::keep_dims); }));

  // ---- prod (composite: a tree of muls; rows with zeros check the gradient there) ----
  add(unary(
      "prod", "all", Shape{2, 3}, U(-1.5, 1.5), [](const Variable& x) { return ts::prod(x); },
      [](const XA& a) -> XA { return xt::prod(a); }));
  add(unary(
      "prod", "axis1_odd_length", Shape{2, 7}, U(-1.5, 1.5),
      [](const Variable& x) { return ts::prod(x, {1}); },
      [](const XA& a) -> XA { return ref_prod(a, {1}, false); }));
  add(unary(
      "prod", "axes_0_2_keepdims", Shape{3, 2, 5}, U(-1.5, 1.5),
      [](const Variable& x) {
        return ts::prod(x, {0, -1}, true);
      },
      [](const XA& a) -> XA {
        return ref_prod(a, {0, 2}, true);
      }));
  add(unary(
      "prod", "scalar_shape", Shape{}, U(-1.5, 1.5), [](const Variable& x) { return ts::prod(x); },
      [](const XA& a) -> XA { return a; }));
  // The zeros are an input drawn from U(0, 0): the gradient at a lone zero is the product of the others, and
  // with two zeros the gradient is 0 while the mixed second derivative is not.
  for (const auto& [label, zeros] : {std::pair{"one_zero_per_row", 1}, std::pair{"two_zeros_per_row", 2}}) {
    add(binary(
        "prod", label, {Shape{2, 3}, Shape{2, static_cast<std::size_t>(zeros)}}, {U(0.5, 1.5), U(0, 0)},
        [](const Variable& a, const Variable& z) {
          return ts::prod(ts::concat({a, z}, 1), {1});
        },
        [](const XA& a, const XA& z) -> XA { return xt::prod(a, {1}) * xt::prod(z, {1}); }));
  }

  // ---- var / std (composites over mean and sum) ----
  add(unary(
      "var", "all", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::var(x); },
      [](const XA& a) -> XA { return ref_var(a, all_axes(a), 1, false); }));
  add(unary(
      "var", "axis1_population", Shape{3, 4}, U(-2, 2), [](const Variable& x) { return ts::var(x, {1}, 0); },
      [](const XA& a) -> XA { return ref_var(a, {1}, 0, false); }));
  add(unary(
      "var", "unbiased_false_keepdims", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) {
        return ts::var(x, {0, 2}, false, true);
      },
      [](const XA& a) -> XA {
        return ref_var(a, {0, 2}, 0, true);
      }));
  add(unary(
      "std", "axis_minus1", Shape{3, 4}, U(-2, 2), [](const Variable& x) { return ts::std(x, {-1}); },
      [](const XA& a) -> XA { return xt::sqrt(ref_var(a, {1}, 1, false)); }));
  add(unary(
      "std", "all_correction_0_keepdims", Shape{2, 3}, U(-2, 2),
      [](const Variable& x) { return ts::std(x, {}, 0, true); },
      [](const XA& a) -> XA {
        return xt::sqrt(ref_var(a, {0, 1}, 0, true));
      }));
  // A constant slice: std is not differentiable there; its gradient is 0 by convention (as PyTorch's), which
  // the symmetric central differences agree with.
  {
    Row r = unary(
        "std", "constant_input_subgradient", Shape{2, 3}, U(1, 1),
        [](const Variable& x) { return ts::std(x, {1}); },
        [](const XA& a) -> XA { return xt::sqrt(ref_var(a, {1}, 1, false)); });
    r.no_gradgrad = "std has no second derivative at a constant slice (sqrt's kink at 0)";
    add(r);
  }

  // ---- norm: p = 2 is a primitive, p = 1 and p = inf composites ----
  add(unary(
      "norm", "p2_all", Shape{2, 3}, U(-2, 2), [](const Variable& x) { return ts::norm(x); },
      [](const XA& a) -> XA { return xt::sqrt(xt::sum(a * a)); }));
  add(unary(
      "norm", "p2_axis1", Shape{3, 4}, U(-2, 2), [](const Variable& x) { return ts::norm(x, 2, {1}); },
      [](const XA& a) -> XA { return xt::sqrt(xt::sum(a * a, {1})); }));
  add(unary(
      "norm", "p2_axes_0_2_keepdims", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) {
        return ts::norm(x, 2, {0, -1}, true);
      },
      [](const XA& a) -> XA {
        return xt::sqrt(xt::sum(a * a, {0, 2}, xt::keep_dims));
      }));
  {
    Row r = unary(
        "norm", "p2_at_zero_subgradient", Shape{2, 3}, U(0, 0),
        [](const Variable& x) { return ts::norm(x, 2, {1}); },
        [](const XA& a) -> XA { return xt::sqrt(xt::sum(a * a, {1})); });
    r.no_gradgrad = "the 2-norm has no second derivative at 0 (its kink)";
    add(r);
  }
  add(unary(
      "norm", "p1_axis0", Shape{3, 4}, AwayFromZero(0.1, 2),
      [](const Variable& x) { return ts::norm(x, 1, {0}); },
      [](const XA& a) -> XA { return xt::sum(xt::abs(a), {0}); }));
  add(distinct(unary(
      "norm", "pinf_all", Shape{2, 3}, U(0.1, 2), [](const Variable& x) { return ts::norm(x, INFINITY); },
      [](const XA& a) -> XA { return xt::amax(xt::abs(a)); })));
  add(distinct(unary(
      "norm", "pinf_axis1_negative_keepdims", Shape{3, 4}, U(-2, -0.1),
      [](const Variable& x) { return ts::norm(x, INFINITY, {1}, true); },
      [](const XA& a) -> XA { return xt::amax(xt::abs(a), {1}, xt::keep_dims); })));

  // ---- cumsum (primitive: its backward is the reverse running sum) ----
  add(unary(
      "cumsum", "vector", Shape{5}, U(-2, 2), [](const Variable& x) { return ts::cumsum(x, 0); },
      [](const XA& a) -> XA { return ref_cumsum(a, 0); }));
  add(unary(
      "cumsum", "axis0_matrix", Shape{3, 4}, U(-2, 2), [](const Variable& x) { return ts::cumsum(x, 0); },
      [](const XA& a) -> XA { return ref_cumsum(a, 0); }));
  add(unary(
      "cumsum", "axis_minus1_3d", Shape{2, 3, 4}, U(-2, 2),
      [](const Variable& x) { return ts::cumsum(x, -1); },
      [](const XA& a) -> XA { return ref_cumsum(a, 2); }));
  add(unary(
      "cumsum", "middle_axis_3d", Shape{2, 3, 2}, U(-2, 2),
      [](const Variable& x) { return ts::cumsum(x, 1); },
      [](const XA& a) -> XA { return ref_cumsum(a, 1); }));
  return rows;
}

}  // namespace op_table
