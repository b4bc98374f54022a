// Matrix products straight through CBLAS with transpose flags (no copies of transposed operands).
// Kept apart from xtensor-blas headers, which clash with OpenBLAS's <cblas.h>.
#include <cblas.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "../threads.hpp"  // the kernel set: switched to the CPU's before the first product
#include "kernels.hpp"

namespace tsumiki::kernels {
namespace {

void gemm(bool ta, bool tb, int m, int n, int k, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              ta ? m : k, b, tb ? k : n, 0.0f, c, n);
}
void gemm(bool ta, bool tb, int m, int n, int k, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0, a,
              ta ? m : k, b, tb ? k : n, 0.0, c, n);
}

// c = op(a) op(b) where one side is a vector (m == 1 or n == 1): a matrix-vector product, which skips the
// packing that gemm spends most of its time on at these sizes (Hessian-vector products, 1-D operands).
void gemv(bool trans, int rows, int cols, const float* a, const float* x, float* y) {
  cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, rows, cols, 1.0f, a, cols, x, 1, 0.0f, y, 1);
}
void gemv(bool trans, int rows, int cols, const double* a, const double* x, double* y) {
  cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, rows, cols, 1.0, a, cols, x, 1, 0.0, y, 1);
}

template <class T>
void product(bool ta, bool tb, int m, int n, int k, const T* a, const T* b, T* c) {
  if (n == 1)  // c (m) = op(a) (m x k) b (k); a is stored m x k, or k x m when ta
    gemv(ta, ta ? k : m, ta ? m : k, a, b, c);
  else if (m == 1)  // c (n) = op(b)^T a; b is stored k x n, or n x k when tb
    gemv(!tb, tb ? n : k, tb ? k : n, b, a, c);
  else
    gemm(ta, tb, m, n, k, a, b, c);
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  static std::once_flag checked;
  std::call_once(checked, [] {
    share_cores_with_blas();
    select_fast_blas_kernels();
    if (!blas_uses_generic_kernels()) return;
    const char* advice = __builtin_cpu_supports("avx512f") ? "SkylakeX" : "Haswell";
    if (std::getenv("OPENBLAS_CORETYPE"))
      std::fprintf(stderr,
                   "tsumiki: OPENBLAS_CORETYPE selects OpenBLAS's generic '%s' kernels on this CPU (matrix "
                   "products 2.5-4x slower); unset it, or set it to %s\n",
                   blas_core_name().c_str(), advice);
    else
      std::fprintf(stderr,
                   "tsumiki: OpenBLAS runs its generic '%s' kernels on this CPU (matrix products 2.5-4x "
                   "slower) and cannot switch them; start the program with OPENBLAS_CORETYPE=%s\n",
                   blas_core_name().c_str(), advice);
  });
  const std::size_t ra = a.ndim(), rb = b.ndim();
  const std::size_t m = ta ? a.shape()[ra - 1] : a.shape()[ra - 2];
  const std::size_t k = ta ? a.shape()[ra - 2] : a.shape()[ra - 1];
  const std::size_t n = tb ? b.shape()[rb - 2] : b.shape()[rb - 1];
  const Shape& batch_src = ra >= rb ? a.shape() : b.shape();
  Shape shape;
  for (std::size_t d = 0; d + 2 < batch_src.size(); ++d) shape.push_back(batch_src[d]);
  const std::size_t batch = shape.numel();
  shape.push_back(m);
  shape.push_back(n);
  const std::size_t sa = ra > 2 ? m * k : 0,
                    sb = rb > 2 ? k * n : 0;  // a 2-D operand is shared by all batches
  return dispatch_floating(a.dtype(), "matmul", [&](auto t) {
    using T = decltype(t);
    Tensor out(shape, a.dtype());
    if (k == 0) {
      out.fill(0);
      return out;
    }
    for (std::size_t i = 0; i < batch && m * n > 0; ++i)
      product(ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), a.data<T>() + i * sa,
              b.data<T>() + i * sb, out.data<T>() + i * m * n);
    return out;
  });
}

}  // namespace tsumiki::kernels
