// Sequence models: normalisation layers, embedding, recurrent cells and layers, attention and the
// transformer block. Each module is gradchecked in float64 against central differences; the sequence
// layers are checked against their cells run step by step; truncated BPTT with detach() keeps the number
// of live graph nodes flat from window to window.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <tsumiki.hpp>
#include <tsumiki/autograd/gradcheck_gtest.hpp>
#include <vector>

#include "file_fixtures.hpp"

using namespace tsumiki;
using tsumiki::testing::expect_error;

namespace {

const std::string kHere = "test_sequence.cpp:";

Variable rand64(const Shape& s, double scale = 1.0) {
  return Variable(mul(Variable(randn(s, Dtype::Float64)), scale).data());
}

// |a - b| <= tol elementwise.
::testing::AssertionResult all_close(const Variable& a, const Variable& b, double tol) {
  if (a.shape() != b.shape())
    return ::testing::AssertionFailure() << to_string(a.shape()) << " vs " << to_string(b.shape());
  const auto x = a.data().to_vector<double>(), y = b.data().to_vector<double>();
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!(std::abs(x[i] - y[i]) <= tol))
      return ::testing::AssertionFailure() << i << ": " << x[i] << " vs " << y[i];
  return ::testing::AssertionSuccess();
}

const nn::RNNOptions k64{.dtype = Dtype::Float64};

}  // namespace

// ---- normalisation layers ----

TEST(LayerNormModule, NormalisesEachRowAndLearnsAnAffine) {
  nn::LayerNorm ln(4);
  const Variable x(from_vector<float>({1, 2, 3, 4, -2, 0, 2, 8}, Shape{2, 4}));
  const Variable y = ln(x);
  for (std::size_t r = 0; r < 2; ++r) {
    const auto row = get_item(y, {std::int64_t(r)});
    EXPECT_NEAR(mean(row).item(), 0.0, 1e-6);
    EXPECT_NEAR(mean(row * row).item(), 1.0, 1e-4);  // biased variance, plus eps
  }
  EXPECT_EQ(ln.named_parameters().size(), 2u);
  EXPECT_EQ(ln.gamma.shape(), Shape{4});
  expect_error<Error>(
      [&] {
        ln(Variable(ones(Shape{2, 3})));
      },
      {"LayerNorm(4)", "(..., 4)", "(2, 3)", kHere});
}

TEST(LayerNormModule, GradcheckFloat64) {
  nn::LayerNorm ln(Shape{2, 3}, {.dtype = Dtype::Float64});
  ln.gamma.set_data(randn(Shape{2, 3}, Dtype::Float64));
  ln.beta.set_data(randn(Shape{2, 3}, Dtype::Float64));
  EXPECT_GRADCHECK([&](const Inputs& x) { return ln(x[0]); }, {rand64(Shape{2, 2, 3})});
}

TEST(GroupNormModule, InstanceNormIsOneGroupPerChannel) {
  manual_seed(1);
  nn::GroupNorm gn(3, 3, {.dtype = Dtype::Float64});
  const Variable x = rand64(Shape{2, 3, 4}, 3.0);
  const Variable y = gn(x);
  // every (example, channel) row has mean 0 and variance 1
  EXPECT_TRUE(all_close(mean(y, {2}), Variable(zeros(Shape{2, 3}, Dtype::Float64)), 1e-12));
  EXPECT_TRUE(all_close(mean(y * y, {2}), Variable(ones(Shape{2, 3}, Dtype::Float64)), 1e-4));
  EXPECT_GRADCHECK([&](const Inputs& in) { return gn(in[0]); }, {x});
  expect_error<Error>([] { nn::GroupNorm(4, 6); }, {"GroupNorm", "num_groups 4", "6"});
  expect_error<Error>(
      [] {
        group_norm(Variable(ones(Shape{2, 6, 2})), 4);
      },
      {"group_norm", "divide", "(2, 6, 2)", kHere});
}

// ---- embedding ----

TEST(EmbeddingModule, LooksUpRowsAndScatterAddsTheirGradients) {
  nn::Embedding emb(5, 3);
  const Variable idx(from_vector<std::int64_t>({1, 4, 1, 1}, Shape{2, 2}));
  const Variable y = emb(idx);
  ASSERT_EQ(y.shape(), (Shape{2, 2, 3}));
  EXPECT_TRUE(
      all_close(get_item(y, {std::int64_t(0), std::int64_t(0)}), get_item(emb.weight, {std::int64_t(1)}), 0));
  sum(y).backward();
  // row 1 was used three times, row 4 once, the others never
  const std::vector<double> want{0, 0, 0, 3, 3, 3, 0, 0, 0, 0, 0, 0, 1, 1, 1};
  EXPECT_EQ(emb.weight.grad().data().to_vector<double>(), want);
  expect_error<Error>([&] { emb(Variable(from_vector<std::int64_t>({5}, Shape{1}))); },
                      {"embedding", "index 5", "5 rows", kHere});
  expect_error<Error>([&] { emb(Variable(ones(Shape{2}))); }, {"Embedding(5, 3)", "int64", "float32"});
}

