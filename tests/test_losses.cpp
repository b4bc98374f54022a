// cross_entropy against PyTorch's numbers, and the errors of the new indexing ops and class losses.
//
// The expected values were computed once with a plain-Python (float64, math module) transcription of
// PyTorch's formulas (torch.nn.functional.cross_entropy; aten/src/ATen/native/LossNLL.cpp,
// cross_entropy_loss_label_smoothing), since PyTorch itself was not installed where they were made:
//   nll[m] = -w[y] lp[y], smooth[m] = -sum_c w[c] lp[c] (both 0 where y = ignore_index),
//   mean: (1 - e) sum(nll) / sum(w[y]) + e / C * sum(smooth) / sum(w[y]), the sums over non-ignored m.
// The first case was also checked by hand for e = 0 (1.41839 = mean of 3.687, 0.373, 0.195).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <tsumiki/autograd/ops.hpp>
#include <tsumiki/functional/losses.hpp>
#include <tsumiki/nn/losses.hpp>
#include <vector>

#include "file_fixtures.hpp"

using namespace tsumiki;
using tsumiki::testing::expect_error;

namespace {

const std::string kHere = "test_losses.cpp:";

Variable logits_3x4(Dtype dtype = Dtype::Float64) {
  return Variable(
      from_vector<double>({0.5, -1.25, 2.0, 0.75, 1.5, 0.25, -0.5, -2.0, -0.75, 1.0, 0.125, 3.0}, Shape{3, 4})
          .to(dtype),
      true);
}
Variable labels(const std::vector<std::int64_t>& v, const Shape& s) {
  return Variable(from_vector<std::int64_t>(v, s));
}
Tensor weights(const std::vector<double>& w) { return from_vector<double>(w, Shape{w.size()}); }

// x[i] = 0.1 * ((7 i) mod 11) - 0.5, shaped (2, 3, 2, 2).
Variable logits_nchw() {
  std::vector<double> x(24);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.1 * static_cast<double>((7 * i) % 11) - 0.5;
  return Variable(from_vector<double>(x, Shape{2, 3, 2, 2}), true);
}

}  // namespace

TEST(CrossEntropy, MatchesPyTorchWithoutOptions) {
  EXPECT_NEAR(cross_entropy(logits_3x4(), labels({1, 0, 3}, Shape{3})).item<double>(), 1.4183871220671325,
              1e-12);
  // softmax_cross_entropy, the older name, gives the same loss.
  EXPECT_NEAR(softmax_cross_entropy(logits_3x4(), labels({1, 0, 3}, Shape{3})).item<double>(),
              1.4183871220671325, 1e-12);
}

TEST(CrossEntropy, MatchesPyTorchWithWeightsIgnoreIndexAndLabelSmoothing) {
  const CrossEntropyOptions o{.weight = weights({0.3, 1.2, 0.8, 2.0}), .label_smoothing = 0.15};
  const Variable y = labels({1, -100, 3}, Shape{3});
  EXPECT_NEAR(cross_entropy(logits_3x4(), y, o).item<double>(), 1.4592712028093848, 1e-12);
  CrossEntropyOptions sum = o;
  sum.reduction = Reduction::Sum;
  EXPECT_NEAR(cross_entropy(logits_3x4(), y, sum).item<double>(), 4.669667848990032, 1e-12);
  CrossEntropyOptions none = o;
  none.reduction = Reduction::None;
  const std::vector<double> got = cross_entropy(logits_3x4(), y, none).data().to_vector<double>();
  const std::vector<double> want{4.088350644237671, 0.0, 0.5813172047523596};
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
  // float32 agrees to float32 precision
  EXPECT_NEAR(cross_entropy(logits_3x4(Dtype::Float32), y, o).item<double>(), 1.4592712028093848, 1e-5);
}

