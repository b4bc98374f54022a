// Bad input across the API: every case asserts the exception type and what the message names (the op, the
// shapes, the axis, the file, the user's line). A library that crashes, returns garbage or throws a vague
// error on any of these fails here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <tsumiki/autograd/engine.hpp>
#include <tsumiki/autograd/observe.hpp>
#include <tsumiki/autograd/ops.hpp>
#include <tsumiki/data/dataset.hpp>
#include <tsumiki/data/idx.hpp>
#include <tsumiki/functional/activations.hpp>
#include <tsumiki/functional/linear.hpp>
#include <tsumiki/functional/losses.hpp>
#include <tsumiki/functional/metrics.hpp>
#include <tsumiki/io/checkpoint.hpp>
#include <tsumiki/io/npz.hpp>
#include <tsumiki/nn/layers.hpp>
#include <tsumiki/optim/rules.hpp>
#include <vector>

#include "file_fixtures.hpp"

namespace fs = std::filesystem;
using namespace tsumiki;

namespace {

using tsumiki::testing::expect_error;
using tsumiki::testing::read_bytes;
using tsumiki::testing::write_bytes;

// The name of this file, as Site records it in messages ("at test_bad_input.cpp:<line>").
const std::string kHere = "test_bad_input.cpp:";

Variable f32(const Shape& s) { return Variable(ones(s, Dtype::Float32), true); }
Variable f64(const Shape& s) { return Variable(ones(s, Dtype::Float64), true); }

class BadInput : public tsumiki::testing::ScratchDirTest {
 protected:
  // A Linear(3, 2) checkpoint with Adam state after one step.
  std::string good_checkpoint(const std::string& name) {
    nn::Linear model(3, 2);
    optim::Adam opt(model.parameters());
    sum(model(Variable(ones(Shape{4, 3})))).backward();
    opt.step();
    const std::string p = path(name);
    nn::save_checkpoint(p, model, &opt);
    return p;
  }
};

}  // namespace

// ---- shapes ----

TEST_F(BadInput, AddShapesThatDoNotBroadcast) {
  expect_error<Error>([] { add(f32({2, 3}), f32({4})); }, {"add", "(2, 3)", "(4,)", "broadcast", kHere});
}

TEST_F(BadInput, OperatorShapesNameTheUserLine) {
  expect_error<Error>([] { (void)(f32({2, 3}) * f32({3, 2})); }, {"mul", "(2, 3)", "(3, 2)", kHere});
}

TEST_F(BadInput, MatmulInnerDimensionsDiffer) {
  expect_error<Error>([] { matmul(f32({2, 3}), f32({4, 5})); }, {"matmul", "(2, 3)", "(4, 5)", kHere});
}

TEST_F(BadInput, MatmulOfAScalar) {
  expect_error<Error>([] { matmul(Variable(scalar_tensor(2.0)), f32({2, 2})); }, {"matmul", "()", kHere});
}

TEST_F(BadInput, ReshapeToADifferentElementCount) {
  expect_error<Error>([] { reshape(f32({2, 3}), Shape{4}); }, {"reshape", "(2, 3)", "(4,)", kHere});
}

TEST_F(BadInput, BroadcastToASmallerShape) {
  expect_error<Error>(
      [] {
        broadcast_to(f32({2, 3}), Shape{3, 3});
      },
      {"broadcast_to", "(2, 3)", "(3, 3)", kHere});
}

TEST_F(BadInput, ConcatOfMismatchedShapes) {
  expect_error<Error>([] { concat({f32({2, 3}), f32({2, 4})}, 0); }, {"concat", "(2, 3)", "(2, 4)", kHere});
}

TEST_F(BadInput, LinearGetsTheWrongWidth) {
  nn::Linear fc(3, 2);
  expect_error<Error>([&] { fc(Variable(ones(Shape{4, 5}))); }, {"Linear(3 -> 2)", "(4, 5)"});
}

TEST_F(BadInput, MseOfDifferentShapes) {
  expect_error<Error>(
      [] {
        mean_squared_error(f32({4, 2}), f32({4, 3}));
      },
      {"mean_squared_error", "(4, 2)", "(4, 3)", kHere});
}

// ---- axes and indices ----

TEST_F(BadInput, SumOverAnAxisPastTheRank) {
  expect_error<Error>(
      [] {
        sum(f32({2, 3}), {2});
      },
      {"sum", "axis 2", "out of range", "2 dimensions", kHere});
}

