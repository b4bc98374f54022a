// Parameter groups: per-group settings give the hand-computed updates, weight decay only where asked,
// schedules scale each group from its own base, and state dicts and checkpoints keep the groups.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <tsumiki.hpp>

using namespace tsumiki;

namespace {

Variable param(std::vector<double> values) { return Variable(from_vector(values), true); }

// Loss sum(p^2) over every parameter: each gradient is 2 p.
void backward_squares(const std::vector<Variable>& params) {
  Variable loss = sum(params[0] * params[0]);
  for (std::size_t i = 1; i < params.size(); ++i) loss = loss + sum(params[i] * params[i]);
  loss.backward();
}

void train(optim::Optimizer& opt, int steps) {
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    backward_squares(opt.params());
    opt.step();
  }
}

std::vector<double> values(const Variable& v) { return v.data().to_vector<double>(); }

std::string message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(ParamGroups, SGDGroupsUseTheirOwnLearningRate) {
  Variable a = param({1, -2}), b = param({2});
  optim::SGD opt({{{a}}, {{b}, {.lr = 0.25}}}, {.lr = 0.1});
  ASSERT_EQ(opt.param_groups().size(), 2u);
  EXPECT_EQ(opt.lr(0), 0.1);  // the optimizer's default
  EXPECT_EQ(opt.lr(1), 0.25);
  train(opt, 1);
  // a -= 0.1 * 2a: (0.8, -1.6);  b -= 0.25 * 2b: 1.0
  EXPECT_NEAR(values(a)[0], 0.8, 1e-15);
  EXPECT_NEAR(values(a)[1], -1.6, 1e-15);
  EXPECT_NEAR(values(b)[0], 1.0, 1e-15);
}

TEST(ParamGroups, AdamGroupsUseTheirOwnBetas) {
  Variable a = param({1}), b = param({1});
  optim::Adam opt({{{a}}, {{b}, {.beta1 = 0.5, .beta2 = 0.9}}}, {.lr = 0.1});
  EXPECT_EQ(*opt.param_groups()[0].options.beta1, 0.9);
  EXPECT_EQ(*opt.param_groups()[1].options.beta2, 0.9);
  EXPECT_EQ(*opt.param_groups()[1].options.eps, 1e-8);  // unset: the optimizer's
  train(opt, 2);
  // By hand, g = 2p. Step 1 moves both by lr: 0.9. Step 2, g = 1.8:
  //   betas (0.9, 0.999): m = 0.36, v = 0.007236; p = 0.9 - 0.1 (0.36/0.19) / sqrt(0.007236/0.001999)
  //   betas (0.5, 0.9):   m = 1.4,  v = 0.684;    p = 0.9 - 0.1 (1.4/0.75) / sqrt(0.684/0.19)
  EXPECT_NEAR(values(a)[0], 0.800412228691793, 1e-12);
  EXPECT_NEAR(values(b)[0], 0.801618029359589, 1e-12);
}

TEST(ParamGroups, WeightDecayOnlyOnItsGroup) {
  Variable a = param({1, -2}), b = param({2});
  optim::SGD opt({{{a}}, {{b}, {.weight_decay = 0}}}, {.lr = 0.1, .weight_decay = 0.5});
  train(opt, 1);
  // L2: a's gradient 2a + 0.5a, a -= 0.25a: (0.75, -1.5); b undecayed: 2 - 0.1 * 4 = 1.6
  EXPECT_NEAR(values(a)[0], 0.75, 1e-15);
  EXPECT_NEAR(values(a)[1], -1.5, 1e-15);
  EXPECT_NEAR(values(b)[0], 1.6, 1e-15);
  // Decay changed a copy: grad() is what backward computed.
  EXPECT_EQ(a.grad().data().to_vector<double>(), (std::vector<double>{2, -4}));

  // AdamW decays apart from the gradient: p -= lr wd p, then Adam's first step of size lr.
  Variable c = param({1}), d = param({2});
  optim::AdamW adamw({{{c}}, {{d}, {.weight_decay = 0}}}, {.lr = 0.1, .weight_decay = 0.5});
  train(adamw, 1);
  EXPECT_NEAR(values(c)[0], 1 - 0.05 - 0.1, 1e-7);
  EXPECT_NEAR(values(d)[0], 2 - 0.1, 1e-7);

  // Adam's weight_decay is L2 (PyTorch's Adam): it changes the gradient, not the weights directly.
  Variable e = param({1});
  optim::Adam adam({e}, {.lr = 0.1, .beta1 = 0, .beta2 = 0, .weight_decay = 0.5});
  train(adam, 1);
  EXPECT_NEAR(values(e)[0], 0.9, 1e-7);  // sign(2.5) * lr: no decoupled 0.05 shrink
}

