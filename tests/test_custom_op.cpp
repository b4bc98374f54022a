// Ops defined in user code with apply(): gradients and second derivatives against central differences,
// saved tensors, non-differentiable inputs, and the errors a wrong backward gets.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <tsumiki.hpp>
#include <tsumiki/autograd/gradcheck_gtest.hpp>

#include "../examples/custom_op/ops.hpp"

namespace ts = tsumiki;
using ts::Dtype;
using ts::Variable;

namespace {

Variable randn64(const ts::Shape& shape, std::uint64_t seed) {
  ts::Generator gen(seed);
  return Variable(ts::randn(shape, Dtype::Float64, gen), true);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(CustomOp, CubeMatchesItsClosedFormAndChecksToSecondOrder) {
  const Variable x(ts::from_vector<double>({-2, 0.5, 3}), true);
  const Variable y = custom::cube(x);
  EXPECT_EQ(y.data().to_vector<double>(), (std::vector<double>{-8, 0.125, 27}));
  ts::sum(y).backward();
  EXPECT_EQ(x.grad().data().to_vector<double>(), (std::vector<double>{12, 0.75, 27}));
  EXPECT_GRADCHECK([](const ts::Inputs& in) { return custom::cube(in[0]); }, {randn64({2, 3}, 1)});
  EXPECT_GRADGRADCHECK([](const ts::Inputs& in) { return custom::cube(in[0]); }, {randn64({2, 3}, 2)});
}

TEST(CustomOp, RowMaxUsesTheArgmaxItsForwardSaved) {
  const Variable x(ts::from_vector<double>({1, 5, 2, 7, -1, 3}, {2, 3}), true);
  const Variable y = custom::row_max(x);
  EXPECT_EQ(y.data().to_vector<double>(), (std::vector<double>{5, 7}));
  ASSERT_NE(y.creator(), nullptr);
  ASSERT_EQ(y.creator()->num_saved(), 1u);
  EXPECT_EQ(y.creator()->saved(0).to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 0}));
  ts::sum(y * y).backward();
  EXPECT_EQ(x.grad().data().to_vector<double>(), (std::vector<double>{0, 10, 0, 14, 0, 0}));
  EXPECT_GRADCHECK([](const ts::Inputs& in) { return custom::row_max(in[0]); }, {randn64({4, 5}, 3)});
  EXPECT_GRADGRADCHECK([](const ts::Inputs& in) { return custom::row_max(custom::cube(in[0])); },
                       {randn64({4, 5}, 4)});
}

TEST(CustomOp, SavedTensorsAreFreedAfterBackwardUnlessRetained) {
  const Variable x = randn64({2, 3}, 5);
  const Variable y = ts::sum(custom::row_max(x));
  y.backward(ts::BackwardOptions{.retain_graph = true});
  y.backward();  // retained: a second pass works
  EXPECT_EQ(x.grad().data().to_vector<double>().size(), 6u);
  const std::string msg = error_of([&] { y.backward(); });
  EXPECT_NE(msg.find("retain_graph"), std::string::npos) << msg;
}

TEST(CustomOp, NonDifferentiableInputsGetNoGradient) {
  const Variable x(ts::from_vector<double>({1, 2, 3}), true);
  const Variable mask(ts::from_vector<double>({1, 0, 1}), true);
  ts::sum(custom::masked_scale(x, mask, 2.0)).backward();
  EXPECT_EQ(x.grad().data().to_vector<double>(), (std::vector<double>{2, 0, 2}));
  EXPECT_FALSE(mask.grad().defined());
  EXPECT_GRADCHECK([&](const ts::Inputs& in) { return custom::masked_scale(in[0], mask.detach(), 2.0); },
                   {randn64({3}, 6)});
  // An index out of range is the op's error, with the user's line.
  const std::string msg = error_of([&] {
    ts::apply(
        "bad_marking", {x}, ts::Site::current(), [&] { return x.data(); },
        [](const ts::Function&, const Variable& gy) { return ts::Grads{gy}; }, {.non_differentiable = {3}});
  });
  EXPECT_NE(msg.find("bad_marking: non_differentiable names input 3 of 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("test_custom_op.cpp:"), std::string::npos) << msg;
}

TEST(CustomOp, AWrongGradientShapeNamesTheOpTheInputAndBothShapes) {
  const Variable w = randn64({3}, 7);
  const Variable b = randn64({2}, 8);
  const Variable y = ts::apply(
      "my_broken_op", {b, w}, ts::Site::current(), [&] { return w.data().clone(); },
      [](const ts::Function&, const Variable& gy) {
        return ts::Grads{Variable(), ts::concat({gy, gy, gy})};
      });
  const std::string msg = error_of([&] { ts::sum(y).backward(); });
  EXPECT_NE(msg.find("backward of 'my_broken_op'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("float64 (9,) for input 1, a float64 (3,)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("test_custom_op.cpp:"), std::string::npos) << msg;
}

TEST(CustomOp, AGradientThatOnlyBroadcastsIsSummedToTheInput) {
  // A gradient of a shape the input broadcasts to is reduced (sum_to), as for the library's own ops.
  const Variable w = randn64({3}, 9);
  const Variable y = ts::apply(
      "broadcasting_grad", {w}, ts::Site::current(), [&] { return w.data().clone(); },
      [](const ts::Function&, const Variable& gy) {
        return ts::Grads{ts::broadcast_to(gy, ts::Shape{2, 3})};
      });
  ts::sum(y).backward();
  EXPECT_EQ(w.grad().data().to_vector<double>(), (std::vector<double>{2, 2, 2}));
}

TEST(CustomOp, AWrongGradientDtypeIsAnError) {
  const Variable w = randn64({3}, 10);
  const Variable y = ts::apply(
      "dtype_changing", {w}, ts::Site::current(), [&] { return w.data().clone(); },
      [](const ts::Function&, const Variable& gy) {
        return ts::Grads{Variable(gy.data().to(Dtype::Float32))};
      });
  const std::string msg = error_of([&] { ts::sum(y).backward(); });
  EXPECT_NE(msg.find("float32 (3,) for input 0, a float64 (3,)"), std::string::npos) << msg;
}

TEST(CustomOp, MaxPoolRunsItsKernelInsideApplySoTheProfilerSeesIt) {
  ts::Generator gen(11);
  const Variable x(ts::randn({4, 8, 32, 32}, Dtype::Float32, gen), true);
  ts::OpProfiler prof;
  const Variable y = ts::max_pool2d(x, 2);
  const auto stats = prof.stats();
  ASSERT_TRUE(stats.count("max_pool2d"));
  EXPECT_EQ(stats.at("max_pool2d").forward.calls, 1u);
  EXPECT_EQ(stats.at("max_pool2d").forward.bytes, y.data().nbytes());
  EXPECT_GT(stats.at("max_pool2d").forward.seconds, 0.0);
}
