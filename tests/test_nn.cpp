// Modules, initialisers, data loading and checkpoints.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <tsumiki.hpp>

using namespace tsumiki;
namespace fs = std::filesystem;

namespace {

// A module written by a user from ops only: a two-layer net with a custom scale parameter.
struct TwoLayer : nn::Module {
  std::shared_ptr<nn::Linear> fc1, fc2;
  Variable scale;
  TwoLayer()
      : fc1(register_module("fc1", std::make_shared<nn::Linear>(4, 8))),
        fc2(register_module("fc2", std::make_shared<nn::Linear>(8, 3))),
        scale(register_parameter("scale", Variable(ones(Shape{1})))) {}
  Variable forward(const Variable& x) override { return (*fc2)(tanh((*fc1)(x))) * scale; }
  std::string describe() const override { return "TwoLayer"; }
};

fs::path temp_dir() {
  auto d = fs::temp_directory_path() / ("tsumiki_nn_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

}  // namespace

TEST(Module, NamesAndCounts) {
  TwoLayer net;
  std::vector<std::string> names;
  for (auto& [n, p] : net.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"scale", "fc1.W", "fc1.b", "fc2.W", "fc2.b"}));
  EXPECT_EQ(net.num_parameters(), 1u + 4 * 8 + 8 + 8 * 3 + 3);
  EXPECT_EQ(net.parameters().size(), 5u);
  for (auto& p : net.parameters()) EXPECT_TRUE(p.requires_grad());
  const std::string s = net.summary();
  EXPECT_NE(s.find("fc1  Linear(4 -> 8)"), std::string::npos) << s;
  EXPECT_NE(s.find("params 40"), std::string::npos) << s;
  EXPECT_NE(s.find("total parameters: 68"), std::string::npos) << s;
}

TEST(Module, TrainEvalIsRecursive) {
  TwoLayer net;
  EXPECT_TRUE(net.fc1->is_training());
  net.eval();
  EXPECT_FALSE(net.is_training());
  EXPECT_FALSE(net.fc1->is_training());
  net.train();
  EXPECT_TRUE(net.fc2->is_training());
}

