#include "html.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "../error.hpp"
#include "../function.hpp"
#include "graph_walk.hpp"
#include "stepper.hpp"

namespace tsumiki {
namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '<':
        out += "\\u003c";
        break;  // never "</script>" inside the page's script
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string json_number(double v) {
  if (std::isnan(v)) return "\"NaN\"";
  if (std::isinf(v)) return v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// min, max and mean over the finite elements, and the NaN and Inf counts.
std::string json_stats(const Tensor& t, std::size_t max_values) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
  std::size_t nan = 0, inf = 0, finite = 0;
  for (std::size_t i = 0; i < t.numel(); ++i) {
    const double v = t.flat(i);
    if (std::isnan(v)) {
      ++nan;
    } else if (std::isinf(v)) {
      ++inf;
    } else {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
      ++finite;
    }
  }
  std::string s = "{\"numel\":" + std::to_string(t.numel());
  if (finite > 0)
    s += ",\"min\":" + json_number(lo) + ",\"max\":" + json_number(hi) +
         ",\"mean\":" + json_number(sum / static_cast<double>(finite));
  s += ",\"nan\":" + std::to_string(nan) + ",\"inf\":" + std::to_string(inf);
  if (t.numel() <= max_values) {
    s += ",\"values\":[";
    for (std::size_t i = 0; i < t.numel(); ++i) {
      if (i) s += ',';
      s += json_number(t.flat(i));
    }
    s += "]";
  }
  return s + "}";
}

std::string module_of(const Origin* o) { return o && !o->module_type.empty() ? module_label(*o) : ""; }

class PageWriter {
 public:
  PageWriter(const Variable& root, const HtmlOptions& o) : o_(o) {
    fns_ = detail::functions_below(root);
    for (std::size_t i = 0; i < fns_.size(); ++i) fn_id_[fns_[i]] = i;
    var(root);
    for (const Function* f : fns_) {
      const Variable out = f->output();
      if (out.defined()) var(out);
      if (!f->released())
        for (std::size_t i = 0; i < f->num_inputs(); ++i) var(f->input(i));
    }
    root_ = var_id_.at(root.impl());
    if (!o.backward) return;
    if (!root.requires_grad())
      note_ = "no backward steps: the root does not require grad";
    else if (root.numel() != 1)
      note_ = "no backward steps: the root is not a scalar";
    else if (any_released())
      note_ =
          "no backward steps: backward() already freed this graph (build the page before it, or pass "
          "retain_graph = true)";
    else
      record_backward(root);
  }

  std::string json() const {
    std::ostringstream s;
    s << "{\"title\":" << json_string(o_.title) << ",\"root\":" << root_ << ",\"note\":" << json_string(note_)
      << ",\"vars\":[";
    for (std::size_t i = 0; i < vars_.size(); ++i) {
      const Variable& v = vars_[i];
      const char* kind = v.creator() ? "result" : (v.requires_grad() ? "leaf" : "constant");
      s << (i ? "," : "") << "{\"id\":" << i << ",\"name\":" << json_string(v.name())
        << ",\"shape\":" << json_string(to_string(v.shape()))
        << ",\"dtype\":" << json_string(dtype_name(v.dtype())) << ",\"kind\":\"" << kind
        << "\",\"where\":" << json_string(v.where()) << ",\"module\":" << json_string(module_of(v.origin()))
        << ",\"stats\":" << json_stats(v.data(), o_.max_values)
        << ",\"grad\":" << (grads_[i].empty() ? "null" : grads_[i]) << "}";
    }
    s << "],\"fns\":[";
    for (std::size_t i = 0; i < fns_.size(); ++i) {
      const Function* f = fns_[i];
      const Origin* o = f->origin();
      const Variable out = f->output();
      s << (i ? "," : "") << "{\"id\":" << i << ",\"op\":" << json_string(f->op())
        << ",\"gen\":" << f->generation() << ",\"where\":" << json_string(f->where())
        << ",\"module\":" << json_string(module_of(o))
        << ",\"user\":" << json_string(to_string(o ? o->user_site : f->site()))
        << ",\"via\":" << json_string(o ? to_string(f->site()) : "")
        << ",\"released\":" << (f->released() ? "true" : "false")
        << ",\"output\":" << (out.defined() ? std::to_string(var_id_.at(out.impl())) : "null")
        << ",\"inputs\":[";
      if (!f->released())
        for (std::size_t k = 0; k < f->num_inputs(); ++k)
          s << (k ? "," : "") << var_id_.at(f->input(k).impl());
      s << "]}";
    }
    s << "],\"steps\":[" << steps_ << "]}";
    return s.str();
  }

