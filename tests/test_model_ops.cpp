// The ops a model writer reaches for beyond the basics (activations, var/std, prod, norm, cumsum, pow with a
// tensor exponent, clamp with tensor bounds): the cases the op table's rows cannot state - bad arguments and
// their messages, exact values at zeros and infinities, float32 overflow, the PyTorch conventions at kinks.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <tsumiki.hpp>
#include <vector>

#include "file_fixtures.hpp"

using namespace tsumiki;
using tsumiki::testing::expect_error;

namespace {

const std::string kHere = "test_model_ops.cpp:";
constexpr double kInf = std::numeric_limits<double>::infinity();

Variable vec64(const std::vector<double>& v, bool requires_grad = true) {
  return Variable(from_vector<double>(v), requires_grad);
}
Variable mat64(const std::vector<double>& v, const Shape& s, bool requires_grad = true) {
  return Variable(from_vector<double>(v, s), requires_grad);
}
std::vector<double> values(const Variable& v) { return v.data().to_vector<double>(); }

}  // namespace

// ---- bad arguments: the op, the value and the user's line are named ----

TEST(ModelOps, GeluWithAnUnknownApproximation) {
  expect_error<Error>([] { gelu(vec64({1}), "erf"); }, {"gelu", "\"none\" or \"tanh\"", "\"erf\"", kHere});
}

TEST(ModelOps, ActivationParametersMustBeFinite) {
  expect_error<Error>([] { elu(vec64({1}), std::nan("")); }, {"elu", "alpha", "finite", kHere});
  expect_error<Error>([] { leaky_relu(vec64({1}), kInf); }, {"leaky_relu", "negative_slope", kHere});
}

TEST(ModelOps, HardtanhWithMinAboveMax) {
  expect_error<Error>([] { hardtanh(vec64({1}), 1, -1); }, {"hardtanh", "min_val <= max_val", kHere});
}

TEST(ModelOps, ClampWithLoAboveHiSomewhere) {
  expect_error<Error>(
      [] {
        clamp(vec64({0, 0}), vec64({0, 2}), vec64({1, 1}));
      },
      {"clamp", "lo <= hi", "flat element 1", kHere});
  expect_error<Error>([] { clamp(vec64({0, 0}), Variable(), Variable()); }, {"clamp", "at least one", kHere});
  expect_error<Error>(
      [] {
        clamp(vec64({0, 0}), vec64({0, 0, 0}), Variable());
      },
      {"clamp", "(2,)", "(3,)", kHere});
}

TEST(ModelOps, VarWithNoDegreesOfFreedom) {
  expect_error<Error>([] { var(vec64({1}), {0}); }, {"var", "N - correction", "N = 1", kHere});
  expect_error<Error>([] { ::tsumiki::std(mat64({1, 2}, {2, 1}), {1}); }, {"var", "N = 1", kHere});
  expect_error<Error>([] { var(vec64({1, 2}), {1}); }, {"var", "axis 1", "out of range", kHere});
}

TEST(ModelOps, NormOfAnUnsupportedOrder) {
  expect_error<Error>([] { norm(vec64({1}), 3); }, {"norm", "p must be 1, 2 or INFINITY", kHere});
  expect_error<Error>([] { norm(vec64({1}), 2, {0, 0}); }, {"norm", "repeated axis", kHere});
}

TEST(ModelOps, CumsumAxisOutOfRangeAndOfAScalar) {
  expect_error<Error>([] { cumsum(vec64({1, 2}), 1); }, {"cumsum", "axis 1", "out of range", kHere});
  expect_error<Error>([] { cumsum(Variable(scalar_tensor(1.0)), 0); }, {"cumsum", "0-d", kHere});
}

TEST(ModelOps, ProdOverAnAxisPastTheRank) {
  expect_error<Error>([] { prod(vec64({1, 2}), {-2}); }, {"prod", "axis -2", "out of range", kHere});
}

TEST(ModelOps, PowOfShapesThatDoNotBroadcast) {
  expect_error<Error>([] { pow(vec64({1, 2}), vec64({1, 2, 3})); }, {"pow", "(2,)", "(3,)", kHere});
}

// ---- values ----

