// Module hooks: forward pre-hooks, forward hooks, full backward hooks and the handles that remove them.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <tsumiki.hpp>
#include <vector>

using namespace tsumiki;

namespace {

using Opt = std::optional<Variable>;

std::vector<double> values(const Variable& v) { return v.data().to_vector<double>(); }

void expect_near(const std::vector<double>& got, const std::vector<double>& want, double tol = 1e-12) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

Variable f64(const std::vector<double>& v, const Shape& shape, bool requires_grad = false) {
  return Variable(from_vector(v, shape), requires_grad);
}

// Linear(3 -> 2) in float64 with W = [[1, 2], [3, 4], [5, 6]] (shape (in, out)) and b = [0.5, -1].
std::shared_ptr<nn::Linear> known_linear() {
  auto fc = std::make_shared<nn::Linear>(3, 2, nn::LinearOptions{.dtype = Dtype::Float64});
  fc->W.set_data(from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, Shape{3, 2}));
  fc->b.set_data(from_vector(std::vector<double>{0.5, -1}, Shape{2}));
  return fc;
}

// A two-layer net in float64 with fixed weights, for comparisons with and without hooks.
struct Net : nn::Module {
  std::shared_ptr<nn::Linear> fc1, fc2;
  Net()
      : fc1(register_module("fc1",
                            std::make_shared<nn::Linear>(3, 4, nn::LinearOptions{.dtype = Dtype::Float64}))),
        fc2(register_module("fc2",
                            std::make_shared<nn::Linear>(4, 2, nn::LinearOptions{.dtype = Dtype::Float64}))) {
    std::vector<double> w1(12), w2(8);
    for (std::size_t i = 0; i < w1.size(); ++i) w1[i] = 0.1 * static_cast<double>(i) - 0.5;
    for (std::size_t i = 0; i < w2.size(); ++i) w2[i] = 0.3 - 0.07 * static_cast<double>(i);
    fc1->W.set_data(from_vector(w1, Shape{3, 4}));
    fc2->W.set_data(from_vector(w2, Shape{4, 2}));
    fc1->b.set_data(from_vector(std::vector<double>{0.1, -0.2, 0.3, 0.0}, Shape{4}));
  }
  Variable forward(const Variable& x) override { return (*fc2)(tanh((*fc1)(x))); }
};

const std::vector<double> kX = {1, -1, 2, 0.5, 0, -2};  // (2, 3)

}  // namespace

TEST(ModuleHooks, PreHookReplacesInput) {
  auto fc = known_linear();
  std::vector<double> seen;
  fc->register_forward_pre_hook([&](nn::Module& m, const Variable& x) -> Opt {
    EXPECT_EQ(&m, fc.get());
    seen = values(x);
    return x * 2.0;
  });
  const Variable x = f64(kX, Shape{2, 3});
  const Variable y = (*fc)(x);
  expect_near(seen, kX);
  // y = (2x) W + b: row 0 of 2x is (2, -2, 4): (2 - 6 + 20, 4 - 8 + 24) + b
  expect_near(values(y), {16.5, 19, 1 - 20 + 0.5, 2 - 24 - 1});
}

TEST(ModuleHooks, ForwardHookSeesAndReplacesOutput) {
  auto fc = known_linear();
  std::vector<double> seen_in, seen_out, second_saw;
  fc->register_forward_hook([&](nn::Module&, const Variable& x, const Variable& y) -> Opt {
    seen_in = values(x);
    seen_out = values(y);
    return y + 1.0;
  });
  fc->register_forward_hook([&](nn::Module&, const Variable&, const Variable& y) -> Opt {
    second_saw = values(y);  // the first hook's replacement
    return std::nullopt;
  });
  const Variable y = (*fc)(f64(kX, Shape{2, 3}));
  const std::vector<double> plain = {8.5, 9, -9, -12};  // x W + b
  expect_near(seen_in, kX);
  expect_near(seen_out, plain);
  expect_near(second_saw, {9.5, 10, -8, -11});
  expect_near(values(y), {9.5, 10, -8, -11});
}

