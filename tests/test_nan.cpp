// NaN and Inf through the ops: NaN propagates as in IEEE arithmetic and PyTorch (a NaN input never turns into
// an ordinary-looking number), and infinities give the limits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <tsumiki.hpp>
#include <vector>

namespace ts = tsumiki;
using ts::Variable;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Variable vec(std::vector<double> v, bool requires_grad = false) {
  return Variable(ts::from_vector<double>(v), requires_grad);
}

// Elementwise: NaN where expected is NaN, else equal.
void expect_same(const Variable& got, const std::vector<double>& want, const char* what) {
  const auto g = got.data().to(ts::Dtype::Float64).to_vector<double>();
  ASSERT_EQ(g.size(), want.size()) << what;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(want[i]))
      EXPECT_TRUE(std::isnan(g[i])) << what << " element " << i << " is " << g[i] << ", expected NaN";
    else
      EXPECT_EQ(g[i], want[i]) << what << " element " << i;
  }
}

}  // namespace

TEST(NaN, ReluPropagatesNaNAndItsGradientPasses) {
  const Variable x = vec({kNaN, -1, 2, kInf, -kInf}, true);
  const Variable y = ts::relu(x);
  expect_same(y, {kNaN, 0, 2, kInf, 0}, "relu");
  ts::sum(y * vec({1, 1, 1, 1, 1})).backward();
  expect_same(x.grad(), {1, 0, 1, 1, 0}, "relu gradient");  // PyTorch: threshold_backward passes NaN's
}

TEST(NaN, MaximumAndMinimumPropagateNaNFromEitherSide) {
  const Variable a = vec({kNaN, 1, 3, -kInf});
  const Variable b = vec({1, kNaN, 2, 0});
  expect_same(ts::maximum(a, b), {kNaN, kNaN, 3, 0}, "maximum");
  expect_same(ts::minimum(a, b), {kNaN, kNaN, 2, -kInf}, "minimum");
  expect_same(ts::maximum(b, a), {kNaN, kNaN, 3, 0}, "maximum swapped");
  expect_same(ts::minimum(b, a), {kNaN, kNaN, 2, -kInf}, "minimum swapped");
}

TEST(NaN, ClipPassesNaNThroughAndClampsInfinities) {
  expect_same(ts::clip(vec({kNaN, -kInf, kInf, 0.5}), -1, 1), {kNaN, -1, 1, 0.5}, "clip");
}

TEST(NaN, ReductionsPropagateNaNWhereverItIs) {
  const Variable x(ts::from_vector<double>({1, kNaN, 3, 4, 5, 6}, {2, 3}));
  expect_same(ts::max(x), {kNaN}, "max over all");
  expect_same(ts::min(x), {kNaN}, "min over all");
  expect_same(ts::max(x, {1}), {kNaN, 6}, "max over axis 1");
  expect_same(ts::min(x, {0}), {1, kNaN, 3}, "min over axis 0");
  expect_same(ts::sum(x, {1}), {kNaN, 15}, "sum over axis 1");
  const Variable last(ts::from_vector<double>({1, 2, kNaN}, {1, 3}));  // NaN after the maximum
  expect_same(ts::max(last, {1}), {kNaN}, "max with a trailing NaN");
}

TEST(NaN, MaxPoolingPropagatesNaNInAnyTap) {
  for (std::size_t tap = 0; tap < 4; ++tap) {
    std::vector<double> v = {1, 2, 3, 4};
    v[tap] = kNaN;
    const Variable x(ts::from_vector<double>(v, {1, 1, 2, 2}));
    expect_same(ts::max_pool2d(x, 2), {kNaN}, "max_pool2d");
  }
}

TEST(NaN, SmoothFunctionsGiveTheirLimitsAtInfinity) {
  const Variable x = vec({-kInf, kInf, kNaN});
  expect_same(ts::sigmoid(x), {0, 1, kNaN}, "sigmoid");
  expect_same(ts::tanh(x), {-1, 1, kNaN}, "tanh");
  expect_same(ts::softplus(x), {0, kInf, kNaN}, "softplus");
  expect_same(ts::exp(x), {0, kInf, kNaN}, "exp");
  expect_same(ts::abs(x), {kInf, kInf, kNaN}, "abs");
}

TEST(NaN, ANaNInputRowMakesTheLossNaNNotAnOrdinaryNumber) {
  // One NaN pixel through Linear + ReLU + cross-entropy: the loss must read NaN.
  ts::Generator gen(1);
  ts::Tensor xs = ts::randn({4, 5}, ts::Dtype::Float64, gen);
  xs.data<double>()[7] = kNaN;
  const Variable W = ts::parameter(ts::randn({5, 3}, ts::Dtype::Float64, gen));
  const Variable labels(ts::from_vector<std::int64_t>({0, 1, 2, 0}));
  const Variable loss = ts::softmax_cross_entropy(ts::relu(ts::matmul(Variable(xs), W)), labels);
  EXPECT_TRUE(std::isnan(loss.item<double>()));
}

TEST(NaN, SoftmaxFamilyGivesPyTorchsLimitsForInfiniteLogits) {
  // An infinite maximum is not subtracted (inf - inf would make every element NaN).
  const Variable x = vec({kInf, 1, 2});
  expect_same(ts::logsumexp(x), {kInf}, "logsumexp with +Inf");
  expect_same(ts::softmax(x), {kNaN, 0, 0}, "softmax with +Inf");
  expect_same(ts::logsumexp(vec({-kInf, -kInf})), {-kInf}, "logsumexp of -Inf only");
  expect_same(ts::softmax(vec({-kInf, 0, 0})), {0, 0.5, 0.5}, "softmax with a masked logit");
}

TEST(NaN, CrossEntropyWithLabelsIgnoresAMaskedLogit) {
  // A -Inf logit (a mask) in a class that is not the label leaves the loss finite, as in PyTorch.
  const Variable logits = ts::parameter(ts::from_vector<double>({0, -kInf, 0, 1, 1, 1}, {2, 3}));
  const Variable loss = ts::softmax_cross_entropy(logits, Variable(ts::from_vector<std::int64_t>({0, 2})));
  EXPECT_DOUBLE_EQ(loss.item<double>(), (std::log(2.0) + std::log(3.0)) / 2);
  loss.backward();
  const std::vector<double> want = {-0.25, 0, 0.25, 1.0 / 6, 1.0 / 6, -1.0 / 3};
  const auto g = logits.grad().data().to_vector<double>();
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(g[i], want[i], 1e-15) << "gradient element " << i;
}

TEST(NaN, PowOfANegativeBaseWithAFractionalExponentIsNaN) {
  expect_same(ts::pow(vec({-kInf, -4, 4, kInf}), 0.5), {kNaN, kNaN, 2, kInf}, "pow 0.5");
  expect_same(ts::pow(vec({-kInf, -8}), 3.0), {-kInf, -512}, "pow 3");
}

TEST(NaN, BinaryCrossEntropyRefusesAPredictionOutsideTheUnitInterval) {
  const Variable t = vec({1, 0});
  for (const double bad : {kInf, 1.5, -0.1}) {
    try {
      ts::binary_cross_entropy(vec({0.5, bad}), t);
      ADD_FAILURE() << "binary_cross_entropy accepted a prediction of " << bad;
    } catch (const ts::Error& e) {
      EXPECT_NE(std::string(e.what()).find("prediction element 1"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("test_nan.cpp"), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(std::isnan(ts::binary_cross_entropy(vec({0.5, kNaN}), t).item<double>()));
}
