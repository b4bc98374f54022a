// Definitions behind tests/op_table/op_table.hpp: the references more than one family of rows uses.
#include <gtest/gtest.h>

#include <algorithm>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmath.hpp>

#include "op_table.hpp"

namespace op_table {

XA xa(const std::vector<double>& values, const std::vector<std::size_t>& shape) {
  XA out = XA::from_shape(shape);
  std::copy(values.begin(), values.end(), out.begin());
  return out;
}

XA reshaped(const XA& a, const std::vector<std::size_t>& shape) {
  XA out = a;
  out.reshape(shape);
  return out;
}

// NumPy matmul, written as a naive triple loop (no BLAS, no xt::linalg).
XA ref_matmul(const XA& a_in, const XA& b_in) {
  XA a = a_in, b = b_in;
  const bool a_vec = a.dimension() == 1, b_vec = b.dimension() == 1;
  if (a_vec) a.reshape({1, a.shape()[0]});
  if (b_vec) b.reshape({b.shape()[0], 1});
  const std::size_t m = a.shape()[a.dimension() - 2], k = a.shape()[a.dimension() - 1];
  const std::size_t k2 = b.shape()[b.dimension() - 2], n = b.shape()[b.dimension() - 1];
  EXPECT_EQ(k, k2) << "bad reference matmul shapes";
  std::vector<std::size_t> ba(a.shape().begin(), a.shape().end() - 2);
  std::vector<std::size_t> bb(b.shape().begin(), b.shape().end() - 2);
  const std::size_t r = std::max(ba.size(), bb.size());
  std::vector<std::size_t> batch(r, 1);
  for (std::size_t i = 0; i < r; ++i) {
    std::size_t da = i + ba.size() >= r ? ba[i + ba.size() - r] : 1;
    std::size_t db = i + bb.size() >= r ? bb[i + bb.size() - r] : 1;
    batch[i] = std::max(da, db);
  }
  std::vector<std::size_t> sa = batch, sb = batch, sc = batch;
  sa.insert(sa.end(), {m, k});
  sb.insert(sb.end(), {k, n});
  sc.insert(sc.end(), {m, n});
  XA A = xt::broadcast(a, sa);
  XA B = xt::broadcast(b, sb);
  XA C = xt::zeros<double>(sc);
  std::size_t nb = 1;
  for (auto d : batch) nb *= d;
  for (std::size_t p = 0; p < nb; ++p)
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        double acc = 0;
        for (std::size_t l = 0; l < k; ++l)
          acc += A.data()[p * m * k + i * k + l] * B.data()[p * k * n + l * n + j];
        C.data()[p * m * n + i * n + j] = acc;
      }
  std::vector<std::size_t> out = batch;
  if (!a_vec) out.push_back(m);
  if (!b_vec) out.push_back(n);
  C.reshape(out);
  return C;
}

XA ref_softplus(const XA& a) { return xt::log1p(xt::exp(a)); }

// x[n, c, ih, iw] or 0 in the padding.
double pixel(const XA& x, std::size_t n, std::size_t c, std::ptrdiff_t ih, std::ptrdiff_t iw) {
  const auto h = static_cast<std::ptrdiff_t>(x.shape()[2]), w = static_cast<std::ptrdiff_t>(x.shape()[3]);
  if (ih < 0 || iw < 0 || ih >= h || iw >= w) return 0.0;
  return x(n, c, static_cast<std::size_t>(ih), static_cast<std::size_t>(iw));
}

}  // namespace op_table
