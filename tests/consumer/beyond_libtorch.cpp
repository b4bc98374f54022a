// What LibTorch's C++ frontend lacks, checked from outside the project through the installed package:
// jvp and jacfwd against closed forms, checkpoint against plain gradients, parameter groups, a state_dict
// round trip, and the refusal of another optimizer's state. Exits non-zero on the first wrong result.
#include <cmath>
#include <cstdio>
#include <string>
#include <tsumiki.hpp>

using namespace tsumiki;

namespace {
int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

bool near(const std::vector<double>& a, const std::vector<double>& b, double tol) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(std::abs(a[i] - b[i]) <= tol)) return false;
  return true;
}
}  // namespace

int main() {
  // jvp of f(x) = exp(x) * x along v: (exp(x) (1 + x)) v.
  {
    const std::vector<double> x0 = {0.3, -0.8, 1.1}, v0 = {1, 2, -1};
    const auto [y, jv] = jvp([](const Variable& x) { return exp(x) * x; }, Variable(from_vector<double>(x0)),
                             Variable(from_vector<double>(v0)));
    std::vector<double> want;
    for (std::size_t i = 0; i < 3; ++i) want.push_back(std::exp(x0[i]) * (1 + x0[i]) * v0[i]);
    check(near(jv.data().to_vector<double>(), want, 1e-12), "jvp against its closed form");
  }
  // jacfwd of f(x0, x1) = (x0 x1, sin x0): [[x1, x0], [cos x0, 0]].
  {
    const Variable x(from_vector<double>({0.4, 2.0}));
    const Variable j = jacfwd(
        [](const Variable& z) {
          const Variable a = get_item(z, {std::int64_t{0}}), b = get_item(z, {std::int64_t{1}});
          return stack({a * b, sin(a)}, 0);
        },
        x);
    check(near(j.data().to_vector<double>(), {2.0, 0.4, std::cos(0.4), 0.0}, 1e-12),
          "jacfwd against its closed form");
  }
  // checkpoint gives the plain graph's gradients, parameters included.
  {
    manual_seed(3);
    nn::Sequential net{std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::Tanh>(),
                       std::make_shared<nn::Linear>(8, 2)};
    const Variable x(randn(Shape{3, 4}));
    auto grads = [&](bool checkpointed) {
      net.zero_grad();
      const Variable y = checkpointed ? checkpoint([&](const Variable& z) { return net(z); }, x) : net(x);
      sum(square(y)).backward();
      std::vector<double> all;
      for (const auto& p : net.parameters())
        for (const float g : p.grad().data().to_vector<float>()) all.push_back(g);
      return all;
    };
    check(near(grads(true), grads(false), 1e-6), "checkpoint gives the plain gradients");
  }
  // Parameter groups: no weight decay on biases; one step of SGD by hand.
  {
    manual_seed(4);
    auto fc = std::make_shared<nn::Linear>(2, 1);
    std::vector<Variable> decay, no_decay;
    for (const auto& [name, p] : fc->named_parameters()) (p.ndim() > 1 ? decay : no_decay).push_back(p);
    optim::SGD opt({{decay}, {no_decay, {.weight_decay = 0}}}, {.lr = 0.1, .weight_decay = 0.5});
    const auto w0 = decay[0].data().to_vector<float>(), b0 = no_decay[0].data().to_vector<float>();
    fc->zero_grad();
    sum((*fc)(Variable(from_vector<float>({1, 2}, Shape{1, 2})))).backward();
    opt.step();
    // dL/dW = x = (1, 2), dL/db = 1: W -= 0.1 (x + 0.5 W), b -= 0.1 * 1.
    const auto w1 = decay[0].data().to_vector<float>(), b1 = no_decay[0].data().to_vector<float>();
    check(std::abs(w1[0] - (w0[0] - 0.1f * (1 + 0.5f * w0[0]))) < 1e-6f &&
              std::abs(w1[1] - (w0[1] - 0.1f * (2 + 0.5f * w0[1]))) < 1e-6f &&
              std::abs(b1[0] - (b0[0] - 0.1f)) < 1e-6f,
          "parameter groups: decay on weights only");
  }
  // state_dict round trip into a fresh model.
  {
    manual_seed(5);
    nn::Linear a(3, 2), b(3, 2);
    b.load_state_dict(a.state_dict());
    const Variable x(randn(Shape{1, 3}));
    check(a(x).data().to_vector<float>() == b(x).data().to_vector<float>(), "state_dict round trip");
  }
  // Adam's state refused by Momentum, naming both.
  {
    manual_seed(6);
    nn::Linear m(2, 2);
    optim::Adam adam(m.parameters(), {.lr = 1e-3});
    sum(m(Variable(randn(Shape{1, 2})))).backward();
    adam.step();
    optim::Momentum momentum(m.parameters(), {.lr = 0.1});
    std::string message;
    try {
      momentum.load_state_dict(adam.state_dict());
    } catch (const Error& e) {
      message = e.what();
    }
    check(message.find("Adam") != std::string::npos && message.find("Momentum") != std::string::npos,
          "Adam's state refused by Momentum: " + message);
  }
  return failures == 0 ? 0 : 1;
}
