// A size-class free-list allocator for tensor buffers and graph nodes: no glibc call on the op path once
// warm. Blocks are 64-byte aligned. Each thread caches freed blocks (up to a byte budget); a block may be
// freed by any thread.
#pragma once

#include <cstddef>

namespace tsumiki::detail {

void* pool_allocate(std::size_t bytes);
void pool_free(void* p, std::size_t bytes) noexcept;

// Bytes currently handed out by the pool (not counting its cache): an instrumented counter for leak tests.
std::size_t pool_live_bytes() noexcept;

}  // namespace tsumiki::detail
