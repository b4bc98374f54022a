// One backward pass over a recorded graph, run a function at a time (internal). backward(), grad() and the
// step-through debugger (autograd/debug/stepper.hpp) all drive this one class.
//
// Every gradient a pass accumulates lives in the pass (slots_), never in a shared node, so passes on several
// threads may run over graphs that share read-only leaves (parameters). An intermediate's slot is found
// through its creator (Function::pass_slot_, valid for this pass's epoch); a leaf's through leaf_slots_.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_set>
#include <vector>

#include "../function.hpp"

namespace tsumiki {

class BackwardPass {
 public:
  // inputs == nullptr: accumulate into leaves' grad() (backward); otherwise return their gradients (grad).
  // stop_at_inputs: the inputs are taken as independent, so nothing flows past one to another (partial
  // derivatives, as a backward formula needs them: checkpoint's recomputation differentiates with respect to
  // its inputs and the Variables its function reads, without walking into the enclosing graph).
  BackwardPass(const std::vector<Variable>& outputs, const std::vector<Variable>& grad_outputs,
               const std::vector<Variable>* inputs, bool retain_graph, bool create_graph,
               bool stop_at_inputs = false);
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
  // Raw pointers: slots_ holds the output alive, and the output's creator holds the function.
  struct Entry {
    int generation;
    std::uint64_t order;
    Function* fn;
    VariableImpl* output;
    std::uint32_t slot;  // the output's gradient in slots_
  };
  // A Variable given a gradient in this pass; x keeps it alive until the pass ends.
  struct Slot {
    std::shared_ptr<VariableImpl> x;
    Variable grad;
  };
  struct LeafSlot {
    const VariableImpl* x;
    std::uint32_t slot;
  };
  static bool later(const Entry& a, const Entry& b);
  // Adds g to x's gradient; the first gradient of an intermediate queues its creator.
  void accumulate(const std::shared_ptr<VariableImpl>& x, const Variable& g);
  int requested(const VariableImpl* x) const;
  // grad() only: the functions that lie on a path from an output to a requested input. The others are
  // neither queued nor run, so a pass never reaches past its inputs (a pass nested in a backward formula
  // leaves the outer graph's nodes alone) and does no work whose result nobody asked for.
  void find_needed(const std::vector<Variable>& outputs);
  bool needed(const Function* f) const { return !inputs_ || needed_.count(f) != 0; }
  static Variable apply_hooks(VariableImpl& x, Variable g);
  static void adopt(Variable& g, const VariableImpl& owner);
  void clear();

  const std::vector<Variable>* inputs_;
  bool retain_graph_, create_graph_, stop_at_inputs_;
  std::uint64_t epoch_, order_ = 0;
  // The vectors are borrowed from a per-thread spare list, so a pass does not grow fresh ones on every call.
  std::vector<Slot>& slots_;
  std::vector<LeafSlot>& leaf_slots_;  // few per pass (the parameters): searched linearly
  std::vector<Entry>& heap_;
  std::vector<Variable> results_;
  std::unordered_set<const Function*> needed_;
};

}  // namespace tsumiki
