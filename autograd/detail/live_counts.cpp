#include "live_counts.hpp"

#include <array>
#include <atomic>
#include <mutex>

namespace tsumiki::detail {
namespace {

constexpr std::size_t kKinds = 3;

struct Shares;

struct Registry {
  std::mutex mutex;
  Shares* head = nullptr;                                  // the live threads' shares
  std::array<std::atomic<std::ptrdiff_t>, kKinds> left{};  // what ended threads (and late frees) left
};
Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: frees of static Tensors still count after main
  return *r;
}

// Set when this thread's shares are destroyed; a bool has no destructor, so it can still be read then.
thread_local bool shares_gone = false;
// This thread's shares once registered (a plain pointer: reading it needs no initialisation check).
thread_local Shares* current = nullptr;

struct Shares {
  // Relaxed atomics written only by the owning thread (a load and a store, no locked instruction), so a
  // reader on another thread sees a whole value.
  std::array<std::atomic<std::ptrdiff_t>, kKinds> value{};
  std::ptrdiff_t peak = 0, base = 0;  // bytes: the highest value since the reset, and the value at it
  Shares* next = nullptr;
  Shares* prev = nullptr;

  Shares() {
    Registry& r = registry();
    const std::lock_guard lock(r.mutex);
    next = r.head;
    if (next) next->prev = this;
    r.head = this;
  }
  ~Shares() {
    Registry& r = registry();
    const std::lock_guard lock(r.mutex);
    for (std::size_t k = 0; k < kKinds; ++k)
      r.left[k].fetch_add(value[k].load(std::memory_order_relaxed), std::memory_order_relaxed);
    (prev ? prev->next : r.head) = next;
    if (next) next->prev = prev;
    shares_gone = true;
    current = nullptr;
  }
};

// The first count on a thread registers its shares; after they are gone, counts go to what is left.
[[gnu::noinline]] void count_slow(std::size_t k, std::ptrdiff_t delta) noexcept {
  if (!shares_gone) {
    thread_local Shares s;
    current = &s;
    count_live(static_cast<Live>(k), delta);
    return;
  }
  registry().left[k].fetch_add(delta, std::memory_order_relaxed);
}

}  // namespace

void count_live(Live what, std::ptrdiff_t delta) noexcept {
  const auto k = static_cast<std::size_t>(what);
  if (Shares* s = current) {
    auto& v = s->value[k];
    const std::ptrdiff_t now = v.load(std::memory_order_relaxed) + delta;
    v.store(now, std::memory_order_relaxed);
    if (k == static_cast<std::size_t>(Live::Bytes) && now > s->peak) s->peak = now;
    return;
  }
  count_slow(k, delta);
}

std::size_t peak_bytes() noexcept {
  const Shares* s = current;
  return s ? static_cast<std::size_t>(s->peak - s->base) : 0;
}

void reset_peak_bytes() noexcept {
  if (Shares* s = current)
    s->peak = s->base = s->value[static_cast<std::size_t>(Live::Bytes)].load(std::memory_order_relaxed);
}

std::size_t live_total(Live what) noexcept {
  const auto k = static_cast<std::size_t>(what);
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  std::ptrdiff_t total = r.left[k].load(std::memory_order_relaxed);
  for (const Shares* s = r.head; s; s = s->next) total += s->value[k].load(std::memory_order_relaxed);
  return static_cast<std::size_t>(total);
}

}  // namespace tsumiki::detail
