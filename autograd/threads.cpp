// The BLAS threads and kernels, through OpenBLAS's own API.
#include "threads.hpp"

#include <cblas.h>

#include "error.hpp"

namespace tsumiki {

void set_num_threads(int n) {
  if (n < 1) throw Error("set_num_threads: expected at least 1 thread, got " + std::to_string(n));
  openblas_set_num_threads(n);
}

int get_num_threads() { return openblas_get_num_threads(); }

std::string blas_core_name() { return openblas_get_corename(); }

bool blas_uses_generic_kernels() {
  const std::string core = blas_core_name();
  const bool generic = core == "Prescott" || core == "Core2" || core == "Katmai" || core == "Unknown";
  return generic && __builtin_cpu_supports("avx512f");
}

}  // namespace tsumiki