// loss = sum(y * c): grad_output = c, grad_input = c W^T.
TEST(ModuleHooks, BackwardHookSeesKnownLinearGradients) {
  auto fc = known_linear();
  std::vector<double> gx_seen, gy_seen;
  int calls = 0;
  fc->register_full_backward_hook([&](nn::Module& m, const Variable& gx, const Variable& gy) -> Opt {
    EXPECT_EQ(&m, fc.get());
    ++calls;
    gx_seen = values(gx);
    gy_seen = values(gy);
    return std::nullopt;
  });
  Variable x = f64(kX, Shape{2, 3}, true);
  const Variable c = f64({1, -2, 0.5, 3}, Shape{2, 2});
  sum((*fc)(x)*c).backward();
  EXPECT_EQ(calls, 1);
  expect_near(gy_seen, {1, -2, 0.5, 3});
  // row 0: (1, -2) W^T = (1*1 - 2*2, 1*3 - 2*4, 1*5 - 2*6); row 1: (0.5, 3) W^T
  const std::vector<double> gx = {-3, -5, -7, 6.5, 13.5, 20.5};
  expect_near(gx_seen, gx);
  expect_near(values(x.grad()), gx);
  // W's gradient is x^T c, unchanged by a pass-through hook.
  expect_near(values(fc->W.grad()), {1 * 1 + 0.5 * 0.5, 1 * -2 + 0.5 * 3, -1 * 1 + 0 * 0.5, -1 * -2 + 0 * 3,
                                     2 * 1 - 2 * 0.5, 2 * -2 - 2 * 3});
}

// As PyTorch: an input without grad gives an undefined grad_input, and the hook runs with grad_output.
TEST(ModuleHooks, BackwardHookWithInputWithoutGrad) {
  auto fc = known_linear();
  int calls = 0;
  bool gx_defined = true;
  std::vector<double> gy_seen;
  fc->register_full_backward_hook([&](nn::Module&, const Variable& gx, const Variable& gy) -> Opt {
    ++calls;
    gx_defined = gx.defined();
    gy_seen = values(gy);
    return std::nullopt;
  });
  const Variable x = f64(kX, Shape{2, 3});
  sum((*fc)(x)*f64({1, -2, 0.5, 3}, Shape{2, 2})).backward();
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(gx_defined);
  expect_near(gy_seen, {1, -2, 0.5, 3});
  expect_near(values(fc->b.grad()), {1.5, 1});

  // Returning a grad_input when there is none is refused, naming the hook and the call.
  auto fc2 = known_linear();
  fc2->register_full_backward_hook(
      [](nn::Module&, const Variable&, const Variable& gy) -> Opt { return gy; });
  const Variable loss = sum((*fc2)(x));
  try {
    loss.backward();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("full backward hook 1"), std::string::npos) << what;
    EXPECT_NE(what.find("no input of the call requires grad"), std::string::npos) << what;
    EXPECT_NE(what.find("test_module_hooks.cpp"), std::string::npos) << what;
  }
}

TEST(ModuleHooks, ReplacingGradInputChangesUpstreamGradients) {
  Variable x = f64(kX, Shape{2, 3}, true);
  Net plain;
  sum((plain)(x)).backward();
  const std::vector<double> W1 = values(plain.fc1->W.grad()), W2 = values(plain.fc2->W.grad());
  const std::vector<double> gx = values(x.grad());

  Net hooked;
  hooked.fc2->register_full_backward_hook(
      [](nn::Module&, const Variable& gx, const Variable&) -> Opt { return gx * 2.0; });
  x.zero_grad();
  sum(hooked(x)).backward();
  // fc2's own parameters see grad_output, which the hook does not change; everything before fc2 doubles.
  expect_near(values(hooked.fc2->W.grad()), W2);
  std::vector<double> W1x2 = W1, gxx2 = gx;
  for (auto& v : W1x2) v *= 2;
  for (auto& v : gxx2) v *= 2;
  expect_near(values(hooked.fc1->W.grad()), W1x2);
  expect_near(values(x.grad()), gxx2);
}

