// y[i] = f(x[i]) over a floating tensor (internal): the kernel of every unary elementwise op. The formula is
// a generic lambda written at the op's definition (ops/math.cpp), so a new elementwise op is its formula,
// its backward and a test row, in one place.
#pragma once

#include <cstddef>

#include "../tensor.hpp"
#include "parallel.hpp"

namespace tsumiki::kernels {

template <class F>
Tensor map(const Tensor& x, const char* op, F f) {
  return dispatch_floating(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    Tensor out(x.shape(), x.dtype());
    const T* px = x.data<T>();
    T* po = out.data<T>();
    // A plain loop: the compiler vectorises the simple formulas; transcendentals call the C library, whose
    // results are defined for every argument (xsimd's vector versions are not for huge ones).
    parallel_for(x.numel(), kElementwiseGrain, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) po[i] = static_cast<T>(f(px[i]));
    });
    return out;
  });
}

}  // namespace tsumiki::kernels