TEST_F(BadInput, SoftmaxOverANegativeAxisPastTheRank) {
  expect_error<Error>([] { softmax(f32({2, 3}), -3); }, {"axis -3", "out of range", kHere});
}

TEST_F(BadInput, MeanOverARepeatedAxis) {
  expect_error<Error>([] { mean(f32({2, 3}), {0, -2}); }, {"mean", "repeated axis", kHere});
}

TEST_F(BadInput, TransposeWithAnInvalidPermutation) {
  expect_error<Error>([] { transpose(f32({2, 3}), Axes{0, 0}); }, {"transpose", kHere});
  expect_error<Error>([] { transpose(f32({2, 3}), Axes{0}); }, {"transpose", kHere});
}

TEST_F(BadInput, GetItemIndexOutOfRange) {
  expect_error<Error>([] { get_item(f32({2, 3}), {std::int64_t{5}}); }, {"get_item", "5", "(2, 3)", kHere});
  expect_error<Error>([] { get_item(f32({2, 3}), {std::int64_t{-3}}); }, {"get_item", "-3", kHere});
}

TEST_F(BadInput, SliceWithStepZero) {
  expect_error<Error>([] { slice(f32({4}), 0, 0, 4, 0); }, {"step", kHere});
}

TEST_F(BadInput, SqueezeOfAnAxisThatIsNotOne) {
  expect_error<Error>([] { squeeze(f32({2, 3}), 1); }, {"squeeze", "(2, 3)", kHere});
}

TEST_F(BadInput, TakeWithFloatIndices) {
  expect_error<Error>([] { take(f32({4, 2}), ones(Shape{2}), 0); }, {"take", "int64", kHere});
}

// ---- dims, empty tensors, values ----

TEST_F(BadInput, LinearWithZeroFeatures) {
  expect_error<Error>([] { nn::Linear(0, 4); }, {"Linear", "positive", "0 -> 4"});
}

TEST_F(BadInput, FromVectorWithTheWrongCount) {
  expect_error<Error>([] { from_vector<float>({1, 2, 3}, Shape{2, 2}); }, {"from_vector", "3", "(2, 2)"});
}

TEST_F(BadInput, MaxOfAnEmptyAxis) {
  expect_error<Error>([] { max(Variable(zeros(Shape{0, 3})), {0}); }, {"max", "empty", "(0, 3)", kHere});
}

TEST_F(BadInput, MeanOfAnEmptyTensor) {
  expect_error<Error>([] { mean(Variable(zeros(Shape{0}))); }, {"mean", "empty", "(0,)", kHere});
}

TEST_F(BadInput, ArgmaxOfAnEmptyLastAxis) {
  expect_error<Error>([] { argmax(zeros(Shape{3, 0})); }, {"argmax", "empty", "(3, 0)", kHere});
}

TEST_F(BadInput, ItemOfANonScalar) {
  expect_error<Error>([] { f32({2}).item<float>(); }, {"item", "one element", "(2,)"});
}

TEST_F(BadInput, CrossEntropyLabelOutOfRange) {
  const Variable logits = f32({2, 3});
  const Variable labels(from_vector<std::int64_t>({0, 3}));
  expect_error<Error>([&] { softmax_cross_entropy(logits, labels); }, {"softmax_cross_entropy", "3", kHere});
  expect_error<Error>([] { one_hot(from_vector<std::int64_t>({0, -1}), 3); }, {"one_hot", "-1"});
}

TEST_F(BadInput, DataLoaderWithBatchSizeZero) {
  data::Dataset ds(zeros(Shape{4, 2}), zeros(Shape{4}, Dtype::Int64));
  expect_error<Error>([&] { data::DataLoader(ds, {.batch_size = 0}); }, {"DataLoader", "batch_size"});
  expect_error<Error>(
      [] {
        data::Dataset(zeros(Shape{4, 2}), zeros(Shape{3}, Dtype::Int64));
      },
      {"Dataset", "(4, 2)", "(3,)"});
}

// ---- dtypes ----

TEST_F(BadInput, MixedFloat32AndFloat64) {
  expect_error<Error>([] { add(f32({2}), f64({2})); },
                      {"add", "dtype mismatch", "float32", "float64", kHere});
}

TEST_F(BadInput, Int64IntoAFloatingOp) {
  const Variable labels(from_vector<std::int64_t>({1, 2}));
  expect_error<Error>([&] { exp(labels); }, {"exp", "floating", "int64", kHere});
}

