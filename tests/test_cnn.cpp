// Convolutional building blocks beyond the op table: batch norm's modes and running statistics, dropout's
// scaling and seeding, layer and model shapes, parameter counts, buffers in checkpoints, and error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <tsumiki.hpp>

using namespace tsumiki;

namespace {

std::vector<double> values(const Variable& v) { return v.data().to(Dtype::Float64).to_vector<double>(); }

// Per-channel mean and (biased) variance of an (N, C, H, W) tensor.
void channel_stats(const Tensor& x, std::size_t c, double& mean_out, double& var_out) {
  const std::size_t n = x.shape()[0], ch = x.shape()[1], inner = x.shape()[2] * x.shape()[3];
  double s = 0, s2 = 0;
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t i = 0; i < inner; ++i) {
      const double v = x.flat((b * ch + c) * inner + i);
      s += v;
      s2 += v * v;
    }
  const double m = static_cast<double>(n * inner);
  mean_out = s / m;
  var_out = s2 / m - mean_out * mean_out;
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(BatchNorm, TrainingNormalisesEachChannelAndUpdatesRunningStatistics) {
  Generator gen(5);
  nn::BatchNorm2d bn(3, {.momentum = 0.25, .dtype = Dtype::Float64});
  Tensor x = randn(Shape{4, 3, 2, 2}, Dtype::Float64, gen);
  for (std::size_t i = 0; i < x.numel(); ++i) x.data<double>()[i] = 3 * x.data<double>()[i] + 2;
  const Variable y = bn(Variable(x));
  for (std::size_t c = 0; c < 3; ++c) {
    double m, v, xm, xv;
    channel_stats(y.data(), c, m, v);
    EXPECT_NEAR(m, 0.0, 1e-12);
    EXPECT_NEAR(v, 1.0, 1e-4);  // var / (var + eps)
    channel_stats(x, c, xm, xv);
    // running = 0.75 * initial + 0.25 * batch; the variance is the unbiased estimate (16 values per channel)
    EXPECT_NEAR(bn.running_mean.data().flat(c), 0.25 * xm, 1e-12);
    EXPECT_NEAR(bn.running_var.data().flat(c), 0.75 * 1.0 + 0.25 * xv * 16.0 / 15.0, 1e-12);
  }
  EXPECT_FALSE(bn.running_mean.requires_grad());
  // Gradients reach gamma and beta, not the running statistics.
  sum(mul(y, y)).backward();
  EXPECT_TRUE(bn.gamma.grad().defined());
  EXPECT_TRUE(bn.beta.grad().defined());
  EXPECT_FALSE(bn.running_mean.grad().defined());
}

TEST(BatchNorm, EvaluationUsesRunningStatisticsAndLeavesThemAlone) {
  nn::BatchNorm1d bn(2, {.dtype = Dtype::Float64});
  bn.running_mean.set_data(from_vector<double>({1.0, -2.0}));
  bn.running_var.set_data(from_vector<double>({4.0, 0.25}));
  bn.gamma.set_data(from_vector<double>({2.0, 1.0}));
  bn.beta.set_data(from_vector<double>({0.5, 0.0}));
  bn.eval();
  const Variable x(from_vector<double>({3.0, -1.0, 1.0, -2.0}, Shape{2, 2}));
  const auto y = values(bn(x));
  const double s0 = std::sqrt(4.0 + 1e-5), s1 = std::sqrt(0.25 + 1e-5);
  EXPECT_NEAR(y[0], 2.0 * (3.0 - 1.0) / s0 + 0.5, 1e-12);
  EXPECT_NEAR(y[1], (-1.0 + 2.0) / s1, 1e-12);
  EXPECT_NEAR(y[2], 0.5, 1e-12);
  EXPECT_NEAR(y[3], 0.0, 1e-12);
  EXPECT_EQ(values(bn.running_mean), (std::vector<double>{1.0, -2.0}));
  EXPECT_EQ(values(bn.running_var), (std::vector<double>{4.0, 0.25}));
  // One example alone in eval mode is fine; in training mode it has no variance.
  EXPECT_EQ(bn(Variable(from_vector<double>({3.0, -1.0}, Shape{1, 2}))).shape(), (Shape{1, 2}));
  bn.train();
  const std::string msg = error_of([&] { bn(Variable(from_vector<double>({3.0, -1.0}, Shape{1, 2}))); });
  EXPECT_NE(msg.find("batch_norm"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(1, 2)"), std::string::npos) << msg;
}

TEST(BatchNorm, RunningStatisticsConvergeToTheDataStatistics) {
  Generator gen(9);
  nn::BatchNorm1d bn(1, {.dtype = Dtype::Float64});
  for (int step = 0; step < 200; ++step) {
    Tensor x = randn(Shape{64, 1}, Dtype::Float64, gen);
    for (std::size_t i = 0; i < x.numel(); ++i) x.data<double>()[i] = 0.5 * x.data<double>()[i] + 3;
    NoGradGuard no_grad;
    bn(Variable(x));
  }
  EXPECT_NEAR(bn.running_mean.data().flat(0), 3.0, 0.05);
  EXPECT_NEAR(bn.running_var.data().flat(0), 0.25, 0.03);
}

TEST(BatchNorm, BuffersAreNamedSavedAndLoaded) {
  nn::Sequential net{std::make_shared<nn::Conv2d>(1, 2, 3), std::make_shared<nn::BatchNorm2d>(2)};
  const auto buffers = net.named_buffers();
  ASSERT_EQ(buffers.size(), 2u);
  EXPECT_EQ(buffers[0].first, "1.running_mean");
  EXPECT_EQ(buffers[1].first, "1.running_var");
  EXPECT_EQ(net.parameters().size(), 4u);  // W, b, gamma, beta: buffers are not parameters
  net(Variable(randn(Shape{2, 1, 5, 5})));
  const auto path =
      std::filesystem::temp_directory_path() / ("tsumiki_bn_" + std::to_string(::getpid()) + ".npz");
  nn::save_checkpoint(path.string(), net);
  nn::Sequential other{std::make_shared<nn::Conv2d>(1, 2, 3), std::make_shared<nn::BatchNorm2d>(2)};
  nn::load_checkpoint(path.string(), other);
  EXPECT_EQ(values(other.named_buffers()[0].second), values(buffers[0].second));
  EXPECT_EQ(values(other.named_buffers()[1].second), values(buffers[1].second));
  std::filesystem::remove(path);
}

TEST(Dropout, ScalesSurvivorsAndKeepsTheMeanInTraining) {
  manual_seed(11);
  const Variable x(ones(Shape{200, 100}, Dtype::Float64));
  const auto y = values(dropout(x, 0.3));
  std::size_t kept = 0;
  double total = 0;
  for (double v : y) {
    EXPECT_TRUE(v == 0.0 || std::abs(v - 1.0 / 0.7) < 1e-12) << v;
    kept += v != 0.0;
    total += v;
  }
  EXPECT_NEAR(static_cast<double>(kept) / 20000.0, 0.7, 0.02);
  EXPECT_NEAR(total / 20000.0, 1.0, 0.03);
  // The gradient is the same mask.
  Variable xs(ones(Shape{10}, Dtype::Float64), true);
  Generator gen(4);
  const Variable out = dropout(xs, 0.5, true, gen);
  sum(out).backward();
  EXPECT_EQ(values(xs.grad()), values(out));
}

TEST(Dropout, EvaluationIsTheIdentityAndSeedsRepeat) {
  nn::Dropout drop(0.5);
  const Variable x(randn(Shape{4, 8}));
  drop.eval();
  EXPECT_TRUE(drop(x).is_same(x));
  drop.train();
  manual_seed(21);
  const auto a = values(drop(x));
  manual_seed(21);
  const auto b = values(drop(x));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, values(drop(x)));  // the next mask differs
  nn::Dropout own1(0.5, 7), own2(0.5, 7);
  EXPECT_EQ(values(own1(x)), values(own2(x)));  // a layer's own seeded generator
  EXPECT_EQ(values(dropout(x, 0.0)), values(x));
  for (double v : values(dropout(x, 1.0))) EXPECT_EQ(v, 0.0);
  const std::string msg = error_of([&] { dropout(x, 1.5); });
  EXPECT_NE(msg.find("dropout"), std::string::npos) << msg;
}

TEST(ConvLayers, ShapesAndParameters) {
  nn::Conv2d conv(3, 8, 5, {.stride = 2, .padding = 2});
  EXPECT_EQ(conv.W.shape(), (Shape{8, 3, 5, 5}));
  EXPECT_EQ(conv.b.shape(), (Shape{8}));
  EXPECT_EQ(conv(Variable(randn(Shape{2, 3, 11, 11}))).shape(), (Shape{2, 8, 6, 6}));
  EXPECT_EQ(conv.output_shape(Shape{3, 11, 11}), (Shape{8, 6, 6}));
  EXPECT_EQ(conv.describe(), "Conv2d(3 -> 8, kernel 5, stride 2, padding 2)");
  nn::Conv2d nob(1, 2, {3, 1}, {.bias = false});
  EXPECT_FALSE(nob.b.defined());
  EXPECT_EQ(nob(Variable(randn(Shape{1, 1, 4, 4}))).shape(), (Shape{1, 2, 2, 4}));
  EXPECT_EQ(nn::MaxPool2d(2)(Variable(randn(Shape{1, 2, 5, 4}))).shape(), (Shape{1, 2, 2, 2}));
  EXPECT_EQ(nn::MaxPool2d(3, 2, 1)(Variable(randn(Shape{1, 2, 28, 28}))).shape(), (Shape{1, 2, 14, 14}));
  EXPECT_EQ(nn::AvgPool2d(2, 1)(Variable(randn(Shape{1, 2, 4, 4}))).shape(), (Shape{1, 2, 3, 3}));
  EXPECT_EQ(nn::Flatten()(Variable(randn(Shape{2, 3, 4, 5}))).shape(), (Shape{2, 60}));
  EXPECT_EQ(nn::LocalResponseNorm(5)(Variable(randn(Shape{2, 7, 3, 3}))).shape(), (Shape{2, 7, 3, 3}));
  // He initialisation over fan_in = in_channels * kh * kw.
  nn::Conv2d big(16, 64, 3);
  double s2 = 0;
  for (std::size_t i = 0; i < big.W.numel(); ++i) s2 += big.W.data().flat(i) * big.W.data().flat(i);
  EXPECT_NEAR(std::sqrt(s2 / static_cast<double>(big.W.numel())), std::sqrt(2.0 / 144), 0.01);
}

TEST(Models, ShapesAndParameterCounts) {
  const Variable x(randn(Shape{2, 1, 28, 28}));
  nn::SimpleConvNet simple;
  EXPECT_EQ(simple(x).shape(), (Shape{2, 10}));
  // conv 30x1x5x5 + 30, affine 4320x100 + 100, affine 100x10 + 10 (the book's SimpleConvNet)
  EXPECT_EQ(simple.num_parameters(), 30u * 25 + 30 + 4320 * 100 + 100 + 100 * 10 + 10);
  nn::LeNet5 lenet;
  EXPECT_EQ(lenet(x).shape(), (Shape{2, 10}));
  EXPECT_EQ(lenet.num_parameters(),
            6u * 25 + 6 + 16 * 6 * 25 + 16 + 400 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10);
  nn::AlexNetSmall alex;
  EXPECT_EQ(alex(x).shape(), (Shape{2, 10}));
  nn::DeepConvNet deep;
  EXPECT_EQ(deep(x).shape(), (Shape{2, 10}));
  // The book's deep net: 16, 16, 32, 32, 64, 64 channels of 3x3, then 64*4*4 -> 50 -> 10.
  const std::size_t convs = (16 * 9 + 16) + (16 * 16 * 9 + 16) + (32 * 16 * 9 + 32) + (32 * 32 * 9 + 32) +
                            (64 * 32 * 9 + 64) + (64 * 64 * 9 + 64);
  EXPECT_EQ(deep.num_parameters(), convs + 1024 * 50 + 50 + 50 * 10 + 10);
  const std::string s = deep.summary();
  EXPECT_NE(s.find("conv4  Conv2d(32 -> 32, kernel 3, stride 1, padding 2)"), std::string::npos) << s;
  EXPECT_NE(s.find("drop1  Dropout(p 0.5)"), std::string::npos) << s;
  // Evaluation is deterministic (dropout off).
  deep.eval();
  EXPECT_EQ(values(deep(x)), values(deep(x)));
}

TEST(Models, SimpleConvNetLearnsATinyProblem) {
  // Two classes: a bright left half or a bright right half. A few Adam steps separate them.
  manual_seed(3);
  nn::SimpleConvNet net({.input = Shape{1, 8, 8}, .classes = 2});
  auto opt = optim::make_optimizer("adam", net.parameters(), 1e-2);
  Tensor x = zeros(Shape{8, 1, 8, 8});
  std::vector<std::int64_t> labels;
  for (std::size_t n = 0; n < 8; ++n) {
    labels.push_back(static_cast<std::int64_t>(n % 2));
    for (std::size_t i = 0; i < 8; ++i)
      for (std::size_t j = 0; j < 4; ++j) x.data<float>()[n * 64 + i * 8 + (n % 2 ? 4 + j : j)] = 1.0f;
  }
  const Variable X(x), Y(from_vector<std::int64_t>(labels));
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    const Variable loss = softmax_cross_entropy(net(X), Y);
    if (step == 0) first = loss.item<double>();
    last = loss.item<double>();
    net.zero_grad();
    loss.backward();
    opt->step();
  }
  EXPECT_LT(last, 0.1 * first);
  EXPECT_EQ(accuracy(net(X), Y), 1.0);
}

TEST(ConvErrors, NameTheOpAndTheShapes) {
  const Variable x(randn(Shape{2, 3, 8, 8}));
  std::string msg = error_of([&] { conv2d(x, Variable(randn(Shape{4, 2, 3, 3}))); });
  EXPECT_NE(msg.find("conv2d"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 3, 8, 8)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(4, 2, 3, 3)"), std::string::npos) << msg;
  msg = error_of([&] { conv2d(x, Variable(randn(Shape{4, 3, 3, 3})), Variable(randn(Shape{3}))); });
  EXPECT_NE(msg.find("bias of shape (3,)"), std::string::npos) << msg;
  msg = error_of([&] { conv2d(x, Variable(randn(Shape{4, 3, 9, 9}))); });
  EXPECT_NE(msg.find("does not fit"), std::string::npos) << msg;
  msg = error_of([&] { im2col(Variable(randn(Shape{3, 8, 8})), 3); });
  EXPECT_NE(msg.find("im2col"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(3, 8, 8)"), std::string::npos) << msg;
  msg = error_of([&] { max_pool2d(x, 2, 2, 2); });
  EXPECT_NE(msg.find("max_pool2d"), std::string::npos) << msg;
  EXPECT_NE(msg.find("half the kernel"), std::string::npos) << msg;
  msg = error_of([&] { max_pool2d(x, 3, 0); });
  EXPECT_EQ(msg, "");  // stride 0: equal to the kernel
  msg = error_of([&] { EXPECT_EQ(avg_pool2d(x, 2).shape(), (Shape{2, 3, 4, 4})); });
  EXPECT_EQ(msg, "");
  msg = error_of([&] { col2im(Variable(randn(Shape{2, 27, 5})), Shape{2, 3, 8, 8}, 3); });
  EXPECT_NE(msg.find("col2im"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 27, 36)"), std::string::npos) << msg;
  msg = error_of([&] { conv2d(x, Variable(randn(Shape{4, 3, 3, 3}, Dtype::Float64))); });
  EXPECT_NE(msg.find("dtype"), std::string::npos) << msg;
  nn::Conv2d conv(1, 4, 3);
  msg = error_of([&] { conv(x); });
  EXPECT_NE(msg.find("Conv2d(1 -> 4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 3, 8, 8)"), std::string::npos) << msg;
  nn::BatchNorm2d bn(4);
  msg = error_of([&] { bn(x); });
  EXPECT_NE(msg.find("BatchNorm2d(4)"), std::string::npos) << msg;
  msg = error_of([&] { batch_norm(x, Variable(ones(Shape{4})), {}, {}, {}); });
  EXPECT_NE(msg.find("gamma of shape (4,)"), std::string::npos) << msg;
}

TEST(ConvGraph, MaxPoolSendsTheGradientToTheFirstMaximumAndFreesItsGraph) {
  const std::size_t before = live_functions();
  {
    // Windows 2 and 4 hold a tie (5 at flat 2 and 7; 7 at flat 11 and 14).
    Variable x(from_vector<double>({1, 5, 5, 2, 0, 0, 3, 5, 7, 6, 6, 7, -1, -2, 7, -4}, Shape{1, 1, 4, 4}),
               true);
    const Variable y = max_pool2d(x, 2);
    EXPECT_EQ(values(y), (std::vector<double>{5, 5, 7, 7}));
    sum(y).backward();
    // the first maximum in row-major order of the window takes the gradient
    EXPECT_EQ(values(x.grad()), (std::vector<double>{0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0}));
  }
  EXPECT_EQ(live_functions(), before);
}

// 2x2 windows with stride 2 take a fast path: a NaN wins its window and stays against later taps, a tie goes
// to the first maximum, and an odd last row and column are left out, all as in the general walk.
TEST(ConvGraph, MaxPool2x2PropagatesNaNBreaksTiesFirstAndDropsTheOddEdge) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Variable x(from_vector<double>({nan, 2, 9, 3, 9,  //
                                  4, 5, 9, 8, 9,    //
                                  9, 9, 9, 9, 9},
                                 Shape{1, 1, 3, 5}),
             true);
  const Variable y = max_pool2d(x, 2);
  ASSERT_EQ(y.shape(), (Shape{1, 1, 1, 2}));
  const auto v = values(y);
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], 9);
  sum(y).backward();
  const auto g = values(x.grad());
  EXPECT_EQ(g[0], 1);  // the NaN, read first and kept against 2, 4 and 5
  EXPECT_EQ(g[2], 1);  // the first of the second window's two 9s
  EXPECT_EQ(g[7], 0);  // the second 9
  double total = 0;
  for (double e : g) total += e;
  EXPECT_EQ(total, 2);
}

// The general window walk (here 2x2 windows with stride 1, which overlap) gives a tie to the first maximum
// too.
TEST(ConvGraph, MaxPoolOverlappingWindowsBreakTiesFirst) {
  Variable x(from_vector<double>({7, 7, 1,  //
                                  7, 0, 2},
                                 Shape{1, 1, 2, 3}),
             true);
  const Variable y = max_pool2d(x, 2, 1);
  EXPECT_EQ(values(y), (std::vector<double>{7, 7}));
  sum(y).backward();
  // window 1 (columns 0-1) takes flat 0; window 2 (columns 1-2) takes flat 1
  EXPECT_EQ(values(x.grad()), (std::vector<double>{1, 1, 0, 0, 0, 0}));
}