TEST(ModelOps, GeluAndSiluReachTheirLimitsAtInfinity) {
  const Variable x = vec64({-kInf, kInf, std::nan("")}, false);
  for (const Variable& y : {gelu(x), gelu(x, "tanh"), silu(x)}) {
    const auto v = values(y);
    EXPECT_EQ(v[0], 0.0);
    EXPECT_EQ(v[1], kInf);
    EXPECT_TRUE(std::isnan(v[2]));
  }
  // float32 as well
  const float inf32 = std::numeric_limits<float>::infinity();
  const auto f = values(gelu(Variable(from_vector<float>({-inf32, -50.f, 50.f}))));
  EXPECT_EQ(f[0], 0.0);
  EXPECT_EQ(f[1], 0.0);
  EXPECT_EQ(f[2], 50.0);
}

TEST(ModelOps, GeluMatchesPyTorchValues) {
  // The two formulas of torch.nn.functional.gelu's documentation at -1, 0.5, 2, evaluated with Python's math
  // module in float64.
  const auto exact = values(gelu(vec64({-1, 0.5, 2}, false)));
  EXPECT_NEAR(exact[0], -0.15865525393145707, 1e-15);
  EXPECT_NEAR(exact[1], 0.34573123063700656, 1e-15);
  EXPECT_NEAR(exact[2], 1.9544997361036416, 1e-15);
  const auto approx = values(gelu(vec64({-1, 0.5, 2}, false), "tanh"));
  EXPECT_NEAR(approx[0], -0.15880800939172324, 1e-15);
  EXPECT_NEAR(approx[1], 0.34571400982514394, 1e-15);
  EXPECT_NEAR(approx[2], 1.954597694087775, 1e-15);
}

TEST(ModelOps, Log1pAndExpm1KeepTheDigitsOfTinyArguments) {
  EXPECT_EQ(values(log1p(vec64({1e-12}, false)))[0], std::log1p(1e-12));
  EXPECT_EQ(values(expm1(vec64({1e-12}, false)))[0], std::expm1(1e-12));
  EXPECT_NE(values(log(add(vec64({1e-12}, false), 1.0)))[0], std::log1p(1e-12));  // what they avoid
}

TEST(ModelOps, ProdGradientWithZeros) {
  // One zero: its gradient is the product of the others, the others' gradients are 0.
  const Variable x = vec64({2, 0, 3, 5});
  EXPECT_EQ(values(grad(prod(x), x)), (std::vector<double>{0, 30, 0, 0}));
  // Two zeros: every first derivative is 0, but d2/dx1 dx3 = 2 * 5.
  const Variable z = vec64({2, 0, 5, 0});
  const Variable g = grad(prod(z), z, {.create_graph = true});
  EXPECT_EQ(values(g), (std::vector<double>{0, 0, 0, 0}));
  EXPECT_EQ(values(grad(slice(g, 0, 1, 2), z)), (std::vector<double>{0, 0, 0, 10}));
  // The empty product is 1.
  EXPECT_EQ(values(prod(mat64({}, {2, 0}), {1})), (std::vector<double>{1, 1}));
}

TEST(ModelOps, NormConventionsAndScaling) {
  // The subgradient at 0 is 0, for every p, first and second order.
  for (const double p : {1.0, 2.0, kInf}) {
    const Variable x = vec64({0, 0, 0});
    const Variable g = grad(norm(x, p), x, {.create_graph = true});
    EXPECT_EQ(values(g), (std::vector<double>{0, 0, 0})) << p;
    for (double h : values(grad(sum(g), x, {.materialize_grads = true}))) EXPECT_TRUE(std::isfinite(h)) << p;
  }
  // float32 values whose squares overflow.
  const Variable big(from_vector<float>({3e20f, 4e20f}), true);
  const Variable n = norm(big);
  EXPECT_FLOAT_EQ(static_cast<float>(n.data().flat(0)), 5e20f);
  const auto g = grad(n, big).data().to_vector<double>();
  EXPECT_NEAR(g[0], 0.6, 1e-6);
  EXPECT_NEAR(g[1], 0.8, 1e-6);
  // The inf-norm's ties share the gradient (as PyTorch's).
  const Variable t = vec64({-2, 1, 2});
  EXPECT_EQ(values(grad(norm(t, kInf), t)), (std::vector<double>{-0.5, 0, 0.5}));
}