TEST(ModuleHooks, HandleRemovesHooks) {
  auto fc = known_linear();
  int pre = 0, fwd = 0, bwd = 0;
  nn::HookHandle hp = fc->register_forward_pre_hook([&](nn::Module&, const Variable&) -> Opt {
    ++pre;
    return std::nullopt;
  });
  nn::HookHandle hf = fc->register_forward_hook([&](nn::Module&, const Variable&, const Variable&) -> Opt {
    ++fwd;
    return std::nullopt;
  });
  nn::HookHandle hb =
      fc->register_full_backward_hook([&](nn::Module&, const Variable&, const Variable&) -> Opt {
        ++bwd;
        return std::nullopt;
      });
  Variable x = f64(kX, Shape{2, 3}, true);
  sum((*fc)(x)).backward();
  EXPECT_EQ(pre + fwd + bwd, 3);

  hb.remove();
  sum((*fc)(x)).backward();
  EXPECT_EQ(pre, 2);
  EXPECT_EQ(fwd, 2);
  EXPECT_EQ(bwd, 1);

  hp.remove();
  hf.remove();
  hf.remove();  // idempotent
  const Variable y = (*fc)(x);
  sum(y).backward();
  EXPECT_EQ(pre, 2);
  EXPECT_EQ(fwd, 2);
  EXPECT_EQ(bwd, 1);
  // Without hooks the call records no identity nodes: the output comes straight from the linear layer.
  EXPECT_STRNE(y.creator()->op(), "identity");
}

TEST(ModuleHooks, DestroyingTheHandleKeepsTheHook) {
  auto fc = known_linear();
  int calls = 0;
  {
    nn::HookHandle h = fc->register_forward_hook([&](nn::Module&, const Variable&, const Variable&) -> Opt {
      ++calls;
      return std::nullopt;
    });
    nn::HookHandle moved = std::move(h);
    h.remove();  // moved-from: removes nothing
  }
  (*fc)(f64(kX, Shape{2, 3}));
  EXPECT_EQ(calls, 1);
}

TEST(ModuleHooks, RemoveAfterTheModuleIsGoneIsSafe) {
  nn::HookHandle h;
  h.remove();  // a default handle holds nothing
  {
    auto fc = known_linear();
    h = fc->register_forward_hook(
        [](nn::Module&, const Variable&, const Variable&) -> Opt { return std::nullopt; });
  }
  EXPECT_NO_THROW(h.remove());
  EXPECT_NO_THROW(h.remove());
}

// The graph outlives the module: its parameters still get gradients, and the hook, which would receive a
// dangling Module&, is not called.
TEST(ModuleHooks, BackwardHookDoesNotRunAfterTheModuleIsGone) {
  int calls = 0;
  Variable x = f64(kX, Shape{2, 3}, true);
  Variable y, W;
  {
    auto fc = known_linear();
    W = fc->W;
    fc->register_full_backward_hook([&](nn::Module&, const Variable&, const Variable&) -> Opt {
      ++calls;
      return std::nullopt;
    });
    y = (*fc)(x);
  }
  sum(y).backward();
  EXPECT_EQ(calls, 0);
  expect_near(values(x.grad()), {3, 7, 11, 3, 7, 11});  // ones W^T
  expect_near(values(W.grad()), {1.5, 1.5, -1, -1, 0, 0});
}

