// Higher-order derivatives against closed forms, and the functional API (grad, vjp, jacobian, hessian, hvp).
#include <gtest/gtest.h>

#include <cmath>
#include <tsumiki.hpp>

using namespace tsumiki;

namespace {
// The n-th derivatives 1..n of f at x, each by differentiating the previous gradient's graph.
std::vector<double> derivatives(const UnaryFn& f, double x0, int n) {
  Variable x(scalar_tensor(x0, Dtype::Float64), true);
  Variable y = f(x);
  std::vector<double> out;
  for (int k = 0; k < n; ++k) {
    y = grad(y, x, {.create_graph = true});
    out.push_back(y.item<double>());
  }
  return out;
}

Variable rosenbrock(const Variable& v) {
  const Variable x = get_item(v, {std::int64_t{0}}), y = get_item(v, {std::int64_t{1}});
  return square(1.0 - x) + 100.0 * square(y - square(x));
}
}  // namespace

TEST(HigherOrder, SinFirstToFourth) {
  for (double x : {-2.0, -0.3, 0.0, 0.7, 1.9}) {
    auto d = derivatives([](const Variable& v) { return sin(v); }, x, 4);
    EXPECT_NEAR(d[0], std::cos(x), 1e-12);
    EXPECT_NEAR(d[1], -std::sin(x), 1e-12);
    EXPECT_NEAR(d[2], -std::cos(x), 1e-12);
    EXPECT_NEAR(d[3], std::sin(x), 1e-12);
  }
}

TEST(HigherOrder, TanhFirstToFourth) {
  for (double x : {-1.5, -0.2, 0.0, 0.4, 2.0}) {
    const double t = std::tanh(x), s = 1 - t * t;
    auto d = derivatives([](const Variable& v) { return tanh(v); }, x, 4);
    EXPECT_NEAR(d[0], s, 1e-12);
    EXPECT_NEAR(d[1], -2 * t * s, 1e-12);
    EXPECT_NEAR(d[2], s * (6 * t * t - 2), 1e-12);
    EXPECT_NEAR(d[3], 8 * t * s * (2 - 3 * t * t), 1e-12);
  }
}

TEST(HigherOrder, QuarticFirstToFourth) {
  for (double x : {-2.0, -1.0, 0.5, 1.0, 3.0}) {
    auto d = derivatives([](const Variable& v) { return pow(v, 4.0) - 2.0 * square(v); }, x, 4);
    EXPECT_NEAR(d[0], 4 * x * x * x - 4 * x, 1e-10);
    EXPECT_NEAR(d[1], 12 * x * x - 4, 1e-10);
    EXPECT_NEAR(d[2], 24 * x, 1e-10);
    EXPECT_NEAR(d[3], 24, 1e-10);
  }
}

TEST(HigherOrder, RosenbrockHessian) {
  const double x = 0.8, y = -0.4;
  Variable p(from_vector<double>({x, y}));
  const Variable h = hessian(rosenbrock, p);
  ASSERT_EQ(h.shape(), (Shape{2, 2}));
  const auto v = h.data().to_vector<double>();
  EXPECT_NEAR(v[0], 1200 * x * x - 400 * y + 2, 1e-9);
  EXPECT_NEAR(v[1], -400 * x, 1e-9);
  EXPECT_NEAR(v[2], -400 * x, 1e-9);
  EXPECT_NEAR(v[3], 200, 1e-9);
}

TEST(HigherOrder, HvpEqualsHessianTimesV) {
  manual_seed(3);
  const Variable W = Variable(randn(Shape{6, 6}, Dtype::Float64)) * 0.5;
  auto f = [&](const Variable& x) { return sum(tanh(matmul(W, tanh(matmul(W, x))))); };
  const Variable x(randn(Shape{6}, Dtype::Float64));
  const Variable v(randn(Shape{6}, Dtype::Float64));
  const Variable hv = hvp(f, x, v);
  const Variable expected = matmul(hessian(f, x), v);
  const auto a = hv.data().to_vector<double>(), b = expected.data().to_vector<double>();
  ASSERT_EQ(a.size(), 6u);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-10);
}

