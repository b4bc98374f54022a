// Debugging a model with Tsumiki: from a NaN loss to the line that made it, then a look at the graph.
//
//  1. A hand-written cross-entropy, -sum(t * log(softmax(z))), gives NaN for confident logits.
//  2. Anomaly mode re-runs the step and names the op and the source line that produced the first Inf/NaN.
//  3. print_graph shows the graph; a BackwardStepper walks backward one function at a time; OpProfiler
//     times each op; to_dot + render_dot draw the MLP's graph and the graph of tanh's 2nd derivative.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <tsumiki.hpp>

using namespace tsumiki;

namespace {

struct Mlp : nn::Module {
  std::shared_ptr<nn::Linear> fc1 = register_module("fc1", std::make_shared<nn::Linear>(4, 8));
  std::shared_ptr<nn::Linear> fc2 = register_module("fc2", std::make_shared<nn::Linear>(8, 3));
  Variable forward(const Variable& x) override { return (*fc2)(relu((*fc1)(x))).name("logits"); }
};

// The bug: log(softmax(z)) underflows to log(0) = -inf when one logit dominates, and 0 * -inf = NaN.
Variable naive_cross_entropy(const Variable& logits, const Variable& onehot) {
  const Variable p = softmax(logits);
  return -sum(onehot * log(p)) / static_cast<double>(logits.shape()[0]);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Find the source of a NaN loss, then inspect the graph"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  std::string out = "runs/debugging";
  app.add_option("--out", out, "folder for the graph pictures");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(out);

  manual_seed(3);
  Mlp model;
  const Variable x = Variable(randn(Shape{5, 4})) * 60.0;  // badly scaled inputs: confident logits
  const Variable t(one_hot(from_vector<std::int64_t>({0, 1, 2, 1, 0}), 3));

  // 1. The symptom.
  const Variable loss = naive_cross_entropy(model(x), t);
  std::printf("1. loss = %f\n", loss.item<double>());

  // 2. Anomaly mode names the op and line where the first Inf or NaN appeared.
  try {
    AnomalyGuard anomaly;
    naive_cross_entropy(model(x), t).backward();
  } catch (const AnomalyError& e) {
    std::printf("2. %s\n", e.what());
  }
  // The fix: log_softmax never takes the log of an underflowed probability.
  const Variable fixed = softmax_cross_entropy(model(x), t);
  std::printf("   with softmax_cross_entropy: loss = %f\n", fixed.item<double>());

  // 3. The graph, one function per line.
  std::printf("3. the graph:\n%s", graph_string(fixed).c_str());

  // Step through backward, one function at a time.
  std::printf("   backward, step by step:\n");
  BackwardStepper step(fixed, {.retain_graph = true});
  while (step.next()) {
    double norm = 0;
    for (std::size_t i = 0; i < step.output_grad().numel(); ++i)
      norm += step.output_grad().data().flat(i) * step.output_grad().data().flat(i);
    std::printf("   %-10s at %-22s gy %-8s |gy| = %.4f\n", step.function()->op(),
                to_string(step.function()->site()).c_str(), to_string(step.output_grad().shape()).c_str(),
                std::sqrt(norm));
  }
  std::printf("   fc1.W grad present: %s\n", model.fc1->W.grad().defined() ? "yes" : "no");

  // Per-op time and bytes.
  {
    OpProfiler prof;
    for (int i = 0; i < 100; ++i) {
      model.zero_grad();
      softmax_cross_entropy(model(x), t).backward();
    }
    std::printf("4. profile of 100 steps:\n%s", prof.report().c_str());
  }

  // Pictures: the MLP's graph, and the graph that computes tanh's second derivative.
  const std::string dot = to_dot(softmax_cross_entropy(model(x), t), {.title = "MLP loss"});
  Variable z(scalar_tensor(1.0, Dtype::Float64), true);
  z.name("x");
  Variable d1 = grad(tanh(z), z, {.create_graph = true});
  Variable d2 = grad(d1, z, {.create_graph = true});
  d2.name("d2 tanh / dx2");
  const std::string dot2 = to_dot(d2, {.show_values = true, .title = "second derivative of tanh"});
  for (auto [text, name] : {std::pair{dot, "mlp_graph"}, std::pair{dot2, "tanh_d2_graph"}}) {
    const std::string png = out + "/" + name + ".png";
    try {
      render_dot(text, png);
      std::printf("5. wrote %s (and %s.dot)\n", png.c_str(), png.c_str());
    } catch (const IOError& e) {
      std::printf("5. %s\n", e.what());
    }
  }
  return 0;
}
