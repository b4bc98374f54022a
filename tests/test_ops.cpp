// The op table: one row per (op, case). Every row runs, in float64,
//   (1) the forward against a reference computed independently with xtensor on xt::xarray<double>,
//   (2) gradcheck (autograd against central differences),
//   (3) gradgradcheck (second derivatives) unless the row says why not,
// (4) the forward in float32 against the float64 result, (5) NaN in each input reaching every output that
// depends on it, (6) +-Inf in each input giving the reference's limits, (7) forward mode (jvp) against
// central differences along a random direction, and (8) forward-over-reverse Hessian-vector products against
// reverse-over-reverse ones (unless the row says why second derivatives are not checked).
// OpTable.EveryRegisteredOpHasARow fails when a primitive registered with TSUMIKI_PRIMITIVE has no row.
//
// The rows live in tests/op_table/, one file per op family (rows_<family>.cpp, declared in op_table.hpp);
// this file draws the inputs and runs the checks.
//
// Inputs are drawn uniformly from the row's domain with a fixed seed, then rounded to float32-representable
// values, so the float32 and float64 forwards start from the same numbers and differ only by arithmetic.
// Domains keep away from the places where an op is not differentiable (0 for abs/relu, the bounds for clip,
// ties for max/min/maximum/minimum), so central differences are valid there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <tsumiki.hpp>
#include <tsumiki/autograd/gradcheck_gtest.hpp>
#include <tsumiki/autograd/xtensor_interop.hpp>
#include <vector>
#include <xtensor/xarray.hpp>
#include <xtensor/xmath.hpp>

#include "op_table/op_table.hpp"

namespace {

namespace ts = tsumiki;
using op_table::dims;
using op_table::Domain;
using op_table::Row;
using op_table::U;
using op_table::XA;
using ts::Dtype;
using ts::Inputs;
using ts::Shape;
using ts::Tensor;
using ts::Variable;

std::string test_name(const Row& row) {
  std::string name = row.op + "_" + row.label;
  for (char& c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ok) c = '_';
  }
  return name;
}

constexpr std::uint64_t kSeed = 0x7473756d696b69ULL;  // "tsumiki"

// ---------------------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------------------