// ---- recurrent cells: gradcheck in float64 with respect to the input and the state ----

TEST(RecurrentCells, GradcheckFloat64) {
  manual_seed(2);
  nn::RNNCell rnn(3, 4, k64);
  nn::LSTMCell lstm(3, 4, k64);
  nn::GRUCell gru(3, 4, k64);
  const Variable x = rand64(Shape{2, 3}), h = rand64(Shape{2, 4}), c = rand64(Shape{2, 4});
  EXPECT_GRADCHECK([&](const Inputs& in) { return rnn(in[0], in[1]); }, {x, h});
  EXPECT_GRADCHECK(
      [&](const Inputs& in) {
        const LSTMState s = lstm(in[0], {in[1], in[2]});
        return concat({s.h, s.c}, 1);
      },
      {x, h, c});
  EXPECT_GRADCHECK([&](const Inputs& in) { return gru(in[0], in[1]); }, {x, h});
  EXPECT_GRADGRADCHECK([&](const Inputs& in) { return gru(in[0], in[1]); }, {x, h});
  // without a state: zeros
  EXPECT_TRUE(all_close(rnn(x), rnn(x, Variable(zeros(Shape{2, 4}, Dtype::Float64))), 0));
  EXPECT_TRUE(all_close(lstm(x), lstm(x, LSTMState{}).h, 0));
}

TEST(RecurrentCells, NamesAndShapesFollowPyTorch) {
  nn::LSTMCell lstm(3, 5);
  std::vector<std::string> names;
  for (const auto& [n, p] : lstm.named_parameters()) names.push_back(n + to_string(p.shape()));
  EXPECT_EQ(names, (std::vector<std::string>{"weight_ih(3, 20)", "weight_hh(5, 20)", "bias_ih(20,)",
                                             "bias_hh(20,)"}));
  nn::GRU gru(3, 5, {.num_layers = 2});
  EXPECT_EQ(gru.num_parameters(), (3 * 15 + 5 * 15 + 30) + (5 * 15 + 5 * 15 + 30));
  EXPECT_EQ(gru.named_parameters()[4].first, "weight_ih_l1");
  expect_error<Error>(
      [&] {
        lstm(Variable(ones(Shape{2, 4})));
      },
      {"lstm_cell", "(3, 20)", kHere, "LSTMCell"});
  expect_error<Error>(
      [&] {
        lstm(Variable(ones(Shape{2, 3})), {Variable(ones(Shape{3, 5})), {}});
      },
      {"lstm_cell", "h must be (N, H) = (2, 5)", "(3, 5)"});
}

// ---- sequence layers: the same as their cells run step by step ----

TEST(RecurrentLayers, MatchTheirCellsStepByStep) {
  manual_seed(3);
  const std::size_t T = 4, N = 2, I = 3, H = 5;
  nn::LSTM lstm(I, H, {.num_layers = 2, .dtype = Dtype::Float64});
  nn::GRU gru(I, H, k64);
  nn::RNN rnn(I, H, {.nonlinearity = Nonlinearity::ReLU, .dtype = Dtype::Float64});
  const Variable x = rand64(Shape{T, N, I});
  const Variable h0 = rand64(Shape{2, N, H}), c0 = rand64(Shape{2, N, H});

  const LSTMResult r = lstm(x, {h0, c0});
  ASSERT_EQ(r.output.shape(), (Shape{T, N, H}));
  ASSERT_EQ(r.state.h.shape(), (Shape{2, N, H}));
  LSTMState s0{get_item(h0, {std::int64_t(0)}), get_item(c0, {std::int64_t(0)})};
  LSTMState s1{get_item(h0, {std::int64_t(1)}), get_item(c0, {std::int64_t(1)})};
  for (std::size_t t = 0; t < T; ++t) {
    s0 = lstm_cell(get_item(x, {std::int64_t(t)}), s0, lstm.weights(0));
    s1 = lstm_cell(s0.h, s1, lstm.weights(1));
    EXPECT_TRUE(all_close(get_item(r.output, {std::int64_t(t)}), s1.h, 1e-12)) << t;
  }
  EXPECT_TRUE(all_close(r.state.c, stack({s0.c, s1.c}), 1e-12));

  const RNNResult g = gru(x, Variable());
  Variable h;
  for (std::size_t t = 0; t < T; ++t) h = gru_cell(get_item(x, {std::int64_t(t)}), h, gru.weights(0));
  EXPECT_TRUE(all_close(g.h, reshape(h, Shape{1, N, H}), 1e-12));

  Variable hr;
  for (std::size_t t = 0; t < T; ++t)
    hr = rnn_cell(get_item(x, {std::int64_t(t)}), hr, rnn.weights(0), Nonlinearity::ReLU);
  EXPECT_TRUE(all_close(get_item(rnn(x), {std::int64_t(T - 1)}), hr, 1e-12));
}

