// Writing your own op: three ops defined in user code (examples/custom_op/ops.hpp), their gradients and
// second derivatives checked against central differences, and the error a wrong backward gets.
//
//   build/examples/custom_op
#include <cstdio>
#include <exception>
#include <tsumiki.hpp>

#include "custom_op/ops.hpp"

using namespace tsumiki;

namespace {

void report(const char* what, const GradcheckResult& r) {
  std::printf("%-28s %s (max error %.2e)\n", what, r.ok ? "ok" : "FAILED", r.max_error);
  if (!r.ok) std::printf("%s\n", r.report.c_str());
}

}  // namespace

int main() {
  Generator gen(7);
  const Variable x(randn({3, 4}, Dtype::Float64, gen), true);

  // Values and first derivatives.
  const Variable y = custom::row_max(custom::cube(x));
  sum(y).backward();
  std::printf("row_max(cube(x)) = %s\n", to_string(y.shape()).c_str());
  for (std::size_t i = 0; i < 3; ++i) std::printf("  row %zu: %+.6f\n", i, y.data().flat(i));
  std::printf("x.grad has %zu non-zero entries (one per row)\n", [&] {
    std::size_t n = 0;
    for (std::size_t i = 0; i < x.grad().numel(); ++i) n += x.grad().data().flat(i) != 0;
    return n;
  }());

  // Gradients and second derivatives against central differences (float64).
  report("gradcheck cube", gradcheck([](const Inputs& in) { return custom::cube(in[0]); }, {x}));
  report("gradgradcheck cube", gradgradcheck([](const Inputs& in) { return custom::cube(in[0]); }, {x}));
  report("gradcheck row_max", gradcheck([](const Inputs& in) { return custom::row_max(in[0]); }, {x}));
  report("gradgradcheck row_max o cube",
         gradgradcheck([](const Inputs& in) { return custom::row_max(custom::cube(in[0])); }, {x}));
  const Variable mask(from_vector<double>({1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0}, {3, 4}));
  report("gradcheck masked_scale",
         gradcheck([&](const Inputs& in) { return custom::masked_scale(in[0], mask, 2.5); }, {x}));

  // The mask is marked non-differentiable: even a mask that requires grad gets none.
  const Variable m(mask.data(), true);
  const Variable xm(x.data(), true);
  sum(custom::masked_scale(xm, m, 2.5)).backward();
  std::printf("mask gets a gradient: %s\n", m.grad().defined() ? "yes" : "no");

  // A backward that returns a gradient of the wrong shape names the op, the input and both shapes.
  const Variable w(randn({3}, Dtype::Float64, gen), true);
  const Variable bad = apply(
      "broken", {w}, Site::current(), [&] { return w.data().clone(); },
      [](const Function&, const Variable& gy) {
        return Grads{concat({gy, gy, gy})};
      });
  try {
    bad.backward(Variable(ones({3}, Dtype::Float64)));
  } catch (const std::exception& e) {
    std::printf("wrong backward: %s\n", e.what());
  }
  return 0;
}
