// The BLAS threads and kernels, through OpenBLAS's own API.
#include "threads.hpp"

#include <cblas.h>
#include <dlfcn.h>

#include <cstdlib>

#include "error.hpp"

namespace tsumiki {

void set_num_threads(int n) {
  if (n < 1) throw Error("set_num_threads: expected at least 1 thread, got " + std::to_string(n));
  openblas_set_num_threads(n);
}

int get_num_threads() { return openblas_get_num_threads(); }

std::string blas_core_name() { return openblas_get_corename(); }

namespace {
bool cpu_has_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}
bool cpu_has_avx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
}  // namespace

bool blas_uses_generic_kernels() {
  const std::string core = blas_core_name();
  const bool generic = core == "Prescott" || core == "Core2" || core == "Katmai" || core == "Unknown";
  return generic && (cpu_has_avx512() || cpu_has_avx2());
}

// A DYNAMIC_ARCH OpenBLAS picks its kernel set once, in gotoblas_dynamic_init, from OPENBLAS_CORETYPE or the
// CPU: clearing the choice and running it again with the variable set selects another set. The two
// functions are found at run time, so an OpenBLAS without them still links (and keeps its kernels).
bool set_blas_core(const std::string& name) {
  using Fn = void (*)();
  const auto quit = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
  const auto init = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
  if (!quit || !init) return false;
  const char* before = std::getenv("OPENBLAS_CORETYPE");
  const std::string saved = before ? before : "";
  setenv("OPENBLAS_CORETYPE", name.c_str(), 1);
  quit();
  init();
  // The environment the program sees is left as it was (child processes choose for themselves).
  if (before)
    setenv("OPENBLAS_CORETYPE", saved.c_str(), 1);
  else
    unsetenv("OPENBLAS_CORETYPE");
  return true;
}

bool select_fast_blas_kernels() {
  if (std::getenv("OPENBLAS_CORETYPE") || !blas_uses_generic_kernels()) return false;
  if (!set_blas_core(cpu_has_avx512() ? "SkylakeX" : "Haswell")) return false;
  return !blas_uses_generic_kernels();
}

}  // namespace tsumiki
