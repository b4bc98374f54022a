#include "state_dict.hpp"

namespace tsumiki::nn {

const Tensor* StateDict::find(const std::string& name) const {
  for (const auto& [n, t] : entries_)
    if (n == name) return &t;
  return nullptr;
}

void StateDict::insert(std::string name, Tensor value) {
  if (find(name)) throw Error("StateDict::insert: '" + name + "' is already present");
  entries_.emplace_back(std::move(name), std::move(value));
}

const Tensor& StateDict::at(const std::string& name) const {
  if (const Tensor* t = find(name)) return *t;
  std::string keys;
  for (const auto& [n, t] : entries_) keys += (keys.empty() ? "" : ", ") + n;
  throw Error("StateDict::at: no entry '" + name + "' (entries: " + (keys.empty() ? "none" : keys) + ")");
}

bool StateDict::contains(const std::string& name) const { return find(name) != nullptr; }

}  // namespace tsumiki::nn
