// Rows for autograd/ops/reduce.cpp: sum, max, min, and the composite mean.
#include <xtensor/xmath.hpp>
#include <xtensor/xreducer.hpp>

#include "op_table.hpp"

namespace op_table {

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
  return rows;
}

}  // namespace op_table