// The families in tests/op_table/: a new op's rows go into its family's file, not here.
std::vector<Row> make_rows() {
  std::vector<Row> rows;
  for (auto family :
       {op_table::arithmetic_rows, op_table::math_rows, op_table::matmul_rows, op_table::shape_rows,
        op_table::reduce_rows, op_table::indexing_rows, op_table::conv_rows, op_table::pooling_rows,
        op_table::checkpoint_rows, op_table::composite_rows, op_table::activations_rows,
        op_table::losses_rows, op_table::sequence_rows}) {
    std::vector<Row> part = family();
    rows.insert(rows.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  }
  return rows;
}

const std::vector<Row>& all_rows() {
  static const std::vector<Row> rows = make_rows();
  return rows;
}

// ---------------------------------------------------------------------------------------------------------
// Inputs and comparisons
// ---------------------------------------------------------------------------------------------------------

double sample(const Domain& d,
              double u) {  // u in [0, 1): a point of the union at that fraction of its length
  double total = 0;
  for (const auto& p : d.parts) total += p.hi - p.lo;
  double t = u * total;
  for (const auto& p : d.parts) {
    if (t <= p.hi - p.lo) return p.lo + t;
    t -= p.hi - p.lo;
  }
  return d.parts.back().hi;
}

// Values rounded to float32, so float32 and float64 runs see the same inputs.
double to_f32(double v) { return static_cast<double>(static_cast<float>(v)); }

std::vector<XA> draw_inputs(const Row& row) {
  std::mt19937_64 gen(kSeed);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  auto domain = [&row](std::size_t i) -> const Domain& {
    return row.domains.size() == 1 ? row.domains[0] : row.domains.at(i);
  };
  std::vector<XA> out;
  for (const auto& s : row.shapes) out.push_back(XA::from_shape(dims(s)));
  if (row.distinct) {
    // Stratified over the first domain: one value in the middle half of each of N equal strata, shuffled, so
    // any two values are at least half a stratum apart.
    std::size_t n = 0;
    for (const auto& a : out) n += a.size();
    std::vector<double> values(n);
    for (std::size_t i = 0; i < n; ++i)
      values[i] = to_f32(
          sample(domain(0), (static_cast<double>(i) + 0.25 + 0.5 * unif(gen)) / static_cast<double>(n)));
    std::shuffle(values.begin(), values.end(), gen);
    std::size_t k = 0;
    for (auto& a : out)
      for (auto& v : a) v = values[k++];
  } else {
    for (std::size_t i = 0; i < out.size(); ++i)
      for (auto& v : out[i]) v = to_f32(sample(domain(i), unif(gen)));
  }
  return out;
}

Inputs make_inputs(const std::vector<XA>& values, Dtype dtype) {
  Inputs in;
  for (const auto& a : values) in.emplace_back(ts::from_xarray(a).to(dtype), true);
  return in;
}

std::string shape_string(const std::vector<std::size_t>& s) {
  std::ostringstream os;
  os << "(";
  for (std::size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << ")";
  return os.str();
}

// |got - want| <= rtol * max(1, |want|) elementwise, and the shapes equal.
::testing::AssertionResult near(const Tensor& got, const XA& want, double rtol) {
  std::vector<std::size_t> gs = got.shape().to_vector();
  std::vector<std::size_t> ws(want.shape().begin(), want.shape().end());
  if (gs != ws)
    return ::testing::AssertionFailure() << "shape " << shape_string(gs) << ", expected " << shape_string(ws);
  std::vector<double> w(want.begin(), want.end());
  double worst = 0;
  std::size_t worst_i = 0;
  bool ok = true;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double g = got.flat(i);
    const double err = std::abs(g - w[i]);
    const double tol = rtol * std::max(1.0, std::abs(w[i]));
    if (!(err <= tol)) {  // NaN fails too
      if (ok || err > worst || std::isnan(err)) {
        worst = err;
        worst_i = i;
      }
      ok = false;
    }
  }
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "element " << worst_i << " (flat) is " << got.flat(worst_i) << ", expected " << w[worst_i]
         << " (error " << worst << ", rtol " << rtol << ")";
}

// ---------------------------------------------------------------------------------------------------------
// The parameterised suite
// ---------------------------------------------------------------------------------------------------------

class OpTest : public ::testing::TestWithParam<Row> {};

TEST_P(OpTest, ForwardFloat64MatchesReference) {
  const Row& row = GetParam();
  const std::vector<XA> x = draw_inputs(row);
  const XA want = row.ref(x);
  Variable y = row.fn(make_inputs(x, Dtype::Float64));
  ASSERT_TRUE(y.defined());
  EXPECT_EQ(y.dtype(), Dtype::Float64);
  EXPECT_TRUE(near(y.data(), want, 1e-10));
}

TEST_P(OpTest, Gradcheck) {
  const Row& row = GetParam();
  const Inputs in = make_inputs(draw_inputs(row), Dtype::Float64);
  EXPECT_GRADCHECK(row.fn, in);
}

TEST_P(OpTest, Gradgradcheck) {
  const Row& row = GetParam();
  if (!row.no_gradgrad.empty()) GTEST_SKIP() << row.no_gradgrad;
  const Inputs in = make_inputs(draw_inputs(row), Dtype::Float64);
  EXPECT_GRADGRADCHECK(row.fn, in);
}

TEST_P(OpTest, ForwardFloat32MatchesFloat64) {
  const Row& row = GetParam();
  const std::vector<XA> x = draw_inputs(row);
  Variable y64 = row.fn(make_inputs(x, Dtype::Float64));
  Variable y32 = row.fn(make_inputs(x, Dtype::Float32));
  ASSERT_TRUE(y32.defined());
  EXPECT_EQ(y32.dtype(), Dtype::Float32);
  EXPECT_TRUE(near(y32.data(), ts::to_xarray<double>(y64.data()), 1e-5));
}

// Non-finite inputs, one element at a time (the middle element of each input in turn).
std::vector<XA> with_value(std::vector<XA> x, std::size_t input, double value) {
  x[input].flat(x[input].size() / 2) = value;
  return x;
}

// (5) NaN propagates as in IEEE arithmetic and PyTorch: every output element that depends on the NaN element
// (it moves when that element moves) is NaN, so a bad input never reads as an ordinary number.
TEST_P(OpTest, NaNReachesEveryOutputThatDependsOnIt) {
  const Row& row = GetParam();
  if (!row.no_nan.empty()) GTEST_SKIP() << row.no_nan;
  const std::vector<XA> x = draw_inputs(row);
  const auto values = [&row](const std::vector<XA>& in) {
    return row.fn(make_inputs(in, Dtype::Float64)).data().to_vector<double>();
  };
  const std::vector<double> y = values(x);
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double v = x[k].flat(x[k].size() / 2);
    const std::vector<double> moved = values(with_value(x, k, v + 1e-3 * std::max(1.0, std::abs(v))));
    const std::vector<double> poisoned = values(with_value(x, k, std::nan("")));
    ASSERT_EQ(poisoned.size(), y.size());
    for (std::size_t i = 0; i < y.size(); ++i)
      if (moved[i] != y[i])
        EXPECT_TRUE(std::isnan(poisoned[i])) << "output element " << i << " depends on input " << k
                                             << " but reads " << poisoned[i] << " when that input is NaN";
  }
}

