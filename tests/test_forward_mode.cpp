// Forward mode (jvp, jacfwd), second derivatives both ways and over several inputs, against closed forms.
// The op table runs jvp and forward-over-reverse on every row; these tests pin the API down.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <tsumiki.hpp>

using namespace tsumiki;

namespace {

Variable vec(std::vector<double> v) { return Variable(from_vector<double>(v)); }

void expect_values(const Variable& got, const std::vector<double>& want, double tol = 1e-12) {
  const auto g = got.data().to_vector<double>();
  ASSERT_EQ(g.size(), want.size());
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], want[i], tol) << "element " << i;
}

void expect_same(const Variable& a, const Variable& b, double tol = 1e-10) {
  ASSERT_EQ(a.shape(), b.shape());
  expect_values(a, b.data().to_vector<double>(), tol);
}

}  // namespace

TEST(ForwardMode, JvpOfAMatrixAfterTanh) {
  // f(x) = A tanh(x): J v = A (sech^2(x) * v).
  const Variable A(from_vector<double>({1, 2, 3, 4, 5, 6}, Shape{2, 3}));
  const std::vector<double> x0 = {0.5, -1, 2}, v0 = {1, -2, 0.5};
  const auto [y, jv] = jvp([&](const Variable& x) { return matmul(A, tanh(x)); }, vec(x0), vec(v0));
  std::vector<double> d(3), want_y(2, 0), want_jv(2, 0);
  for (int j = 0; j < 3; ++j) {
    const double t = std::tanh(x0[j]);
    for (int i = 0; i < 2; ++i) {
      want_y[i] += (3 * i + j + 1) * t;
      want_jv[i] += (3 * i + j + 1) * (1 - t * t) * v0[j];
    }
  }
  expect_values(y, want_y);
  expect_values(jv, want_jv);
}

TEST(ForwardMode, JvpOverSeveralInputsSumsTheirDirections) {
  // f(x, w) = x * w + sin(w): J (vx, vw) = vx * w + x * vw + cos(w) * vw.
  const Variable x = vec({1, 2}), w = vec({0.3, -0.7}), vx = vec({0.5, 1}), vw = vec({-1, 2});
  const auto [y, jv] = jvp([](const Inputs& in) { return in[0] * in[1] + sin(in[1]); }, {x, w}, {vx, vw});
  expect_values(y, {0.3 + std::sin(0.3), -1.4 + std::sin(-0.7)});
  expect_values(jv, {0.5 * 0.3 + 1 * -1 + std::cos(0.3) * -1, 1 * -0.7 + 2 * 2 + std::cos(-0.7) * 2});
}

TEST(ForwardMode, JacfwdEqualsJacobian) {
  // A wide output (5 from 3): jacfwd takes 3 passes where jacobian takes 5.
  const Variable B(from_vector<double>({1, 0, 2, -1, 3, 1, 0, 2, 1, 1, -2, 0, 1, 1, 1}, Shape{5, 3}));
  const UnaryFn f = [&](const Variable& x) { return exp(matmul(B, x)) * 0.1 + square(sum(x)); };
  const Variable x = vec({0.2, -0.1, 0.4});
  const Variable fwd = jacfwd(f, x), rev = jacobian(f, x);
  ASSERT_EQ(fwd.shape(), (Shape{5, 3}));
  expect_same(fwd, rev, 1e-12);
  // Closed form of one entry: d f_0 / d x_2 = 0.1 exp(B_0 . x) B_02 + 2 sum(x).
  EXPECT_NEAR(fwd.data().to_vector<double>()[2], 0.1 * std::exp(0.2 + 0.8) * 2 + 2 * 0.5, 1e-12);
}

TEST(ForwardMode, JacfwdOfAMatrixInput) {
  // Shapes follow jacobian: f(X) of shape (2) from X of shape (2, 2) gives (2, 2, 2).
  const Variable X(from_vector<double>({1, 2, 3, 4}, Shape{2, 2}));
  const Variable j = jacfwd([](const Variable& m) { return sum(square(m), {1}); }, X);
  ASSERT_EQ(j.shape(), (Shape{2, 2, 2}));
  expect_values(j, {2, 4, 0, 0, 0, 0, 6, 8});
}

