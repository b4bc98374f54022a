// Reverse-mode differentiation: the functional form of backward.
#pragma once

#include <optional>
#include <vector>

#include "variable.hpp"

namespace tsumiki {

struct GradOptions {
  bool create_graph = false;  // record the backward pass (for higher-order derivatives)
  // Keep saved values for another pass; unset means "same as create_graph", as in PyTorch.
  std::optional<bool> retain_graph;
  bool allow_unused =
      false;  // an input the outputs do not depend on gets an undefined gradient, not an error
  // Such an input gets zeros of its shape instead of an undefined gradient (implies allow_unused; PyTorch's
  // materialize_grads).
  bool materialize_grads = false;
};

// Gradients of sum_i <grad_outputs[i], outputs[i]> with respect to each input. Leaves' grad() is untouched.
// grad_outputs may be empty when every output is a scalar (ones are used). An output that does not require
// grad depends on no input: an error names it, unless allow_unused (then it adds nothing).
std::vector<Variable> grad(const std::vector<Variable>& outputs, const std::vector<Variable>& inputs,
                           const std::vector<Variable>& grad_outputs = {}, const GradOptions& options = {});

// Single output, single input convenience form.
Variable grad(const Variable& output, const Variable& input, const GradOptions& options = {});

}  // namespace tsumiki