TEST(CrossEntropy, MatchesPyTorchOnImagesWithIgnoredPixel) {
  const Variable y = labels({0, 2, 1, -100, 2, 2, 0, 1}, Shape{2, 2, 2});
  const CrossEntropyOptions o{.weight = weights({1.0, 0.5, 2.0}), .label_smoothing = 0.1};
  EXPECT_NEAR(cross_entropy(logits_nchw(), y, o).item<double>(), 1.0348629728357652, 1e-12);
  CrossEntropyOptions none = o;
  none.reduction = Reduction::None;
  const Variable per_pixel = cross_entropy(logits_nchw(), y, none);
  EXPECT_EQ(per_pixel.shape(), (Shape{2, 2, 2}));
  const std::vector<double> want{
      1.374082041385352,  1.7336879588085041, 0.4885047443787208, 0.0,
      1.7336879588085041, 2.4252366353986146, 0.7666074984857636, 0.7919599182564274};
  const std::vector<double> got = per_pixel.data().to_vector<double>();
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
}

TEST(CrossEntropy, IgnoredLabelsGetNoGradient) {
  const Variable x = logits_3x4();
  cross_entropy(x, labels({1, -100, 3}, Shape{3}), {.label_smoothing = 0.2}).backward();
  const std::vector<double> g = x.grad().data().to_vector<double>();
  for (std::size_t c = 0; c < 4; ++c) EXPECT_EQ(g[4 + c], 0.0) << c;  // row 1 is ignored
  double row0 = 0;
  for (std::size_t c = 0; c < 4; ++c) row0 += g[c];
  EXPECT_NEAR(row0, 0.0, 1e-12);  // softmax rows: gradients sum to 0
  EXPECT_NE(g[0], 0.0);
}

TEST(CrossEntropy, AllIgnoredMeanIsNaNAsInPyTorch) {
  const Variable loss = cross_entropy(logits_3x4(), labels({-100, -100, -100}, Shape{3}));
  EXPECT_TRUE(std::isnan(loss.item<double>()));
  EXPECT_EQ(
      nll_loss(logits_3x4(), labels({-100, -100, -100}, Shape{3}), {}, -100, Reduction::Sum).item<double>(),
      0.0);
}

TEST(NllLoss, WeightedMeanDividesBySummedWeights) {
  // -(w1 x[0,1] + w3 x[2,3]) / (w1 + w3) with w = (0.3, 1.2, 0.8, 2.0): -(1.2 * -1.25 + 2.0 * 3.0) / 3.2
  const double want = -(1.2 * -1.25 + 2.0 * 3.0) / 3.2;
  EXPECT_NEAR(
      nll_loss(logits_3x4(), labels({1, -100, 3}, Shape{3}), weights({0.3, 1.2, 0.8, 2.0})).item<double>(),
      want, 1e-12);
}

TEST(RegressionLosses, HuberAndSmoothL1OnBothSidesOfTheKink) {
  const Variable y(from_vector<double>({0.25, -3.0, 1.5}, Shape{3}));
  const Variable t(zeros(Shape{3}, Dtype::Float64));
  // huber, delta 1: 0.5 * 0.0625, 1 * (3 - 0.5), 1 * (1.5 - 0.5)
  const std::vector<double> h = huber_loss(y, t, 1.0, Reduction::None).data().to_vector<double>();
  EXPECT_DOUBLE_EQ(h[0], 0.03125);
  EXPECT_DOUBLE_EQ(h[1], 2.5);
  EXPECT_DOUBLE_EQ(h[2], 1.0);
  // smooth_l1, beta 2: 0.5 * 0.0625 / 2, 3 - 1, 0.5 * 2.25 / 2
  const std::vector<double> s = smooth_l1_loss(y, t, 2.0, Reduction::None).data().to_vector<double>();
  EXPECT_DOUBLE_EQ(s[0], 0.015625);
  EXPECT_DOUBLE_EQ(s[1], 2.0);
  EXPECT_DOUBLE_EQ(s[2], 0.5625);
  EXPECT_DOUBLE_EQ(smooth_l1_loss(y, t, 0.0, Reduction::Sum).item<double>(), 4.75);
  EXPECT_DOUBLE_EQ(huber_loss(y, t).item<double>(), (0.03125 + 2.5 + 1.0) / 3);
}