// (6) An infinite input gives what the reference gives on it (an infinity, a limit, or NaN where IEEE
// arithmetic has no answer).
TEST_P(OpTest, InfinityGivesTheReferenceLimit) {
  const Row& row = GetParam();
  if (!row.no_infinity.empty()) GTEST_SKIP() << row.no_infinity;
  const std::vector<XA> x = draw_inputs(row);
  for (std::size_t k = 0; k < x.size(); ++k)
    for (const double inf : {HUGE_VAL, -HUGE_VAL}) {
      const std::vector<XA> in = with_value(x, k, inf);
      const XA want = row.ref(in);
      const std::vector<double> got = row.fn(make_inputs(in, Dtype::Float64)).data().to_vector<double>();
      ASSERT_EQ(got.size(), want.size());
      std::size_t i = 0;
      for (const double w : want) {
        const double g = got[i];
        const bool same = (std::isnan(w) && std::isnan(g)) || g == w ||
                          std::abs(g - w) <= 1e-10 * std::max(1.0, std::abs(w));
        EXPECT_TRUE(same) << "input " << k << " = " << inf << ": output element " << i << " is " << g
                          << ", the reference gives " << w;
        ++i;
      }
    }
}

// A random direction per input, drawn with the table's seed.
Inputs random_directions(const Inputs& in, std::uint64_t salt) {
  std::mt19937_64 gen(kSeed + salt);
  std::normal_distribution<double> normal;
  Inputs v;
  for (const Variable& x : in) {
    std::vector<double> d(x.numel());
    for (double& e : d) e = normal(gen);
    v.emplace_back(ts::from_vector<double>(d, x.shape()));
  }
  return v;
}

Inputs moved(const Inputs& in, const Inputs& v, double h) {
  Inputs out;
  for (std::size_t i = 0; i < in.size(); ++i) out.emplace_back((in[i] + h * v[i]).data(), true);
  return out;
}

// |a - b| <= atol + rtol |b| elementwise, and the shapes equal.
::testing::AssertionResult close(const Variable& a, const Variable& b, double atol, double rtol) {
  if (a.shape() != b.shape())
    return ::testing::AssertionFailure()
           << "shape " << ts::to_string(a.shape()) << ", expected " << ts::to_string(b.shape());
  const auto x = a.data().to_vector<double>(), y = b.data().to_vector<double>();
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!(std::abs(x[i] - y[i]) <= atol + rtol * std::abs(y[i])))
      return ::testing::AssertionFailure()
             << "element " << i << " (flat) is " << x[i] << ", expected " << y[i];
  return ::testing::AssertionSuccess();
}

// (7) Forward mode: jvp along a random direction equals the central difference of f along it.
TEST_P(OpTest, JvpMatchesCentralDifferences) {
  const Row& row = GetParam();
  const Inputs in = make_inputs(draw_inputs(row), Dtype::Float64);
  const Inputs v = random_directions(in, 7);
  const auto [y, jv] = ts::jvp(row.fn, in, v);
  EXPECT_TRUE(close(y, row.fn(in), 0, 0));
  const double h = 1e-6;
  const Variable numeric = (row.fn(moved(in, v, h)) - row.fn(moved(in, v, -h))) / (2 * h);
  EXPECT_TRUE(close(jv, numeric, 1e-5, 1e-4));
}

// (8) Second derivatives both ways: for s = sum(w * f(x)) with a fixed random w, the forward-mode derivative
// of the gradient along v equals the gradient of <grad s, v>.
TEST_P(OpTest, ForwardOverReverseMatchesReverseOverReverse) {
  const Row& row = GetParam();
  if (!row.no_gradgrad.empty()) GTEST_SKIP() << row.no_gradgrad;
  const Inputs in = make_inputs(draw_inputs(row), Dtype::Float64);
  const Variable w = random_directions({row.fn(in)}, 8)[0];
  const ts::Fn s = [&](const Inputs& x) { return ts::sum(w * row.fn(x)); };
  const Inputs v = random_directions(in, 9);
  const auto reverse = ts::hvp(s, in, v);
  const auto forward = ts::hvp(s, in, v, {.second_order = ts::SecondOrder::ForwardOverReverse});
  ASSERT_EQ(forward.size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) EXPECT_TRUE(close(forward[i], reverse[i], 1e-10, 1e-9)) << i;
}

INSTANTIATE_TEST_SUITE_P(Ops, OpTest, ::testing::ValuesIn(all_rows()),
                         [](const ::testing::TestParamInfo<Row>& info) { return test_name(info.param); });

// ---------------------------------------------------------------------------------------------------------
// The table itself
// ---------------------------------------------------------------------------------------------------------

