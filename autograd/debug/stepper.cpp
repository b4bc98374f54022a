#include "stepper.hpp"

#include "../detail/backward_pass.hpp"

namespace tsumiki {

struct BackwardStepper::State {
  BackwardPass pass;
  BackwardPass::Step last;
  bool finished = false;
};

BackwardStepper::BackwardStepper(const Variable& output, const BackwardOptions& options)
    : BackwardStepper(output, Variable(), options) {}

BackwardStepper::BackwardStepper(const Variable& output, const Variable& grad_output,
                                 const BackwardOptions& o)
    : s_(new State{
          BackwardPass({output}, {grad_output}, nullptr, o.retain_graph || o.create_graph, o.create_graph),
          {},
          false}) {}

BackwardStepper::~BackwardStepper() = default;

bool BackwardStepper::next() {
  if (s_->finished) return false;
  if (s_->pass.done()) {
    s_->pass.finish();
    s_->finished = true;
    s_->last = {};
    return false;
  }
  s_->pass.step(&s_->last);
  ++steps_;
  return true;
}

void BackwardStepper::run_to_end() {
  while (next()) {
  }
}

bool BackwardStepper::done() const { return s_->finished; }
const Function* BackwardStepper::function() const { return s_->last.fn.get(); }
const VariableList& BackwardStepper::inputs() const { return s_->last.inputs; }
const Variable& BackwardStepper::output() const { return s_->last.output; }
const Variable& BackwardStepper::output_grad() const { return s_->last.output_grad; }
const Grads& BackwardStepper::input_grads() const { return s_->last.input_grads; }
const Function* BackwardStepper::upcoming() const { return s_->finished ? nullptr : s_->pass.upcoming(); }

}  // namespace tsumiki
