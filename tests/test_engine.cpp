// Engine behaviour: graph walk order, accumulation, retained grads, recording switch, memory release.
#include <gtest/gtest.h>

#include <tsumiki.hpp>

using namespace tsumiki;

namespace {
Variable scalar(double v, bool requires_grad = true) {
  return Variable(scalar_tensor(v, Dtype::Float64), requires_grad);
}
Variable vec(std::vector<double> v, bool requires_grad = true) {
  return Variable(from_vector(v), requires_grad);
}
}  // namespace

TEST(Engine, SimpleChainRule) {
  Variable x = scalar(3.0);
  Variable y = exp(x * 2.0);  // dy/dx = 2 exp(2x)
  y.backward();
  EXPECT_NEAR(x.grad().item<double>(), 2 * std::exp(6.0), 1e-9);
}

TEST(Engine, DiamondGraphSumsBothPaths) {
  // a = x^2; y = a*a + a  => dy/dx = (2a + 1) * 2x
  Variable x = scalar(1.5);
  Variable a = square(x);
  Variable y = a * a + a;
  y.backward();
  const double av = 2.25;
  EXPECT_NEAR(x.grad().item<double>(), (2 * av + 1) * 2 * 1.5, 1e-12);
}

TEST(Engine, VariableReusedManyTimes) {
  Variable x = scalar(2.0);
  Variable y = x;
  for (int i = 0; i < 99; ++i) y = y + x;  // y = 100 x
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 100.0);
  Variable z = x * x * x;  // leaf grads accumulate across backward calls
  z.backward();
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 100.0 + 3 * 4.0);
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
}

TEST(Engine, GenerationOrderHandlesUnevenBranches) {
  // One branch is long, one short; x must receive both contributions before its creator runs.
  Variable x0 = scalar(0.5);
  Variable x = x0 * 1.0;
  Variable longer = x;
  for (int i = 0; i < 10; ++i) longer = sin(longer);
  Variable y = longer + x;
  y.backward();
  double d = 1, v = 0.5;
  for (int i = 0; i < 10; ++i) {
    d *= std::cos(v);
    v = std::sin(v);
  }
  EXPECT_NEAR(x0.grad().item<double>(), d + 1, 1e-12);
}

TEST(Engine, IntermediateGradsOnlyWhenRetained) {
  Variable x = scalar(2.0);
  Variable h = x * 3.0;
  Variable k = x * 4.0;
  h.retain_grad();
  Variable y = h * k;
  y.backward();
  ASSERT_TRUE(h.grad().defined());
  EXPECT_DOUBLE_EQ(h.grad().item<double>(), 8.0);  // dy/dh = k
  EXPECT_FALSE(k.grad().defined());
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 3 * 8.0 + 4 * 6.0);
}

TEST(Engine, NoGradGuardRecordsNothing) {
  Variable x = scalar(1.0);
  const std::size_t before = live_functions();
  {
    NoGradGuard guard;
    EXPECT_FALSE(is_grad_enabled());
    Variable y = exp(x) * 2.0;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_TRUE(y.is_leaf());
    EXPECT_EQ(live_functions(), before);
    EXPECT_THROW(y.backward(), GraphError);
  }
  EXPECT_TRUE(is_grad_enabled());
  Variable z = exp(x);
  EXPECT_FALSE(z.is_leaf());
}

TEST(Engine, DetachCutsTheGraph) {
  Variable x = scalar(2.0);
  Variable h = x * x;
  Variable y = h.detach() * x;  // h treated as a constant 4
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 4.0);
  EXPECT_TRUE(h.detach().data().shares_buffer_with(h.data()));
}

TEST(Engine, GraphIsFreedWithItsLastVariable) {
  const std::size_t f0 = live_functions(), v0 = live_variables();
  {
    Variable x = vec({1, 2, 3});
    Variable y = sum(tanh(x * 2.0) + x);
    EXPECT_GT(live_functions(), f0);
    y.backward();
  }
  EXPECT_EQ(live_functions(), f0);
  EXPECT_EQ(live_variables(), v0);
}

TEST(Engine, SecondBackwardThroughReleasedGraphSaysRetainGraph) {
  Variable x = scalar(2.0);
  Variable y = x * x;
  y.backward();
  try {
    y.backward();
    FAIL() << "expected GraphError";
  } catch (const GraphError& e) {
    EXPECT_NE(std::string(e.what()).find("retain_graph"), std::string::npos) << e.what();
  }
}

TEST(Engine, RetainGraphAllowsSecondBackward) {
  Variable x = scalar(2.0);
  Variable y = x * x;
  y.backward({.retain_graph = true});
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 8.0);
}