TEST(OpTable, EveryRegisteredOpHasARow) {
  const auto& registered = ts::registered_ops();
  ASSERT_FALSE(registered.empty()) << "no op registered: TSUMIKI_PRIMITIVE is not reaching the registry";
  for (const auto& name : registered) {
    const bool found =
        std::any_of(all_rows().begin(), all_rows().end(), [&name](const Row& r) { return r.op == name; });
    EXPECT_TRUE(found) << "registered op '" << name << "' has no row in tests/op_table/rows_*.cpp";
  }
}

// The primitives the design names are all registered (a primitive that forgot TSUMIKI_PRIMITIVE would
// escape the check above).
TEST(OpTable, KnownPrimitivesAreRegistered) {
  const std::vector<std::string> primitives = {"add",
                                               "sub",
                                               "mul",
                                               "div",
                                               "neg",
                                               "pow",
                                               "exp",
                                               "log",
                                               "sqrt",
                                               "abs",
                                               "sin",
                                               "cos",
                                               "tanh",
                                               "sigmoid",
                                               "softplus",
                                               "relu",
                                               "maximum",
                                               "minimum",
                                               "clip",
                                               "where",
                                               "matmul",
                                               "reshape",
                                               "transpose",
                                               "broadcast_to",
                                               "sum_to",
                                               "sum",
                                               "max",
                                               "min",
                                               "get_item",
                                               "get_item_backward",
                                               "take",
                                               "take_backward",
                                               "concat",
                                               "im2col",
                                               "col2im",
                                               "max_pool2d",
                                               "max_pool2d_backward",
                                               "log1p",
                                               "expm1",
                                               "erf",
                                               "silu",
                                               "gelu",
                                               "norm",
                                               "cumsum",
                                               "gather",
                                               "scatter_add"};
  const auto& registered = ts::registered_ops();
  for (const auto& name : primitives)
    EXPECT_NE(std::find(registered.begin(), registered.end(), name), registered.end())
        << "primitive '" << name << "' is not registered";
}

TEST(OpTable, TestNamesAreUniqueAndEveryRowIsWellFormed) {
  std::vector<std::string> names;
  for (const Row& r : all_rows()) {
    names.push_back(test_name(r));
    EXPECT_TRUE(r.fn) << test_name(r);
    EXPECT_TRUE(r.ref) << test_name(r);
    EXPECT_FALSE(r.shapes.empty()) << test_name(r);
    EXPECT_TRUE(r.domains.size() == 1 || r.domains.size() == r.shapes.size()) << test_name(r);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end()) << "two rows share a test name";
}

// The checks the table relies on can fail: a deliberately wrong backward (exp with gradient gy * 2) is
// caught.
TEST(OpTable, GradcheckRejectsAWrongBackward) {
  ts::Fn wrong_exp = [](const Inputs& x) {
    const Variable& in = x[0];
    return ts::apply(
        "wrong_exp_for_test", {in}, ts::Site::current(),
        [&in] {
          Tensor out = in.data().to(Dtype::Float64).clone();
          double* p = out.data<double>();
          for (std::size_t i = 0; i < out.numel(); ++i) p[i] = std::exp(p[i]);
          return out;
        },
        [](const ts::Function&, const Variable& gy) { return ts::Grads{gy * 2.0}; });
  };
  Row row;
  row.shapes = {Shape{3}};
  row.domains = {U(-1, 1)};
  const Inputs in = make_inputs(draw_inputs(row), Dtype::Float64);
  EXPECT_FALSE(ts::gradcheck(wrong_exp, in).ok);
  // A backward that is right to first order but detaches what it saved: gradcheck passes, gradgradcheck must
  // not.
  ts::Fn detached_exp = [](const Inputs& x) {
    const Variable& in = x[0];
    return ts::apply(
        "detached_exp_for_test", {in}, ts::Site::current(),
        [&in] {
          Tensor out = in.data().to(Dtype::Float64).clone();
          double* p = out.data<double>();
          for (std::size_t i = 0; i < out.numel(); ++i) p[i] = std::exp(p[i]);
          return out;
        },
        [](const ts::Function& f, const Variable& gy) { return ts::Grads{gy * f.output().detach()}; });
  };
  EXPECT_TRUE(ts::gradcheck(detached_exp, in).ok);
  EXPECT_FALSE(ts::gradgradcheck(detached_exp, in).ok);
  // The forward-mode column sees the wrong backward too: J v is built from it.
  const Inputs v = random_directions(in, 7);
  const Variable numeric = (wrong_exp(moved(in, v, 1e-6)) - wrong_exp(moved(in, v, -1e-6))) / 2e-6;
  EXPECT_FALSE(close(ts::jvp(wrong_exp, in, v).second, numeric, 1e-5, 1e-4));
  // ... and the forward comparison is not vacuous either.
  EXPECT_FALSE(near(ts::exp(in[0]).data(), XA(xt::exp(ts::to_xarray<double>(in[0].data())) + 1e-6), 1e-10));
}

}  // namespace
