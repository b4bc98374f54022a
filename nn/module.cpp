#include "module.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <sstream>
#include <typeinfo>
#include <utility>

#include "../autograd/error.hpp"
#include "../autograd/grad_mode.hpp"
#include "../autograd/ops/shape.hpp"
#include "../autograd/origin.hpp"

namespace tsumiki::nn {

namespace detail {
template <class Fn>
struct HookEntry {
  std::uint64_t id;
  Fn fn;
  Site site;  // where it was registered
};

struct ModuleHooks {
  std::uint64_t last_id = 0;
  std::vector<HookEntry<ForwardPreHook>> pre;
  std::vector<HookEntry<ForwardHook>> forward;
  std::vector<HookEntry<BackwardHook>> backward;
  bool empty() const { return pre.empty() && forward.empty() && backward.empty(); }
};
}  // namespace detail

namespace {
thread_local const Module* calling = nullptr;  // the module whose forward runs now on this thread

// "main.cpp:42 in fc1 (Linear)": the user's call of the module, as errors raised in a module call say it.
std::string called_at(const Origin& origin) {
  return to_string(origin.user_site) + " in " + module_label(origin);
}

std::string describe(const Variable& v) {
  return v.defined() ? std::string(dtype_name(v.dtype())) + " " + to_string(v.shape()) : "undefined";
}

// What one call's backward hooks share: the gradient hook on the output keeps grad_output until the one on
// the input runs them.
struct BackwardCall {
  Module* module;
  std::weak_ptr<detail::ModuleHooks> alive;            // expires with the module
  std::vector<detail::HookEntry<BackwardHook>> hooks;  // those registered when the call ran
  const Origin* origin;
  Variable grad_output;

