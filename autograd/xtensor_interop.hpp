// xtensor interop (opt-in): the one public header that names xtensor types, so programs that do not use
// xtensor do not parse it. Include it to move data between Tensors and xtensor arrays, or to write a custom
// op's forward with xtensor expressions (README, "Writing your own op").
#pragma once

#include <algorithm>
#include <vector>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

#include "tensor.hpp"

namespace tsumiki {

template <class T>
xt::xarray<T> to_xarray(const Tensor& t) {
  std::vector<std::size_t> shape(t.shape().begin(), t.shape().end());
  xt::xarray<T> out = xt::adapt(t.data<T>(), t.numel(), xt::no_ownership(), shape);
  return out;
}
template <class T>
Tensor from_xarray(const xt::xarray<T>& a) {
  Tensor t(Shape(a.shape().begin(), a.shape().end()), dtype_of<T>());
  std::copy(a.begin(), a.end(), t.data<T>());  // a may have any layout; iterate in row-major order
  return t;
}
// A non-owning xtensor view of a tensor's buffer, for kernels.
template <class T>
auto as_xtensor(Tensor& t) {
  return xt::adapt(t.data<T>(), t.numel(), xt::no_ownership(), t.shape().to_vector());
}
template <class T>
auto as_xtensor(const Tensor& t) {
  return xt::adapt(t.data<T>(), t.numel(), xt::no_ownership(), t.shape().to_vector());
}

}  // namespace tsumiki