TEST(ParamGroups, OtherRulesSettingsAndBadGroupsAreRefused) {
  Variable a = param({1}), b = param({2});
  const std::string other = message([&] { optim::Adam({{{a}}, {{b}, {.momentum = 0.5}}}); });
  EXPECT_NE(
      other.find("Adam: group 1 sets momentum, which Adam does not use (its settings: lr, beta1, beta2, "
                 "eps, weight_decay)"),
      std::string::npos)
      << other;
  const std::string twice = message([&] { optim::SGD({{{a, b}}, {{b}}}); });
  EXPECT_NE(twice.find("appears twice, in group 0 and group 1"), std::string::npos) << twice;
  const std::string negative = message([&] { optim::SGD({{{a}}, {{b}, {.lr = -1}}}); });
  EXPECT_NE(negative.find("SGD: group 1: lr must be finite and non-negative, got -1"), std::string::npos)
      << negative;
  const std::string betas = message([&] { optim::Adam({{{a}}, {{b}, {.beta1 = 1.5}}}); });
  EXPECT_NE(betas.find("Adam: group 1: betas must lie in [0, 1)"), std::string::npos) << betas;
  EXPECT_THROW(optim::SGD({}), Error);
}

TEST(ParamGroups, LearningRateOfSeveralGroups) {
  Variable a = param({1}), b = param({2});
  optim::SGD opt({{{a}}, {{b}, {.lr = 0.5}}}, {.lr = 0.1});
  const std::string what = message([&] { (void)opt.lr(); });
  EXPECT_NE(
      what.find("SGD::lr: the groups' learning rates differ (group 0: 0.1, group 1: 0.5); ask lr(group)"),
      std::string::npos)
      << what;
  opt.set_lr(0.3);  // every group
  EXPECT_EQ(opt.lr(), 0.3);
  EXPECT_EQ(opt.lr(1), 0.3);
  opt.set_lr(1, 0.7);
  EXPECT_EQ(opt.lr(0), 0.3);
  EXPECT_EQ(opt.lr(1), 0.7);
  EXPECT_THROW(opt.set_lr(2, 0.1), Error);
  EXPECT_THROW(opt.set_lr(0, -1.0), Error);
}

TEST(ParamGroups, SchedulesScaleEachGroupFromItsOwnBase) {
  Variable a = param({1}), b = param({2});
  optim::SGD opt({{{a}}, {{b}, {.lr = 0.1}}}, {.lr = 1.0});
  optim::StepLR step(opt, 2, 0.5);
  EXPECT_EQ(step.base_lrs(), (std::vector<double>{1.0, 0.1}));
  std::vector<double> lr0, lr1;
  for (int e = 0; e < 4; ++e) {
    step.step();
    lr0.push_back(opt.lr(0));
    lr1.push_back(opt.lr(1));
  }
  EXPECT_EQ(lr0, (std::vector<double>{1.0, 0.5, 0.5, 0.25}));
  EXPECT_EQ(lr1, (std::vector<double>{0.1, 0.05, 0.05, 0.025}));

  optim::SGD opt2({{{a}}, {{b}, {.lr = 0.1}}}, {.lr = 1.0});
  optim::CosineAnnealingLR cos(opt2, 4, 0.0);
  cos.step();
  EXPECT_NEAR(opt2.lr(0), (1 + std::cos(M_PI / 4)) / 2, 1e-15);
  EXPECT_NEAR(opt2.lr(1), 0.1 * (1 + std::cos(M_PI / 4)) / 2, 1e-15);
  cos.step();
  EXPECT_NEAR(opt2.lr(0), 0.5, 1e-15);
  EXPECT_NEAR(opt2.lr(1), 0.05, 1e-15);
  for (int e = 0; e < 3; ++e) cos.step();
  EXPECT_EQ(opt2.lr(0), 0.0);
  EXPECT_EQ(opt2.lr(1), 0.0);
}

