// Threads, and the BLAS behind matrix products with the CPU kernels it picked.
#pragma once

#include <string>

namespace tsumiki {

// Threads for matrix products (OpenBLAS's) and for Tsumiki's own large kernels (elementwise, pooling,
// im2col/col2im, reductions, optimizer updates). Tsumiki's kernels split their range into fixed chunks and
// give the same bits for any count; OpenBLAS's products may differ in the last bits from one count to
// another, so a run is reproducible bit for bit at a fixed count. The default is OpenBLAS's
// (OPENBLAS_NUM_THREADS, else OMP_NUM_THREADS, else every core).
void set_num_threads(int n);  // n >= 1
int get_num_threads();

// Lets OpenBLAS's idle threads sleep right after a product instead of spinning for a while, so that they do
// not take the cores Tsumiki's own kernels need. set_num_threads and the first matrix product call it; it
// runs once, and not at all when OPENBLAS_THREAD_TIMEOUT is set. Call it while no product runs.
void share_cores_with_blas();

// The CPU kernel set OpenBLAS chose, e.g. "SkylakeX", "Cooperlake", "Haswell", "Zen", or "Prescott"
// (generic).
std::string blas_core_name();
// True when OpenBLAS runs its generic kernels on a CPU with AVX2 or AVX-512 (sgemm 2.5-4x slower).
bool blas_uses_generic_kernels();

// Debian's OpenBLAS 0.3.21 does not know some newer CPUs and falls back to its generic kernels. Tsumiki then
// selects the kernel set for the CPU's vector units itself ("SkylakeX" with AVX-512, "Haswell" with AVX2)
// before the first matrix product, so programs get the fast kernels without setting anything. It leaves a
// kernel set chosen with OPENBLAS_CORETYPE alone. Returns whether it switched; the first product calls it,
// and a program may call it earlier. Only when switching is impossible (an OpenBLAS built without
// DYNAMIC_ARCH) does the first product print a one-time warning naming OPENBLAS_CORETYPE.
bool select_fast_blas_kernels();

// Switches a DYNAMIC_ARCH OpenBLAS to the named kernel set (OPENBLAS_CORETYPE's names). Returns false when
// this OpenBLAS cannot switch. Call it while no matrix product runs; a set the CPU lacks instructions for
// crashes the next product.
bool set_blas_core(const std::string& name);

}  // namespace tsumiki