TEST(ForwardMode, JvpIsDifferentiable) {
  // jvp(sin, x, v) = cos(x) v; its gradient in x is -sin(x) v, in v it is cos(x).
  const Variable x(from_vector<double>({0.4, -1.2}), true), v(from_vector<double>({2, 0.5}), true);
  const auto [y, jv] = jvp([](const Variable& z) { return sin(z); }, x, v, {.create_graph = true});
  ASSERT_TRUE(jv.requires_grad());
  expect_values(jv, {std::cos(0.4) * 2, std::cos(-1.2) * 0.5});
  const auto g = grad({sum(jv)}, {x, v});
  expect_values(g[0], {-std::sin(0.4) * 2, -std::sin(-1.2) * 0.5});
  expect_values(g[1], {std::cos(0.4), std::cos(-1.2)});
}

TEST(ForwardMode, WorksForAUserOpThroughItsBackward) {
  // A custom op gets forward mode from its backward: cube with gx = gy * 3 x^2.
  auto cube = [](const Variable& x) {
    return apply(
        "cube_for_jvp_test", {x}, Site::current(), [&x] { return (x * x * x).data(); },
        [](const Function& f, const Variable& gy) {
          const Variable& in = f.input(0);
          return Grads{gy * 3.0 * in * in};
        });
  };
  const auto [y, jv] = jvp(cube, vec({2, -1}), vec({1, 3}));
  expect_values(jv, {12, 9});
}

TEST(ForwardMode, OutputThatIgnoresTheInputHasZeroDerivative) {
  const Variable c = vec({1, 2, 3});
  const auto [y, jv] = jvp([&](const Variable&) { return c * 2.0; }, vec({5}), vec({1}));
  expect_values(y, {2, 4, 6});
  expect_values(jv, {0, 0, 0});
  expect_values(jacfwd([&](const Variable&) { return c; }, vec({1, 1})), {0, 0, 0, 0, 0, 0});
}

