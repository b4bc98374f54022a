#include "profiler.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace tsumiki {

OpProfiler::OpProfiler() {
  id_ = add_function_hook([this](const OpEvent& e) {
    const std::string module =
        e.origin && !e.origin->module_type.empty() ? module_label(*e.origin) : "(no module)";
    std::lock_guard lock(mutex_);
    for (auto* table : {&stats_, &modules_}) {
      OpStats& o = (*table)[table == &stats_ ? std::string(e.op) : module];
      auto& s = e.phase == Phase::Forward ? o.forward : o.backward;
      ++s.calls;
      s.seconds += e.seconds;
      s.bytes += e.bytes;
    }
  });
}

OpProfiler::~OpProfiler() { remove_function_hook(id_); }

std::map<std::string, OpProfiler::OpStats> OpProfiler::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::map<std::string, OpProfiler::OpStats> OpProfiler::module_stats() const {
  std::lock_guard lock(mutex_);
  return modules_;
}

void OpProfiler::reset() {
  std::lock_guard lock(mutex_);
  stats_.clear();
  modules_.clear();
}

namespace {
std::string table(const char* first_column, const std::map<std::string, OpProfiler::OpStats>& s) {
  using OpStats = OpProfiler::OpStats;
  std::vector<std::pair<std::string, OpStats>> rows(s.begin(), s.end());
  auto total = [](const OpStats& o) { return o.forward.seconds + o.backward.seconds; };
  std::sort(rows.begin(), rows.end(),
            [&](const auto& a, const auto& b) { return total(a.second) > total(b.second); });
  double all = 0;
  for (const auto& [op, o] : rows) all += total(o);
  std::string out;
  char line[200];
  std::snprintf(line, sizeof line, "%-20s %9s %10s %9s   %9s %10s %9s   %6s\n", first_column, "fwd calls",
                "fwd ms", "fwd MB", "bwd calls", "bwd ms", "bwd MB", "share");
  out += line;
  for (const auto& [op, o] : rows) {
    std::snprintf(line, sizeof line, "%-20s %9zu %10.3f %9.2f   %9zu %10.3f %9.2f   %5.1f%%\n", op.c_str(),
                  o.forward.calls, o.forward.seconds * 1e3, static_cast<double>(o.forward.bytes) / 1048576.0,
                  o.backward.calls, o.backward.seconds * 1e3,
                  static_cast<double>(o.backward.bytes) / 1048576.0, all > 0 ? 100.0 * total(o) / all : 0.0);
    out += line;
  }
  return out;
}
}  // namespace

std::string OpProfiler::report() const {
  std::string out = table("op", stats());
  const auto modules = module_stats();
  if (modules.size() > 1 || (modules.size() == 1 && modules.begin()->first != "(no module)")) {
    out += '\n';
    out += table("module", modules);
  }
  return out;
}

}  // namespace tsumiki
