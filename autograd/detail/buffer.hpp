// Buffer: the reference-counted storage behind a Tensor. One pooled block holds the header and the data.
#pragma once

#include <atomic>
#include <cstddef>

namespace tsumiki::detail {

struct alignas(64) Buffer {
  std::atomic<long> refs{1};
  std::size_t bytes = 0;

  void* data() { return this + 1; }  // data starts right after the 64-byte header

  static Buffer* create(std::size_t bytes);
  static void retain(Buffer* b) noexcept {
    if (b) b->refs.fetch_add(1, std::memory_order_relaxed);
  }
  static void release(Buffer* b) noexcept;
};

}  // namespace tsumiki::detail
