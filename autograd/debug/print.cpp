#include "print.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>
#include <unordered_set>

#include "../function.hpp"
#include "graph_walk.hpp"

namespace tsumiki {

namespace {
std::string describe(const Variable& v) {
  std::string s = std::string(dtype_name(v.dtype())) + " " + to_string(v.shape());
  if (!v.name().empty()) s = "'" + v.name() + "' " + s;
  return s;
}
}  // namespace

std::ostream& operator<<(std::ostream& os, const Variable& v) {
  if (!v.defined()) return os << "Variable(undefined)";
  os << "Variable(";
  if (!v.name().empty()) os << "name='" << v.name() << "', ";
  os << "shape=" << v.shape() << ", dtype=" << dtype_name(v.dtype());
  if (v.creator())
    os << ", creator=" << v.creator()->op();
  else
    os << ", leaf";
  os << ", at " << v.where();
  if (v.requires_grad()) os << ", requires_grad";
  os << ", grad=" << (v.grad().defined() ? "yes" : "none") << ")\n" << v.data();
  return os;
}

std::string graph_string(const Variable& root) {
  std::ostringstream os;
  if (!root.defined()) return "(undefined)\n";
  os << "graph of " << describe(root) << (root.creator() ? "" : " (a leaf: no functions)") << "\n";
  const auto fns = detail::functions_below(root);
  std::map<const Function*, std::size_t> id;
  for (std::size_t i = 0; i < fns.size(); ++i) id[fns[i]] = fns.size() - i;
  for (const Function* f : fns) {
    os << "#" << id[f] << " " << f->op() << " [gen " << f->generation() << "] at " << f->where() << " -> "
       << dtype_name(f->output_dtype()) << " " << to_string(f->output_shape());
    const Variable out = f->output();
    if (out.defined() && !out.name().empty()) os << " '" << out.name() << "'";
    if (out.defined() && out.grad().defined()) os << " (grad retained)";
    os << "\n";
    if (f->released()) {
      os << "    (released by backward: inputs and saved values freed)\n";
      continue;
    }
    for (std::size_t i = 0; i < f->num_inputs(); ++i) {
      const Variable& x = f->input(i);
      os << "    in" << i << ": ";
      if (x.creator() && id.count(x.creator().get()))
        os << "#" << id[x.creator().get()] << " " << x.creator()->op();
      else
        os << (x.requires_grad() ? "leaf" : "constant");
      os << " " << describe(x);
      if (!x.creator()) os << " from " << x.where();
      if (x.grad().defined()) os << ", grad present";
      os << "\n";
    }
  }
  return os.str();
}

void print_graph(const Variable& root) { std::cout << graph_string(root); }

}  // namespace tsumiki
