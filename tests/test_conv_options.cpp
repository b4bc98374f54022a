// The options of convolution and pooling beyond the op table's values: the indices max pooling returns,
// conv_transpose2d as conv2d's adjoint, the modules' shapes and descriptions, and error messages that name
// the op and the shapes.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <tsumiki.hpp>

using namespace tsumiki;

namespace {

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::vector<double> values(const Variable& v) { return v.data().to(Dtype::Float64).to_vector<double>(); }

Variable ramp(const Shape& s, Dtype dtype = Dtype::Float64) {
  std::vector<double> v(s.numel());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>((i * 7) % 11) - 5.0 + 0.01 * i;
  return Variable(from_vector(v, s).to(dtype));
}

double dot(const Variable& a, const Variable& b) {
  const auto x = values(a), y = values(b);
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
  return s;
}

}  // namespace

TEST(MaxPoolIndices, AreFlatWithinEachPlaneAsPyTorch) {
  // One plane of 4 x 5 per (n, c): values rise along each row, so each window's maximum is its bottom-right
  // pixel inside the image.
  std::vector<double> v(2 * 2 * 4 * 5);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i % 20);
  const Variable x(from_vector(v, Shape{2, 2, 4, 5}));
  const auto [y, idx] = max_pool2d_with_indices(x, 2, 2, 0, 1, /*ceil_mode=*/true);
  EXPECT_EQ(y.shape(), (Shape{2, 2, 2, 3}));
  EXPECT_EQ(idx.dtype(), Dtype::Int64);
  EXPECT_EQ(idx.shape(), y.shape());
  const std::vector<std::int64_t> plane = {6, 8, 9, 16, 18, 19};  // the ceil window at column 4 is one wide
  const auto got = idx.to_vector<std::int64_t>();
  for (std::size_t p = 0; p < 4; ++p)
    for (std::size_t k = 0; k < 6; ++k)
      EXPECT_EQ(got[p * 6 + k], plane[k]) << "plane " << p << ", output " << k;
  EXPECT_EQ(values(y), values(max_pool2d(x, 2, 2, 0, 1, true)));
}

TEST(MaxPoolIndices, AdaptiveWindowsAndGradientGoToTheMaxima) {
  const Variable x(ramp(Shape{1, 2, 5, 7}).data(), true);
  const auto [y, idx] = adaptive_max_pool2d_with_indices(x, {2, 3});
  const auto xv = values(x);
  const auto yv = values(y);
  const auto iv = idx.to_vector<std::int64_t>();
  for (std::size_t k = 0; k < yv.size(); ++k)
    EXPECT_EQ(yv[k], xv[(k / 6) * 35 + static_cast<std::size_t>(iv[k])]);
  sum(y).backward();
  const auto g = values(x.grad());
  double total = 0;
  for (double e : g) total += e;
  EXPECT_EQ(total, 12.0);  // one 1 per output (a maximum shared by two windows receives 2)
}

TEST(ConvTranspose, IsTheAdjointOfConv2d) {
  // <conv2d(x, W), u> = <x, conv_transpose2d(u, W)> for the same stride, padding, dilation and groups, with
  // output_padding recovering x's size.
  const Variable x = ramp(Shape{2, 4, 7, 6}), W = ramp(Shape{6, 2, 3, 2});
  const Variable y = conv2d(x, W, {}, {2, 2}, {1, 1}, {1, 2}, 2);
  const Variable u = ramp(y.shape()) * 0.5;
  const Variable xt = conv_transpose2d(u, W, {}, {2, 2}, {1, 1}, {0, 1}, 2, {1, 2});
  ASSERT_EQ(xt.shape(), x.shape());
  EXPECT_NEAR(dot(y, u), dot(x, xt), 1e-9 * std::abs(dot(y, u)));
}

