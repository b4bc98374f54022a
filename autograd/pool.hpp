// The pooled allocator under tensor buffers and graph nodes (Function::inputs uses it): a size-class
// free-list allocator with no glibc call on the op path once
// warm. Blocks are 64-byte aligned. Each thread caches freed blocks (up to a byte budget); a block may be
// freed by any thread.
#pragma once

#include <cstddef>

namespace tsumiki {

void* pool_allocate(std::size_t bytes);
void pool_free(void* p, std::size_t bytes) noexcept;

// Bytes currently handed out by the pool (not counting its cache): an instrumented counter for leak tests.
std::size_t pool_live_bytes() noexcept;
// Bytes held in every thread's cache, ready for reuse: at most 256 MiB per thread and 256 MiB in all. Each
// thread reports its changes in steps of 1 MiB, so the figure is exact to within 1 MiB per thread.
std::size_t pool_cached_bytes() noexcept;
// The most the calling thread's live pool bytes (what it allocated less what it freed) rose above their level
// at its last pool_reset_peak_bytes(): what a step on this thread needed at its peak (tensors and graph
// nodes). For memory tests and benchmarks; per thread, so other threads' work does not blur it.
std::size_t pool_peak_bytes() noexcept;
void pool_reset_peak_bytes() noexcept;

}  // namespace tsumiki

namespace tsumiki {

// std allocator interface over the pool, for graph nodes (allocate_shared) and small vectors on the op path.
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() noexcept = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) noexcept {}  // NOLINT: rebinding must be implicit
  T* allocate(std::size_t n) { return static_cast<T*>(pool_allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { pool_free(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const PoolAllocator<U>&) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const PoolAllocator<U>&) const noexcept {
    return false;
  }
};

}  // namespace tsumiki