TEST(ParamGroups, AddParamGroupMidTraining) {
  Variable a = param({1}), b = param({2});
  optim::SGD opt({a}, {.lr = 0.1});
  optim::StepLR schedule(opt, 1, 0.5);
  train(opt, 1);  // a: 1 - 0.1 * 2 = 0.8
  schedule.step();
  EXPECT_EQ(opt.lr(), 0.05);
  opt.add_param_group({{b}, {.lr = 0.25}});
  ASSERT_EQ(opt.param_groups().size(), 2u);
  EXPECT_EQ(opt.params().size(), 2u);
  EXPECT_EQ(opt.group_of(1), 1u);
  train(opt, 1);  // a: 0.8 - 0.05 * 1.6 = 0.72;  b: 2 - 0.25 * 4 = 1
  EXPECT_NEAR(values(a)[0], 0.72, 1e-15);
  EXPECT_NEAR(values(b)[0], 1.0, 1e-15);
  // The schedule takes the new group's lr as its base at its next step.
  schedule.step();
  EXPECT_EQ(opt.lr(0), 0.025);
  EXPECT_EQ(opt.lr(1), 0.0625);  // 0.25 * 0.5^2
  EXPECT_EQ(schedule.base_lrs(), (std::vector<double>{0.1, 0.25}));

  const std::string twice = message([&] { opt.add_param_group({{a}}); });
  EXPECT_NE(twice.find("appears twice, in group 0 and group 2"), std::string::npos) << twice;
  optim::Adam adam({a});
  EXPECT_THROW(adam.add_param_group({{b}, {.beta2 = 1}}), Error);
  EXPECT_EQ(opt.param_groups().size(), 2u);  // unchanged
  EXPECT_EQ(adam.param_groups().size(), 1u);
}