TEST(IndexingOps, GatherAndScatterAddFollowPyTorch) {
  const Variable x(from_vector<double>({1, 2, 3, 4, 5, 6}, Shape{2, 3}));
  const Tensor index = from_vector<std::int64_t>({2, 0, 0, 1, 1, 2}, Shape{2, 3});
  EXPECT_EQ(gather(x, 1, index).data().to_vector<double>(), (std::vector<double>{3, 1, 1, 5, 5, 6}));
  const Variable src(from_vector<double>({10, 20, 30, 40, 50, 60}, Shape{2, 3}));
  // row 0: x[0,2] += 10, x[0,0] += 20 + 30; row 1: x[1,1] += 40 + 50, x[1,2] += 60
  EXPECT_EQ(scatter_add(x, 1, index, src).data().to_vector<double>(),
            (std::vector<double>{51, 2, 13, 4, 95, 66}));
}

TEST(IndexingOps, PadModesOnAVector) {
  const Variable x(from_vector<double>({1, 2, 3}, Shape{3}));
  EXPECT_EQ(pad(x, {2, 1}, PadMode::Reflect).data().to_vector<double>(),
            (std::vector<double>{3, 2, 1, 2, 3, 2}));
  EXPECT_EQ(pad(x, {2, 1}, PadMode::Replicate).data().to_vector<double>(),
            (std::vector<double>{1, 1, 1, 2, 3, 3}));
  EXPECT_EQ(pad(x, {2, 1}, PadMode::Circular).data().to_vector<double>(),
            (std::vector<double>{2, 3, 1, 2, 3, 1}));
  EXPECT_EQ(pad(x, {1, -1}, PadMode::Constant, 9).data().to_vector<double>(), (std::vector<double>{9, 1, 2}));
}

TEST(IndexingOps, MasksFromComparisons) {
  const Variable x(from_vector<double>({-1, 2, -3, 4}, Shape{2, 2}));
  const Variable negative = less(x, Variable(scalar_tensor(0.0, Dtype::Float64)));
  EXPECT_EQ(masked_fill(x, negative, 0.0).data().to_vector<double>(), (std::vector<double>{0, 2, 0, 4}));
  EXPECT_EQ(masked_select(x, negative).data().to_vector<double>(), (std::vector<double>{-1, -3}));
}

// ---- errors: the op, the shapes, the offending value and the user's line ----

TEST(IndexingOps, OutOfBoundsIndexNamesThePosition) {
  const Variable x(zeros(Shape{2, 3}, Dtype::Float64), true);
  const Tensor bad = from_vector<std::int64_t>({0, 1, 3, 0}, Shape{2, 2});
  expect_error<Error>([&] { gather(x, 1, bad); }, {"gather", "index 3", "(1, 0)", "(2, 3)", "size 3", kHere});
  expect_error<Error>(
      [&] {
        scatter_add(x, 1, bad, Variable(ones(Shape{2, 2}, Dtype::Float64)));
      },
      {"scatter_add", "index 3", "(2, 3)", kHere});
  expect_error<Error>(
      [&] {
        gather(x, 0, from_vector<std::int64_t>({-1}, Shape{1, 1}));
      },
      {"gather", "index -1", "axis 0", kHere});
  expect_error<Error>(
      [&] {
        gather(x, 0, from_vector<std::int64_t>({0, 0, 0, 0}, Shape{1, 4}));
      },
      {"gather", "(1, 4)", "(2, 3)", "axis 1", kHere});
  expect_error<Error>([&] { gather(x, 0, from_vector<std::int64_t>({0}, Shape{1})); },
                      {"gather", "same number of dimensions", kHere});
}