TEST(RecurrentLayers, BatchFirstTransposesTheLayoutOnly) {
  manual_seed(4);
  nn::GRU tm(3, 4, k64);
  nn::GRU bf(3, 4, {.batch_first = true, .dtype = Dtype::Float64});
  bf.load_state_dict(tm.state_dict());
  const Variable x = rand64(Shape{5, 2, 3});
  EXPECT_TRUE(all_close(bf(swapaxes(x, 0, 1)), swapaxes(tm(x), 0, 1), 1e-12));
  expect_error<Error>(
      [&] {
        bf(Variable(ones(Shape{2, 5, 4}, Dtype::Float64)));
      },
      {"GRU(3 -> 4, batch_first)", "(N, T, 3)", "(2, 5, 4)", kHere});
  expect_error<Error>(
      [&] {
        bf(swapaxes(x, 0, 1), Variable(ones(Shape{2, 2, 4}, Dtype::Float64)));
      },
      {"h0 must be (num_layers, N, H) = (1, 2, 4)", "(2, 2, 4)"});
}

TEST(RecurrentLayers, GradcheckFloat64WithWeights) {
  manual_seed(5);
  // The whole-sequence functions, every weight an input: time steps share the weights, so their gradients
  // add up over the steps.
  const Variable x = rand64(Shape{3, 2, 2}), h0 = rand64(Shape{2, 3}), c0 = rand64(Shape{2, 3});
  auto w = [](std::size_t g) {
    return Inputs{rand64(Shape{2, g * 3}, 0.5), rand64(Shape{3, g * 3}, 0.5), rand64(Shape{g * 3}),
                  rand64(Shape{g * 3})};
  };
  Inputs in{x, h0, c0};
  for (const auto& v : w(4)) in.push_back(v);
  EXPECT_GRADCHECK(
      [](const Inputs& a) {
        const LSTMResult r = lstm(a[0], {a[1], a[2]}, {a[3], a[4], a[5], a[6]});
        return concat({reshape(r.output, Shape{6, 3}), r.state.c}, 0);
      },
      in);
  Inputs gin{x, h0};
  for (const auto& v : w(3)) gin.push_back(v);
  EXPECT_GRADCHECK([](const Inputs& a) { return gru(a[0], a[1], {a[2], a[3], a[4], a[5]}).output; }, gin);
  Inputs rin{x, h0};
  for (const auto& v : w(1)) rin.push_back(v);
  EXPECT_GRADCHECK([](const Inputs& a) { return rnn(a[0], a[1], {a[2], a[3], a[4], a[5]}).output; }, rin);
  // and the module, through its input and both layers' initial states
  nn::LSTM m(2, 3, {.num_layers = 2, .batch_first = true, .dtype = Dtype::Float64});
  EXPECT_GRADCHECK(
      [&](const Inputs& a) {
        const LSTMResult r = m(a[0], {a[1], a[2]});
        return concat({reshape(r.output, Shape{6, 3}), reshape(r.state.h, Shape{4, 3})}, 0);
      },
      {rand64(Shape{2, 3, 2}), rand64(Shape{2, 2, 3}), rand64(Shape{2, 2, 3})});
}

// ---- truncated backpropagation through time ----

namespace {
// Trains an LSTM over `windows` windows of 6 steps, carrying the state; returns the live counts after each
// window once its loss and outputs are gone.
std::vector<std::pair<std::size_t, std::size_t>> train_windows(bool detach, bool backward, int windows) {
  manual_seed(6);
  nn::LSTM lstm(3, 8, {.batch_first = true});
  nn::Linear head(8, 2);
  std::vector<Variable> params = lstm.parameters();
  for (const auto& p : head.parameters()) params.push_back(p);
  optim::Adam opt(params, {.lr = 1e-2});
  LSTMState state;
  std::vector<std::pair<std::size_t, std::size_t>> counts;
  for (int w = 0; w < windows; ++w) {
    {
      const Variable x(randn(Shape{4, 6, 3}));
      auto [y, s] = lstm(x, state);
      const Variable loss = mean(square(head(y)));
      if (backward) {
        opt.zero_grad();
        loss.backward();
        opt.step();
      }
      state = detach ? LSTMState{s.h.detach(), s.c.detach()} : s;
    }
    counts.emplace_back(live_functions(), live_variables());
  }
  return counts;
}
}  // namespace