TEST(ModuleHooks, HooksRunInRegistrationOrder) {
  auto fc = known_linear();
  std::vector<std::string> order;
  for (int i = 1; i <= 3; ++i) {
    fc->register_forward_pre_hook([&order, i](nn::Module&, const Variable&) -> Opt {
      order.push_back("pre" + std::to_string(i));
      return std::nullopt;
    });
    fc->register_forward_hook([&order, i](nn::Module&, const Variable&, const Variable&) -> Opt {
      order.push_back("fwd" + std::to_string(i));
      return std::nullopt;
    });
  }
  // Backward hooks chain: the second sees the first's replacement.
  std::vector<double> second_saw;
  fc->register_full_backward_hook([&](nn::Module&, const Variable& gx, const Variable&) -> Opt {
    order.push_back("bwd1");
    return gx * 10.0;
  });
  fc->register_full_backward_hook([&](nn::Module&, const Variable& gx, const Variable&) -> Opt {
    order.push_back("bwd2");
    second_saw = values(gx);
    return gx + 1.0;
  });
  Variable x = f64(kX, Shape{2, 3}, true);
  sum((*fc)(x)).backward();
  EXPECT_EQ(order,
            (std::vector<std::string>{"pre1", "pre2", "pre3", "fwd1", "fwd2", "fwd3", "bwd1", "bwd2"}));
  expect_near(second_saw, {30, 70, 110, 30, 70, 110});
  expect_near(values(x.grad()), {31, 71, 111, 31, 71, 111});
}

TEST(ModuleHooks, AHookMayRemoveItselfDuringTheCall) {
  auto fc = known_linear();
  int calls = 0;
  auto handle = std::make_shared<nn::HookHandle>();
  *handle = fc->register_forward_hook([&calls, handle](nn::Module&, const Variable&, const Variable&) -> Opt {
    ++calls;
    handle->remove();
    return std::nullopt;
  });
  int later = 0;
  fc->register_forward_hook([&](nn::Module&, const Variable&, const Variable&) -> Opt {
    ++later;
    return std::nullopt;
  });
  (*fc)(f64(kX, Shape{2, 3}));
  (*fc)(f64(kX, Shape{2, 3}));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(later, 2);
  handle->remove();  // breaks the hook's reference to its own handle (already removed: nothing to do)
}

// Pass-through hooks leave first and second derivatives as they were; a hook's replacement is differentiated
// like any other op.
TEST(ModuleHooks, CreateGraphAndSecondDerivatives) {
  Variable x = f64(kX, Shape{2, 3}, true);
  int calls = 0, calls_in_grad = 0;
  auto second = [&](Net& net) {
    const Variable g = grad(sum(net(x) * net(x)), x, {.create_graph = true});
    calls_in_grad = calls;
    x.zero_grad();
    sum(g * g).backward();
    return std::pair{values(g), values(x.grad())};
  };
  Net plain;
  const auto [g0, h0] = second(plain);

  Net hooked;
  for (nn::Module* m : {static_cast<nn::Module*>(&hooked), static_cast<nn::Module*>(hooked.fc1.get())}) {
    m->register_forward_pre_hook([](nn::Module&, const Variable&) -> Opt { return std::nullopt; });
    m->register_forward_hook(
        [](nn::Module&, const Variable&, const Variable&) -> Opt { return std::nullopt; });
    m->register_full_backward_hook([&calls](nn::Module&, const Variable& gx, const Variable& gy) -> Opt {
      EXPECT_TRUE(gy.defined());
      ++calls;
      return gx;  // a replacement that is the same gradient
    });
  }
  const auto [g1, h1] = second(hooked);
  EXPECT_EQ(calls_in_grad, 4);  // each hooked module was called twice
  expect_near(g1, g0);
  expect_near(h1, h0);

  // grad_input * 3 on the root: g scales by 3, so sum(g * g) by 9. The second backward also passes through
  // the root's input, where the hook scales it by 3 again (as in PyTorch: a hook serves every pass).
  Net scaled;
  scaled.register_full_backward_hook(
      [](nn::Module&, const Variable& gx, const Variable&) -> Opt { return gx * 3.0; });
  const auto [g3, h3] = second(scaled);
  for (std::size_t i = 0; i < g0.size(); ++i) EXPECT_NEAR(g3[i], 3 * g0[i], 1e-12);
  for (std::size_t i = 0; i < h0.size(); ++i) EXPECT_NEAR(h3[i], 27 * h0[i], 1e-10);
}

