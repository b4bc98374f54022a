// Parameter groups: weight decay on the weights only, not on biases and normalisation parameters, then a
// checkpoint that keeps the groups. Trains a small net with batch norm on the spiral set (3 classes).
//
//   param_groups --epochs 300 --lr 0.05 --weight-decay 0.05 --out runs/param_groups
//
// Prints the groups, the loss and each group's learning rate (a cosine schedule scales each from its own
// base), the training accuracy, and the groups read back from <out>/param_groups.npz.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <tsumiki.hpp>

#include "common/cli.hpp"

using namespace tsumiki;

namespace {

std::shared_ptr<nn::Sequential> make_net(std::size_t hidden) {
  auto net = std::make_shared<nn::Sequential>();
  net->add("fc1", std::make_shared<nn::Linear>(2, hidden));
  net->add("bn", std::make_shared<nn::BatchNorm1d>(hidden));
  net->add("act", std::make_shared<nn::ReLU>());
  net->add("fc2", std::make_shared<nn::Linear>(hidden, 3));
  return net;
}

// Weights are matrices; biases and batch norm's gamma and beta are vectors: the three lines split by rank.
std::unique_ptr<optim::AdamW> make_optimizer(const nn::Module& net, double lr, double weight_decay) {
  std::vector<Variable> decay, no_decay;
  for (const auto& [name, p] : net.named_parameters()) (p.ndim() > 1 ? decay : no_decay).push_back(p);
  return std::make_unique<optim::AdamW>(optim::ParamGroups{{decay}, {no_decay, {.weight_decay = 0}}},
                                        optim::AdamOptions{.lr = lr, .weight_decay = weight_decay});
}

void print_groups(const nn::Module& net, const optim::Optimizer& opt) {
  const auto named = net.named_parameters();
  for (std::size_t g = 0; g < opt.param_groups().size(); ++g) {
    const auto& group = opt.param_groups()[g];
    std::string names;
    for (const auto& p : group.params)
      for (const auto& [n, q] : named)
        if (q.is_same(p)) names += (names.empty() ? "" : ", ") + n;
    std::printf("group %zu: %zu parameters (%s)  lr %g  weight_decay %g\n", g, group.params.size(),
                names.c_str(), *group.options.lr, *group.options.weight_decay);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"No weight decay on biases and normalisation parameters: two parameter groups"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  int epochs = 300, hidden = 32;
  double lr = 0.05, weight_decay = 0.05;
  std::uint64_t seed = 0;
  std::string out = "runs/param_groups";
  app.add_option("--epochs", epochs, "full-batch training steps")->check(examples::Positive);
  app.add_option("--hidden", hidden, "hidden units")->check(examples::Positive);
  app.add_option("--lr", lr, "learning rate of both groups")->check(examples::Positive);
  app.add_option("--weight-decay", weight_decay, "AdamW's decoupled weight decay of the weights' group")
      ->check(examples::NonNegative);
  app.add_option("--seed", seed, "seed for the weights");
  app.add_option("--out", out, "folder for the checkpoint");
  CLI11_PARSE(app, argc, argv);

  try {
    std::filesystem::create_directories(out);
    manual_seed(seed);
    const data::Dataset train = data::spiral(true);
    const Variable x(train.inputs()), t(train.targets());
    auto net = make_net(static_cast<std::size_t>(hidden));
    auto opt = make_optimizer(*net, lr, weight_decay);
    print_groups(*net, *opt);
    optim::CosineAnnealingLR schedule(*opt, static_cast<std::size_t>(epochs), lr / 100);

    double loss = 0;
    for (int e = 1; e <= epochs; ++e) {
      opt->zero_grad();
      const Variable l = softmax_cross_entropy((*net)(x), t);
      l.backward();
      opt->step();
      loss = l.item();
      if (e == 1 || e % (epochs / 5 > 0 ? epochs / 5 : 1) == 0)
        std::printf("epoch %4d  loss %.4f  lr %.5f %.5f\n", e, loss, opt->lr(0), opt->lr(1));
      schedule.step();
    }
    net->eval();
    std::printf("train accuracy %.3f\n", accuracy((*net)(x), t));
    // Only the matrices were pulled towards 0; biases, gamma and beta were left alone.
    const auto norm = [](const Variable& v) { return std::sqrt(sum(v * v).item()); };
    for (const auto& [name, p] : net->named_parameters())
      std::printf("  %-8s norm %.3f%s\n", name.c_str(), norm(p), p.ndim() > 1 ? "  (decayed)" : "");

    const std::string path = out + "/param_groups.npz";
    save_checkpoint(path, *net, opt.get());
    auto net2 = make_net(static_cast<std::size_t>(hidden));
    auto opt2 = make_optimizer(*net2, 1.0, 0.0);  // other settings: the checkpoint's replace them
    load_checkpoint(path, *net2, opt2.get());
    std::printf("resumed from %s after %zu steps:\n", path.c_str(), opt2->steps());
    print_groups(*net2, *opt2);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "param_groups: %s\n", e.what());
    return 1;
  }
  return 0;
}
