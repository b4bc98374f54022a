// Optimizers: the first three updates of each rule on a two-element parameter against hand-computed values,
// convergence on a quadratic, hooks, schedules and state round trips.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <tsumiki.hpp>

using namespace tsumiki;

namespace {

// Gradient of f(p) = 0.5 * sum(c * p^2) is c * p, with c = (1, 4).
const std::vector<double> kCurv = {1.0, 4.0};
const std::vector<double> kStart = {1.0, -2.0};

Variable quadratic(const Variable& p) { return 0.5 * sum(Variable(from_vector(kCurv)) * p * p); }

// Runs `steps` updates of opt on the quadratic and returns every iterate.
std::vector<std::vector<double>> run(optim::Optimizer& opt, Variable& p, int steps) {
  std::vector<std::vector<double>> out;
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    quadratic(p).backward();
    opt.step();
    out.push_back(p.data().to_vector<double>());
  }
  return out;
}

// A reference implementation of each rule written out by hand, element by element.
using Rule = std::function<void(double& p, double g, std::vector<double>& state, int t)>;

std::vector<std::vector<double>> reference(const Rule& rule, int steps, std::size_t slots) {
  std::vector<double> p = kStart;
  std::vector<std::vector<double>> st(2, std::vector<double>(slots, 0.0));
  std::vector<std::vector<double>> out;
  for (int t = 1; t <= steps; ++t) {
    for (std::size_t i = 0; i < 2; ++i) rule(p[i], kCurv[i] * p[i], st[i], t);
    out.push_back(p);
  }
  return out;
}

void expect_same(const std::vector<std::vector<double>>& got, const std::vector<std::vector<double>>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t s = 0; s < got.size(); ++s)
    for (std::size_t i = 0; i < 2; ++i)
      EXPECT_NEAR(got[s][i], want[s][i], 1e-12) << "step " << s + 1 << " elem " << i;
}

Variable param() { return Variable(from_vector(kStart), true); }

}  // namespace

TEST(Optim, SGDFirstThreeSteps) {
  Variable p = param();
  optim::SGD opt({p}, {.lr = 0.1});
  // p1 = (1 - 0.1, -2 + 0.1*8) = (0.9, -1.2); p2 = (0.81, -0.72); p3 = (0.729, -0.432)
  expect_same(run(opt, p, 3), {{0.9, -1.2}, {0.81, -0.72}, {0.729, -0.432}});
}

TEST(Optim, MomentumFirstThreeSteps) {
  Variable p = param();
  optim::Momentum opt({p}, {.lr = 0.1, .momentum = 0.9});
  expect_same(run(opt, p, 3), reference(
                                  [](double& w, double g, std::vector<double>& v, int) {
                                    v[0] = 0.9 * v[0] - 0.1 * g;
                                    w += v[0];
                                  },
                                  3, 1));
  // By hand, first element: v1 = -0.1, p1 = 0.9; v2 = -0.09 - 0.09 = -0.18, p2 = 0.72
  Variable q = param();
  optim::Momentum opt2({q}, {.lr = 0.1, .momentum = 0.9});
  auto it = run(opt2, q, 2);
  EXPECT_NEAR(it[0][0], 0.9, 1e-12);
  EXPECT_NEAR(it[1][0], 0.72, 1e-12);
}

TEST(Optim, NesterovFirstThreeSteps) {
  Variable p = param();
  optim::Nesterov opt({p}, {.lr = 0.1, .momentum = 0.9});
  expect_same(run(opt, p, 3), reference(
                                  [](double& w, double g, std::vector<double>& v, int) {
                                    v[0] = 0.9 * v[0] - 0.1 * g;
                                    w += 0.81 * v[0] - 1.9 * 0.1 * g;
                                  },
                                  3, 1));
  // First element, step 1: v = -0.1, p = 1 - 0.081 - 0.19 = 0.729
  Variable q = param();
  optim::Nesterov opt2({q}, {.lr = 0.1, .momentum = 0.9});
  EXPECT_NEAR(run(opt2, q, 1)[0][0], 0.729, 1e-12);
}

