// Elementwise kernels. Binary ops are plain loops with fast paths for equal shapes and scalars, since
// xtensor's broadcasting is slow here; pow and clip run through xtensor on flat views. Unary math is
// kernels::map (map.hpp), with each formula at its op.
#include <algorithm>
#include <cmath>
#include <limits>
#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "kernels.hpp"
#include "loops.hpp"
#include "parallel.hpp"

namespace tsumiki::kernels {
namespace {

template <class T>
auto flat(Tensor& t) {
  return xt::adapt(t.data<T>(), t.numel(), xt::no_ownership(), std::array<std::size_t, 1>{t.numel()});
}
template <class T>
auto flat(const Tensor& t) {
  return xt::adapt(t.data<T>(), t.numel(), xt::no_ownership(), std::array<std::size_t, 1>{t.numel()});
}

template <class T, class F>
Tensor map_binary(const Tensor& a, const Tensor& b, const Shape& out_shape, F f) {
  Tensor out(out_shape, a.dtype());
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* po = out.data<T>();
  const std::size_t n = out.numel();
  if (a.shape() == out_shape && b.shape() == out_shape) {
    parallel_for(n, kElementwiseGrain, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i) po[i] = f(pa[i], pb[i]);
    });
  } else if (b.numel() == 1 && a.shape() == out_shape) {
    const T s = pb[0];
    parallel_for(n, kElementwiseGrain, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i) po[i] = f(pa[i], s);
    });
  } else if (a.numel() == 1 && b.shape() == out_shape) {
    const T s = pa[0];
    parallel_for(n, kElementwiseGrain, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i) po[i] = f(s, pb[i]);
    });
  } else {
    const std::array<Strides, 2> st{broadcast_strides(a.shape(), out_shape),
                                    broadcast_strides(b.shape(), out_shape)};
    const auto inner = static_cast<std::ptrdiff_t>(out_shape.empty() ? 1 : out_shape.back());
    const auto row = [&](std::size_t o, const auto& off, const auto& is) {
      const T* x = pa + off[0];
      const T* y = pb + off[1];
      for (std::ptrdiff_t j = 0; j < inner; ++j) po[o + j] = f(x[j * is[0]], y[j * is[1]]);
    };
    // Rows are independent (a conv layer's bias add: 100 x 30 x 24 rows of 24): chunks of rows in parallel.
    const std::size_t width = std::max<std::size_t>(1, static_cast<std::size_t>(inner));
    parallel_for(n / width, std::max<std::size_t>(1, kElementwiseGrain / width),
                 [&](std::size_t lo, std::size_t hi) { broadcast_loop<2>(out_shape, st, row, lo, hi); });
  }
  return out;
}

}  // namespace

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op, const Site& site) {
  if (a == b) return a;
  const std::size_t r = std::max(a.size(), b.size());
  Shape out;
  for (std::size_t i = 0; i < r; ++i) {
    const std::size_t da = i + a.size() >= r ? a[i + a.size() - r] : 1;
    const std::size_t db = i + b.size() >= r ? b[i + b.size() - r] : 1;
    if (da != db && da != 1 && db != 1)
      fail(op, "shapes " + to_string(a) + " and " + to_string(b) + " cannot be broadcast together", site);
    out.push_back(da == 1 ? db : da);
  }
  return out;
}

Strides contiguous_strides(const Shape& s) {
  Strides st{};
  std::ptrdiff_t acc = 1;
  for (std::size_t d = s.size(); d-- > 0;) {
    st[d] = acc;
    acc *= static_cast<std::ptrdiff_t>(s[d]);
  }
  return st;
}

Strides broadcast_strides(const Shape& in, const Shape& out) {
  const Strides c = contiguous_strides(in);
  Strides st{};
  const std::size_t shift = out.size() - in.size();
  for (std::size_t d = 0; d < in.size(); ++d) st[d + shift] = in[d] == 1 ? 0 : c[d];
  return st;
}

Tensor pow(const Tensor& x, double exponent) {
  return dispatch_floating(x.dtype(), "pow", [&](auto t) {
    using T = decltype(t);
    Tensor out(x.shape(), x.dtype());
    auto o = flat<T>(out);
    if (exponent == 2)
      xt::noalias(o) = flat<T>(x) * flat<T>(x);
    else if (exponent == 1)
      xt::noalias(o) = flat<T>(x);
    else {
      // std::pow, not xsimd's: its vector pow converts an overflowing intermediate (inf) to an integer,
      // which is undefined behaviour (found by the graph fuzzer under UBSan).
      const T* px = x.data<T>();
      T* po = out.data<T>();
      const T c = static_cast<T>(exponent);
      // A negative base has no real power with a fractional exponent: NaN, also for -Inf (where C's pow
      // returns +Inf or 0, unlike its answer for every finite negative base).
      const bool fractional = std::trunc(exponent) != exponent;
      for (std::size_t i = 0, n = x.numel(); i < n; ++i)
        po[i] = fractional && px[i] < 0 ? std::numeric_limits<T>::quiet_NaN() : std::pow(px[i], c);
    }
    return out;
  });
}