TEST(IndexingOps, BadMasksAndPadsAreRefused) {
  const Variable x(zeros(Shape{2, 3}, Dtype::Float64), true);
  expect_error<Error>([&] { masked_fill(x, Variable(full(Shape{3}, 0.5, Dtype::Float64)), 1.0); },
                      {"masked_fill", "0.5", "0 and 1", kHere});
  expect_error<Error>(
      [&] {
        masked_fill(x, Variable(ones(Shape{4, 3}, Dtype::Float64)), 1.0);
      },
      {"masked_fill", "(4, 3)", "(2, 3)", kHere});
  expect_error<Error>([&] { pad(x, {3, 0}, PadMode::Reflect); }, {"pad", "reflect", "size 3", kHere});
  expect_error<Error>([&] { pad(x, {1, 0, 0}); }, {"pad", "3 pad amounts", "(2, 3)", kHere});
  expect_error<Error>([&] { pad(x, {-2, -2}); }, {"pad", "negative", kHere});
}

TEST(CrossEntropy, BadLabelsAndOptionsAreRefused) {
  expect_error<Error>(
      [] {
        cross_entropy(logits_3x4(), labels({1, 4, 0}, Shape{3}));
      },
      {"cross_entropy", "label 4", "element 1", "[0, 4)", kHere});
  expect_error<Error>(
      [] {
        cross_entropy(logits_3x4(), labels({1, 2}, Shape{2}));
      },
      {"cross_entropy", "(2,)", "(3, 4)", "(3,)", kHere});
  expect_error<Error>(
      [] {
        cross_entropy(logits_3x4(), labels({1, 2, 0}, Shape{3}), {.weight = weights({1, 2})});
      },
      {"cross_entropy", "weight", "(4,)", "(2,)", kHere});
  expect_error<Error>(
      [] {
        cross_entropy(logits_3x4(), labels({1, 2, 0}, Shape{3}), {.label_smoothing = 1.5});
      },
      {"cross_entropy", "label_smoothing", kHere});
  expect_error<Error>([] { nll_loss(logits_3x4(), Variable(zeros(Shape{3}, Dtype::Float64))); },
                      {"nll_loss", "int64", kHere});
  expect_error<Error>([] { huber_loss(logits_3x4(), logits_3x4(), 0.0); }, {"huber_loss", "delta", kHere});
}

TEST(LossObjects, ForwardTheirOptions) {
  const Variable y = labels({1, -100, 3}, Shape{3});
  const nn::CrossEntropyLoss criterion{{.weight = weights({0.3, 1.2, 0.8, 2.0}), .label_smoothing = 0.15}};
  EXPECT_NEAR(criterion(logits_3x4(), y).item<double>(), 1.4592712028093848, 1e-12);
  EXPECT_NEAR(nn::CrossEntropyLoss{}(logits_3x4(), labels({1, 0, 3}, Shape{3})).item<double>(),
              1.4183871220671325, 1e-12);
  const Variable a(from_vector<double>({0.25, -3.0, 1.5}, Shape{3})), b(zeros(Shape{3}, Dtype::Float64));
  EXPECT_DOUBLE_EQ(nn::HuberLoss{.reduction = Reduction::Sum}(a, b).item<double>(), 3.53125);
  EXPECT_DOUBLE_EQ(nn::SmoothL1Loss{.beta = 0.0}(a, b).item<double>(), 4.75 / 3);
  EXPECT_DOUBLE_EQ(nn::MSELoss{Reduction::Sum}(a, b).item<double>(), 0.0625 + 9.0 + 2.25);
  EXPECT_NEAR(nn::NLLLoss{.ignore_index = 1}(logits_3x4(), labels({1, 1, 3}, Shape{3})).item<double>(), -3.0,
              1e-12);
}
