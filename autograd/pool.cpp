#include "pool.hpp"

#include <atomic>
#include <bit>
#include <cstdlib>
#include <new>
#include <utility>

#include "detail/live_counts.hpp"

namespace tsumiki {
namespace {

constexpr std::size_t kAlign = 64;
// Size classes: 64, 128, 192, 256, then four per power of two (320, 384, 448, 512, 640, ...) up to 512 MiB,
// so a block wastes at most a quarter of its size. With powers of two a 256 KiB tensor plus its 64-byte
// header took a 512 KiB block.
constexpr int kClasses = 88;
// Cached bytes: at most this much per thread, and at most this much in all threads together. A block freed on
// another thread than the one that made it stays in the freeing thread's cache; the process-wide bound keeps
// such blocks from piling up across many threads.
constexpr std::size_t kCacheBudget = std::size_t{256} << 20;
constexpr std::size_t kProcessCacheBudget = std::size_t{256} << 20;

std::atomic<std::size_t> cached_bytes{0};  // in every thread's cache

struct SizeClass {
  int index;
  std::size_t cap;
};
SizeClass size_class(std::size_t bytes) {
  if (bytes <= 256) {
    const std::size_t units = bytes <= kAlign ? 1 : (bytes + kAlign - 1) / kAlign;
    return {static_cast<int>(units) - 1, units * kAlign};
  }
  const int p = std::bit_width(bytes - 1) - 1;  // 2^p < bytes <= 2^(p+1)
  const std::size_t base = std::size_t{1} << p, quarter = base / 4;
  const std::size_t q = (bytes - 1 - base) / quarter;  // 0..3
  return {4 + 4 * (p - 8) + static_cast<int>(q), base + (q + 1) * quarter};
}

// Set when this thread's cache is destroyed. A thread's thread_local objects die before objects with static
// storage, so a global Tensor is freed after the main thread's cache is gone: from then on blocks go straight
// to the system. A bool has no destructor, so it can still be read then.
thread_local bool cache_gone = false;

// The process-wide count is updated in steps of at least this much, so the op path pays no atomic
// read-modify-write per block (pool_cached_bytes is exact to within this per thread).
constexpr std::ptrdiff_t kReportStep = std::ptrdiff_t{1} << 20;

// A cached block holds the link to the next free block of its class in its first bytes, so caching and
// reusing a block touch no other memory and never allocate.
struct FreeBlock {
  FreeBlock* next;
};

struct Cache {
  FreeBlock* free[kClasses] = {};
  std::size_t cached = 0;
  std::ptrdiff_t unreported = 0;  // change of `cached` not yet added to cached_bytes

  void change(std::ptrdiff_t delta) {
    cached = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(cached) + delta);
    unreported += delta;
    if (unreported >= kReportStep || unreported <= -kReportStep) {
      cached_bytes.fetch_add(static_cast<std::size_t>(unreported),
                             std::memory_order_relaxed);  // wraps for < 0
      unreported = 0;
    }
  }
  ~Cache();
};

// This thread's cache once made (a plain pointer: reading it needs no initialisation check); nullptr before
// the first block and after the cache is destroyed.
thread_local Cache* current = nullptr;

Cache::~Cache() {
  current = nullptr;
  cache_gone = true;
  for (FreeBlock* head : free)
    while (head) std::free(std::exchange(head, head->next));
  cached_bytes.fetch_sub(static_cast<std::size_t>(static_cast<std::ptrdiff_t>(cached) - unreported),
                         std::memory_order_relaxed);
}

// nullptr once this thread's cache has been destroyed.
Cache* cache() {
  if (current) return current;
  if (cache_gone) return nullptr;
  thread_local Cache c;
  current = &c;
  return current;
}

}  // namespace

void* pool_allocate(std::size_t bytes) {
  if (bytes == 0) bytes = 1;
  const auto [c, cap] = size_class(bytes);
  Cache* k = cache();
  void* p = nullptr;
  if (k && c < kClasses && k->free[c]) {
    FreeBlock* block = k->free[c];
    k->free[c] = block->next;
    k->change(-static_cast<std::ptrdiff_t>(cap));
    p = block;
  } else {
    p = std::aligned_alloc(kAlign, cap);
    if (!p) throw std::bad_alloc();
  }
  detail::count_live(detail::Live::Bytes, static_cast<std::ptrdiff_t>(cap));
  return p;
}

void pool_free(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  if (bytes == 0) bytes = 1;
  const auto [c, cap] = size_class(bytes);
  detail::count_live(detail::Live::Bytes, -static_cast<std::ptrdiff_t>(cap));
  Cache* k = cache();
  if (k && c < kClasses && k->cached + cap <= kCacheBudget &&
      static_cast<std::ptrdiff_t>(cached_bytes.load(std::memory_order_relaxed)) + k->unreported +
              static_cast<std::ptrdiff_t>(cap) <=
          static_cast<std::ptrdiff_t>(kProcessCacheBudget)) {
    k->free[c] = new (p) FreeBlock{k->free[c]};
    k->change(static_cast<std::ptrdiff_t>(cap));
    return;
  }
  std::free(p);
}

std::size_t pool_live_bytes() noexcept { return detail::live_total(detail::Live::Bytes); }
std::size_t pool_peak_bytes() noexcept { return detail::peak_bytes(); }
void pool_reset_peak_bytes() noexcept { detail::reset_peak_bytes(); }
std::size_t pool_cached_bytes() noexcept { return cached_bytes.load(std::memory_order_relaxed); }

}  // namespace tsumiki