TEST(Optim, AdaGradFirstThreeSteps) {
  Variable p = param();
  optim::AdaGrad opt({p}, {.lr = 0.5, .eps = 1e-7});
  expect_same(run(opt, p, 3), reference(
                                  [](double& w, double g, std::vector<double>& h, int) {
                                    h[0] += g * g;
                                    w -= 0.5 * g / (std::sqrt(h[0]) + 1e-7);
                                  },
                                  3, 1));
  // Step 1 moves every element by lr * sign(g): (0.5, -1.5)
  Variable q = param();
  optim::AdaGrad opt2({q}, {.lr = 0.5});
  auto it = run(opt2, q, 1);
  EXPECT_NEAR(it[0][0], 0.5, 1e-6);
  EXPECT_NEAR(it[0][1], -1.5, 1e-6);
}

TEST(Optim, RMSPropFirstThreeSteps) {
  Variable p = param();
  optim::RMSProp opt({p}, {.lr = 0.01, .decay = 0.9, .eps = 1e-7});
  expect_same(run(opt, p, 3), reference(
                                  [](double& w, double g, std::vector<double>& h, int) {
                                    h[0] = 0.9 * h[0] + 0.1 * g * g;
                                    w -= 0.01 * g / (std::sqrt(h[0]) + 1e-7);
                                  },
                                  3, 1));
}

TEST(Optim, AdaDeltaFirstThreeSteps) {
  Variable p = param();
  optim::AdaDelta opt({p}, {.lr = 1.0, .rho = 0.95, .eps = 1e-6});
  expect_same(run(opt, p, 3), reference(
                                  [](double& w, double g, std::vector<double>& st, int) {
                                    st[0] = 0.95 * st[0] + 0.05 * g * g;
                                    const double dx = std::sqrt(st[1] + 1e-6) / std::sqrt(st[0] + 1e-6) * g;
                                    st[1] = 0.95 * st[1] + 0.05 * dx * dx;
                                    w -= dx;
                                  },
                                  3, 2));
}

TEST(Optim, AdamFirstThreeSteps) {
  Variable p = param();
  optim::Adam opt({p}, {.lr = 0.1});
  expect_same(run(opt, p, 3), reference(
                                  [](double& w, double g, std::vector<double>& st, int t) {
                                    st[0] = 0.9 * st[0] + 0.1 * g;
                                    st[1] = 0.999 * st[1] + 0.001 * g * g;
                                    const double mh = st[0] / (1 - std::pow(0.9, t));
                                    const double vh = st[1] / (1 - std::pow(0.999, t));
                                    w -= 0.1 * mh / (std::sqrt(vh) + 1e-8);
                                  },
                                  3, 2));
  // Adam's first step has size lr per element whatever the gradient's scale.
  Variable q = param();
  optim::Adam opt2({q}, {.lr = 0.1});
  auto it = run(opt2, q, 1);
  EXPECT_NEAR(it[0][0], 0.9, 1e-6);
  EXPECT_NEAR(it[0][1], -1.9, 1e-6);
}

TEST(Optim, AdamWDecaysWeightsApartFromTheGradient) {
  Variable p = param();
  optim::AdamW opt({p}, {.lr = 0.1, .weight_decay = 0.5});
  expect_same(run(opt, p, 3), reference(
                                  [](double& w, double g, std::vector<double>& st, int t) {
                                    w -= 0.1 * 0.5 * w;
                                    st[0] = 0.9 * st[0] + 0.1 * g;
                                    st[1] = 0.999 * st[1] + 0.001 * g * g;
                                    const double mh = st[0] / (1 - std::pow(0.9, t));
                                    const double vh = st[1] / (1 - std::pow(0.999, t));
                                    w -= 0.1 * mh / (std::sqrt(vh) + 1e-8);
                                  },
                                  3, 2));
}