TEST(ConvOptions, PlainCallsKeepTheirMeaning) {
  const Variable x = ramp(Shape{1, 2, 5, 5}), W = ramp(Shape{3, 2, 3, 3});
  EXPECT_EQ(values(conv2d(x, W, {}, 1, 1)), values(conv2d(x, W, {}, 1, 1, 1, 1, PaddingMode::Zeros)));
  // Padding modes with zero padding are the plain convolution.
  EXPECT_EQ(values(conv2d(x, W)), values(conv2d(x, W, {}, 1, 0, 1, 1, PaddingMode::Reflect)));
  // Adaptive average pooling to a divisor of the size is average pooling.
  EXPECT_EQ(values(adaptive_avg_pool2d(x, 1)), values(avg_pool2d(x, 5)));
}

TEST(ConvOptions, ErrorsNameTheOpAndTheShapes) {
  const Variable x(randn(Shape{2, 4, 6, 6}));
  std::string msg = error_of([&] { conv2d(x, Variable(randn(Shape{6, 3, 3, 3})), {}, 1, 0, 1, 2); });
  EXPECT_NE(msg.find("conv2d"), std::string::npos) << msg;
  EXPECT_NE(msg.find("groups 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(6, 3, 3, 3)"), std::string::npos) << msg;
  msg = error_of([&] { conv2d(x, Variable(randn(Shape{5, 2, 3, 3})), {}, 1, 0, 1, 2); });
  EXPECT_NE(msg.find("not divisible by groups 2"), std::string::npos) << msg;
  msg = error_of([&] { conv2d(x, Variable(randn(Shape{5, 4, 3, 3})), {}, 1, 0, 3); });
  EXPECT_NE(msg.find("does not fit"), std::string::npos) << msg;
  EXPECT_NE(msg.find("dilation (3, 3)"), std::string::npos) << msg;
  msg = error_of([&] {
    conv2d(x, Variable(randn(Shape{5, 4, 3, 3})), {}, 1, 6, 1, 1, PaddingMode::Reflect);
  });
  EXPECT_NE(msg.find("padding_mode reflect"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 4, 6, 6)"), std::string::npos) << msg;
  EXPECT_EQ(error_of([&] {
              conv2d(x, Variable(randn(Shape{5, 4, 3, 3})), {}, 1, 6, 1, 1, PaddingMode::Circular);
            }),
            "");
  msg = error_of([&] { conv_transpose2d(x, Variable(randn(Shape{4, 2, 3, 3})), {}, 2, 0, 2); });
  EXPECT_NE(msg.find("conv_transpose2d"), std::string::npos) << msg;
  EXPECT_NE(msg.find("output_padding (2, 2)"), std::string::npos) << msg;
  msg = error_of([&] { conv_transpose2d(x, Variable(randn(Shape{3, 2, 3, 3}))); });
  EXPECT_NE(msg.find("(2, 4, 6, 6)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(3, 2, 3, 3)"), std::string::npos) << msg;
  msg = error_of([&] { conv_transpose2d(x, Variable(randn(Shape{4, 2, 3, 3})), {}, 1, 0, 0, 3); });
  EXPECT_NE(msg.find("not divisible by groups 3"), std::string::npos) << msg;
  msg = error_of([&] { conv_transpose2d(x, Variable(randn(Shape{4, 2, 1, 1})), {}, 1, 3); });
  EXPECT_NE(msg.find("leaves no output"), std::string::npos) << msg;
  msg = error_of([&] { max_pool2d(Variable(randn(Shape{1, 1, 2, 2})), 2, 1, 1, 3); });
  EXPECT_NE(msg.find("sees padding only"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(1, 1, 2, 2)"), std::string::npos) << msg;
  nn::MaxPool2d dilated(3, 1, 1, 2);
  EXPECT_EQ(dilated(x).shape(), (Shape{2, 4, 4, 4}));
  EXPECT_EQ(dilated.output_shape(Shape{4, 6, 6}), (Shape{4, 4, 4}));
  EXPECT_NE(dilated.describe().find("dilation 2"), std::string::npos) << dilated.describe();
  msg = error_of([&] { adaptive_avg_pool2d(x, {0, 2}); });
  EXPECT_NE(msg.find("adaptive_avg_pool2d"), std::string::npos) << msg;
  msg = error_of([&] { adaptive_max_pool2d(Variable(randn(Shape{4, 6, 6})), 2); });
  EXPECT_NE(msg.find("(4, 6, 6)"), std::string::npos) << msg;
}

TEST(ConvOptions, ModulesSizeTheirOutputs) {
  const Variable x(randn(Shape{2, 4, 9, 8}));
  nn::Conv2d conv(4, 6, 3, {.padding = 2, .dilation = 2, .groups = 2, .padding_mode = PaddingMode::Circular});
  EXPECT_EQ(conv.W.shape(), (Shape{6, 2, 3, 3}));
  EXPECT_EQ(conv(x).shape(), (Shape{2, 6, 9, 8}));
  EXPECT_EQ(conv.output_shape(Shape{4, 9, 8}), (Shape{6, 9, 8}));
  EXPECT_NE(conv.describe().find("groups 2"), std::string::npos) << conv.describe();
  EXPECT_NE(conv.describe().find("padding_mode circular"), std::string::npos) << conv.describe();
  nn::ConvTranspose2d up(4, 2, 3, {.stride = 2, .padding = 1, .output_padding = 1});
  EXPECT_EQ(up.W.shape(), (Shape{4, 2, 3, 3}));
  EXPECT_EQ(up(x).shape(), (Shape{2, 2, 18, 16}));
  EXPECT_EQ(up.output_shape(Shape{4, 9, 8}), (Shape{2, 18, 16}));
  EXPECT_NE(error_of([] { nn::ConvTranspose2d(3, 2, 3, {.groups = 2}); }).find("groups 2"),
            std::string::npos);
  nn::MaxPool2d mp(2, 2, 0, 1, /*ceil_mode=*/true);
  EXPECT_EQ(mp(x).shape(), (Shape{2, 4, 5, 4}));
  EXPECT_EQ(mp.output_shape(Shape{4, 9, 8}), (Shape{4, 5, 4}));
  nn::AvgPool2d ap(3, 2, 1, true, false);
  EXPECT_EQ(ap(x).shape(), (Shape{2, 4, 5, 5}));
  EXPECT_EQ(ap.output_shape(Shape{4, 9, 8}), (Shape{4, 5, 5}));
  EXPECT_NE(ap.describe().find("count_include_pad false"), std::string::npos) << ap.describe();
  nn::AdaptiveAvgPool2d gap(1);
  EXPECT_EQ(gap(x).shape(), (Shape{2, 4, 1, 1}));
  nn::AdaptiveMaxPool2d amp({3, 5});
  EXPECT_EQ(amp(x).shape(), (Shape{2, 4, 3, 5}));
  EXPECT_EQ(amp.output_shape(Shape{4, 9, 8}), (Shape{4, 3, 5}));
}

TEST(ConvOptions, Float32Runs) {
  const Variable x(ramp(Shape{1, 2, 5, 6}, Dtype::Float32).data(), true);
  const Variable W(ramp(Shape{2, 1, 2, 2}, Dtype::Float32).data(), true);
  Variable y = conv_transpose2d(conv2d(x, W, {}, 1, 1, 1, 2, PaddingMode::Replicate), W, {}, 1, 1, 0, 2);
  y = adaptive_avg_pool2d(y, {2, 4}) + sum(adaptive_max_pool2d(y, {3, 3})) +
      sum(avg_pool2d(y, 3, 2, 1, true, false));
  EXPECT_EQ(y.dtype(), Dtype::Float32);
  sum(y).backward();
  EXPECT_EQ(x.grad().shape(), x.shape());
  EXPECT_EQ(W.grad().shape(), W.shape());
}
