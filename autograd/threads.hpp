// The BLAS behind matrix products: its threads and the CPU kernels it picked. Other kernels run on the
// calling thread.
#pragma once

#include <string>

namespace tsumiki {

void set_num_threads(int n);  // n >= 1
int get_num_threads();

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
