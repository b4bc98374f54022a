// Debugging in the user's terms: every node made inside a module call records the module's path and type and
// the user's line (autograd/origin.hpp), and everything that reports a node says so.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <tsumiki.hpp>

using namespace tsumiki;

namespace {
std::string here(int line) { return "test_origin.cpp:" + std::to_string(line); }

std::shared_ptr<nn::Sequential> small_net() {
  auto net = std::make_shared<nn::Sequential>();
  net->add("fc1", std::make_shared<nn::Linear>(3, 4))
      .add("act", std::make_shared<nn::Tanh>())
      .add("fc2", std::make_shared<nn::Linear>(4, 2));
  return net;
}

// A module with a registered child and an unregistered helper made in its forward.
struct Block : nn::Module {
  std::shared_ptr<nn::Linear> inner = register_module("inner", std::make_shared<nn::Linear>(2, 2));
  Variable forward(const Variable& x) override {
    nn::ReLU helper;
    return helper((*inner)(x));
  }
  std::string describe() const override { return "Block"; }
};
}  // namespace

TEST(Origin, GraphNamesModulePathTypeUserLineAndLibraryLine) {
  auto net = small_net();
  net->name("net");
  const Variable x(randn(Shape{1, 3}));
  const int line = __LINE__ + 1;
  const Variable y = sum((*net)(x));
  const std::string g = graph_string(y);
  EXPECT_NE(g.find("matmul [gen 1] at " + here(line) + " in net.fc1 (Linear), via layers.cpp:"),
            std::string::npos)
      << g;
  EXPECT_NE(g.find("tanh [gen 3] at " + here(line) + " in net.act (Tanh), via layers.cpp:"),
            std::string::npos)
      << g;
  EXPECT_NE(g.find("add [gen 5] at " + here(line) + " in net.fc2 (Linear)"), std::string::npos) << g;
  EXPECT_NE(g.find("sum [gen 6] at " + here(line) + " -> "), std::string::npos)
      << g;  // outside modules: the line
  // Parameters are named by their path from the root.
  EXPECT_NE(g.find("leaf 'fc2.W' float32 (4, 2)"), std::string::npos) << g;
  EXPECT_NE(g.find("leaf 'fc1.b' float32 (4,)"), std::string::npos) << g;
}

TEST(Origin, ParametersTakeTheirPathButKeepANameTheUserGave) {
  auto net = small_net();
  auto params = net->named_parameters();
  params[2].second.name("output_weight");  // fc2.W, named by the user
  (void)(*net)(Variable(randn(Shape{2, 3})));
  params = net->named_parameters();
  EXPECT_EQ(params[0].second.name(), "fc1.W");
  EXPECT_EQ(params[1].second.name(), "fc1.b");
  EXPECT_EQ(params[2].second.name(), "output_weight");
  EXPECT_EQ(params[3].second.name(), "fc2.b");
  // Nested in a bigger model, the outer root names them again from its own root.
  auto outer = std::make_shared<nn::Sequential>();
  outer->add("body", net);
  (void)(*outer)(Variable(randn(Shape{2, 3})));
  EXPECT_EQ(net->named_parameters()[0].second.name(), "body.fc1.W");
}

TEST(Origin, NestedAndUnregisteredModulesJoinTheirPath) {
  nn::Sequential net{std::make_shared<Block>()};
  const int line = __LINE__ + 1;
  const Variable y = net(Variable(randn(Shape{1, 2})));
  const Origin* relu_origin = y.creator()->origin();
  ASSERT_NE(relu_origin, nullptr);
  EXPECT_EQ(relu_origin->module_path, "0.ReLU");  // a helper made in forward is named by its type
  EXPECT_EQ(relu_origin->module_type, "ReLU");
  EXPECT_EQ(to_string(relu_origin->user_site), here(line));
  const Function* add_fn = y.creator()->input(0).creator().get();
  ASSERT_NE(add_fn->origin(), nullptr);
  EXPECT_EQ(module_label(*add_fn->origin()), "0.inner (Linear)");
  EXPECT_EQ(current_origin(), nullptr);  // the scopes closed
}

