// What a function reads from outside while it runs without recording (internal; for checkpoint).
//
// Under NoGradGuard no op records, so nothing a function computes requires grad: an op input that does is
// one the function read from outside (a parameter it closes over, or a Variable of the enclosing graph).
// checkpoint() runs its function inside a CaptureScope to learn those, since its recomputation must give
// them their gradients.
#pragma once

#include <vector>

#include "../variable.hpp"
#include "../variable_list.hpp"

namespace tsumiki::detail {

extern thread_local std::vector<Variable>* captured_inputs;

class CaptureScope {
 public:
  explicit CaptureScope(std::vector<Variable>& into) : previous_(captured_inputs) { captured_inputs = &into; }
  ~CaptureScope() { captured_inputs = previous_; }
  CaptureScope(const CaptureScope&) = delete;
  CaptureScope& operator=(const CaptureScope&) = delete;

 private:
  std::vector<Variable>* previous_;
};

// Adds the inputs that require grad to *captured_inputs, each Variable once.
void capture(const VariableList& inputs);

}  // namespace tsumiki::detail