TEST(ParamGroups, StateDictKeepsGroupsAndTheirSettings) {
  Variable a = param({1, -2}), b = param({3});
  optim::Adam oa({{{a}}, {{b}, {.lr = 0.05, .beta1 = 0.5}}}, {.lr = 0.1});
  train(oa, 2);
  const auto state = oa.state_dict();
  const auto entry = [&](const std::string& key) {
    for (const auto& [k, t] : state)
      if (k == key) return t;
    ADD_FAILURE() << "no " << key;
    return Tensor();
  };
  EXPECT_EQ(entry("group.0.params").to_vector<std::int64_t>(), (std::vector<std::int64_t>{0}));
  EXPECT_EQ(entry("group.1.params").to_vector<std::int64_t>(), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(entry("group.1.lr").item<double>(), 0.05);
  EXPECT_EQ(entry("group.1.beta1").item<double>(), 0.5);
  EXPECT_EQ(entry("group.0.beta1").item<double>(), 0.9);

  // A fresh optimizer with the same groups but other settings takes the state's and continues identically.
  Variable c = param({1, -2}), d = param({3});
  c.set_data(a.data().clone());
  d.set_data(b.data().clone());
  optim::Adam ob({{{c}}, {{d}}}, {.lr = 0.3});  // two groups of one parameter each
  const optim::LoadReport report = ob.load_state_dict(state);
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(report.unexpected.empty());
  EXPECT_EQ(ob.steps(), 2u);
  EXPECT_EQ(ob.lr(0), 0.1);
  EXPECT_EQ(ob.lr(1), 0.05);
  EXPECT_EQ(*ob.param_groups()[1].options.beta1, 0.5);
  train(oa, 2);
  train(ob, 2);
  EXPECT_EQ(values(c), values(a));
  EXPECT_EQ(values(d), values(b));
}

TEST(ParamGroups, MismatchedGroupsAreRefused) {
  Variable a = param({1, -2}), b = param({3}), c = param({4, 5, 6});
  optim::SGD two({{{a, b}}, {{c}, {.lr = 0.5}}});
  train(two, 1);
  const auto state = two.state_dict();

  optim::SGD one({a, b, c}, {.lr = 0.2});
  const std::string count = message([&] { one.load_state_dict(state); });
  EXPECT_NE(
      count.find("SGD::load_state_dict: the state has 2 groups (2, 1 parameters), and this optimizer has "
                 "1 group (3 parameters)"),
      std::string::npos)
      << count;
  EXPECT_EQ(one.steps(), 0u);
  EXPECT_EQ(one.lr(), 0.2);  // unchanged

  optim::SGD split({{{a}}, {{b, c}}});
  const std::string members = message([&] { split.load_state_dict(state); });
  EXPECT_NE(
      members.find("group 0 holds parameters 2 (0: float64 (2,), 1: float64 (1,)) in the state and 1 (0: "
                   "float64 (2,)) in this optimizer"),
      std::string::npos)
      << members;

  // A setting another rule has is unexpected: refused when strict, reported when not.
  auto extra = state;
  extra.emplace_back("group.0.momentum", scalar_tensor(0.9, Dtype::Float64));
  const std::string setting = message([&] { two.load_state_dict(extra); });
  EXPECT_NE(
      setting.find("'group.0.momentum' is not a setting of SGD's groups (its settings: lr, weight_decay)"),
      std::string::npos)
      << setting;
  const optim::LoadReport report = two.load_state_dict(extra, /*strict=*/false);
  EXPECT_EQ(report.unexpected, (std::vector<std::string>{"group.0.momentum"}));
  EXPECT_TRUE(report.missing.empty());
}

TEST(ParamGroups, StateWithoutGroupsLoadsAsOneGroup) {
  Variable a = param({1, -2}), b = param({3});
  optim::Momentum m({a, b}, {.lr = 0.1});
  train(m, 1);
  optim::NamedTensors old;  // as written before groups were recorded
  for (const auto& [k, t] : m.state_dict())
    if (k.rfind("group.", 0) != 0) old.emplace_back(k, t);

  optim::Momentum same({a, b}, {.lr = 0.2});
  EXPECT_TRUE(same.load_state_dict(old).missing.empty());
  EXPECT_EQ(same.steps(), 1u);
  EXPECT_EQ(same.lr(), 0.2);  // the old state has no settings: this optimizer's stay

  optim::Momentum grouped({{{a}}, {{b}, {.lr = 0.5}}}, {.lr = 0.2});
  const std::string what = message([&] { grouped.load_state_dict(old); });
  EXPECT_NE(
      what.find("the state records no groups (written before groups were: one group of all 2 parameters), "
                "and this optimizer has 2 groups (1, 1 parameters)"),
      std::string::npos)
      << what;
  const optim::LoadReport report = grouped.load_state_dict(old, /*strict=*/false);
  EXPECT_EQ(report.missing, (std::vector<std::string>{"group.0.*", "group.1.*"}));
  EXPECT_EQ(grouped.steps(), 1u);
  EXPECT_EQ(grouped.lr(1), 0.5);

  // Not strict, a missing slot starts from zeros and is reported.
  optim::NamedTensors partial;
  for (const auto& [k, t] : old)
    if (k != "1.v") partial.emplace_back(k, t);
  EXPECT_THROW(same.load_state_dict(partial), Error);
  EXPECT_EQ(same.load_state_dict(partial, false).missing, (std::vector<std::string>{"1.v"}));
}

namespace {
struct Net : nn::Module {
  std::shared_ptr<nn::Linear> fc1 = register_module("fc1", std::make_shared<nn::Linear>(2, 3));
  std::shared_ptr<nn::BatchNorm1d> bn = register_module("bn", std::make_shared<nn::BatchNorm1d>(3));
  std::shared_ptr<nn::Linear> fc2 = register_module("fc2", std::make_shared<nn::Linear>(3, 1));
  Variable forward(const Variable& x) override { return (*fc2)(relu((*bn)((*fc1)(x)))); }
};

// The README's three lines: no weight decay on biases and normalisation parameters (every 1-D parameter).
std::unique_ptr<optim::AdamW> no_decay_on_biases(const nn::Module& model, double lr) {
  std::vector<Variable> decay, no_decay;
  for (const auto& [name, p] : model.named_parameters()) (p.ndim() > 1 ? decay : no_decay).push_back(p);
  return std::make_unique<optim::AdamW>(optim::ParamGroups{{decay}, {no_decay, {.weight_decay = 0}}},
                                        optim::AdamOptions{.lr = lr, .weight_decay = 0.1});
}

void train_net(Net& net, optim::Optimizer& opt, int steps) {
  const Variable x(from_vector<float>({1, 2, -1, 0.5f, 0, -2, 3, 1}, Shape{4, 2}));
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    sum(square(net(x))).backward();
    opt.step();
  }
}
}  // namespace