TEST(Origin, EqualOriginsShareOneRecord) {
  auto net = small_net();
  const Variable x(randn(Shape{1, 3}));
  Variable a, b;
  for (int i = 0; i < 2; ++i) (i == 0 ? a : b) = (*net)(x);  // the same user line twice
  EXPECT_EQ(a.creator()->origin(), b.creator()->origin());
  const Variable c = (*net)(x);  // another line
  EXPECT_NE(a.creator()->origin(), c.creator()->origin());
}

TEST(Origin, ShapeErrorsInsideModulesNameTheModuleAndTheUserLine) {
  auto net = small_net();
  net->name("net");
  const int line = __LINE__ + 2;
  try {
    (void)(*net)(Variable(randn(Shape{1, 2})));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Linear(3 -> 4): expected input (..., 3), got (1, 2)"), std::string::npos) << what;
    EXPECT_NE(what.find("(at " + here(line) + " in net.fc1 (Linear))"), std::string::npos) << what;
  }
  EXPECT_EQ(current_origin(), nullptr);  // the scope closed on the way out
  // An op's own error inside a module: the user's line, the module and the library's line.
  struct Bad : nn::Module {
    Variable forward(const Variable& x) override { return matmul(x, x); }
    std::string describe() const override { return "Bad"; }
  };
  nn::Sequential outer{std::make_shared<Bad>()};
  const int line2 = __LINE__ + 2;
  try {
    (void)outer(Variable(randn(Shape{2, 3})));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("matmul"), std::string::npos) << what;
    EXPECT_NE(what.find("(at " + here(line2) + " in 0 (Bad), via test_origin.cpp:"), std::string::npos)
        << what;
    EXPECT_EQ(what.find("(at "), what.rfind("(at ")) << "located once: " << what;
  }
}

TEST(Origin, AnomalyErrorsNameTheModuleForwardAndBackward) {
  auto net = small_net();
  net->name("net");
  const Variable x(randn(Shape{1, 3}));
  Tensor w = net->named_parameters()[2].second.data();  // shares fc2.W's storage
  w.fill(std::numeric_limits<double>::infinity());
  AnomalyGuard guard;
  const int line = __LINE__ + 2;
  try {
    (void)(*net)(x);
    FAIL() << "expected an anomaly";
  } catch (const AnomalyError& e) {
    const std::string what = e.what();
    // Inf or NaN, as the signs of the random activations fall (inf - inf is NaN).
    const bool named = what.find("'matmul' produced NaN in its forward") != std::string::npos ||
                       what.find("'matmul' produced Inf in its forward") != std::string::npos;
    EXPECT_TRUE(named) << what;
    EXPECT_NE(what.find("at " + here(line) + " in net.fc2 (Linear), via layers.cpp:"), std::string::npos)
        << what;
  }
  // A backward anomaly names the place of the forward op: sqrt's gradient at 0 is infinite.
  struct Root : nn::Module {
    Variable forward(const Variable& x) override { return sqrt(x); }
    std::string describe() const override { return "Root"; }
  };
  nn::Sequential s{std::make_shared<Root>()};
  const Variable z(zeros(Shape{2}), true);
  const int line2 = __LINE__ + 1;
  const Variable y = sum(s(z));
  try {
    y.backward();
    FAIL() << "expected an anomaly";
  } catch (const AnomalyError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'sqrt' produced Inf in its backward"), std::string::npos) << what;
    EXPECT_NE(what.find("at " + here(line2) + " in 0 (Root), via test_origin.cpp:"), std::string::npos)
        << what;
  }
}

TEST(Origin, ProfilerTotalsPerModule) {
  auto net = small_net();
  const Variable x(randn(Shape{5, 3}));
  OpProfiler prof;
  sum((*net)(x)).backward();
  const auto modules = prof.module_stats();
  ASSERT_TRUE(modules.count("fc1 (Linear)")) << prof.report();
  EXPECT_EQ(modules.at("fc1 (Linear)").forward.calls, 2u);  // matmul and the bias add
  EXPECT_EQ(modules.at("fc1 (Linear)").backward.calls, 2u);
  EXPECT_EQ(modules.at("act (Tanh)").forward.calls, 1u);
  EXPECT_EQ(modules.at("(no module)").forward.calls, 1u);  // the sum
  EXPECT_NE(prof.report().find("module "), std::string::npos);
}