TEST(Engine, NonScalarBackwardNeedsAGradient) {
  Variable x = vec({1, 2});
  Variable y = x * 3.0;
  EXPECT_THROW(y.backward(), GraphError);
  y.backward(Variable(from_vector<double>({1, 10})));
  EXPECT_EQ(x.grad().data().to_vector<double>(), (std::vector<double>{3, 30}));
  Variable bad(from_vector<double>({1, 2, 3}));
  EXPECT_THROW(y.backward(bad), Error);
}

TEST(Engine, BroadcastGradientsAreSummedToInputShape) {
  Variable a(ones(Shape{2, 3}, Dtype::Float64), true);
  Variable b(ones(Shape{3}, Dtype::Float64), true);
  Variable c(ones(Shape{2, 1}, Dtype::Float64), true);
  sum(a * b + c).backward();
  EXPECT_EQ(b.grad().shape(), (Shape{3}));
  EXPECT_EQ(b.grad().data().to_vector<double>(), (std::vector<double>{2, 2, 2}));
  EXPECT_EQ(c.grad().shape(), (Shape{2, 1}));
  EXPECT_EQ(c.grad().data().to_vector<double>(), (std::vector<double>{3, 3}));
}

TEST(Engine, CreateGraphGivesDifferentiableGradients) {
  Variable x = scalar(2.0);
  Variable y = pow(x, 3.0);
  y.backward({.create_graph = true});
  Variable gx = x.grad();  // 3x^2
  EXPECT_DOUBLE_EQ(gx.item<double>(), 12.0);
  ASSERT_TRUE(gx.requires_grad());
  x.zero_grad();
  gx.backward();
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 12.0);  // 6x
}

TEST(Engine, BackwardWithoutCreateGraphRecordsNothing) {
  Variable x = vec({0.5, 1.5});
  Variable y = sum(exp(x) * x);
  const std::size_t before = live_functions();
  y.backward({.retain_graph = true});
  EXPECT_EQ(live_functions(), before);
  EXPECT_FALSE(x.grad().requires_grad());
}

TEST(Engine, GradDoesNotTouchLeafGrads) {
  Variable x = scalar(3.0);
  Variable y = x * x;
  Variable g = grad(y, x);
  EXPECT_DOUBLE_EQ(g.item<double>(), 6.0);
  EXPECT_FALSE(x.grad().defined());
}

TEST(Engine, GradOfIntermediateAndUnusedInputs) {
  Variable x = scalar(3.0), unused = scalar(1.0);
  Variable h = x * 2.0;
  Variable y = h * h;
  auto gs = grad({y}, {h, x});
  EXPECT_DOUBLE_EQ(gs[0].item<double>(), 12.0);
  EXPECT_DOUBLE_EQ(gs[1].item<double>(), 24.0);
  Variable y2 = x * x;
  EXPECT_THROW(grad({y2}, {unused}), GraphError);
  Variable y3 = x * x;
  auto g3 = grad({y3}, {unused}, {}, {.allow_unused = true});
  EXPECT_FALSE(g3[0].defined());
}

TEST(Engine, LongChainIsDestroyedWithoutRecursion) {
  const std::size_t f0 = live_functions();
  {
    Variable x = scalar(1.0);
    Variable y = x;
    for (int i = 0; i < 200000; ++i) y = y * 1.0;
    EXPECT_EQ(live_functions(), f0 + 200000);
  }
  EXPECT_EQ(live_functions(), f0);
}

TEST(Engine, LongChainBackward) {
  Variable x = scalar(1.0);
  Variable y = x;
  for (int i = 0; i < 10000; ++i) y = y * 0.999 + 0.001;
  y.backward();
  EXPECT_NEAR(x.grad().item<double>(), std::pow(0.999, 10000), 1e-12);
}

TEST(Engine, FunctionRecordsOpShapeAndSite) {
  Variable x(ones(Shape{2, 3}), true);
  const int line = __LINE__ + 1;
  Variable y = tanh(x);
  ASSERT_TRUE(y.creator());
  EXPECT_STREQ(y.creator()->op(), "tanh");
  EXPECT_EQ(y.creator()->output_shape(), (Shape{2, 3}));
  EXPECT_EQ(static_cast<int>(y.creator()->site().line()), line);
  EXPECT_EQ(y.generation(), 1);
  EXPECT_EQ((y * 2.0).generation(), 2);
}