  // Runs the hooks in order, each seeing the grad_input the one before returned.
  Variable run(const Variable& grad_input, const Variable& gy) const {
    Variable gx = grad_input;
    for (std::size_t i = 0; i < hooks.size(); ++i) {
      const std::optional<Variable> r = hooks[i].fn(*module, gx, gy);
      if (!r) continue;
      std::string problem;
      if (!gx.defined())
        problem =
            ", but no input of the call requires grad: there is no grad_input to replace (return "
            "std::nullopt)";
      else if (!r->defined())
        problem = " for grad_input " + describe(gx) + "; return std::nullopt to keep it";
      else if (r->shape() != gx.shape() || r->dtype() != gx.dtype())
        problem = " for grad_input " + describe(gx) + "; a replacement must match it";
      if (!problem.empty())
        throw Error(module->type_name() + ": full backward hook " + std::to_string(i + 1) +
                        " (registered at " + to_string(hooks[i].site) + ") returned " + describe(*r) +
                        problem + " (at " + called_at(*origin) + ")",
                    Error::Located{});
      gx = *r;
    }
    return gx;
  }
};

// A replacement from a forward (pre-)hook must be a Variable; raised inside the call, which adds the place.
template <class Entry>
const Variable& forward_replacement(const Variable& v, const Module& m, const char* kind, std::size_t i,
                                    const Entry& e, const char* keep) {
  if (!v.defined())
    throw Error(m.type_name() + ": " + kind + " " + std::to_string(i + 1) + " (registered at " +
                to_string(e.site) + ") returned an undefined Variable; return std::nullopt to keep the " +
                keep);
  return v;
}
}  // namespace

void HookHandle::remove() {
  const auto hooks = hooks_.lock();
  hooks_.reset();
  if (!hooks) return;  // removed already, or the module is gone
  const auto drop = [id = id_](auto& v) { std::erase_if(v, [id](const auto& e) { return e.id == id; }); };
  drop(hooks->pre);
  drop(hooks->forward);
  drop(hooks->backward);
}

detail::ModuleHooks& Module::hooks(const char* caller, bool empty_function, const Site& site) {
  if (empty_function)
    throw Error(std::string("Module::") + caller + ": the hook for " + type_name() +
                " is an empty function (at " + to_string(site) + ")");
  if (!hooks_) hooks_ = std::make_shared<detail::ModuleHooks>();
  return *hooks_;
}

HookHandle Module::register_forward_pre_hook(ForwardPreHook hook, const Site& site) {
  auto& h = hooks("register_forward_pre_hook", !hook, site);
  h.pre.push_back({++h.last_id, std::move(hook), site});
  return HookHandle(hooks_, h.last_id);
}

HookHandle Module::register_forward_hook(ForwardHook hook, const Site& site) {
  auto& h = hooks("register_forward_hook", !hook, site);
  h.forward.push_back({++h.last_id, std::move(hook), site});
  return HookHandle(hooks_, h.last_id);
}

HookHandle Module::register_full_backward_hook(BackwardHook hook, const Site& site) {
  auto& h = hooks("register_full_backward_hook", !hook, site);
  h.backward.push_back({++h.last_id, std::move(hook), site});
  return HookHandle(hooks_, h.last_id);
}

// The call with hooks, PyTorch's order: pre-hooks, then the input wrapped for backward hooks, forward,
// forward hooks, the output wrapped. Hooks are copied first, so a hook may remove itself or others.
Variable Module::call_hooked(const Variable& input, const Origin& origin) {
  const auto pre = hooks_->pre;
  const auto post = hooks_->forward;
  Variable x = input;
  for (std::size_t i = 0; i < pre.size(); ++i)
    if (auto r = pre[i].fn(*this, x))
      x = forward_replacement(*r, *this, "forward pre-hook", i, pre[i], "input");

  std::shared_ptr<BackwardCall> call;
  bool input_hooked = false;
  if (!hooks_->backward.empty() && is_grad_enabled()) {
    call = std::make_shared<BackwardCall>(BackwardCall{this, hooks_, hooks_->backward, &origin, {}});
    if (x.defined() && x.requires_grad()) {
      x = identity(x);
      x.register_hook([call](const Variable& g) {
        const Variable gy = std::exchange(call->grad_output, Variable());
        if (call->alive.expired()) return Variable();
        return call->run(g, gy);
      });
      input_hooked = true;
    }
  }

  Variable y = forward(x);
  for (std::size_t i = 0; i < post.size(); ++i)
    if (auto r = post[i].fn(*this, x, y))
      y = forward_replacement(*r, *this, "forward hook", i, post[i], "output");

  if (call && y.defined() && y.requires_grad()) {
    y = identity(y);
    // With a hooked input the hooks run when grad_input is known (held here until then: it may hold the
    // graph of a create_graph backward, so it is dropped as soon as it is used); without, they run now.
    y.register_hook([call, input_hooked](const Variable& g) {
      if (input_hooked)
        call->grad_output = g;
      else if (!call->alive.expired())
        call->run(Variable(), g);
      return Variable();
    });
  }
  return y;
}

Variable Module::operator()(const Variable& x, const Site& site) {
  const Origin* outer = current_origin();
  std::string path;
  Site user = site;
  if (calling && outer && !outer->backward_of) {  // called from a module's forward: extend its path
    user = outer->user_site;
    const std::string* own = calling->child_name(this);
    const std::string part = own ? *own : type_name();  // an unregistered helper module: its type
    path = outer->module_path.empty() ? part : outer->module_path + "." + part;
  } else {  // the outermost module of this call
    path = name_;
    if (!paths_named_) name_parameters_by_path();
  }
  const tsumiki::detail::OriginScope scope(path, type_name(), user);
  struct Calling {
    const Module* previous;
    explicit Calling(const Module* m) : previous(std::exchange(calling, m)) {}
    ~Calling() { calling = previous; }
    Calling(const Calling&) = delete;
    Calling& operator=(const Calling&) = delete;
  } frame(this);
  try {
    if (!hooks_ || hooks_->empty()) return forward(x);
    return call_hooked(x, *scope.origin());
  } catch (const Error& e) {
    if (e.located()) throw;
    throw Error(
        std::string(e.what()) + " (at " + to_string(user) + " in " + module_label(*scope.origin()) + ")",
        Error::Located{});
  }
}

// A module that does not override describe() is named by its C++ class ("Net" for a user's struct Net).
std::string Module::type_name() const {
  const std::string d = describe();
  if (d != "Module") return d.substr(0, d.find('('));
  int status = 0;
  const std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(typeid(*this).name(), nullptr, nullptr, &status), std::free);
  if (status != 0 || !name) return d;
  std::string full = name.get();
  const auto colon = full.rfind("::");
  return colon == std::string::npos ? full : full.substr(colon + 2);
}

