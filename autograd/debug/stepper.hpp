// Step-through backward: runs the backward schedule one function at a time, so a debugger session (or a test)
// can look at each function, its inputs, its output and the gradients flowing through it. Run to the end it
// gives exactly what backward() gives.
//
//   BackwardStepper step(loss);
//   while (step.next())
//     std::cout << step.function()->op() << " at " << step.function()->where() << ": |gy| = "
//               << step.output_grad() << "\n";
#pragma once

#include <memory>

#include "../function.hpp"

namespace tsumiki {

class BackwardPass;

class BackwardStepper {
 public:
  explicit BackwardStepper(const Variable& output, const BackwardOptions& options = {});
  BackwardStepper(const Variable& output, const Variable& grad_output, const BackwardOptions& options = {});
  ~BackwardStepper();
  BackwardStepper(const BackwardStepper&) = delete;
  BackwardStepper& operator=(const BackwardStepper&) = delete;

  // Runs the next function. Returns false when none is left; then leaves' gradients are stored.
  bool next();
  void run_to_end();
  bool done() const;
  std::size_t steps() const { return steps_; }

  // The function run by the last next(), and what it saw and produced.
  const Function* function() const;
  const VariableList& inputs() const;
  const Variable& output() const;
  const Variable& output_grad() const;
  const Grads& input_grads() const;
  // The function the next call to next() will run (nullptr when done).
  const Function* upcoming() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
  std::size_t steps_ = 0;
};

}  // namespace tsumiki
