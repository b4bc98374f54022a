// OpenBLAS's kernel set: a generic fallback on a CPU with AVX2 or AVX-512 is switched to the CPU's own set
// before the first product (autograd/threads.hpp), and a set the user chose is left alone. Each case
// restores the set it found.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <tsumiki.hpp>
#include <vector>

namespace ts = tsumiki;

namespace {

bool cpu_can_switch() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

// A product on the current kernels against a naive triple loop.
void expect_products_right() {
  ts::Generator gen(3);
  const ts::Tensor a = ts::randn({37, 29}, ts::Dtype::Float32, gen),
                   b = ts::randn({29, 41}, ts::Dtype::Float32, gen);
  const ts::Tensor c = ts::matmul(ts::Variable(a), ts::Variable(b)).data();
  const auto pa = a.to_vector<float>(), pb = b.to_vector<float>(), pc = c.to_vector<float>();
  for (std::size_t i = 0; i < 37; ++i)
    for (std::size_t j = 0; j < 41; ++j) {
      double want = 0;
      for (std::size_t k = 0; k < 29; ++k) want += double(pa[i * 29 + k]) * double(pb[k * 41 + j]);
      ASSERT_NEAR(pc[i * 41 + j], want, 1e-4) << "element (" << i << ", " << j << ")";
    }
}

}  // namespace

TEST(BlasKernels, AGenericFallbackIsSwitchedToTheCpusOwnKernels) {
  if (!cpu_can_switch()) GTEST_SKIP() << "this CPU has no AVX2: the generic kernels are its own";
  if (std::getenv("OPENBLAS_CORETYPE"))
    GTEST_SKIP() << "OPENBLAS_CORETYPE is set, so the choice is the user's";
  const std::string found = ts::blas_core_name();
  // What OpenBLAS picks on a CPU it does not know.
  ASSERT_TRUE(ts::set_blas_core("Prescott")) << "this OpenBLAS cannot switch kernel sets (no DYNAMIC_ARCH)";
  EXPECT_EQ(ts::blas_core_name(), "Prescott");
  EXPECT_TRUE(ts::blas_uses_generic_kernels());
  EXPECT_EQ(std::getenv("OPENBLAS_CORETYPE"), nullptr) << "switching must leave the environment as it was";
  EXPECT_TRUE(ts::select_fast_blas_kernels());
  EXPECT_FALSE(ts::blas_uses_generic_kernels());
  EXPECT_EQ(ts::blas_core_name(), __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                                          __builtin_cpu_supports("avx512vl") &&
                                          __builtin_cpu_supports("avx512dq")
                                      ? "SkylakeX"
                                      : "Haswell");
  expect_products_right();
  EXPECT_FALSE(ts::select_fast_blas_kernels()) << "nothing left to switch";
  ts::set_blas_core(found);
  EXPECT_EQ(ts::blas_core_name(), found);
}

TEST(BlasKernels, AKernelSetChosenWithOpenblasCoretypeIsLeftAlone) {
  if (!cpu_can_switch()) GTEST_SKIP() << "this CPU has no AVX2";
  const std::string found = ts::blas_core_name();
  const char* before = std::getenv("OPENBLAS_CORETYPE");
  const std::string saved = before ? before : "";
  ASSERT_TRUE(ts::set_blas_core("Prescott"));
  setenv("OPENBLAS_CORETYPE", "Prescott", 1);
  EXPECT_FALSE(ts::select_fast_blas_kernels());
  EXPECT_EQ(ts::blas_core_name(), "Prescott");
  expect_products_right();  // the generic kernels still compute correctly, only slower
  if (before)
    setenv("OPENBLAS_CORETYPE", saved.c_str(), 1);
  else
    unsetenv("OPENBLAS_CORETYPE");
  ts::set_blas_core(found);
  EXPECT_EQ(ts::blas_core_name(), found);
}
