// Graph debugging: printing, DOT export, anomaly mode, hooks, the profiler and step-through backward.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <tsumiki.hpp>

using namespace tsumiki;

namespace {
std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

std::string here(int line) { return "test_debug.cpp:" + std::to_string(line); }

// A small MLP step: x (4, 3) -> linear 3x5 -> relu -> linear 5x2 -> cross-entropy.
struct Mlp {
  Variable x{randn(Shape{4, 3}, Dtype::Float64)};
  Variable W1{randn(Shape{3, 5}, Dtype::Float64), true};
  Variable W2{randn(Shape{5, 2}, Dtype::Float64), true};
  Variable labels{from_vector<std::int64_t>({0, 1, 1, 0})};
  Variable loss() const { return softmax_cross_entropy(matmul(relu(matmul(x, W1)), W2), labels); }
};
}  // namespace

TEST(Debug, PrintVariableShowsNameShapeDtypeCreatorAndLine) {
  Variable x(from_vector<float>({1, 2, 3}), true);
  x.name("inputs");
  const int line = __LINE__ + 1;
  Variable y = exp(x);
  y.name("activations");
  std::ostringstream os;
  os << y;
  const std::string s = os.str();
  EXPECT_NE(s.find("name='activations'"), std::string::npos) << s;
  EXPECT_NE(s.find("shape=(3,)"), std::string::npos) << s;
  EXPECT_NE(s.find("dtype=float32"), std::string::npos) << s;
  EXPECT_NE(s.find("creator=exp"), std::string::npos) << s;
  EXPECT_NE(s.find(here(line)), std::string::npos) << s;
  EXPECT_NE(s.find("2.7183"), std::string::npos) << s;
  std::ostringstream leaf;
  leaf << x;
  EXPECT_NE(leaf.str().find("leaf, at " + here(line - 3)), std::string::npos) << leaf.str();
}

TEST(Debug, GraphStringListsOpsShapesNamesAndSites) {
  Mlp m;
  m.W1.name("W1");
  const int line = __LINE__ + 1;
  Variable h = relu(matmul(m.x, m.W1));
  h.name("hidden");
  Variable out = sum(h);
  const std::string g = graph_string(out);
  EXPECT_NE(g.find("sum [gen 3]"), std::string::npos) << g;
  EXPECT_NE(g.find("relu [gen 2] at " + here(line) + " -> float64 (4, 5) 'hidden'"), std::string::npos) << g;
  EXPECT_NE(g.find("matmul [gen 1] at " + here(line)), std::string::npos) << g;
  EXPECT_NE(g.find("leaf 'W1' float64 (3, 5)"), std::string::npos) << g;
  EXPECT_NE(g.find("constant float64 (4, 3)"), std::string::npos) << g;
  out.backward();
  EXPECT_NE(graph_string(out).find("released by backward"), std::string::npos);
}