TEST(Module, ZeroGradAndBackwardThroughModules) {
  TwoLayer net;
  const Variable x(randn(Shape{5, 4}));
  sum(net(x)).backward();
  for (auto& p : net.parameters()) EXPECT_TRUE(p.grad().defined());
  net.zero_grad();
  for (auto& p : net.parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(Module, UserModuleGradcheck) {
  // The user-defined module passes gradcheck w.r.t. its input (float64 copy of the module's maths).
  TwoLayer net;
  auto f = [&](const Inputs& in) {
    const Variable W1(net.fc1->W.data().to(Dtype::Float64)), W2(net.fc2->W.data().to(Dtype::Float64));
    return sum(matmul(tanh(matmul(in[0], W1)), W2));
  };
  auto r = gradcheck(f, {Variable(randn(Shape{2, 4}, Dtype::Float64))});
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(Module, RegistrationErrors) {
  struct Bad : nn::Module {
    Variable forward(const Variable& x) override { return x; }
    void twice() {
      register_parameter("w", Variable(ones(Shape{1})));
      register_parameter("w", Variable(ones(Shape{1})));
    }
    void dotted() { register_parameter("a.b", Variable(ones(Shape{1}))); }
  };
  Bad b;
  EXPECT_THROW(b.twice(), Error);
  EXPECT_THROW(b.dotted(), Error);
}

TEST(Layers, LinearShapesAndErrors) {
  nn::Linear fc(3, 2);
  EXPECT_EQ(fc.W.shape(), (Shape{3, 2}));
  EXPECT_EQ(fc.b.shape(), (Shape{2}));
  EXPECT_EQ(fc(Variable(ones(Shape{4, 3}))).shape(), (Shape{4, 2}));
  try {
    fc(Variable(ones(Shape{4, 5})));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(4, 5)"), std::string::npos) << e.what();
  }
  nn::Linear nob(3, 2, {.bias = false});
  EXPECT_FALSE(nob.b.defined());
  EXPECT_EQ(nob.parameters().size(), 1u);
}

TEST(Layers, SequentialAndActivations) {
  nn::Sequential seq{std::make_shared<nn::Linear>(2, 3), std::make_shared<nn::ReLU>(),
                     std::make_shared<nn::Linear>(3, 1), std::make_shared<nn::Sigmoid>()};
  EXPECT_EQ(seq.size(), 4u);
  EXPECT_EQ(seq.named_parameters()[0].first, "0.W");
  EXPECT_EQ(seq.named_parameters()[2].first, "2.W");
  const Variable y = seq(Variable(ones(Shape{5, 2})));
  EXPECT_EQ(y.shape(), (Shape{5, 1}));
  for (float v : y.data().to_vector<float>()) {
    EXPECT_GT(v, 0.f);
    EXPECT_LT(v, 1.f);
  }
  nn::Tanh t;
  EXPECT_NEAR(t(Variable(scalar_tensor(0.5))).item<double>(), std::tanh(0.5), 1e-6);
}

TEST(Init, StatisticsMatchTheirFormulas) {
  Generator gen(42);
  auto stddev = [](const Tensor& t) {
    double s = 0, s2 = 0;
    for (std::size_t i = 0; i < t.numel(); ++i) {
      s += t.flat(i);
      s2 += t.flat(i) * t.flat(i);
    }
    const double n = static_cast<double>(t.numel());
    return std::sqrt(s2 / n - (s / n) * (s / n));
  };
  EXPECT_NEAR(stddev(nn::init::he_normal(Shape{400, 300}, 400, Dtype::Float32, gen)), std::sqrt(2.0 / 400),
              2e-3);
  EXPECT_NEAR(stddev(nn::init::xavier_normal(Shape{400, 300}, 400, 300, Dtype::Float32, gen)),
              std::sqrt(2.0 / 700), 2e-3);
  EXPECT_NEAR(stddev(nn::init::normal(Shape{400, 300}, 0.01, Dtype::Float32, gen)), 0.01, 2e-4);
  const Tensor u = nn::init::he_uniform(Shape{1000}, 6, Dtype::Float64, gen);
  for (std::size_t i = 0; i < u.numel(); ++i) EXPECT_LE(std::abs(u.flat(i)), 1.0);
  EXPECT_EQ(nn::init::make(nn::init::Kind::Zeros, Shape{2, 2}, 2, 2).to_vector<float>(),
            std::vector<float>(4, 0.f));
}

TEST(Data, LoaderBatchesShufflesAndSeeds) {
  Tensor x = arange(0, 10, 1, Dtype::Float32).reshape(Shape{10, 1});
  Tensor y = arange(0, 10, 1, Dtype::Int64);
  data::Dataset set(x, y);
  data::DataLoader plain(set, {.batch_size = 4, .shuffle = false});
  EXPECT_EQ(plain.num_batches(), 3u);
  std::vector<std::size_t> sizes;
  for (const auto& b : plain) sizes.push_back(b.y.numel());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{4, 4, 2}));

  data::DataLoader dropping(set, {.batch_size = 4, .shuffle = false, .drop_last = true});
  EXPECT_EQ(dropping.num_batches(), 2u);

  auto epoch_order = [](data::DataLoader& l) {
    std::vector<std::int64_t> seen;
    for (const auto& b : l) {
      const auto v = b.y.data().to_vector<std::int64_t>();
      const auto xs = b.x.data().to_vector<float>();
      for (std::size_t i = 0; i < v.size(); ++i)
        EXPECT_EQ(static_cast<float>(v[i]), xs[i]);  // rows stay paired
      seen.insert(seen.end(), v.begin(), v.end());
    }
    return seen;
  };
  data::DataLoader a(set, {.batch_size = 3, .shuffle = true, .seed = 7});
  data::DataLoader b(set, {.batch_size = 3, .shuffle = true, .seed = 7});
  const auto a1 = epoch_order(a), b1 = epoch_order(b), a2 = epoch_order(a);
  EXPECT_EQ(a1, b1);  // same seed, same order
  EXPECT_NE(a1, a2);  // a new permutation each epoch
  EXPECT_EQ(std::set<std::int64_t>(a1.begin(), a1.end()).size(), 10u);
}

TEST(Data, DatasetErrors) {
  EXPECT_THROW(data::Dataset(zeros(Shape{3, 2}), zeros(Shape{4}, Dtype::Int64)), Error);
  data::Dataset set(zeros(Shape{3, 2}), zeros(Shape{3}, Dtype::Int64));
  EXPECT_THROW(set.rows({5}), Error);
  EXPECT_THROW(data::DataLoader(set, {.batch_size = 0}), Error);
}

TEST(Data, SpiralHasThreeBalancedClasses) {
  const auto s = data::spiral(true);
  EXPECT_EQ(s.size(), 300u);
  EXPECT_EQ(s.inputs().shape(), (Shape{300, 2}));
  std::vector<int> counts(3, 0);
  for (auto l : s.targets().to_vector<std::int64_t>()) counts[static_cast<std::size_t>(l)]++;
  EXPECT_EQ(counts, (std::vector<int>{100, 100, 100}));
}

TEST(Data, FashionMnistFromDebianPackage) {
  if (!fs::exists(data::kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const auto test = data::load_fashion_mnist(data::kFashionMnistDir, false);
  EXPECT_EQ(test.inputs().shape(), (Shape{10000, 784}));
  EXPECT_EQ(test.targets().shape(), (Shape{10000}));
  double lo = 1, hi = 0;
  for (std::size_t i = 0; i < 784 * 10; ++i) {
    lo = std::min(lo, test.inputs().flat(i));
    hi = std::max(hi, test.inputs().flat(i));
  }
  EXPECT_GE(lo, 0.0);
  EXPECT_LE(hi, 1.0);
  EXPECT_GT(hi, 0.5);
  EXPECT_EQ(data::fashion_mnist_classes().size(), 10u);
}

TEST(Data, MissingFolderNamesPathAndPackage) {
  try {
    data::load_fashion_mnist("/nonexistent/fmnist", true);
    FAIL();
  } catch (const IOError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("/nonexistent/fmnist"), std::string::npos) << m;
    EXPECT_NE(m.find("dataset-fashion-mnist"), std::string::npos) << m;
  }
}

TEST(Checkpoint, RoundTripGivesIdenticalOutputs) {
  manual_seed(1);
  TwoLayer a;
  optim::Adam opt(a.parameters(), {.lr = 0.01});
  const Variable x(randn(Shape{6, 4}));
  for (int i = 0; i < 3; ++i) {
    a.zero_grad();
    sum(square(a(x))).backward();
    opt.step();
  }
  const auto path = (temp_dir() / "two_layer.npz").string();
  nn::save_checkpoint(path, a, &opt);

  manual_seed(99);
  TwoLayer b;
  optim::Adam opt_b(b.parameters(), {.lr = 0.01});
  EXPECT_NE(a(x).data().to_vector<float>(), b(x).data().to_vector<float>());
  nn::load_checkpoint(path, b, &opt_b);
  EXPECT_EQ(a(x).data().to_vector<float>(), b(x).data().to_vector<float>());
  EXPECT_EQ(opt_b.steps(), 3u);
  // Training goes on identically from the restored optimizer state.
  for (auto* pair : {&a, &b}) {
    pair->zero_grad();
    sum(square((*pair)(x))).backward();
  }
  opt.step();
  opt_b.step();
  EXPECT_EQ(a(x).data().to_vector<float>(), b(x).data().to_vector<float>());
}

TEST(Checkpoint, ArchitectureMismatchListsNamesAndShapes) {
  TwoLayer a;
  const auto path = (temp_dir() / "mismatch.npz").string();
  nn::save_checkpoint(path, a);
  nn::Sequential other{std::make_shared<nn::Linear>(4, 5)};
  const auto before = other.parameters()[0].data().to_vector<float>();
  try {
    nn::load_checkpoint(path, other);
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("missing 0.W (float32 (4, 5))"), std::string::npos) << m;
    EXPECT_NE(m.find("unexpected fc1.W"), std::string::npos) << m;
    EXPECT_NE(m.find(path), std::string::npos) << m;
  }
  EXPECT_EQ(other.parameters()[0].data().to_vector<float>(), before);  // nothing changed
}

TEST(Checkpoint, NumpyReadsItByName) {
  // Debian's numpy lives under /usr/bin/python3; a python3 earlier on PATH may lack it.
  std::string python;
  for (const char* p : {"python3", "/usr/bin/python3"})
    if (python.empty() && std::system((std::string(p) + " -c 'import numpy' >/dev/null 2>&1").c_str()) == 0)
      python = p;
  if (python.empty()) GTEST_SKIP() << "no python3 with numpy (Debian python3-numpy)";
  TwoLayer a;
  const auto path = (temp_dir() / "numpy.npz").string();
  nn::save_checkpoint(path, a);
  const float w00 = a.fc1->W.data().data<float>()[0];
  const std::string cmd =
      python + " -c \"import numpy as np, zipfile; z = zipfile.ZipFile('" + path +
      "'); assert 'param.fc1.W.npy' in z.namelist(); d = np.load('" + path +
      "'); assert d['param.fc1.W'].shape == (4, 8) and d['param.fc1.W'].dtype == np.float32; "
      "assert abs(d['param.fc1.W'][0, 0] - (" +
      std::to_string(w00) + ")) < 1e-5\"";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// ---- state_dict / load_state_dict ----
namespace {
std::shared_ptr<nn::Sequential> state_net() {
  auto net = std::make_shared<nn::Sequential>();
  net->add("fc1", std::make_shared<nn::Linear>(3, 4))
      .add("bn", std::make_shared<nn::BatchNorm1d>(4))
      .add("fc2", std::make_shared<nn::Linear>(4, 2));
  return net;
}
}  // namespace

TEST(StateDict, NamesEveryParameterAndBufferInRegistrationOrder) {
  const auto dict = state_net()->state_dict();
  std::vector<std::string> names;
  for (const auto& [n, t] : dict) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"fc1.W", "fc1.b", "bn.gamma", "bn.beta", "bn.running_mean",
                                             "bn.running_var", "fc2.W", "fc2.b"}));
  EXPECT_EQ(dict.at("fc2.W").shape(), (Shape{4, 2}));
  EXPECT_TRUE(dict.contains("bn.running_var"));
  try {
    (void)dict.at("fc3.W");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no entry 'fc3.W' (entries: fc1.W, fc1.b"), std::string::npos)
        << e.what();
  }
}

