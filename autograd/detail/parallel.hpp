// parallel_for: the kernels' second thread (internal). Large elementwise, pooling, im2col and optimizer
// loops split their range into contiguous chunks run by a small pool of worker threads and the caller.
//
// Chunks depend only on the range, the grain and the thread count, and every kernel that uses this writes
// each output element from one chunk only, so results are the same bits for any thread count. The count is
// set_num_threads()'s (autograd/threads.hpp). A call made while the pool serves another thread's call runs
// on its own thread alone.
#pragma once

#include <cstddef>
#include <type_traits>

namespace tsumiki::kernels {

int parallel_threads();
void set_parallel_threads(int n);

// How many chunks parallel_for splits n items into: 1 when n < 2 * grain or one thread is set.
std::size_t parallel_chunks(std::size_t n, std::size_t grain);

// Runs chunk c = [n * c / chunks, n * (c + 1) / chunks) of [0, n) for every c, on the pool and the caller.
void run_chunks(std::size_t n, std::size_t chunks, void (*fn)(void*, std::size_t, std::size_t), void* ctx);

// Calls body(begin, end) over [0, n) in chunks of at least `grain` items. body must not throw.
template <class Body>
void parallel_for(std::size_t n, std::size_t grain, Body&& body) {
  const std::size_t chunks = parallel_chunks(n, grain);
  if (chunks <= 1) {
    if (n > 0) body(std::size_t{0}, n);
    return;
  }
  using B = std::remove_reference_t<Body>;
  run_chunks(
      n, chunks, [](void* ctx, std::size_t b, std::size_t e) { (*static_cast<B*>(ctx))(b, e); },
      const_cast<void*>(static_cast<const void*>(&body)));
}

// Items per chunk below which a second thread costs more than it saves (a wake-up is several microseconds).
inline constexpr std::size_t kElementwiseGrain = std::size_t{1} << 15;

}  // namespace tsumiki::kernels
