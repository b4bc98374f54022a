// A per-op profiler built on function hooks: calls, time and bytes per op type, forward and backward, and the
// same totals per module (an op applied inside a module's forward, and its backward, count for that module).
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
  // Keyed by module label ("fc2 (Linear)", autograd/origin.hpp); ops outside modules under "(no module)".
  std::map<std::string, OpStats> module_stats() const;
  void reset();
  // A table sorted by total time: op, forward calls/ms/MB, backward calls/ms/MB, share of the total; then the
  // same per module when any op ran inside one.
  std::string report() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, OpStats> stats_;
  std::map<std::string, OpStats> modules_;
  HookId id_;
};

}  // namespace tsumiki