// The identity nodes and the state their gradient hooks share die with the graph, create_graph included.
TEST(ModuleHooks, HookedGraphsAreFreed) {
  Net net;
  int calls = 0;
  net.fc1->register_full_backward_hook([&](nn::Module&, const Variable& gx, const Variable&) -> Opt {
    ++calls;
    return gx * 1.0;
  });
  const std::size_t variables = live_variables(), functions = live_functions();
  {
    Variable x = f64(kX, Shape{2, 3}, true);
    const Variable g = grad(sum(net(x) * net(x)), x, {.create_graph = true});
    sum(g * g).backward();
    EXPECT_GT(live_functions(), functions);
  }
  EXPECT_GE(calls, 2);
  net.zero_grad();
  EXPECT_EQ(live_functions(), functions);
  EXPECT_EQ(live_variables(), variables);
}

// The usual use: record each layer's output shape in a Sequential.
TEST(ModuleHooks, ActivationCapture) {
  nn::Sequential net(
      {std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(8, 3)});
  std::vector<std::pair<std::string, Shape>> seen;
  std::vector<nn::HookHandle> handles;
  for (const auto& [name, child] : net.children())
    handles.push_back(
        child->register_forward_hook([&seen, name](nn::Module& m, const Variable&, const Variable& y) -> Opt {
          seen.emplace_back(name + " " + m.type_name(), y.shape());
          return std::nullopt;
        }));
  const Variable out = net(Variable(randn(Shape{5, 4})));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], (std::pair<std::string, Shape>{"0 Linear", Shape{5, 8}}));
  EXPECT_EQ(seen[1], (std::pair<std::string, Shape>{"1 ReLU", Shape{5, 8}}));
  EXPECT_EQ(seen[2], (std::pair<std::string, Shape>{"2 Linear", Shape{5, 3}}));
  EXPECT_EQ(out.shape(), (Shape{5, 3}));
  for (auto& h : handles) h.remove();
  net(Variable(randn(Shape{2, 4})));
  EXPECT_EQ(seen.size(), 3u);
}

TEST(ModuleHooks, BadHooksAreNamed) {
  auto fc = known_linear();
  EXPECT_THROW(fc->register_forward_hook(nullptr), Error);

  // A grad_input of the wrong shape names the hook, both shapes, the module and the user's call.
  fc->register_full_backward_hook(
      [](nn::Module&, const Variable&, const Variable& gy) -> Opt { return gy; });  // (2, 2), not (2, 3)
  Variable x = f64(kX, Shape{2, 3}, true);
  const Variable loss = sum((*fc)(x));
  try {
    loss.backward();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Linear: full backward hook 1"), std::string::npos) << what;
    EXPECT_NE(what.find("float64 (2, 2) for grad_input float64 (2, 3)"), std::string::npos) << what;
    EXPECT_NE(what.find("test_module_hooks.cpp"), std::string::npos) << what;
  }

  // A forward hook that returns an undefined Variable: the module call names it and the user's line.
  auto fc2 = known_linear();
  fc2->register_forward_hook([](nn::Module&, const Variable&, const Variable&) -> Opt { return Variable(); });
  try {
    (*fc2)(x);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("forward hook 1"), std::string::npos) << what;
    EXPECT_NE(what.find("std::nullopt"), std::string::npos) << what;
    EXPECT_NE(what.find("test_module_hooks.cpp"), std::string::npos) << what;
  }
}

// Under NoGradGuard nothing is recorded: forward hooks run, backward hooks add no nodes.
TEST(ModuleHooks, NoGradRecordsNoHookNodes) {
  auto fc = known_linear();
  int fwd = 0;
  fc->register_forward_hook([&](nn::Module&, const Variable&, const Variable&) -> Opt {
    ++fwd;
    return std::nullopt;
  });
  fc->register_full_backward_hook(
      [](nn::Module&, const Variable&, const Variable&) -> Opt { return std::nullopt; });
  {
    NoGradGuard no_grad;
    const Variable y = (*fc)(f64(kX, Shape{2, 3}, true));
    EXPECT_FALSE(y.requires_grad());
  }
  EXPECT_EQ(fwd, 1);
  const Variable y = (*fc)(f64(kX, Shape{2, 3}, true));
  EXPECT_STREQ(y.creator()->op(), "identity");
}
