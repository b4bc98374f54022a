// One backward pass over a recorded graph, run a function at a time (internal). backward(), grad() and the
// step-through debugger (autograd/debug/stepper.hpp) all drive this one class.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "../function.hpp"

namespace tsumiki {

class BackwardPass {
 public:
  // inputs == nullptr: accumulate into leaves' grad() (backward); otherwise return their gradients (grad).
  BackwardPass(const std::vector<Variable>& outputs, const std::vector<Variable>& grad_outputs,
               const std::vector<Variable>* inputs, bool retain_graph, bool create_graph);
  ~BackwardPass();  // a pass left unfinished drops its partial gradients
  BackwardPass(const BackwardPass&) = delete;
  BackwardPass& operator=(const BackwardPass&) = delete;

  bool done() const { return heap_.empty(); }
  const Function* upcoming() const { return heap_.empty() ? nullptr : heap_.front().fn; }
  // Runs the function with the highest generation; returns what it saw and produced.
  struct Step {
    std::shared_ptr<Function> fn;
    VariableList inputs;  // captured before a release drops them
    Variable output, output_grad;
    Grads input_grads;
  };
  // `record`, when given, receives what the step saw (for the stepper; backward() passes nullptr).
  void step(Step* record = nullptr);
  // After the last step: stores leaf gradients (backward) or returns the inputs' gradients (grad).
  std::vector<Variable> finish();

 private:
  // Raw pointers: touched_ holds the output alive, and the output's creator holds the function.
  struct Entry {
    int generation;
    std::uint64_t order;
    Function* fn;
    VariableImpl* output;
  };
  static bool later(const Entry& a, const Entry& b);
  void accumulate(const std::shared_ptr<VariableImpl>& x, const Variable& g);
  void schedule(const std::shared_ptr<VariableImpl>& x);
  int requested(const VariableImpl* x) const;
  static Variable apply_hooks(VariableImpl& x, Variable g);
  void clear();

  const std::vector<Variable>* inputs_;
  bool retain_graph_, create_graph_;
  std::uint64_t epoch_, order_ = 0;
  // Every Variable given a pending gradient. Both vectors are borrowed from a per-thread spare list, so a
  // pass does not grow fresh ones on every call.
  std::vector<std::shared_ptr<VariableImpl>>& touched_;
  std::vector<Entry>& heap_;
  std::vector<Variable> results_;
};

}  // namespace tsumiki