TEST(StateDict, LoadIntoAFreshModelGivesTheSameOutputs) {
  manual_seed(1);
  auto a = state_net();
  manual_seed(2);
  auto b = state_net();
  a->eval();
  b->eval();
  const Variable x(randn({5, 3}));
  EXPECT_GT(max(abs(sub((*a)(x), (*b)(x)))).item(), 1e-3);
  const auto report = b->load_state_dict(a->state_dict());
  EXPECT_TRUE(report.missing.empty() && report.unexpected.empty());
  EXPECT_EQ(max(abs(sub((*a)(x), (*b)(x)))).item(), 0.0);
}

TEST(StateDict, StrictLoadListsEveryProblemAndChangesNothing) {
  auto net = state_net();
  const Tensor before = net->state_dict().at("fc1.W").clone();
  nn::StateDict dict;
  dict.insert("fc1.W", zeros({3, 4}));
  dict.insert("fc2.W", zeros({2, 4}));  // transposed
  dict.insert("head.W", zeros({4, 1}));
  try {
    net->load_state_dict(dict);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("fc2.W is float32 (2, 4) in the dict but float32 (4, 2) here"), std::string::npos)
        << what;
    EXPECT_NE(what.find("missing fc1.b"), std::string::npos) << what;
    EXPECT_NE(what.find("unexpected head.W"), std::string::npos) << what;
  }
  EXPECT_EQ(max(abs(sub(Variable(net->state_dict().at("fc1.W")), Variable(before)))).item(), 0.0);
  EXPECT_THROW(dict.insert("fc1.W", zeros({3, 4})), Error);  // one entry per name
}

TEST(StateDict, NonStrictLoadReportsMissingAndUnexpectedKeys) {
  auto net = state_net();
  nn::StateDict dict;
  dict.insert("fc1.W", ones({3, 4}));
  dict.insert("head.W", zeros({4, 1}));
  const auto report = net->load_state_dict(dict, /*strict=*/false);
  EXPECT_EQ(report.unexpected, std::vector<std::string>{"head.W"});
  EXPECT_EQ(report.missing.size(), 7u);
  EXPECT_EQ(net->state_dict().at("fc1.W").flat(5), 1.0);
  nn::StateDict wrong;
  wrong.insert("fc1.W", ones({4, 3}));
  EXPECT_THROW(net->load_state_dict(wrong, false), Error);  // a wrong shape is refused even when not strict
}