 private:
  std::size_t var(const Variable& v) {
    const auto [it, fresh] = var_id_.emplace(v.impl(), vars_.size());
    if (fresh) {
      vars_.push_back(v);
      grads_.emplace_back();
    }
    return it->second;
  }

  bool any_released() const {
    for (const Function* f : fns_)
      if (f->released()) return true;
    return false;
  }

  // Runs the backward a step at a time and records what flows; every grad() is put back as it was.
  void record_backward(const Variable& root) {
    std::vector<Variable> saved;
    for (auto& v : vars_) {
      saved.push_back(v.grad());
      if (v.requires_grad()) v.set_grad(Variable());
    }
    try {
      BackwardStepper step(root, {.retain_graph = true});
      std::ostringstream s;
      std::size_t n = 0;
      while (step.next()) {
        const Function* f = step.function();
        const auto fid = fn_id_.find(f);
        if (fid == fn_id_.end()) continue;
        const Variable& gy = step.output_grad();
        if (f->output().defined())
          grads_[var_id_.at(f->output().impl())] = json_stats(gy.data(), o_.max_values);
        s << (n++ ? "," : "") << "{\"fn\":" << fid->second
          << ",\"gy\":" << json_stats(gy.data(), o_.max_values) << ",\"flows\":[";
        const Grads& gxs = step.input_grads();
        bool first = true;
        for (std::size_t i = 0; i < gxs.size() && i < step.inputs().size(); ++i) {
          if (!gxs[i].defined()) continue;
          s << (first ? "" : ",") << "{\"to\":" << var_id_.at(step.inputs()[i].impl())
            << ",\"g\":" << json_stats(gxs[i].data(), o_.max_values) << "}";
          first = false;
        }
        s << "]}";
      }
      steps_ = s.str();
      for (std::size_t i = 0; i < vars_.size(); ++i)
        if (!vars_[i].creator() && vars_[i].grad().defined())
          grads_[i] = json_stats(vars_[i].grad().data(), o_.max_values);
    } catch (...) {
      restore(saved);
      throw;
    }
    restore(saved);
  }

  void restore(const std::vector<Variable>& saved) {
    for (std::size_t i = 0; i < vars_.size(); ++i)
      if (vars_[i].requires_grad() || saved[i].defined()) vars_[i].set_grad(saved[i]);
  }

  const HtmlOptions& o_;
  std::vector<const Function*> fns_;
  std::unordered_map<const Function*, std::size_t> fn_id_;
  std::vector<Variable> vars_;
  std::vector<std::string> grads_;  // JSON stats of each Variable's gradient in the recorded pass
  std::unordered_map<const void*, std::size_t> var_id_;
  std::size_t root_ = 0;
  std::string steps_;
  std::string note_;
};

}  // namespace

std::string to_html(const Variable& root, const HtmlOptions& options) {
  if (!root.defined()) throw Error("to_html: the root Variable is undefined");
  const PageWriter w(root, options);
  std::string title;
  for (const char c : options.title)
    title += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
         "</title>\n<style>\n" + detail::kExplorerStyle +
         "</style>\n</head>\n<body>\n<script id=\"graph-data\" "
         "type=\"application/json\">" +
         w.json() + "</script>\n<script>\n" + detail::kExplorerScript + "</script>\n</body>\n</html>\n";
}

void save_html(const Variable& root, const std::string& path, const HtmlOptions& options) {
  const std::string page = to_html(root, options);
  std::ofstream f(path, std::ios::binary);
  if (!f) throw IOError("save_html: cannot open '" + path + "' for writing");
  f << page;
  f.close();
  if (!f) throw IOError("save_html: writing '" + path + "' failed");
}

}  // namespace tsumiki