TEST(ModelOps, StdGradientIsZeroAtAConstantSlice) {
  const Variable x = mat64({1, 1, 1, 1, 2, 3}, {2, 3});
  const Variable g = grad(sum(::tsumiki::std(x, {1})), x, {.create_graph = true});
  const auto v = values(g);
  EXPECT_EQ(v[0], 0.0);
  EXPECT_EQ(v[1], 0.0);
  EXPECT_EQ(v[2], 0.0);
  EXPECT_NEAR(v[3], -0.5, 1e-12);  // (x - mean) / ((N - 1) std) = -1 / (2 * 1)
  for (double h : values(grad(sum(g), x))) EXPECT_TRUE(std::isfinite(h));
}

TEST(ModelOps, VarTakesABoolAsPyTorchsUnbiased) {
  const Variable x = vec64({1, 2, 3, 4}, false);
  EXPECT_DOUBLE_EQ(values(var(x, {0}, true))[0], 5.0 / 3);
  EXPECT_DOUBLE_EQ(values(var(x, {0}, false))[0], 1.25);
  EXPECT_DOUBLE_EQ(values(var(x))[0], 5.0 / 3);  // correction = 1 by default, as torch.var
  EXPECT_DOUBLE_EQ(values(::tsumiki::std(x, {}, 0))[0], std::sqrt(1.25));
}

TEST(ModelOps, PowExponentGradientAtAZeroBase) {
  // d/db 0^b = 0 for b >= 0 (PyTorch's convention), with finite second derivatives.
  const Variable a = vec64({0, 0, 2});
  const Variable b = vec64({0, 1.5, 3});
  const auto gs = grad({sum(pow(a, b))}, {a, b}, {}, {.create_graph = true});
  const auto gb = values(gs[1]);
  EXPECT_EQ(gb[0], 0.0);
  EXPECT_EQ(gb[1], 0.0);
  EXPECT_NEAR(gb[2], 8 * std::log(2.0), 1e-12);
  EXPECT_EQ(values(gs[0])[0], 0.0);  // 0 * 0^-1 read as 0
  EXPECT_EQ(values(gs[0])[1], 0.0);  // 1.5 * 0^0.5
  for (double h : values(grad(sum(gs[1]), b))) EXPECT_TRUE(std::isfinite(h));
}

TEST(ModelOps, ClampSendsEachGradientToTheActivePart) {
  const Variable x = vec64({-3, 0, 3, 1});
  const Variable lo = vec64({-1, -1, -1, 1});
  const Variable hi = vec64({1, 1, 1, 2});
  const auto g = grad({sum(clamp(x, lo, hi))}, {x, lo, hi});
  EXPECT_EQ(values(g[0]), (std::vector<double>{0, 1, 0, 1}));  // x == lo: a tie goes to x
  EXPECT_EQ(values(g[1]), (std::vector<double>{1, 0, 0, 0}));
  EXPECT_EQ(values(g[2]), (std::vector<double>{0, 0, 1, 0}));
}

TEST(ModelOps, ActivationGradientsAtTheirKinksFollowPyTorch) {
  const Variable x = vec64({0});
  EXPECT_EQ(values(grad(leaky_relu(x, 0.2), x))[0], 0.2);
  EXPECT_EQ(values(grad(elu(x, 0.5), x))[0], 0.5);
  // elu far right: exp overflows in the branch not taken, the gradient stays 1
  const Variable big = vec64({1000});
  EXPECT_EQ(values(grad(elu(big), big))[0], 1.0);
  EXPECT_EQ(values(logsigmoid(vec64({-1e4}, false)))[0], -1e4);
}

TEST(ModelOps, CumsumBackwardIsTheReverseRunningSum) {
  const Variable x = mat64({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(values(cumsum(x, 1)), (std::vector<double>{1, 3, 6, 4, 9, 15}));
  const Variable w = mat64({1, 10, 100, 1, 10, 100}, {2, 3}, false);
  EXPECT_EQ(values(grad(sum(mul(cumsum(x, 1), w)), x)), (std::vector<double>{111, 110, 100, 111, 110, 100}));
}