Module& Module::name(std::string name) {
  if (name.find('.') != std::string::npos) throw Error("Module::name: '" + name + "' must contain no '.'");
  name_ = std::move(name);
  return *this;
}

const std::string* Module::child_name(const Module* child) const {
  for (const auto& [n, m] : children_)
    if (m.get() == child) return &n;
  return nullptr;
}

// Parameters and buffers that still carry their registered name or a shorter path (or none) take their path
// from this root; names a user gave are kept.
void Module::name_parameters_by_path() {
  for (const bool buffers : {false, true}) {
    std::vector<std::pair<std::string, Variable>> all;
    collect("", all, buffers);
    for (auto& [path, v] : all) {
      const std::string& n = v.name();
      const bool registered = path == n || (path.size() > n.size() && path.ends_with("." + n));
      if (n.empty() || registered) v.name(path);
    }
  }
  paths_named_ = true;
}

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
  paths_named_ = false;
  return v;
}

Variable Module::register_buffer(const std::string& name, Variable v) {
  check_name(name);
  if (!v.defined()) throw Error("Module::register_buffer: '" + name + "' is undefined");
  if (v.requires_grad())
    throw Error("Module::register_buffer: '" + name + "' requires grad (register it as a parameter)");
  if (v.name().empty()) v.name(name);
  buffers_.emplace_back(name, v);
  paths_named_ = false;
  return v;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> m) {
  check_name(name);
  if (!m) throw Error("Module::register_module: '" + name + "' is null");
  children_.emplace_back(name, std::move(m));
  paths_named_ = false;
}

void Module::collect(const std::string& prefix, std::vector<std::pair<std::string, Variable>>& out,
                     bool buffers) const {
  for (const auto& [n, p] : buffers ? buffers_ : params_) out.emplace_back(prefix + n, p);
  for (const auto& [n, m] : children_) m->collect(prefix + n + ".", out, buffers);
}

void Module::collect_state(const std::string& prefix, StateDict& out) const {
  for (const auto& [n, p] : params_) out.insert(prefix + n, p.data());
  for (const auto& [n, b] : buffers_) out.insert(prefix + n, b.data());
  for (const auto& [n, m] : children_) m->collect_state(prefix + n + ".", out);
}

StateDict Module::state_dict() const {
  StateDict out;
  collect_state("", out);
  return out;
}

LoadReport Module::load_state_dict(const StateDict& dict, bool strict) {
  const StateDict own = state_dict();
  LoadReport report;
  std::vector<std::string> problems;
  for (const auto& [name, t] : own) {
    if (!dict.contains(name)) {
      report.missing.push_back(name);
      continue;
    }
    const Tensor& given = dict.at(name);
    if (given.shape() != t.shape() || given.dtype() != t.dtype())
      problems.push_back(name + " is " + dtype_name(given.dtype()) + " " + to_string(given.shape()) +
                         " in the dict but " + dtype_name(t.dtype()) + " " + to_string(t.shape()) + " here");
  }
  for (const auto& [name, t] : dict)
    if (!own.contains(name)) report.unexpected.push_back(name);
  if (strict) {
    for (const auto& n : report.missing) problems.push_back("missing " + n);
    for (const auto& n : report.unexpected) problems.push_back("unexpected " + n);
  }
  if (!problems.empty()) {
    std::string msg = "Module::load_state_dict: the dict does not match " + type_name() + ":";
    for (const auto& p : problems) msg += "\n  " + p;
    throw Error(msg);
  }
  for (const auto& [name, t] : own)
    if (dict.contains(name)) {
      Tensor dst = t;  // shares the parameter's storage
      dst.copy_from(dict.at(name));
    }
  return report;
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