TEST(ForwardMode, ADirectionOfTheWrongShapeIsRefusedNamingBoth) {
  try {
    jvp([](const Variable& z) { return exp(z); }, vec({1, 2}), vec({1, 2, 3}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("jvp"), std::string::npos) << m;
    EXPECT_NE(m.find("(2,)"), std::string::npos) << m;
    EXPECT_NE(m.find("(3,)"), std::string::npos) << m;
  }
  EXPECT_THROW(jvp([](const Inputs& in) { return in[0]; }, {vec({1})}, {vec({1}), vec({1})}), Error);
}

TEST(ForwardMode, CreateGraphFalseLeavesNoGraphBehind) {
  const std::size_t before = live_functions();
  {
    const auto [y, jv] = jvp([](const Variable& z) { return tanh(z) * z; }, vec({0.3, 0.6}), vec({1, 1}));
    EXPECT_FALSE(jv.requires_grad());
    const Variable j = jacfwd([](const Variable& z) { return exp(z); }, vec({0.1, 0.2}));
    EXPECT_FALSE(j.requires_grad());
  }
  EXPECT_EQ(live_functions(), before);
}

// ---- second derivatives ----

namespace {
Variable rosenbrock(const Variable& v) {
  const Variable x = get_item(v, {std::int64_t{0}}), y = get_item(v, {std::int64_t{1}});
  return square(1.0 - x) + 100.0 * square(y - square(x));
}
}  // namespace

TEST(SecondOrder, ForwardOverReverseHvpMatchesTheClosedForm) {
  const double x = 0.8, y = -0.4;
  const Variable p = vec({x, y}), v = vec({1, -2});
  const double h00 = 1200 * x * x - 400 * y + 2, h01 = -400 * x, h11 = 200;
  const std::vector<double> want = {h00 * 1 + h01 * -2, h01 * 1 + h11 * -2};
  expect_values(hvp(rosenbrock, p, v, {.second_order = SecondOrder::ForwardOverReverse}), want, 1e-9);
  expect_values(hvp(rosenbrock, p, v), want, 1e-9);
  expect_same(hessian(rosenbrock, p, {.second_order = SecondOrder::ForwardOverReverse}),
              hessian(rosenbrock, p));
}

TEST(SecondOrder, HessianOverSeveralInputsGivesEveryBlock) {
  // f(x, y) = sum(x^2 * y) + sum(sin(y)), x, y of shape (2):
  // H_xx = diag(2 y), H_xy = diag(2 x), H_yx = diag(2 x), H_yy = diag(-sin(y)).
  const Variable x = vec({1.5, -0.5}), y = vec({0.2, 0.9});
  const Fn f = [](const Inputs& in) { return sum(square(in[0]) * in[1]) + sum(sin(in[1])); };
  for (const SecondOrder mode : {SecondOrder::ReverseOverReverse, SecondOrder::ForwardOverReverse}) {
    const auto h = hessian(f, {x, y}, {.second_order = mode});
    ASSERT_EQ(h.size(), 2u);
    ASSERT_EQ(h[0].size(), 2u);
    expect_values(h[0][0], {0.4, 0, 0, 1.8});
    expect_values(h[0][1], {3, 0, 0, -1});
    expect_values(h[1][0], {3, 0, 0, -1});
    expect_values(h[1][1], {-std::sin(0.2), 0, 0, -std::sin(0.9)});
  }
}

TEST(SecondOrder, HessianBlocksHaveMixedShapes) {
  // f(w, b) = sum(tanh(w @ b)): w (2, 3), b (3): blocks (2,3,2,3), (2,3,3), (3,2,3), (3,3).
  manual_seed(1);
  const Variable w(randn(Shape{2, 3}, Dtype::Float64)), b(randn(Shape{3}, Dtype::Float64));
  const Fn f = [](const Inputs& in) { return sum(tanh(matmul(in[0], in[1]))); };
  const auto h = hessian(f, {w, b});
  EXPECT_EQ(h[0][0].shape(), (Shape{2, 3, 2, 3}));
  EXPECT_EQ(h[0][1].shape(), (Shape{2, 3, 3}));
  EXPECT_EQ(h[1][0].shape(), (Shape{3, 2, 3}));
  EXPECT_EQ(h[1][1].shape(), (Shape{3, 3}));
  // Symmetry: H_wb[i, j, k] = H_bw[k, i, j].
  const auto wb = h[0][1].data().to_vector<double>(), bw = h[1][0].data().to_vector<double>();
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 3; ++k)
        EXPECT_NEAR(wb[(i * 3 + j) * 3 + k], bw[(k * 2 + i) * 3 + j], 1e-12);
  // And the blocks agree with hvp over both inputs.
  const Variable vw(randn(Shape{2, 3}, Dtype::Float64)), vb(randn(Shape{3}, Dtype::Float64));
  const auto hv = hvp(f, {w, b}, {vw, vb});
  const Variable want_b = sum(h[1][0] * vw, {1, 2}) + matmul(h[1][1], vb);
  expect_same(hv[1], want_b, 1e-12);
  const auto hv_fwd = hvp(f, {w, b}, {vw, vb}, {.second_order = SecondOrder::ForwardOverReverse});
  expect_same(hv_fwd[0], hv[0], 1e-12);
  expect_same(hv_fwd[1], hv[1], 1e-12);
}

TEST(SecondOrder, HvpIsDifferentiableWithCreateGraph) {
  // f = sum(x^4) / 4: H v = 3 x^2 v; d/dx sum(H v) = 6 x v.
  const Variable x(from_vector<double>({1, -2}), true), v = vec({0.5, 1});
  for (const SecondOrder mode : {SecondOrder::ReverseOverReverse, SecondOrder::ForwardOverReverse}) {
    const Variable hv = hvp([](const Variable& z) { return sum(pow(z, 4.0)) / 4.0; }, x, v,
                            {.create_graph = true, .second_order = mode});
    expect_values(hv, {1.5, 12});
    expect_values(grad(sum(hv), x), {3, -12});
  }
}

// ---- grad() stops at its inputs ----

TEST(GradInputs, NothingBelowARequestedIntermediateRuns) {
  // A function below the requested input whose backward would throw is never run.
  const Variable x(from_vector<double>({1, 2}), true);
  const Variable below = apply(
      "throws_in_backward_for_test", {x}, Site::current(), [&x] { return x.data().clone(); },
      [](const Function&, const Variable&) -> Grads { throw std::logic_error("ran below the input"); });
  const Variable h = exp(below);
  const Variable y = sum(h * h);
  const Variable g = grad(y, h);
  expect_values(g, {2 * std::exp(1.0), 2 * std::exp(2.0)});
  // The graph below is untouched: a later backward through it still reaches the throwing function.
  EXPECT_THROW(sum(h).backward(), std::logic_error);
}
