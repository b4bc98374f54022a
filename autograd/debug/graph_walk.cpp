#include "graph_walk.hpp"

#include <algorithm>
#include <unordered_set>

namespace tsumiki {

namespace detail {
std::vector<const Function*> functions_below(const Variable& root) {
  std::vector<const Function*> out;
  if (!root.defined() || !root.creator()) return out;
  std::unordered_set<const Function*> seen;
  std::vector<const Function*> stack{root.creator().get()};
  seen.insert(stack.back());
  while (!stack.empty()) {
    const Function* f = stack.back();
    stack.pop_back();
    out.push_back(f);
    if (f->released()) continue;
    for (std::size_t i = 0; i < f->num_inputs(); ++i) {
      const auto c = f->input(i).creator();
      if (c && seen.insert(c.get()).second) stack.push_back(c.get());
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Function* a, const Function* b) { return a->generation() > b->generation(); });
  return out;
}
}  // namespace detail

}  // namespace tsumiki