TEST(Optim, EveryRuleConvergesOnAQuadratic) {
  for (const auto& name : optim::optimizer_names()) {
    Variable p = param();
    const double lr = name == "sgd" || name == "momentum" || name == "nesterov" ? 0.05
                      : name == "adadelta"                                      ? 1.0
                      : name == "adagrad"                                       ? 0.5
                                                                                : 0.05;
    auto opt = optim::make_optimizer(name, {p}, lr);
    const int steps = name == "adadelta" ? 3000 : 1000;
    for (int s = 0; s < steps; ++s) {
      opt->zero_grad();
      quadratic(p).backward();
      opt->step();
    }
    const double f = quadratic(p).item<double>();
    EXPECT_LT(f, 1e-3) << name << " ended at " << p.data();
  }
}

TEST(Optim, FloatParametersUpdateToo) {
  Variable p(from_vector<float>({1.0f, -2.0f}), true);
  optim::SGD opt({p}, {.lr = 0.5});
  sum(p * p).backward();
  opt.step();
  EXPECT_EQ(p.data().to_vector<float>(), (std::vector<float>{0.0f, 0.0f}));
}

TEST(Optim, UpdatesRecordNoGraph) {
  Variable p = param();
  optim::Adam opt({p});
  quadratic(p).backward();
  const std::size_t before = live_functions();
  opt.step();
  EXPECT_EQ(live_functions(), before);
  EXPECT_TRUE(p.is_leaf());
}

TEST(Optim, StepWithoutAnyGradientIsAnError) {
  Variable p = param();
  optim::SGD opt({p});
  EXPECT_THROW(opt.step(), GraphError);
  EXPECT_THROW(optim::SGD({}), Error);
  EXPECT_THROW(optim::make_optimizer("adamax", {p}, 0.1), Error);
}

TEST(Optim, WeightDecayAndL1Hooks) {
  Variable p = param();
  optim::SGD opt({p}, {.lr = 0.1});
  opt.add_hook(optim::weight_decay(0.5)).add_hook(optim::l1(0.25));
  quadratic(p).backward();
  opt.step();
  // g = c p + 0.5 p + 0.25 sign(p): (1 + 0.5 + 0.25, -8 - 1 - 0.25)
  EXPECT_NEAR(p.data().to_vector<double>()[0], 1 - 0.1 * 1.75, 1e-12);
  EXPECT_NEAR(p.data().to_vector<double>()[1], -2 + 0.1 * 9.25, 1e-12);
  // The hooks changed copies: grad() is still what backward computed.
  EXPECT_NEAR(p.grad().data().to_vector<double>()[1], -8.0, 1e-12);
}

TEST(Optim, GradientClipping) {
  Variable p = param();
  optim::SGD opt({p}, {.lr = 1.0});
  opt.add_hook(optim::clip_grad_norm(1.0));
  quadratic(p).backward();  // g = (1, -8), norm sqrt(65)
  opt.step();
  const auto v = p.data().to_vector<double>();
  const double n = std::sqrt(65.0);
  EXPECT_NEAR(v[0], 1 - 1 / n, 1e-5);
  EXPECT_NEAR(v[1], -2 + 8 / n, 1e-5);

  Variable q = param();
  optim::SGD opt2({q}, {.lr = 1.0});
  opt2.add_hook(optim::clip_grad_value(0.5));
  quadratic(q).backward();
  opt2.step();
  EXPECT_EQ(q.data().to_vector<double>(), (std::vector<double>{0.5, -1.5}));
}

