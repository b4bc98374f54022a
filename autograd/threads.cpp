// The BLAS threads and kernels, through OpenBLAS's own API.
#include "threads.hpp"

#include <cblas.h>
#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

#include "detail/parallel.hpp"
#include "error.hpp"

namespace tsumiki {

void set_num_threads(int n) {
  if (n < 1) throw Error("set_num_threads: expected at least 1 thread, got " + std::to_string(n));
  share_cores_with_blas();
  openblas_set_num_threads(n);
  kernels::set_parallel_threads(n);
}

// OpenBLAS's idle threads spin, calling sched_yield, for about 2^28 cycles after each product before they
// sleep: on a 2-core machine they take the core that Tsumiki's own kernel threads need between products
// (cnn_steps at 2 threads spent 5.3 s of system time in sched_yield for 3.1 s of work). A timeout of 2^4
// cycles, OpenBLAS's minimum, lets them sleep at once. The timeout is read when OpenBLAS starts its threads,
// so the threads are restarted with it. A value the user set in OPENBLAS_THREAD_TIMEOUT is kept.
void share_cores_with_blas() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("OPENBLAS_THREAD_TIMEOUT")) return;
    using Fn = void (*)();
    using IntFn = int (*)();
    const auto read_env = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "openblas_read_env"));
    const auto shutdown = reinterpret_cast<IntFn>(dlsym(RTLD_DEFAULT, "blas_thread_shutdown_"));
    const auto start = reinterpret_cast<IntFn>(dlsym(RTLD_DEFAULT, "blas_thread_init"));
    if (!read_env || !shutdown || !start) return;
    const int threads = openblas_get_num_threads();
    setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1);
    read_env();
    unsetenv("OPENBLAS_THREAD_TIMEOUT");
    shutdown();
    start();
    openblas_set_num_threads(threads);
  });
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
