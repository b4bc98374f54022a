#include "dot.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "../function.hpp"
#include "graph_walk.hpp"

namespace tsumiki {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

class DotWriter {
 public:
  explicit DotWriter(const DotOptions& o) : o_(o) {}

  // `into`: the text that declares the node (a module's cluster, or the graph's body).
  std::string var(const Variable& v, std::ostringstream* into = nullptr) {
    auto it = vars_.find(v.impl());
    if (it != vars_.end()) return it->second;
    std::string id = "v" + std::to_string(vars_.size());
    vars_[v.impl()] = id;
    std::string label = v.name().empty() ? "" : v.name() + "\\n";
    label += escape(to_string(v.shape())) + " " + dtype_name(v.dtype());
    if (o_.show_values && v.numel() <= o_.max_values) {
      std::ostringstream vals;
      vals.precision(4);
      for (std::size_t i = 0; i < v.numel(); ++i) vals << (i ? " " : "") << v.data().flat(i);
      label += "\\n[" + vals.str() + "]";
    }
    const char* color = v.creator() ? "orange" : (v.requires_grad() ? "lightgreen" : "lightgrey");
    (into ? *into : body_) << "  " << id << " [label=\"" << label << "\", color=" << color
                           << ", style=filled]\n";
    return id;
  }

  void function(const Function* f, std::size_t n) {
    const std::string id = "f" + std::to_string(n);
    std::string label = f->op();
    const Origin* origin = f->origin();
    const bool in_module = origin && !origin->module_type.empty();
    if (o_.show_sites)
      label += "\\n" + escape(in_module ? to_string(origin->user_site) + ", via " + to_string(f->site())
                                        : describe_site(f->site(), origin));
    // One cluster per module (its label, "fc2 (Linear)"): the op and the value it made.
    std::ostringstream& into = in_module ? clusters_[module_label(*origin)] : body_;
    into << "  " << id << " [label=\"" << label << "\", color=lightblue, style=filled, shape=box]\n";
    const Variable out = f->output();
    if (out.defined()) {
      const std::string v = var(out, &into);
      body_ << "  " << id << " -> " << v << "\n";
    }
    if (f->released()) return;
    for (std::size_t i = 0; i < f->num_inputs(); ++i) {
      const std::string v = var(f->input(i));  // declares the input first, then the edge
      body_ << "  " << v << " -> " << id << "\n";
    }
  }

  std::string str() const {
    std::string head = "digraph g {\n";
    if (!o_.title.empty()) head += "  label=\"" + escape(o_.title) + "\"\n  labelloc=t\n";
    std::string clusters;
    std::size_t k = 0;
    for (const auto& [label, nodes] : clusters_)
      clusters += "  subgraph cluster_" + std::to_string(k++) + " {\n  label=\"" + escape(label) +
                  "\"\n  style=rounded\n" + nodes.str() + "  }\n";
    return head + clusters + body_.str() + "}\n";
  }

 private:
  const DotOptions& o_;
  std::map<const void*, std::string> vars_;
  std::ostringstream body_;
  std::map<std::string, std::ostringstream> clusters_;
};

}  // namespace

std::string to_dot(const Variable& root, const DotOptions& options) {
  DotWriter w(options);
  if (!root.defined()) return w.str();
  w.var(root);
  const auto fns = detail::functions_below(root);
  for (std::size_t i = 0; i < fns.size(); ++i) w.function(fns[i], i);
  return w.str();
}

void render_dot(const std::string& dot, const std::string& path) {
  const auto ext = path.substr(path.find_last_of('.') + 1);
  if (ext != "png" && ext != "svg") throw Error("render_dot: '" + path + "' should end in .png or .svg");
  if (std::system("command -v dot >/dev/null 2>&1") != 0)
    throw IOError("render_dot: Graphviz's dot is not installed (apt-get install graphviz); cannot write '" +
                  path + "'");
  const std::string src = path + ".dot";
  {
    std::ofstream f(src);
    f << dot;
    if (!f) throw IOError("render_dot: cannot write '" + src + "'");
  }
  const std::string cmd = "dot -T" + ext + " '" + src + "' -o '" + path + "'";
  const int rc = std::system(cmd.c_str());
  std::remove(src.c_str());  // the picture is what was asked for; the DOT text was only its input
  if (rc != 0) throw IOError("render_dot: '" + cmd + "' failed");
}

}  // namespace tsumiki