TEST(TruncatedBPTT, DetachingTheCarriedStateFreesEachWindowsGraph) {
  const auto counts = train_windows(/*detach=*/true, /*backward=*/true, 6);
  // From the second window on (the first makes the optimizer's state), nothing accumulates.
  for (std::size_t w = 2; w < counts.size(); ++w) {
    EXPECT_EQ(counts[w].first, counts[1].first) << "live functions after window " << w;
    EXPECT_EQ(counts[w].second, counts[1].second) << "live variables after window " << w;
  }
  EXPECT_EQ(counts[1].first, 0u);  // the carried state has no creator: no function survives a window
  // The check can fail: without detach the state keeps every earlier window's graph alive.
  const auto kept = train_windows(/*detach=*/false, /*backward=*/false, 4);
  EXPECT_GT(kept[3].first, kept[2].first);
  EXPECT_GT(kept[2].first, kept[1].first);
}

// ---- attention ----

TEST(Attention, CausalOutputsIgnoreLaterPositions) {
  manual_seed(7);
  nn::MultiheadSelfAttention attn(8, 2, {.causal = true, .dtype = Dtype::Float64});
  const Variable x = rand64(Shape{2, 5, 8});
  Tensor changed = x.data().clone();
  double* p = changed.data<double>();
  for (std::size_t i = 3 * 8; i < 5 * 8; ++i) p[i] += 1.0;  // positions 3 and 4 of the first example
  const Variable y = attn(x), y2 = attn(Variable(changed));
  EXPECT_TRUE(all_close(slice(y, 1, 0, 3), slice(y2, 1, 0, 3), 1e-12));
  EXPECT_FALSE(all_close(slice(y, 1, 3, 5), slice(y2, 1, 3, 5), 1e-6));
  EXPECT_GRADCHECK([&](const Inputs& in) { return attn(in[0]); }, {rand64(Shape{1, 3, 8})});
  expect_error<Error>([] { nn::MultiheadSelfAttention(10, 3); }, {"num_heads 3", "d_model 10"});
  expect_error<Error>(
      [&] {
        attn(Variable(ones(Shape{2, 5, 6}, Dtype::Float64)));
      },
      {"MultiheadSelfAttention(8, 2 heads, causal)", "(N, T, 8)", "(2, 5, 6)", kHere});
}

TEST(Attention, MaskedScoresNeverMakeNaN) {
  // Huge scores in float32, causal: the mask is finite, so no row divides 0 by 0 or subtracts Inf from Inf.
  const Variable q(full(Shape{1, 4, 2}, 1e4)), k(full(Shape{1, 4, 2}, -1e4)), v(ones(Shape{1, 4, 3}));
  const auto y = scaled_dot_product_attention(q, k, v, true).data().to_vector<double>();
  for (double e : y) EXPECT_NEAR(e, 1.0, 1e-6);
}

TEST(TransformerBlockModule, GradcheckAndShape) {
  manual_seed(8);
  nn::TransformerBlock block(4, 2, {.d_ff = 6, .causal = true, .dtype = Dtype::Float64});
  EXPECT_EQ(block.num_parameters(), 2 * 8 + (4 * 12 + 12) + (16 + 4) + (4 * 6 + 6) + (6 * 4 + 4));
  const Variable x = rand64(Shape{2, 3, 4});
  EXPECT_EQ(block(x).shape(), x.shape());
  EXPECT_GRADCHECK([&](const Inputs& in) { return block(in[0]); }, {x});
}

TEST(RecurrentLayers, StateFormsRunHooksAndRecordTheModule) {
  nn::LSTM lstm(2, 3);
  int calls = 0;
  lstm.register_forward_hook([&](nn::Module&, const Variable&, const Variable& out) {
    ++calls;
    EXPECT_EQ(out.shape(), (Shape{4, 1, 3}));
    return std::optional<Variable>();
  });
  const auto [y, s] = lstm(Variable(ones(Shape{4, 1, 2})), LSTMState{});
  lstm(Variable(ones(Shape{4, 1, 2})));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(s.h.shape(), (Shape{1, 1, 3}));
  EXPECT_EQ(s.c.shape(), (Shape{1, 1, 3}));
  ASSERT_NE(y.origin(), nullptr);
  EXPECT_EQ(y.origin()->module_type, "LSTM");
}

TEST(Attention, RefusesMismatchedShapes) {
  expect_error<Error>(
      [] {
        scaled_dot_product_attention(Variable(ones(Shape{2, 3})), Variable(ones(Shape{2, 4})),
                                     Variable(ones(Shape{2, 4})));
      },
      {"scaled_dot_product_attention", "(2, 3)", "(2, 4)", kHere});
  expect_error<Error>(
      [] {
        lstm(Variable(ones(Shape{0, 2, 3})), {},
             {Variable(ones(Shape{3, 8})), Variable(ones(Shape{2, 8})), {}, {}});
      },
      {"lstm", "empty", kHere});
}
