// The op path's entry to the debugging layer (internal): anomaly checks and function hooks.
#pragma once

#include <atomic>
#include <functional>

#include "../debug/hooks.hpp"
#include "../function.hpp"

namespace tsumiki::detail {

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
void check_finite(const Tensor& t, const char* op, Phase phase, const Site& site, const VariableList& inputs,
                  const char* what);

// apply() when observing: times the forward, checks it, records, emits.
Variable apply_observed(const char* op, VariableList&& inputs, const Site& site,
                        const std::function<Tensor()>& forward, BackwardFn&& backward);

}  // namespace tsumiki::detail
