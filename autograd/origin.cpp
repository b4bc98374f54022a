#include "origin.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace tsumiki {
namespace {

thread_local const Origin* current = nullptr;

// Equal origins share one record, so the table grows with the distinct (path, type, line) triples a program
// has, not with its calls. Records are never freed: nodes anywhere may point to them.
const Origin* intern(const std::string& path, const std::string& type, const Site& site,
                     const char* backward_of = nullptr) {
  static std::mutex mutex;
  static auto* table = new std::unordered_map<std::string, std::unique_ptr<Origin>>();
  std::string key = path;
  key += '\n';
  key += type;
  key += '\n';
  key += site.file_name();
  key += ':';
  key += std::to_string(site.line());
  key += '\n';
  if (backward_of) key += backward_of;
  const std::lock_guard lock(mutex);
  auto& slot = (*table)[key];
  if (!slot) slot = std::make_unique<Origin>(Origin{path, type, site, backward_of});
  return slot.get();
}

}  // namespace

const Origin* current_origin() noexcept { return current; }

std::string module_label(const Origin& origin) {
  if (origin.module_path.empty() || origin.module_type.empty()) return origin.module_type;
  return origin.module_path + " (" + origin.module_type + ")";
}

std::string describe_site(const Site& op_site, const Origin* origin) {
  if (!origin) return to_string(op_site);
  std::string s = to_string(origin->user_site);
  if (!origin->module_type.empty()) s += " in " + module_label(*origin);
  if (origin->backward_of) s += std::string(", backward of '") + origin->backward_of + "'";
  return s + ", via " + to_string(op_site);
}

namespace detail {
OriginScope::OriginScope(const std::string& module_path, const std::string& module_type,
                         const Site& user_site)
    : origin_(intern(module_path, module_type, user_site)), previous_(current) {
  current = origin_;
}
namespace {
// A backward's origin is looked up once per step of a create_graph pass: a per-thread table keyed by
// pointers keeps that off the shared table's lock and string keys.
struct BackwardKey {
  const char* op;
  const char* file;
  std::uint_least32_t line;
  const Origin* forward;
  bool operator==(const BackwardKey&) const = default;
};
struct BackwardKeyHash {
  std::size_t operator()(const BackwardKey& k) const noexcept {
    std::size_t h = std::hash<const void*>()(k.op);
    h = h * 31 + std::hash<const void*>()(k.file);
    h = h * 31 + k.line;
    return h * 31 + std::hash<const void*>()(k.forward);
  }
};

const Origin* backward_origin(const char* op, const Site& op_site, const Origin* forward) {
  thread_local std::unordered_map<BackwardKey, const Origin*, BackwardKeyHash> seen;
  const BackwardKey key{op, op_site.file_name(), op_site.line(), forward};
  if (const auto it = seen.find(key); it != seen.end()) return it->second;
  const Origin* o = forward ? intern(forward->module_path, forward->module_type, forward->user_site, op)
                            : intern("", "", op_site, op);
  seen.emplace(key, o);
  return o;
}
}  // namespace

OriginScope::OriginScope(const char* op, const Site& op_site, const Origin* forward)
    : origin_(backward_origin(op, op_site, forward)), previous_(current) {
  current = origin_;
}
OriginScope::~OriginScope() { current = previous_; }
}  // namespace detail

}  // namespace tsumiki
