#include "hooks.hpp"

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

#include "../detail/observe.hpp"

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

}  // namespace tsumiki
