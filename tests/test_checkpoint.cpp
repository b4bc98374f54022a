// Activation checkpointing (autograd/ops/checkpoint.hpp): the same gradients as without it, dropout's masks
// reproduced, create_graph through it, and the memory it saves (the pool's peak bytes) on a deep MLP.
// The op table runs its values and first to third derivatives (tests/op_table/rows_checkpoint.cpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <tsumiki.hpp>

using namespace tsumiki;

namespace {

// `layers` x (Linear(width, width), tanh, dropout when p > 0).
std::shared_ptr<nn::Sequential> block(std::size_t width, double p = 0, std::size_t layers = 1) {
  auto s = std::make_shared<nn::Sequential>();
  for (std::size_t i = 0; i < layers; ++i) {
    s->add(std::make_shared<nn::Linear>(width, width)).add(std::make_shared<nn::Tanh>());
    if (p > 0) s->add(std::make_shared<nn::Dropout>(p));
  }
  return s;
}

// `depth` blocks; with checkpointing, each block is one checkpoint.
struct DeepMlp {
  std::vector<std::shared_ptr<nn::Sequential>> blocks;
  DeepMlp(std::size_t depth, std::size_t width, double p = 0, std::size_t layers_per_block = 1) {
    for (std::size_t i = 0; i < depth; ++i) blocks.push_back(block(width, p, layers_per_block));
  }
  Variable operator()(const Variable& x, bool checkpointed) {
    Variable h = x;
    for (auto& b : blocks)
      h = checkpointed ? checkpoint([b](const Variable& z) { return (*b)(z); }, h) : (*b)(h);
    return h;
  }
  std::vector<Variable> parameters() const {
    std::vector<Variable> ps;
    for (const auto& b : blocks)
      for (const auto& p : b->parameters()) ps.push_back(p);
    return ps;
  }
  void zero_grad() {
    for (auto& b : blocks) b->zero_grad();
  }
};

// Every parameter's gradient and the input's, after one backward of sum(net(x)^2).
std::vector<std::vector<float>> gradients(DeepMlp& net, Variable x, bool checkpointed,
                                          std::uint64_t seed = 0) {
  net.zero_grad();
  x.zero_grad();
  manual_seed(seed);
  sum(square(net(x, checkpointed))).backward();
  std::vector<std::vector<float>> out{x.grad().data().to_vector<float>()};
  for (const auto& p : net.parameters()) out.push_back(p.grad().data().to_vector<float>());
  return out;
}

void expect_same(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].size(), b[i].size());
    for (std::size_t k = 0; k < a[i].size(); ++k) EXPECT_FLOAT_EQ(a[i][k], b[i][k]) << "tensor " << i;
  }
}

}  // namespace

TEST(ActivationCheckpoint, GradientsOfEveryParameterMatchThePlainGraph) {
  manual_seed(1);
  DeepMlp net(4, 8);
  const Variable x(randn(Shape{5, 8}), true);
  const auto plain = gradients(net, x, false), checkpointed = gradients(net, x, true);
  expect_same(checkpointed, plain);
  EXPECT_GT(std::abs(plain[1][0]), 0.0f);  // the parameters did get gradients
}

TEST(ActivationCheckpoint, DropoutInsideDrawsTheSameMaskWhenRecomputed) {
  manual_seed(2);
  DeepMlp net(3, 16, 0.5);
  const Variable x(randn(Shape{4, 16}), true);
  // Same seed before each forward: the plain graph and the checkpointed one see the same masks, provided the
  // recomputation reproduces them (otherwise about half the gradient entries differ).
  expect_same(gradients(net, x, true, 7), gradients(net, x, false, 7));
  // And the generator ends where a plain run leaves it: the recomputation does not consume numbers.
  manual_seed(7);
  sum(net(x, true)).backward();
  const double after_checkpoint = rand(Shape{1}, Dtype::Float64).item<double>();
  manual_seed(7);
  sum(net(x, false)).backward();
  EXPECT_EQ(rand(Shape{1}, Dtype::Float64).item<double>(), after_checkpoint);
}

TEST(ActivationCheckpoint, InputThatNeedsNoGradientStillTrainsTheParameters) {
  manual_seed(3);
  DeepMlp net(2, 6);
  const Variable data(randn(Shape{3, 6}));
  net.zero_grad();
  sum(net(data, true)).backward();
  std::vector<std::vector<float>> with;
  for (const auto& p : net.parameters()) with.push_back(p.grad().data().to_vector<float>());
  net.zero_grad();
  sum(net(data, false)).backward();
  std::vector<std::vector<float>> without;
  for (const auto& p : net.parameters()) without.push_back(p.grad().data().to_vector<float>());
  expect_same(with, without);
}

