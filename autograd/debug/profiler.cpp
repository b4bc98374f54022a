#include "profiler.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace tsumiki {

OpProfiler::OpProfiler() {
  id_ = add_function_hook([this](const OpEvent& e) {
    std::lock_guard lock(mutex_);
    auto& s = e.phase == Phase::Forward ? stats_[e.op].forward : stats_[e.op].backward;
    ++s.calls;
    s.seconds += e.seconds;
    s.bytes += e.bytes;
  });
}

OpProfiler::~OpProfiler() { remove_function_hook(id_); }

std::map<std::string, OpProfiler::OpStats> OpProfiler::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void OpProfiler::reset() {
  std::lock_guard lock(mutex_);
  stats_.clear();
}

std::string OpProfiler::report() const {
  const auto s = stats();
  std::vector<std::pair<std::string, OpStats>> rows(s.begin(), s.end());
  auto total = [](const OpStats& o) { return o.forward.seconds + o.backward.seconds; };
  std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) { return total(a.second) > total(b.second); });
  double all = 0;
  for (const auto& [op, o] : rows) all += total(o);
  std::string out;
  char line[200];
  std::snprintf(line, sizeof line, "%-20s %9s %10s %9s   %9s %10s %9s   %6s\n", "op", "fwd calls", "fwd ms", "fwd MB",
                "bwd calls", "bwd ms", "bwd MB", "share");
  out += line;
  for (const auto& [op, o] : rows) {
    std::snprintf(line, sizeof line, "%-20s %9zu %10.3f %9.2f   %9zu %10.3f %9.2f   %5.1f%%\n", op.c_str(),
                  o.forward.calls, o.forward.seconds * 1e3, static_cast<double>(o.forward.bytes) / 1048576.0,
                  o.backward.calls, o.backward.seconds * 1e3, static_cast<double>(o.backward.bytes) / 1048576.0,
                  all > 0 ? 100.0 * total(o) / all : 0.0);
    out += line;
  }
  return out;
}

}  // namespace tsumiki