TEST(ParamGroups, CheckpointKeepsTheGroups) {
  const auto path = (std::filesystem::temp_directory_path() / "tsumiki_param_groups.npz").string();
  manual_seed(3);
  Net net;
  auto opt = no_decay_on_biases(net, 0.01);
  ASSERT_EQ(opt->param_groups()[0].params.size(), 2u);  // fc1.W, fc2.W
  ASSERT_EQ(opt->param_groups()[1].params.size(), 4u);  // fc1.b, bn.gamma, bn.beta, fc2.b
  opt->set_lr(1, 0.02);
  train_net(net, *opt, 2);
  save_checkpoint(path, net, opt.get());

  // Membership is stored by position in the model: fc1.W is 0, fc1.b 1, bn.gamma 2, bn.beta 3, fc2.W 4,
  // fc2.b 5.
  const auto file = io::load_npz(path);
  const auto entry = [&](const std::string& key) {
    for (const auto& [k, t] : file)
      if (k == key) return t;
    ADD_FAILURE() << "no " << key;
    return Tensor();
  };
  EXPECT_EQ(entry("optim.group.0.params").to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 4}));
  EXPECT_EQ(entry("optim.group.1.params").to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 2, 3, 5}));
  EXPECT_EQ(entry("optim.group.1.weight_decay").item<double>(), 0.0);
  EXPECT_EQ(entry("optim.group.1.lr").item<double>(), 0.02);
  EXPECT_NO_THROW(entry("buffer.bn.running_mean"));
  EXPECT_NO_THROW(entry("param.fc2.b"));

  // A second model and optimizer made with other settings resume exactly.
  manual_seed(4);
  Net again;
  auto resumed = no_decay_on_biases(again, 0.5);
  load_checkpoint(path, again, resumed.get());
  EXPECT_EQ(resumed->steps(), 2u);
  EXPECT_EQ(resumed->lr(0), 0.01);
  EXPECT_EQ(resumed->lr(1), 0.02);
  EXPECT_EQ(*resumed->param_groups()[1].options.weight_decay, 0.0);
  EXPECT_EQ(*resumed->param_groups()[0].options.weight_decay, 0.1);
  train_net(net, *opt, 2);
  train_net(again, *resumed, 2);
  for (std::size_t i = 0; i < net.parameters().size(); ++i)
    EXPECT_EQ(net.parameters()[i].data().to_vector<float>(), again.parameters()[i].data().to_vector<float>())
        << i;

  // The same parameters in one group: refused, naming the counts; nothing changes.
  optim::AdamW one(again.parameters(), {.lr = 0.3});
  const std::string what = message([&] { load_checkpoint(path, again, &one); });
  EXPECT_NE(
      what.find("the state has 2 groups (2, 4 parameters), and this optimizer has 1 group (6 parameters)"),
      std::string::npos)
      << what;
  EXPECT_EQ(one.steps(), 0u);
  std::filesystem::remove(path);
}

TEST(ParamGroups, CheckpointWithoutGroupsStillLoads) {
  const auto path = (std::filesystem::temp_directory_path() / "tsumiki_old_checkpoint.npz").string();
  nn::Linear model(2, 2);
  optim::Adam adam(model.parameters(), {.lr = 0.01});
  sum(model(Variable(ones({1, 2})))).backward();
  adam.step();
  save_checkpoint(path, model, &adam);
  io::NamedTensors old;  // the file as written before groups were recorded
  for (auto& [k, t] : io::load_npz(path))
    if (k.rfind("optim.group.", 0) != 0) old.emplace_back(k, t);
  ASSERT_EQ(old.size(), 8u);  // W, b, step, rule, W.m, W.v, b.m, b.v
  io::save_npz(path, old);

  const Tensor W = model.W.data().clone();
  model.W.set_data(zeros({2, 2}));
  optim::Adam fresh(model.parameters(), {.lr = 0.03});
  load_checkpoint(path, model, &fresh);
  EXPECT_EQ(fresh.steps(), 1u);
  EXPECT_EQ(fresh.lr(), 0.03);  // the file has none: the optimizer's own
  EXPECT_EQ(model.W.data().to_vector<float>(), W.to_vector<float>());
  std::filesystem::remove(path);
}