TEST(HigherOrder, JacobianOfElementwiseIsDiagonal) {
  const Variable x(from_vector<double>({0.1, 0.2, 0.3}));
  const Variable j = jacobian([](const Variable& z) { return exp(z); }, x);
  ASSERT_EQ(j.shape(), (Shape{3, 3}));
  const auto v = j.data().to_vector<double>();
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(v[r * 3 + c], r == c ? std::exp(0.1 * (r + 1)) : 0.0, 1e-12);
}

TEST(HigherOrder, VjpMatchesJacobianTranspose) {
  const Variable A(from_vector<double>({1, 2, 3, 4, 5, 6}, Shape{2, 3}));
  const Variable x(from_vector<double>({0.5, -1, 2}));
  const Variable v(from_vector<double>({1, -1}));
  auto [y, g] = vjp([&](const Variable& z) { return matmul(A, z); }, x, v);
  EXPECT_EQ(y.data().to_vector<double>(), (std::vector<double>{4.5, 9}));
  EXPECT_EQ(g.data().to_vector<double>(), (std::vector<double>{-3, -3, -3}));
}

TEST(HigherOrder, GradOfGradThroughMatmulAndSoftmax) {
  // gradgradcheck on a small network-like composition: second derivatives through matmul, softmax, log.
  const Tensor labels = from_vector<std::int64_t>({1, 0});
  auto f = [&](const Inputs& in) {
    return softmax_cross_entropy(matmul(tanh(in[0]), in[1]), Variable(labels));
  };
  manual_seed(5);
  const Variable x(randn(Shape{2, 3}, Dtype::Float64)), w(randn(Shape{3, 4}, Dtype::Float64));
  auto r = gradgradcheck(f, {x, w});
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(HigherOrder, CreateGraphFalseLeavesNoGraphBehind) {
  const std::size_t before = live_functions();
  {
    const Variable x(from_vector<double>({0.3, 0.6}));
    const Variable h = hessian([](const Variable& z) { return sum(pow(z, 3.0)); }, x);
    EXPECT_FALSE(h.requires_grad());
    EXPECT_NEAR(h.data().to_vector<double>()[0], 6 * 0.3, 1e-12);
  }
  EXPECT_EQ(live_functions(), before);
}

TEST(Gradcheck, ReportsTheWrongElement) {
  // A deliberately wrong backward: d/dx of x^2 given as x.
  auto wrong = [](const Inputs& in) {
    const Variable& x = in[0];
    return apply(
        "wrong_square", {x}, Site::current(), [&] { return (x.data().to(Dtype::Float64)); },
        [](const Function& f, const Variable& gy) { return Grads{mul(gy, f.input(0))}; });
  };
  auto square_then = [&](const Inputs& in) { return wrong({square(in[0])}); };  // d = 2x * x^2 vs truth 2x
  const Variable x(from_vector<double>({1.0, 2.0}));
  auto r = gradcheck(square_then, {x});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.report.find("input 0"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("element [1]"), std::string::npos) << r.report;
}

TEST(Gradcheck, PassesForCorrectOpsInBothModes) {
  const Variable x(randn(Shape{30, 30}, Dtype::Float64));  // 900 elements: random-direction mode
  auto f = [](const Inputs& in) { return sum(tanh(in[0]) * in[0]); };
  auto r = gradcheck(f, {x});
  EXPECT_TRUE(r.ok) << r.report;
  const Variable s(randn(Shape{3, 2}, Dtype::Float64));  // full Jacobian
  auto r2 = gradcheck([](const Inputs& in) { return exp(in[0]) * 2.0; }, {s});
  EXPECT_TRUE(r2.ok) << r2.report;
}
