#include "parallel.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tsumiki::kernels {
namespace {

// Until set_num_threads is called: OpenBLAS's own default, so both kinds of kernel use the same number of
// threads (OPENBLAS_NUM_THREADS, else OMP_NUM_THREADS, else every core).
int default_threads() {
  for (const char* name : {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"})
    if (const char* v = std::getenv(name)) {
      const int n = std::atoi(v);
      if (n > 0) return n;
    }
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::atomic<int> thread_count{default_threads()};

// Workers wait for a new job (a generation number), then claim chunks with a shared counter; the caller
// claims chunks too and returns once every chunk is done. One job at a time: a second caller finds the pool
// busy and runs its own chunks.
class Pool {
 public:
  Pool() = default;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() {
    {
      const std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }

  bool try_run(std::size_t n, std::size_t chunks, void (*fn)(void*, std::size_t, std::size_t), void* ctx) {
    const std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) return false;
    {
      std::unique_lock<std::mutex> lock(m_);
      while (workers_.size() + 1 < chunks) workers_.emplace_back([this] { work(); });
      job_ = Job{n, chunks, fn, ctx};
      next_ = 0;
      done_ = 0;
      ++generation_;
    }
    wake_.notify_all();
    run_claimed();
    std::unique_lock<std::mutex> lock(m_);
    finished_.wait(lock, [this] { return done_ == job_.chunks; });
    return true;
  }

 private:
  struct Job {
    std::size_t n = 0, chunks = 0;
    void (*fn)(void*, std::size_t, std::size_t) = nullptr;
    void* ctx = nullptr;
  };

  // Claims and runs chunks of the current job until none is left.
  void run_claimed() {
    for (;;) {
      std::size_t c = 0;
      Job job;
      {
        const std::lock_guard<std::mutex> lock(m_);
        if (next_ >= job_.chunks) return;
        c = next_++;
        job = job_;
      }
      job.fn(job.ctx, job.n * c / job.chunks, job.n * (c + 1) / job.chunks);
      bool last = false;
      {
        const std::lock_guard<std::mutex> lock(m_);
        last = ++done_ == job.chunks;
      }
      if (last) finished_.notify_all();
    }
  }

  void work() {
    std::uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(m_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      run_claimed();
    }
  }

  std::mutex busy_;  // held by the caller whose job the pool runs
  std::mutex m_;     // guards everything below
  std::condition_variable wake_, finished_;
  std::vector<std::thread> workers_;
  Job job_;
  std::size_t next_ = 0, done_ = 0;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

int parallel_threads() { return thread_count.load(std::memory_order_relaxed); }
void set_parallel_threads(int n) { thread_count.store(std::max(1, n), std::memory_order_relaxed); }

std::size_t parallel_chunks(std::size_t n, std::size_t grain) {
  const auto threads = static_cast<std::size_t>(parallel_threads());
  if (threads <= 1 || n < 2 * grain) return 1;
  return std::min(threads, n / grain);
}

void run_chunks(std::size_t n, std::size_t chunks, void (*fn)(void*, std::size_t, std::size_t), void* ctx) {
  if (pool().try_run(n, chunks, fn, ctx)) return;
  for (std::size_t c = 0; c < chunks; ++c) fn(ctx, n * c / chunks, n * (c + 1) / chunks);
}

}  // namespace tsumiki::kernels
