// Differentiable operations on Variables.
//
// Every op takes a trailing `site` that defaults to the caller's source location: errors and graph records
// name the user's line. Binary ops broadcast with NumPy's rules; both inputs must have the same dtype
// (a scalar takes the dtype of the other side). Axes may be negative (counted from the end).
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "variable.hpp"

namespace tsumiki {

using Axes = std::vector<int>;

// ---- arithmetic ----
Variable add(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable sub(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable mul(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable div(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable neg(const Variable& x, const Site& site = Site::current());
Variable pow(const Variable& x, double exponent, const Site& site = Site::current());
Variable square(const Variable& x, const Site& site = Site::current());

// Operand: a Variable or a scalar on either side of an operator, carrying the caller's line.
struct Operand {
  Operand(const Variable& v, const Site& s = Site::current()) : var(v), site(s) {}  // NOLINT: implicit
  Operand(double v, const Site& s = Site::current()) : value(v), site(s) {}         // NOLINT: implicit
  Variable var;                                                                     // undefined for a scalar
  double value = 0;
  Site site;
};
Variable operator+(const Operand& a, const Operand& b);
Variable operator-(const Operand& a, const Operand& b);
Variable operator*(const Operand& a, const Operand& b);
Variable operator/(const Operand& a, const Operand& b);
Variable operator-(const Operand& x);
// A scalar as a 0-d constant of `like`'s dtype.
Variable scalar_like(double value, const Variable& like);

// ---- elementwise math ----
Variable exp(const Variable& x, const Site& site = Site::current());
Variable log(const Variable& x, const Site& site = Site::current());
Variable sqrt(const Variable& x, const Site& site = Site::current());
Variable abs(const Variable& x, const Site& site = Site::current());
Variable sin(const Variable& x, const Site& site = Site::current());
Variable cos(const Variable& x, const Site& site = Site::current());
Variable tanh(const Variable& x, const Site& site = Site::current());
Variable sigmoid(const Variable& x, const Site& site = Site::current());
Variable softplus(const Variable& x, const Site& site = Site::current());  // log(1 + exp(x)), no overflow
Variable relu(const Variable& x, const Site& site = Site::current());
Variable maximum(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable minimum(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable clip(const Variable& x, double lo, double hi, const Site& site = Site::current());
// where(cond, a, b): a where cond != 0, else b. cond gets no gradient.
Variable where(const Variable& cond, const Variable& a, const Variable& b,
               const Site& site = Site::current());

// ---- comparisons and sign: masks of 0 and 1 in the inputs' dtype, never differentiable ----
Variable sign(const Variable& x, const Site& site = Site::current());
Variable greater(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable greater_equal(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable less(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable less_equal(const Variable& a, const Variable& b, const Site& site = Site::current());
Variable equal(const Variable& a, const Variable& b, const Site& site = Site::current());

// ---- linear algebra ----
// Matrix product: 2-D x 2-D, batched (leading dimensions broadcast), and 1-D operands as in NumPy.
Variable matmul(const Variable& a, const Variable& b, const Site& site = Site::current());

// ---- shapes ----
Variable reshape(const Variable& x, const Shape& shape, const Site& site = Site::current());
Variable transpose(const Variable& x, const Site& site = Site::current());  // reverses the axes
Variable transpose(const Variable& x, const Axes& axes, const Site& site = Site::current());
Variable swapaxes(const Variable& x, int a, int b, const Site& site = Site::current());
Variable flatten(const Variable& x, int start_dim = 0, int end_dim = -1, const Site& site = Site::current());
Variable unsqueeze(const Variable& x, int axis, const Site& site = Site::current());
Variable squeeze(const Variable& x, int axis, const Site& site = Site::current());
Variable broadcast_to(const Variable& x, const Shape& shape, const Site& site = Site::current());
Variable sum_to(const Variable& x, const Shape& shape, const Site& site = Site::current());

// ---- reductions (no axes: over all elements) ----
Variable sum(const Variable& x, const Axes& axes = {}, bool keepdims = false,
             const Site& site = Site::current());
Variable mean(const Variable& x, const Axes& axes = {}, bool keepdims = false,
              const Site& site = Site::current());
Variable max(const Variable& x, const Axes& axes = {}, bool keepdims = false,
             const Site& site = Site::current());
Variable min(const Variable& x, const Axes& axes = {}, bool keepdims = false,
             const Site& site = Site::current());

// ---- indexing ----
// A Python-style slice: start/stop may be negative or omitted; step is non-zero.
struct Slice {
  std::optional<std::int64_t> start, stop;
  std::int64_t step = 1;
};
// One entry per leading axis: an integer (removes the axis) or a Slice. Axes not named are kept whole.
using Index = std::variant<std::int64_t, Slice>;
Variable get_item(const Variable& x, const std::vector<Index>& index, const Site& site = Site::current());
Variable slice(const Variable& x, int axis, std::int64_t start, std::int64_t stop, std::int64_t step = 1,
               const Site& site = Site::current());
// Picks entries along `axis` by integer indices (an int64 tensor, any shape), as numpy.take.
Variable take(const Variable& x, const Tensor& indices, int axis = 0, const Site& site = Site::current());
Variable concat(const std::vector<Variable>& xs, int axis = 0, const Site& site = Site::current());
Variable stack(const std::vector<Variable>& xs, int axis = 0, const Site& site = Site::current());

}  // namespace tsumiki