TEST(Engine, OperatorErrorsNameTheCallersLine) {
  Variable a(ones(Shape{2, 3}), true), b(ones(Shape{4}), true);
  const std::string where = "test_engine.cpp:" + std::to_string(__LINE__ + 2);
  try {
    Variable c = a + b;
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("add"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(4,)"), std::string::npos) << msg;
    EXPECT_NE(msg.find(where), std::string::npos) << msg;
  }
}

TEST(Engine, DtypesDoNotMixSilently) {
  Variable a(ones(Shape{2}, Dtype::Float32)), b(ones(Shape{2}, Dtype::Float64));
  EXPECT_THROW(a * b, Error);
  // A scalar takes the other side's dtype.
  EXPECT_EQ((a * 2.0).dtype(), Dtype::Float32);
  EXPECT_EQ((2.0 * b).dtype(), Dtype::Float64);
}

TEST(Engine, VariableIsAShallowHandle) {
  Variable a(ones(Shape{2}), true);
  Variable b = a;
  b.name("weights");
  EXPECT_EQ(a.name(), "weights");
  sum(a * 3.0f).backward();
  ASSERT_TRUE(b.grad().defined());
  EXPECT_EQ(b.grad().data().to_vector<float>(), (std::vector<float>{3, 3}));
  b.set_data(zeros(Shape{2}));
  EXPECT_EQ(a.data().to_vector<float>(), (std::vector<float>{0, 0}));
}

TEST(Engine, OnlyLeavesChangeRequiresGrad) {
  Variable x = scalar(1.0);
  Variable y = x * 2.0;
  EXPECT_THROW(y.requires_grad(false), Error);
  EXPECT_THROW(Variable(zeros(Shape{2}, Dtype::Int64), true), Error);
}

TEST(Engine, ContiguousSlicesShareTheBufferOthersCopy) {
  Variable x(arange(0, 24, 1, Dtype::Float64).reshape(Shape{4, 3, 2}), true);
  const Variable rows = get_item(x, {Slice{1, 3}});  // rows 1..2: one block
  EXPECT_EQ(rows.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(rows.data().to_vector<double>(),
            (std::vector<double>{6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}));
  EXPECT_EQ(rows.data().raw(), static_cast<const char*>(x.data().raw()) + 6 * sizeof(double));
  const Variable inner = get_item(x, {std::int64_t{2}, Slice{1, 3}});  // one row, a range of its sub-rows
  EXPECT_EQ(inner.data().to_vector<double>(), (std::vector<double>{14, 15, 16, 17}));
  EXPECT_EQ(inner.data().raw(), static_cast<const char*>(x.data().raw()) + 14 * sizeof(double));
  const Variable strided = get_item(x, {Slice{0, 4, 2}});  // every other row: copied
  EXPECT_EQ(strided.data().flat(6), 12.0);
  EXPECT_FALSE(strided.data().shares_buffer_with(x.data()));
  // Gradients through a view land in the right places.
  sum(rows * 2.0).backward();
  const auto g = x.grad().data().to_vector<double>();
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_EQ(g[i], (i >= 6 && i < 18) ? 2.0 : 0.0) << i;
}

// VariableList keeps up to three Variables in place and spills longer lists to pooled storage; it must
// behave as a vector across that boundary (concat's inputs, a custom op's gradients).
TEST(VariableList, BehavesAsAVectorAcrossTheInPlaceLimit) {
  std::vector<Variable> xs;
  for (int i = 0; i < 6; ++i) xs.emplace_back(full({1}, i));
  VariableList a{xs[0], xs[1]};
  ASSERT_EQ(a.size(), 2u);
  for (int i = 2; i < 6; ++i) a.push_back(xs[i]);  // spills at the fourth
  ASSERT_EQ(a.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(a[i].impl(), xs[i].impl());
  const VariableList copy = a;
  VariableList moved = std::move(a);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from list is empty
  EXPECT_EQ(moved.size(), 6u);
  EXPECT_EQ(copy.at(5).impl(), xs[5].impl());
  EXPECT_THROW((void)copy.at(6), std::out_of_range);
  moved.resize(2);  // back below the limit, still spilled
  EXPECT_EQ(moved.size(), 2u);
  EXPECT_EQ(moved[1].impl(), xs[1].impl());
  moved.clear();
  EXPECT_TRUE(moved.empty());
  moved.push_back(xs[3]);  // in place again
  EXPECT_EQ(moved.back().impl(), xs[3].impl());
  VariableList grown;
  grown.resize(5);  // five undefined gradients, as a backward with five inputs starts
  EXPECT_EQ(grown.size(), 5u);
  for (const auto& g : grown) EXPECT_FALSE(g.defined());
  const VariableList from_range(xs.begin() + 1, xs.end());
  EXPECT_EQ(from_range.size(), 5u);
  EXPECT_EQ(from_range[4].impl(), xs[5].impl());
}

TEST(VariableList, ReleasesWhatItHeld) {
  const std::size_t before = live_variables();
  {
    VariableList a;
    for (int i = 0; i < 5; ++i) a.push_back(Variable(ones({2})));
    VariableList b = a;
    a = VariableList{Variable(ones({1}))};
    EXPECT_EQ(live_variables(), before + 6);
  }
  EXPECT_EQ(live_variables(), before);
}