TEST_F(BadInput, UndefinedVariableIntoAnOp) {
  expect_error<Error>([] { tanh(Variable()); }, {"tanh", "undefined", kHere});
}

// ---- the engine ----

TEST_F(BadInput, BackwardTwiceWithoutRetainGraph) {
  const Variable x = f64({3});
  const Variable y = sum(tanh(x) * x);
  y.backward();
  expect_error<GraphError>([&] { y.backward(); }, {"retain_graph"});
}

TEST_F(BadInput, BackwardOfANonScalar) {
  const Variable x = f64({2, 3});
  const Variable y = x * 2.0;
  expect_error<GraphError>([&] { y.backward(); }, {"backward", "(2, 3)"});
}

TEST_F(BadInput, BackwardWithAGradientOfTheWrongShape) {
  const Variable x = f64({2, 3});
  const Variable y = x * 2.0;
  expect_error<std::exception>(
      [&] {
        y.backward(Variable(ones(Shape{3, 2}, Dtype::Float64)));
      },
      {"(3, 2)", "(2, 3)"});
}

// A throw in BackwardPass's constructor must give back the scratch vectors it borrowed (LeakSanitizer checks
// this case in the sanitizer run).
TEST_F(BadInput, GradWithTooFewOutputGradients) {
  const Variable x = f64({3});
  const Variable y1 = sum(x * x), y2 = sum(x);
  expect_error<Error>(
      [&] {
        grad({y1, y2}, {x}, {Variable(scalar_tensor(1.0, Dtype::Float64))});
      },
      {"grad", "1 output gradients for 2 outputs"});
}

TEST_F(BadInput, OptimizerStepWithoutGradients) {
  nn::Linear fc(3, 2);
  optim::SGD opt(fc.parameters(), {.lr = 0.1});
  expect_error<GraphError>([&] { opt.step(); }, {"SGD", "step", "no parameter has a gradient", "backward()"});
}

TEST_F(BadInput, AnomalyModeNamesTheOpThatMadeANaN) {
  AnomalyGuard anomaly;
  const Variable x(from_vector<double>({1.0, -1.0}), true);
  expect_error<AnomalyError>([&] { log(x); }, {"'log'", "NaN", "forward", "(2,)", kHere});
}

TEST_F(BadInput, AnomalyModeCatchesANaNInput) {
  AnomalyGuard anomaly;
  const Variable x(from_vector<double>({1.0, std::nan("")}), true);
  expect_error<AnomalyError>([&] { sum(x * 2.0).backward(); }, {"NaN", "forward", kHere});
}

TEST_F(BadInput, AnomalyModeCatchesANaNMadeByABackward) {
  AnomalyGuard anomaly;
  const Variable x(from_vector<double>({0.0, 1.0}), true);
  const Variable y = sum(sqrt(x));  // finite forward, Inf gradient at 0
  expect_error<AnomalyError>([&] { y.backward(); }, {"'sqrt'", "backward", kHere});
}

// ---- checkpoints ----

TEST_F(BadInput, CheckpointThatIsMissing) {
  nn::Linear model(3, 2);
  const std::string p = path("nope.npz");
  expect_error<IOError>([&] { nn::load_checkpoint(p, model); }, {p, "cannot open"});
}

TEST_F(BadInput, CheckpointTruncated) {
  const std::string p = good_checkpoint("trunc.npz");
  auto bytes = read_bytes(p);
  bytes.resize(bytes.size() / 2);
  write_bytes(p, bytes);
  nn::Linear model(3, 2);
  expect_error<IOError>([&] { nn::load_checkpoint(p, model); }, {p});
}

TEST_F(BadInput, CheckpointWithCorruptedData) {
  const std::string p = good_checkpoint("corrupt.npz");
  auto bytes = read_bytes(p);
  nn::Linear model(3, 2);
  const auto before = model.W.data().to_vector<float>();
  // Damage in a local header (the zip's structure) and in the stored values of W (caught by the CRC). Only
  // the entries the model needs are read, so the damage goes where W's data is.
  const std::string text(bytes.begin(), bytes.end());
  const std::size_t w_entry = text.find("param.W.npy");
  ASSERT_NE(w_entry, std::string::npos);
  const std::size_t w_data = text.find("\x93NUMPY", w_entry) + 64;  // past W's npy header
  for (const std::size_t at : {std::size_t{40}, w_data}) {
    auto damaged = bytes;
    for (std::size_t i = at; i < at + 16 && i < damaged.size(); ++i) damaged[i] ^= 0x5A;  // W is 24 bytes
    write_bytes(p, damaged);
    expect_error<IOError>([&] { nn::load_checkpoint(p, model); }, {"load_npz", p});
    EXPECT_EQ(model.W.data().to_vector<float>(), before);
  }
}

