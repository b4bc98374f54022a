// The BLAS behind matrix products: its threads and the CPU kernels it picked. Other kernels run on the
// calling thread.
#pragma once

#include <string>

namespace tsumiki {

void set_num_threads(int n);  // n >= 1
int get_num_threads();

// The CPU kernel set OpenBLAS chose, e.g. "SkylakeX", "Cooperlake", "Haswell", or "Prescott" (generic).
std::string blas_core_name();
// True when OpenBLAS runs its generic kernels on a CPU with AVX-512, about 4x slower for sgemm. The first
// matrix product then prints a one-time warning with the fix: start the program with
// OPENBLAS_CORETYPE=SkylakeX (scripts/train.sh, scripts/test.sh and scripts/bench.sh set it).
bool blas_uses_generic_kernels();

}  // namespace tsumiki
