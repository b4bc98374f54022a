// Numerical gradient checks: compare autograd with central differences in float64.
//
//   auto r = tsumiki::gradcheck([](const Inputs& x) { return my_op(x[0], x[1]); }, {a, b});
//   if (!r) std::cerr << r.report;
//
// Inputs are converted to float64 copies that require grad. A non-scalar output is reduced with a fixed
// random weight, sum(w * f(x)), so every output element takes part. Small inputs get the full Jacobian
// (every element perturbed); large ones are checked along random directions (Chainer's check_backward).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "derivatives.hpp"
#include "variable.hpp"

namespace tsumiki {

struct GradcheckOptions {
  double eps = 1e-6;   // finite-difference step
  double atol = 1e-5;  // pass when |analytic - numeric| <= atol + rtol * |numeric|
  double rtol = 1e-4;
  std::size_t full_jacobian_limit = 256;  // inputs with at most this many elements in all: every element
  int directions = 4;                     // random directions for larger inputs
  std::uint64_t seed = 0;
  std::vector<bool> check_input;  // empty: check every floating input; else one flag per input
};

struct GradcheckResult {
  bool ok = true;
  std::string report;  // on failure: which input, which element, analytic, numeric, error
  double max_error = 0;
  explicit operator bool() const { return ok; }
};

// First derivatives of f at `inputs`.
GradcheckResult gradcheck(const Fn& f, const Inputs& inputs, const GradcheckOptions& options = {});

// Second derivatives: checks the gradient computed with create_graph, as a function of the inputs and a
// random output gradient, against central differences of that gradient.
GradcheckResult gradgradcheck(const Fn& f, const Inputs& inputs, const GradcheckOptions& options = {});

}  // namespace tsumiki
