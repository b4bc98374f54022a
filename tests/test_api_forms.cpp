// The forms a first-time user writes: Sequential from a list, one axis written alone, item() in float64,
// grad() of an output that does not depend on the inputs, zeros for unused inputs.
#include <gtest/gtest.h>

#include <tsumiki.hpp>

using namespace tsumiki;

TEST(ApiForms, SequentialFromAListAndThroughMakeShared) {
  manual_seed(1);
  auto fc1 = std::make_shared<nn::Linear>(3, 4);
  auto fc2 = std::make_shared<nn::Linear>(4, 2);
  auto variadic = std::make_shared<nn::Sequential>(fc1, std::make_shared<nn::ReLU>(), fc2);
  const std::vector<std::shared_ptr<nn::Module>> list = {fc1, std::make_shared<nn::ReLU>(), fc2};
  auto from_vector = std::make_shared<nn::Sequential>(list);
  nn::Sequential braced{fc1, std::make_shared<nn::ReLU>(), fc2};
  EXPECT_EQ(variadic->size(), 3u);
  EXPECT_EQ(from_vector->size(), 3u);
  const Variable x(randn(Shape{5, 3}));
  const auto a = (*variadic)(x).data().to_vector<float>();
  EXPECT_EQ((*from_vector)(x).data().to_vector<float>(), a);
  EXPECT_EQ(braced(x).data().to_vector<float>(), a);
  EXPECT_EQ((*fc2)(relu((*fc1)(x))).data().to_vector<float>(), a);
  EXPECT_EQ(variadic->named_parameters()[2].first, "2.W");
}

TEST(ApiForms, OneAxisIsWrittenTheSameWayForEveryReductionAndSoftmax) {
  const Variable x(from_vector<double>({1, 5, 3, 4, 2, 6}, Shape{2, 3}));
  EXPECT_EQ(sum(x, 1).data().to_vector<double>(), (std::vector<double>{9, 12}));
  EXPECT_EQ(sum(x, {1}).data().to_vector<double>(), (std::vector<double>{9, 12}));
  EXPECT_EQ(mean(x, 0).data().to_vector<double>(), (std::vector<double>{2.5, 3.5, 4.5}));
  EXPECT_EQ(max(x, -1).data().to_vector<double>(), (std::vector<double>{5, 6}));
  EXPECT_EQ(min(x, 1, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(logsumexp(x, 1).shape(), (Shape{2}));
  EXPECT_EQ(softmax(x, 1).data().to_vector<double>(), softmax(x, {1}).data().to_vector<double>());
  EXPECT_EQ(log_softmax(x, 0).shape(), (Shape{2, 3}));
  EXPECT_EQ(sum(x, {0, 1}).item(), 21.0);
}

TEST(ApiForms, ItemOfAFloat64VariableIsExact) {
  const double third = 1.0 / 3.0;
  const Variable x(scalar_tensor(third, Dtype::Float64));
  EXPECT_EQ(x.item(), third);  // not rounded through float
  EXPECT_NE(static_cast<double>(static_cast<float>(third)), third);
  EXPECT_EQ(Variable(scalar_tensor(0.1f, Dtype::Float32)).item(), static_cast<double>(0.1f));
  EXPECT_EQ(x.item<float>(), static_cast<float>(third));
}

TEST(ApiForms, GradOfAnOutputThatDoesNotDependOnTheInputSaysSo) {
  const Variable x(from_vector<double>({1, 2}), true);
  const Variable y = sum(x.detach() * 3.0);
  try {
    (void)grad(y, x);
    FAIL() << "expected an error";
  } catch (const GraphError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("does not depend on the inputs"), std::string::npos) << m;
    EXPECT_NE(m.find("detach()"), std::string::npos) << m;
  }
  // allow_unused: undefined; materialize_grads: zeros of the input's shape.
  EXPECT_FALSE(grad({y}, {x}, {}, {.allow_unused = true})[0].defined());
  const Variable z = grad({y}, {x}, {}, {.materialize_grads = true})[0];
  ASSERT_TRUE(z.defined());
  EXPECT_EQ(z.data().to_vector<double>(), (std::vector<double>{0, 0}));
}

TEST(ApiForms, MaterializeGradsGivesZerosForAnUnusedInput) {
  const Variable a(from_vector<double>({1, 2}), true), b(from_vector<double>({3}), true);
  const Variable y = sum(a * a);
  EXPECT_THROW((void)grad({y}, {a, b}, {}, {.retain_graph = true}), GraphError);
  const auto g = grad({y}, {a, b}, {}, {.retain_graph = true, .materialize_grads = true});
  EXPECT_EQ(g[0].data().to_vector<double>(), (std::vector<double>{2, 4}));
  EXPECT_EQ(g[1].shape(), (Shape{1}));
  EXPECT_EQ(g[1].data().to_vector<double>(), (std::vector<double>{0}));
  // The graph was kept; without retain_graph the next pass frees it, and one after that says so.
  (void)grad({y}, {a});
  EXPECT_THROW((void)grad({y}, {a}, {}, {.materialize_grads = true}), GraphError);
}