TEST(ActivationCheckpoint, CreateGraphGivesTheSameHessianVectorProduct) {
  manual_seed(4);
  const Variable W(randn(Shape{4, 4}, Dtype::Float64));
  const UnaryFn inner = [W](const Variable& z) { return tanh(matmul(W, z)); };
  const UnaryFn plain = [&](const Variable& x) { return sum(square(inner(inner(x)))); };
  const UnaryFn checkpointed = [&](const Variable& x) {
    return sum(square(checkpoint(inner, checkpoint(inner, x))));
  };
  const Variable x(randn(Shape{4}, Dtype::Float64)), v(randn(Shape{4}, Dtype::Float64));
  const auto a = hvp(checkpointed, x, v).data().to_vector<double>();
  const auto b = hvp(plain, x, v).data().to_vector<double>();
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(a[i], b[i], 1e-12);
  // grad() over parameters read from outside works too (second derivative in W).
  const Variable Wg(W.data(), true);
  const UnaryFn inner2 = [Wg](const Variable& z) { return tanh(matmul(Wg, z)); };
  const Variable g1 = grad(sum(square(checkpoint(inner2, x))), Wg, {.create_graph = true});
  const Variable g2 = grad(sum(square(inner2(x))), Wg, {.create_graph = true});
  const auto h1 = grad(sum(g1 * g1), Wg).data().to_vector<double>();
  const auto h2 = grad(sum(g2 * g2), Wg).data().to_vector<double>();
  for (std::size_t i = 0; i < h1.size(); ++i) EXPECT_NEAR(h1[i], h2[i], 1e-12);
}

TEST(ActivationCheckpoint, LeavesNoGraphBehind) {
  manual_seed(5);
  DeepMlp net(3, 8);
  const Variable x(randn(Shape{2, 8}));
  const std::size_t before = live_functions();
  sum(net(x, true)).backward();
  EXPECT_EQ(live_functions(), before);
}

TEST(ActivationCheckpoint, NeedsRetainGraphForASecondBackwardLikeAnyOp) {
  const Variable x(from_vector<double>({0.5, -1}), true);
  const Variable y = sum(checkpoint([](const Variable& z) { return exp(z); }, x));
  y.backward();
  EXPECT_THROW(y.backward(), GraphError);
}

TEST(ActivationCheckpoint, BadArgumentsNameTheOpAndTheLine) {
  const Variable x(from_vector<double>({1, 2}), true);
  const int line = __LINE__ + 2;
  try {
    (void)checkpoint([](const Variable&) { return Variable(); }, x);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("checkpoint"), std::string::npos) << m;
    EXPECT_NE(m.find("undefined"), std::string::npos) << m;
    EXPECT_NE(m.find("test_checkpoint.cpp:" + std::to_string(line)), std::string::npos) << m;
  }
  EXPECT_THROW((void)checkpoint(UnaryFn{}, x), Error);
  EXPECT_THROW((void)checkpoint([](const Variable& z) { return z; }, Variable()), Error);
}

// The memory checkpointing saves, measured as the pool's peak bytes over a training step of a 32-layer MLP
// (Linear(128) + tanh, batch 512, float32), plain and with a checkpoint around every 4 layers (8 blocks: the
// sqrt(n) schedule of Chen et al.).
TEST(ActivationCheckpoint, PeakMemoryOfADeepMlpFallsWithCheckpointing) {
  manual_seed(6);
  DeepMlp net(8, 128, 0, 4);
  const Variable x(randn(Shape{512, 128}));
  auto peak = [&](bool checkpointed) {
    net.zero_grad();
    pool_reset_peak_bytes();
    sum(square(net(x, checkpointed))).backward();
    return pool_peak_bytes();
  };
  peak(false);  // warm: what a step allocates that outlives it is the same in both runs
  const std::size_t plain = peak(false), checkpointed = peak(true);
  std::printf(
      "[ figure   ] peak pool bytes of a training step, 32 x (Linear(128) + tanh), batch 512: %.2f MiB "
      "plain, %.2f MiB with a checkpoint every 4 layers (%.1fx less)\n",
      plain / 1048576.0, checkpointed / 1048576.0, static_cast<double>(plain) / checkpointed);
  RecordProperty("plain_peak_bytes", std::to_string(plain));
  RecordProperty("checkpointed_peak_bytes", std::to_string(checkpointed));
  // Plain keeps every layer's activations (each 512 x 128 floats = 256 KiB; 32 layers keep several each);
  // checkpointed keeps 8 block inputs plus one block's recomputed graph.
  EXPECT_GT(plain, 16 * 1024 * 1024u);
  EXPECT_LT(checkpointed * 3, plain);
}
