#include "pool.hpp"

#include <atomic>
#include <bit>
#include <cstdlib>
#include <new>
#include <vector>

namespace tsumiki {
namespace {

constexpr std::size_t kAlign = 64;
constexpr int kClasses = 24;  // 64 B .. 512 MiB in powers of two
constexpr std::size_t kCacheBudget = 256u
                                     << 20;  // cached bytes per thread before blocks go back to the system

std::atomic<std::size_t> live_bytes{0};

// Smallest c with (64 << c) >= bytes.
int size_class(std::size_t bytes) {
  return bytes <= kAlign ? 0 : static_cast<int>(std::bit_width((bytes - 1) / kAlign));
}

// Set when this thread's cache is destroyed. A thread's thread_local objects die before objects with static
// storage, so a global Tensor is freed after the main thread's cache is gone: from then on blocks go straight
// to the system. A bool has no destructor, so it can still be read then.
thread_local bool cache_gone = false;

struct Cache {
  std::vector<void*> free[kClasses];
  std::size_t cached = 0;
  ~Cache() {
    for (auto& list : free)
      for (void* p : list) std::free(p);
    cache_gone = true;
  }
};

// nullptr once this thread's cache has been destroyed.
Cache* cache() {
  if (cache_gone) return nullptr;
  thread_local Cache c;
  return &c;
}

}  // namespace

void* pool_allocate(std::size_t bytes) {
  if (bytes == 0) bytes = 1;
  const int c = size_class(bytes);
  const std::size_t cap = kAlign << c;
  live_bytes.fetch_add(cap, std::memory_order_relaxed);
  Cache* k = cache();
  if (k && c < kClasses) {
    auto& list = k->free[c];
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      k->cached -= cap;
      return p;
    }
  }
  void* p = std::aligned_alloc(kAlign, cap);
  if (!p) throw std::bad_alloc();
  return p;
}

void pool_free(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  if (bytes == 0) bytes = 1;
  const int c = size_class(bytes);
  const std::size_t cap = kAlign << c;
  live_bytes.fetch_sub(cap, std::memory_order_relaxed);
  Cache* k = cache();
  if (k && c < kClasses && k->cached + cap <= kCacheBudget) {
    try {
      k->free[c].push_back(p);
      k->cached += cap;
      return;
    } catch (...) {
    }
  }
  std::free(p);
}

std::size_t pool_live_bytes() noexcept { return live_bytes.load(std::memory_order_relaxed); }

}  // namespace tsumiki
