#include "module.hpp"

#include <sstream>

namespace tsumiki::nn {

void Module::check_name(const std::string& name) const {
  if (name.empty() || name.find('.') != std::string::npos)
    throw Error("Module: name '" + name + "' must be non-empty and contain no '.'");
  for (const auto& [n, p] : params_)
    if (n == name) throw Error("Module: '" + name + "' is already registered");
  for (const auto& [n, m] : children_)
    if (n == name) throw Error("Module: '" + name + "' is already registered");
  for (const auto& [n, b] : buffers_)
    if (n == name) throw Error("Module: '" + name + "' is already registered");
}

Variable Module::register_parameter(const std::string& name, Variable v) {
  check_name(name);
  if (!v.defined()) throw Error("Module::register_parameter: '" + name + "' is undefined");
  if (!v.is_leaf())
    throw Error("Module::register_parameter: '" + name + "' must be a leaf (detach it first)");
  v.requires_grad(true);
  if (v.name().empty()) v.name(name);
  params_.emplace_back(name, v);
  return v;
}

Variable Module::register_buffer(const std::string& name, Variable v) {
  check_name(name);
  if (!v.defined()) throw Error("Module::register_buffer: '" + name + "' is undefined");
  if (v.requires_grad())
    throw Error("Module::register_buffer: '" + name + "' requires grad (register it as a parameter)");
  if (v.name().empty()) v.name(name);
  buffers_.emplace_back(name, v);
  return v;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> m) {
  check_name(name);
  if (!m) throw Error("Module::register_module: '" + name + "' is null");
  children_.emplace_back(name, std::move(m));
}

void Module::collect(const std::string& prefix, std::vector<std::pair<std::string, Variable>>& out,
                     bool buffers) const {
  for (const auto& [n, p] : buffers ? buffers_ : params_) out.emplace_back(prefix + n, p);
  for (const auto& [n, m] : children_) m->collect(prefix + n + ".", out, buffers);
}

std::vector<std::pair<std::string, Variable>> Module::named_buffers() const {
  std::vector<std::pair<std::string, Variable>> out;
  collect("", out, true);
  return out;
}

std::vector<std::pair<std::string, Variable>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Variable>> out;
  collect("", out);
  return out;
}

std::vector<Variable> Module::parameters() const {
  std::vector<Variable> out;
  for (auto& [n, p] : named_parameters()) out.push_back(p);
  return out;
}

std::size_t Module::num_parameters() const {
  std::size_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

void Module::zero_grad() {
  for (auto& p : parameters()) p.zero_grad();
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [n, m] : children_) m->train(on);
}

void Module::summarize(const std::string& prefix, std::string& out) const {
  std::size_t own = 0;
  std::string shapes;
  for (const auto& [n, p] : params_) {
    own += p.numel();
    shapes += (shapes.empty() ? "" : " ") + n + to_string(p.shape());
  }
  std::ostringstream line;
  line << (prefix.empty() ? "(root)" : prefix.substr(0, prefix.size() - 1));
  line << "  " << describe();
  if (!params_.empty()) line << "  " << shapes << "  params " << own;
  out += line.str() + "\n";
  for (const auto& [n, m] : children_) m->summarize(prefix + n + ".", out);
}

std::string Module::summary() const {
  std::string out;
  summarize("", out);
  return out + "total parameters: " + std::to_string(num_parameters()) + "\n";
}

}  // namespace tsumiki::nn
