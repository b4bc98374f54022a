// Observing the op path: function hooks and anomaly mode, the layer that debug/ (profiler, printing) and
// apply() share. While no hook is registered and anomaly mode is off, the op path pays one flag check.
//
// Function hooks observe every op's forward and backward, e.g. to profile (debug/profiler.hpp) or to log.
// Hooks are process-wide and called on the thread that runs the op.
//
// Anomaly mode: every op's forward result and every backward gradient is checked for NaN and Inf; the first
// one found throws AnomalyError naming the op, the phase, the shapes and the user line that applied the op.
//
//   { AnomalyGuard anomaly;  auto loss = model(x); loss.backward(); }   // throws at the source of a NaN
//
// Off by default (it reads every value); thread-local like grad mode.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

#include "function.hpp"
#include "site.hpp"
#include "tensor.hpp"

namespace tsumiki {
enum class Phase { Forward, Backward };
const char* phase_name(Phase p);  // "forward" / "backward"

struct OpEvent {
  const char* op;
  Phase phase;
  Site site;             // the line that applied the op (a library line inside modules)
  const Origin* origin;  // the module and user line (autograd/origin.hpp); nullptr outside modules
  double seconds;        // wall time of the kernel (forward) or of the backward formula
  std::size_t bytes;     // bytes of the result (forward) or of the input gradients (backward)
  Shape output_shape;    // the op's output shape
  Dtype dtype;
};

using FunctionHook = std::function<void(const OpEvent&)>;
using HookId = std::size_t;

HookId add_function_hook(FunctionHook hook);
void remove_function_hook(HookId id);  // unknown ids are ignored

// ---- anomaly mode ----
bool is_anomaly_enabled();
void set_anomaly_enabled(bool enabled);

class AnomalyGuard {
 public:
  explicit AnomalyGuard(bool enabled = true);
  ~AnomalyGuard();
  AnomalyGuard(const AnomalyGuard&) = delete;
  AnomalyGuard& operator=(const AnomalyGuard&) = delete;

 private:
  bool previous_;
};

// ---- the observed op path (used by apply(); not for user code) ----
namespace detail {
extern std::atomic<int> function_hook_count;
bool anomaly_flag();

inline bool observing() { return function_hook_count.load(std::memory_order_relaxed) > 0 || anomaly_flag(); }

void emit(const OpEvent& event);

// Ops run by a backward formula belong to that function's backward event (and its anomaly check of the
// input gradients), not to forward events of their own.
class BackwardScope {
 public:
  BackwardScope();
  ~BackwardScope();
  static bool active();
};
// Throws AnomalyError when t holds a NaN or Inf.
void check_finite(const Tensor& t, const char* op, Phase phase, const Site& site, const Origin* origin,
                  const VariableList& inputs, const char* what);

// apply() when observing: times the forward, checks it, records, emits.
Variable apply_observed(const char* op, VariableList&& inputs, const Site& site,
                        const std::function<Tensor()>& forward, BackwardFn&& backward, SavedTensors&& saved);
}  // namespace detail

}  // namespace tsumiki
