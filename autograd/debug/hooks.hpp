// Function hooks: observe every op's forward and backward, e.g. to profile (see profiler.hpp) or to log.
// Hooks are process-wide and called on the thread that runs the op; while none is registered (and anomaly
// mode is off) the op path pays one relaxed atomic load.
#pragma once

#include <cstddef>
#include <functional>

#include "../site.hpp"
#include "../tensor.hpp"

namespace tsumiki {

enum class Phase { Forward, Backward };
const char* phase_name(Phase p);  // "forward" / "backward"

struct OpEvent {
  const char* op;
  Phase phase;
  Site site;            // the user line that applied the op
  double seconds;       // wall time of the kernel (forward) or of the backward formula
  std::size_t bytes;    // bytes of the result (forward) or of the input gradients (backward)
  Shape output_shape;   // the op's output shape
  Dtype dtype;
};

using FunctionHook = std::function<void(const OpEvent&)>;
using HookId = std::size_t;

HookId add_function_hook(FunctionHook hook);
void remove_function_hook(HookId id);  // unknown ids are ignored

}  // namespace tsumiki