TEST(Debug, DotHasANodePerVariableAndFunctionAndTheirEdges) {
  Variable a(scalar_tensor(2.0, Dtype::Float64), true), b(scalar_tensor(3.0, Dtype::Float64), true);
  a.name("a");
  Variable y = a * b + a;  // mul, add: 2 functions; a, b, a*b, y: 4 variables
  const std::string dot = to_dot(y, {.show_values = true});
  EXPECT_EQ(dot.rfind("digraph g {", 0), 0u) << dot;
  EXPECT_EQ(count(dot, "shape=box"), 2u) << dot;
  EXPECT_EQ(count(dot, "color=orange") + count(dot, "color=lightgreen"), 4u) << dot;
  EXPECT_EQ(count(dot, " -> "), 6u) << dot;  // mul: 2 in + 1 out; add: 2 in + 1 out
  EXPECT_NE(dot.find("a\\n() float64\\n[2]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("[8]"), std::string::npos) << dot;  // y = 2*3 + 2
}

TEST(Debug, RenderDotWritesAPicture) {
  if (std::system("command -v dot >/dev/null 2>&1") != 0) GTEST_SKIP() << "graphviz is not installed";
  Mlp m;
  const auto path = (std::filesystem::temp_directory_path() / "tsumiki_mlp_graph.png").string();
  std::filesystem::remove(path);
  render_dot(to_dot(m.loss(), {.title = "mlp"}), path);
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_GT(std::filesystem::file_size(path), 1000u);
  EXPECT_THROW(render_dot("digraph g {}", "/tmp/graph.jpg"), Error);
}

TEST(Debug, AnomalyModeNamesTheOpAndLineOfAForwardNaN) {
  Mlp m;
  Variable zero_col = m.W1 * 0.0;
  auto deep = [&] {
    Variable h = relu(matmul(m.x, zero_col));  // all zeros
    const int line = __LINE__ + 1;
    Variable bad = log(h);  // log(0) = -inf
    return std::make_pair(sum(bad * 2.0), line);
  };
  EXPECT_NO_THROW(deep());  // off by default: the -inf flows silently
  AnomalyGuard anomaly;
  try {
    deep();
    FAIL() << "expected AnomalyError";
  } catch (const AnomalyError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'log'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("forward"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Inf"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(4, 5)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("test_debug.cpp:"), std::string::npos) << msg;
  }
}

TEST(Debug, AnomalyModeCatchesABackwardNaN) {
  Variable x(from_vector<double>({0.0, 4.0}), true);
  const int line = __LINE__ + 1;
  Variable y = sum(sqrt(x));  // finite forward; d sqrt(x) / dx at 0 is inf
  AnomalyGuard anomaly;
  try {
    y.backward();
    FAIL() << "expected AnomalyError";
  } catch (const AnomalyError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'sqrt'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("backward"), std::string::npos) << msg;
    EXPECT_NE(msg.find(here(line)), std::string::npos) << msg;
  }
  EXPECT_FALSE(x.grad().defined());  // nothing half-written
}

TEST(Debug, GradHooksSeeAndReplaceGradients) {
  Variable x(from_vector<double>({1.0, 2.0}), true);
  std::vector<double> seen;
  x.register_hook([&](const Variable& g) {
    seen = g.data().to_vector<double>();
    return g * 10.0;  // replace
  });
  Variable h = x * 3.0;
  h.register_hook([](const Variable& g) { return g + 1.0; });  // on an intermediate: changes what flows down
  sum(h).backward();
  EXPECT_EQ(seen, (std::vector<double>{6.0, 6.0}));  // (1 + 1) * 3
  EXPECT_EQ(x.grad().data().to_vector<double>(), (std::vector<double>{60.0, 60.0}));
  // A hook returning an undefined Variable leaves the gradient as it is; a wrong shape is an error.
  Variable z(from_vector<double>({1.0}), true);
  z.register_hook([](const Variable&) { return Variable(); });
  (z * 2.0).backward();
  EXPECT_EQ(z.grad().item<double>(), 2.0);
  Variable w(from_vector<double>({1.0}), true);
  w.register_hook([](const Variable&) { return Variable(zeros(Shape{3}, Dtype::Float64)); });
  EXPECT_THROW((w * 2.0).backward(), Error);
}

TEST(Debug, ProfilerCountsCallsTimeAndBytesPerOp) {
  Mlp m;
  OpProfiler prof;
  m.loss().backward();
  const auto s = prof.stats();
  ASSERT_TRUE(s.count("matmul"));
  EXPECT_EQ(s.at("matmul").forward.calls, 2u);
  EXPECT_GE(s.at("matmul").backward.calls, 2u);
  EXPECT_EQ(s.at("matmul").forward.bytes, (4 * 5 + 4 * 2) * sizeof(double));
  EXPECT_GT(s.at("matmul").forward.seconds, 0.0);
  EXPECT_EQ(s.at("relu").forward.calls, 1u);
  const std::string r = prof.report();
  EXPECT_NE(r.find("matmul"), std::string::npos) << r;
  EXPECT_NE(r.find("fwd calls"), std::string::npos) << r;
  prof.reset();
  EXPECT_TRUE(prof.stats().empty());
}

TEST(Debug, HooksStopWhenTheProfilerGoes) {
  { OpProfiler prof; }
  std::size_t calls = 0;
  const HookId id = add_function_hook([&](const OpEvent& e) {
    if (e.phase == Phase::Forward) ++calls;
  });
  Variable x(ones(Shape{2}), true);
  exp(x);
  remove_function_hook(id);
  exp(x);
  EXPECT_EQ(calls, 1u);
}

TEST(Debug, StepperGivesExactlyTheResultOfBackward) {
  manual_seed(11);
  Mlp m;
  const Variable loss1 = m.loss();
  loss1.backward();
  const auto g1 = m.W1.grad().data().to_vector<double>(), g2 = m.W2.grad().data().to_vector<double>();
  m.W1.zero_grad();
  m.W2.zero_grad();

  const Variable loss2 = m.loss();
  BackwardStepper step(loss2);
  int last_generation = 1 << 30;
  ASSERT_EQ(step.upcoming(), loss2.creator().get());
  while (step.next()) {
    ASSERT_NE(step.function(), nullptr);
    EXPECT_LE(step.function()->generation(), last_generation);  // highest generation first
    last_generation = step.function()->generation();
    EXPECT_EQ(step.output_grad().shape(), step.function()->output_shape());
    EXPECT_EQ(step.inputs().size(), step.input_grads().size());
    if (std::string(step.function()->op()) == "matmul" && step.inputs()[1].is_same(m.W2))
      EXPECT_EQ(step.input_grads()[1].shape(), (Shape{5, 2}));
    if (!step.done()) EXPECT_FALSE(m.W1.grad().defined());  // leaves get theirs at the end
  }
  EXPECT_TRUE(step.done());
  EXPECT_GT(step.steps(), 5u);
  EXPECT_EQ(m.W1.grad().data().to_vector<double>(), g1);
  EXPECT_EQ(m.W2.grad().data().to_vector<double>(), g2);
}