TEST(Origin, DotGroupsEachModuleInACluster) {
  auto net = small_net();
  const std::string dot = to_dot(sum((*net)(Variable(randn(Shape{1, 3})))));
  EXPECT_NE(dot.find("subgraph cluster_"), std::string::npos) << dot;
  EXPECT_NE(dot.find("label=\"fc1 (Linear)\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("label=\"fc2 (Linear)\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("label=\"act (Tanh)\""), std::string::npos) << dot;
}

TEST(Origin, NodesABackwardRecordsServeTheForwardOp) {
  auto net = small_net();
  const Variable x(randn(Shape{1, 3}), true);
  const int line = __LINE__ + 1;
  const Variable g = grad(sum((*net)(x)), x, {.create_graph = true});
  const Function* f = g.creator().get();
  ASSERT_NE(f->origin(), nullptr);
  EXPECT_STREQ(f->origin()->backward_of, "matmul");
  EXPECT_EQ(module_label(*f->origin()), "fc1 (Linear)");
  EXPECT_EQ(to_string(f->origin()->user_site), here(line));
  // Outside modules, a backward's nodes carry the line of the op they serve.
  const Variable z(from_vector<double>({0.5, 1.0}), true);
  const int line2 = __LINE__ + 1;
  const Variable gz = grad(sum(tanh(z)), z, {.create_graph = true});
  EXPECT_NE(gz.where().find(here(line2) + ", backward of 'tanh', via "), std::string::npos) << gz.where();
}

TEST(Origin, AScopeOnOneThreadIsNotSeenOnAnother) {
  auto net = small_net();
  const Variable x(randn(Shape{1, 3}));
  const Origin* seen_inside = nullptr;
  struct Probe : nn::Module {
    const Origin** out;
    const Origin* other = reinterpret_cast<const Origin*>(1);
    explicit Probe(const Origin** o) : out(o) {}
    Variable forward(const Variable& x) override {
      *out = current_origin();
      std::thread t([this] { other = current_origin(); });
      t.join();
      return x;
    }
  };
  auto probe = std::make_shared<Probe>(&seen_inside);
  (void)(*probe)(x);
  ASSERT_NE(seen_inside, nullptr);
  EXPECT_EQ(probe->other, nullptr);
}

TEST(Origin, ConstantsTheLibraryMakesCarryTheUsersLine) {
  const Variable x(from_vector<double>({1.0, 2.0}), true);
  const int line = __LINE__ + 1;
  const Variable y = x / 4.0;  // the 4 becomes a 0-d constant
  EXPECT_EQ(to_string(y.creator()->input(1).site()), here(line));
  const Variable m = mean(x);  // mean divides by a count constant
  EXPECT_EQ(m.creator()->input(1).site().line(), static_cast<std::uint_least32_t>(line + 2));
}

namespace {
struct PlainNet : nn::Module {  // no describe(): named by its class
  std::shared_ptr<nn::Linear> fc = register_module("fc", std::make_shared<nn::Linear>(2, 2));
  Variable forward(const Variable& x) override { return relu((*fc)(x)); }
};
}  // namespace

TEST(Origin, AModuleWithoutDescribeIsNamedByItsClass) {
  PlainNet net;
  EXPECT_EQ(net.type_name(), "PlainNet");
  const Variable y = net(Variable(randn(Shape{1, 2})));
  EXPECT_EQ(module_label(*y.creator()->origin()), "PlainNet");  // the root's own op: its type
  net.name("model");
  const Variable z = net(Variable(randn(Shape{1, 2})));
  EXPECT_EQ(module_label(*z.creator()->origin()), "model (PlainNet)");
  EXPECT_EQ(module_label(*z.creator()->input(0).creator()->origin()), "model.fc (Linear)");
}

TEST(Origin, ALeafsGradientNamesWhereTheLeafWasMade) {
  const int line = __LINE__ + 1;
  const Variable a(from_vector<double>({1, 2}), true);
  const Variable y = sum(a * a) + sum(a);  // two contributions: the engine sums them
  y.backward();
  EXPECT_EQ(a.grad().where(), here(line));  // not the backward formula's or the engine's library line
  // A gradient the user handed in keeps its own record.
  const Variable b(from_vector<double>({1, 2}), true);
  const Variable given(from_vector<double>({1, 1}));
  const int line2 = __LINE__ - 1;
  b.backward(given);
  EXPECT_EQ(b.grad().impl(), given.impl());
  EXPECT_EQ(b.grad().where(), here(line2));
}