Tensor clip(const Tensor& x, double lo, double hi) {
  return dispatch_floating(x.dtype(), "clip", [&](auto t) {
    using T = decltype(t);
    Tensor out(x.shape(), x.dtype());
    const T l = static_cast<T>(lo), h = static_cast<T>(hi);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    // Comparisons with NaN are false, so NaN passes through (as in PyTorch's clamp).
    for (std::size_t i = 0, n = x.numel(); i < n; ++i) po[i] = px[i] < l ? l : (px[i] > h ? h : px[i]);
    return out;
  });
}

Tensor inside(const Tensor& x, double lo, double hi) {
  return dispatch_floating(x.dtype(), "clip", [&](auto t) {
    using T = decltype(t);
    Tensor out(x.shape(), x.dtype());
    const T* px = x.data<T>();
    T* po = out.data<T>();
    for (std::size_t i = 0; i < x.numel(); ++i) po[i] = (px[i] >= T(lo) && px[i] <= T(hi)) ? T(1) : T(0);
    return out;
  });
}

Tensor binary(Binary op, const Tensor& a, const Tensor& b, const Shape& out_shape) {
  return dispatch_floating(a.dtype(), "binary", [&](auto t) {
    using T = decltype(t);
    switch (op) {
      case Binary::Add:
        return map_binary<T>(a, b, out_shape, [](T x, T y) { return x + y; });
      case Binary::Sub:
        return map_binary<T>(a, b, out_shape, [](T x, T y) { return x - y; });
      case Binary::Mul:
        return map_binary<T>(a, b, out_shape, [](T x, T y) { return x * y; });
      case Binary::Div:
        return map_binary<T>(a, b, out_shape, [](T x, T y) { return x / y; });
      case Binary::Maximum:
        // A NaN on either side wins, as in IEEE arithmetic and PyTorch (x != x is isnan).
        return map_binary<T>(a, b, out_shape, [](T x, T y) { return x >= y || x != x ? x : y; });
      case Binary::Minimum:
        return map_binary<T>(a, b, out_shape, [](T x, T y) { return x <= y || x != x ? x : y; });
      case Binary::Greater:
        return map_binary<T>(a, b, out_shape, [](T x, T y) { return T(x > y); });
      case Binary::GreaterEqual:
        return map_binary<T>(a, b, out_shape, [](T x, T y) { return T(x >= y); });
      case Binary::Less:
        return map_binary<T>(a, b, out_shape, [](T x, T y) { return T(x < y); });
      case Binary::LessEqual:
        return map_binary<T>(a, b, out_shape, [](T x, T y) { return T(x <= y); });
      case Binary::Equal:
        return map_binary<T>(a, b, out_shape, [](T x, T y) { return T(x == y); });
    }
    return Tensor();
  });
}

namespace {
// where() when each operand is either the whole output or a single value (relu's backward: a mask, a 0 and
// the gradient): a flat loop the compiler vectorises, instead of strided offsets per element.
template <class T, bool C, bool A, bool B>
void where_flat(const T* pc, const T* pa, const T* pb, T* po, std::size_t n) {
  // Both sides loaded before the choice: a select, not a branch that a random mask mispredicts half the time.
  parallel_for(n, kElementwiseGrain, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const T x = pa[A ? i : 0], y = pb[B ? i : 0];
      po[i] = pc[C ? i : 0] != T(0) ? x : y;
    }
  });
}

template <class T>
bool where_flat_any(const T* pc, const T* pa, const T* pb, T* po, std::size_t n, bool c, bool a, bool b) {
  switch ((c ? 4 : 0) | (a ? 2 : 0) | (b ? 1 : 0)) {
    case 7:
      where_flat<T, true, true, true>(pc, pa, pb, po, n);
      return true;
    case 6:
      where_flat<T, true, true, false>(pc, pa, pb, po, n);
      return true;
    case 5:
      where_flat<T, true, false, true>(pc, pa, pb, po, n);
      return true;
    case 3:
      where_flat<T, false, true, true>(pc, pa, pb, po, n);
      return true;
    default:
      return false;  // two or more single values: rare, left to the general loop
  }
}
}  // namespace

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out_shape) {
  return dispatch_floating(a.dtype(), "where", [&](auto t) {
    using T = decltype(t);
    const Tensor c = cond.to(a.dtype());
    Tensor out(out_shape, a.dtype());
    const T* pc = c.data<T>();
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    const std::size_t n = out.numel();
    const auto whole = [&](const Tensor& x) { return x.shape() == out_shape; };
    const auto single = [](const Tensor& x) { return x.numel() == 1; };
    if ((whole(c) || single(c)) && (whole(a) || single(a)) && (whole(b) || single(b)) &&
        where_flat_any(pc, pa, pb, po, n, whole(c) && n > 1, whole(a) && n > 1, whole(b) && n > 1))
      return out;
    const std::array<Strides, 3> st{broadcast_strides(c.shape(), out_shape),
                                    broadcast_strides(a.shape(), out_shape),
                                    broadcast_strides(b.shape(), out_shape)};
    const auto inner = static_cast<std::ptrdiff_t>(out_shape.empty() ? 1 : out_shape.back());
    broadcast_loop<3>(out_shape, st, [&](std::size_t o, const auto& off, const auto& is) {
      for (std::ptrdiff_t j = 0; j < inner; ++j)
        po[o + j] = pc[off[0] + j * is[0]] != T(0) ? pa[off[1] + j * is[1]] : pb[off[2] + j * is[2]];
    });
    return out;
  });
}

}  // namespace tsumiki::kernels
