#include "observe.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <utility>
#include <vector>

#include "apply.hpp"

namespace tsumiki {
namespace detail {
std::atomic<int> function_hook_count{0};
}

namespace {
struct Registry {
  std::mutex mutex;
  std::vector<std::pair<HookId, FunctionHook>> hooks;
  HookId next = 1;
};
Registry& registry() {
  static Registry r;
  return r;
}
}  // namespace

const char* phase_name(Phase p) { return p == Phase::Forward ? "forward" : "backward"; }

HookId add_function_hook(FunctionHook hook) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.hooks.emplace_back(r.next, std::move(hook));
  detail::function_hook_count.store(static_cast<int>(r.hooks.size()));
  return r.next++;
}

void remove_function_hook(HookId id) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.hooks.erase(std::remove_if(r.hooks.begin(), r.hooks.end(), [id](const auto& h) { return h.first == id; }),
                r.hooks.end());
  detail::function_hook_count.store(static_cast<int>(r.hooks.size()));
}

namespace detail {
void emit(const OpEvent& event) {
  std::vector<FunctionHook> hooks;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    for (const auto& [id, h] : r.hooks) hooks.push_back(h);
  }
  for (const auto& h : hooks) h(event);  // outside the lock: a hook may add or remove hooks
}
}  // namespace detail

// ---- anomaly mode and the observed op path ----
namespace {
thread_local bool anomaly = false;
}

bool is_anomaly_enabled() { return anomaly; }
void set_anomaly_enabled(bool enabled) { anomaly = enabled; }
AnomalyGuard::AnomalyGuard(bool enabled) : previous_(anomaly) { anomaly = enabled; }
AnomalyGuard::~AnomalyGuard() { anomaly = previous_; }

namespace detail {

bool anomaly_flag() { return anomaly; }

void check_finite(const Tensor& t, const char* op, Phase phase, const Site& site, const Origin* origin,
                  const VariableList& inputs, const char* what) {
  if (!t.defined() || !is_floating(t.dtype())) return;
  std::size_t bad = t.numel();
  bool nan = false;
  dispatch_floating(t.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    const T* p = t.data<T>();
    for (std::size_t i = 0; i < t.numel() && bad == t.numel(); ++i)
      if (!std::isfinite(p[i])) {
        bad = i;
        nan = std::isnan(p[i]);
      }
  });
  if (bad == t.numel()) return;
  std::string shapes;
  for (const auto& x : inputs)
    shapes += (shapes.empty() ? "" : ", ") + std::string(dtype_name(x.dtype())) + " " + to_string(x.shape());
  throw AnomalyError(std::string("anomaly: '") + op + "' produced " + (nan ? "NaN" : "Inf") + " in its " +
                     phase_name(phase) + " (" + what + " " + dtype_name(t.dtype()) + " " +
                     to_string(t.shape()) + ", element " + std::to_string(bad) + "; inputs " + shapes +
                     ") at " + describe_site(site, origin) + ", where the op was applied");
}

namespace {
thread_local int backward_depth = 0;
}
BackwardScope::BackwardScope() { ++backward_depth; }
BackwardScope::~BackwardScope() { --backward_depth; }
bool BackwardScope::active() { return backward_depth > 0; }

Variable apply_observed(const char* op, VariableList&& inputs, const Site& site,
                        const std::function<Tensor()>& forward, BackwardFn&& backward, SavedTensors&& saved) {
  if (BackwardScope::active())
    return record(op, std::move(inputs), site, forward(), std::move(backward), std::move(saved));
  const auto t0 = std::chrono::steady_clock::now();
  Tensor out = forward();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (anomaly) check_finite(out, op, Phase::Forward, site, current_origin(), inputs, "output");
  const Shape shape = out.shape();
  const Dtype dtype = out.dtype();
  const std::size_t bytes = out.nbytes();
  Variable y = record(op, std::move(inputs), site, std::move(out), std::move(backward), std::move(saved));
  if (function_hook_count.load(std::memory_order_relaxed) > 0)
    emit({op, Phase::Forward, site, current_origin(), seconds, bytes, shape, dtype});
  return y;
}

}  // namespace detail

}  // namespace tsumiki