TEST_F(BadInput, CheckpointOfAnotherModel) {
  const std::string p = good_checkpoint("other.npz");
  nn::Linear model(4, 2);
  expect_error<Error>([&] { nn::load_checkpoint(p, model); },
                      {p, "does not match the model", "W is float32 (3, 2) in the file but float32 (4, 2)"});
}

TEST_F(BadInput, CheckpointWithoutOptimizerState) {
  nn::Linear model(3, 2);
  const std::string p = path("model_only.npz");
  nn::save_checkpoint(p, model);
  optim::Adam opt(model.parameters());
  expect_error<Error>([&] { nn::load_checkpoint(p, model, &opt); }, {p, "no optimizer state"});
}

TEST_F(BadInput, NpzThatIsNotAZip) {
  const std::string p = path("text.npz");
  write_bytes(p, {'h', 'e', 'l', 'l', 'o'});
  expect_error<IOError>([&] { io::load_npz(p); }, {"load_npz", p, "not a valid zip archive"});
}

TEST_F(BadInput, SaveNpzWithDuplicateNames) {
  const std::string p = path("dup.npz");
  expect_error<Error>(
      [&] {
        io::save_npz(p, {{"a", zeros(Shape{1})}, {"a", zeros(Shape{2})}});
      },
      {"save_npz", p, "duplicate", "'a'"});
  EXPECT_FALSE(fs::exists(p));
}

// The optimizer's step count is restored from "optim.step". A value that no step count can have (negative,
// NaN, a float) must be refused, not cast: Tensor::item<std::int64_t> on a NaN or on 2^63 is undefined
// behaviour, and a negative count becomes 2^64 - 1 steps (Adam's bias correction then divides by ~0).
TEST_F(BadInput, CheckpointWithAnImpossibleStepCount) {
  nn::Linear model(3, 2);
  optim::Adam opt(model.parameters());
  sum(model(Variable(ones(Shape{1, 3})))).backward();
  opt.step();
  for (const Tensor& step : {scalar_tensor(-1, Dtype::Int64), scalar_tensor(std::nan(""), Dtype::Float64),
                             scalar_tensor(2.5, Dtype::Float32)}) {
    io::NamedTensors entries{
        {"param.W", model.W.data()},       {"param.b", model.b.data()},       {"optim.step", step},
        {"optim.W.m", zeros(Shape{3, 2})}, {"optim.W.v", zeros(Shape{3, 2})}, {"optim.b.m", zeros(Shape{2})},
        {"optim.b.v", zeros(Shape{2})}};
    const std::string p = path("step.npz");
    io::save_npz(p, entries);
    expect_error<Error>([&] { nn::load_checkpoint(p, model, &opt); }, {p, "step"});
    EXPECT_EQ(opt.steps(), 1u);
  }
}

// ---- IDX files ----

TEST_F(BadInput, IdxWithWrongMagic) {
  const std::string p = path("magic.idx");
  write_bytes(p, {0x01, 0x02, 0x08, 0x01, 0, 0, 0, 1, 7});
  expect_error<IOError>([&] { data::read_idx(p); }, {"read_idx", p, "bad magic"});
}

TEST_F(BadInput, IdxWithHugeDeclaredDimensions) {
  const std::string p = path("huge.idx");
  write_bytes(p, {0, 0, 0x08, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1});
  expect_error<IOError>([&] { data::read_idx(p); }, {p, "too large"});
}

TEST_F(BadInput, IdxWithMissingBytes) {
  const std::string p = path("short.idx");
  write_bytes(p, {0, 0, 0x0D, 1, 0, 0, 0, 4, 0x3F, 0x80, 0, 0});  // 4 floats declared, 1 present
  expect_error<IOError>([&] { data::read_idx(p); }, {p, "truncated", "expected 24 bytes", "got 12"});
}

TEST_F(BadInput, IdxFractionsIntoInt64) {
  const std::string p = path("frac.idx");
  write_bytes(p, {0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0});  // 1.5f
  expect_error<Error>([&] { data::read_idx(p, Dtype::Int64); }, {p, "1.5"});
}