TEST(Optim, Schedules) {
  Variable p = param();
  optim::SGD opt({p}, {.lr = 1.0});
  optim::StepLR step(opt, 2, 0.5);
  std::vector<double> lrs;
  for (int e = 0; e < 5; ++e) {
    step.step();
    lrs.push_back(opt.lr());
  }
  EXPECT_EQ(lrs, (std::vector<double>{1.0, 0.5, 0.5, 0.25, 0.25}));

  optim::SGD opt2({p}, {.lr = 1.0});
  optim::CosineAnnealingLR cos(opt2, 4, 0.0);
  cos.step();
  EXPECT_NEAR(opt2.lr(), (1 + std::cos(M_PI / 4)) / 2, 1e-12);
  cos.step();
  EXPECT_NEAR(opt2.lr(), 0.5, 1e-12);
  cos.step();
  cos.step();
  EXPECT_NEAR(opt2.lr(), 0.0, 1e-12);
  cos.step();
  EXPECT_NEAR(opt2.lr(), 0.0, 1e-12);
}

TEST(Optim, StateDictRoundTripContinuesIdentically) {
  Variable a = param(), b = param();
  optim::Adam oa({a}, {.lr = 0.1}), ob({b}, {.lr = 0.1});
  run(oa, a, 2);
  b.set_data(a.data().clone());
  ob.load_state_dict(oa.state_dict());
  EXPECT_EQ(ob.steps(), 2u);
  auto ra = run(oa, a, 2), rb = run(ob, b, 2);
  EXPECT_EQ(ra, rb);
  optim::NamedTensors bad = {{"step", scalar_tensor(1, Dtype::Int64)},
                             {"0.m", zeros(Shape{3}, Dtype::Float64)}};
  EXPECT_THROW(ob.load_state_dict(bad), Error);
}

// Every rule's state records the rule; loading it into another rule fails naming both, in memory and from a
// checkpoint file (Momentum took Adam's second moment as its velocity before).
TEST(Optim, StateOfOneRuleIsRefusedByEveryOther) {
  EXPECT_STREQ(optim::make_optimizer("nesterov", {Variable(ones({2}), true)}, 0.1)->name(), "Nesterov");
  const auto& names = optim::optimizer_names();
  for (const auto& from : names) {
    Variable w(from_vector<double>({1, -2}), true);
    auto a = optim::make_optimizer(from, {w}, 0.1);
    sum(w * w).backward();
    a->step();
    const auto state = a->state_dict();
    for (const auto& to : names) {
      Variable v(from_vector<double>({1, -2}), true);
      auto b = optim::make_optimizer(to, {v}, 0.1);
      if (from == to) {
        EXPECT_NO_THROW(b->load_state_dict(state)) << from;
        EXPECT_EQ(b->steps(), 1u);
        continue;
      }
      try {
        b->load_state_dict(state);
        ADD_FAILURE() << to << " loaded " << from << "'s state";
      } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(std::string("written by ") + a->name()), std::string::npos) << what;
        EXPECT_NE(what.find(std::string("this optimizer is ") + b->name()), std::string::npos) << what;
      }
      EXPECT_EQ(b->steps(), 0u);  // unchanged
    }
  }
}

TEST(Optim, CheckpointRecordsTheRule) {
  const auto path = (std::filesystem::temp_directory_path() / "tsumiki_rule_checkpoint.npz").string();
  nn::Linear model(2, 2);
  optim::Adam adam(model.parameters(), {.lr = 0.01});
  sum(model(Variable(ones({1, 2})))).backward();
  adam.step();
  save_checkpoint(path, model, &adam);
  optim::Momentum momentum(model.parameters(), {.lr = 0.01});
  try {
    load_checkpoint(path, model, &momentum);
    ADD_FAILURE() << "Momentum loaded Adam's checkpoint";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("holds the state of the Adam rule, and the optimizer given is Momentum"),
              std::string::npos)
        << what;
  }
  optim::Adam again(model.parameters(), {.lr = 0.01});
  load_checkpoint(path, model, &again);
  EXPECT_EQ(again.steps(), 1u);
  load_checkpoint(path, model);  // the model alone ignores the optimizer's entries
  std::filesystem::remove(path);
}
