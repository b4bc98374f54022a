// A per-op profiler built on function hooks: calls, time and bytes per op type, forward and backward.
//
//   OpProfiler prof;            // records while it lives
//   train_one_step();
//   std::cout << prof.report();
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "../observe.hpp"

namespace tsumiki {

class OpProfiler {
 public:
  struct Stat {
    std::size_t calls = 0;
    double seconds = 0;
    std::size_t bytes = 0;
  };
  struct OpStats {
    Stat forward, backward;
  };

  OpProfiler();
  ~OpProfiler();
  OpProfiler(const OpProfiler&) = delete;
  OpProfiler& operator=(const OpProfiler&) = delete;

  std::map<std::string, OpStats> stats() const;
  void reset();
  // A table sorted by total time: op, forward calls/ms/MB, backward calls/ms/MB, share of the total.
  std::string report() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, OpStats> stats_;
  HookId id_;
};

}  // namespace tsumiki
