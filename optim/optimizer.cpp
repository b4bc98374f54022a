#include "optimizer.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <sstream>

#include "../autograd/grad_mode.hpp"

namespace tsumiki::optim {
namespace {
std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

// Every setting of GroupOptions by name, in its order (state_dict keys and messages use these names).
struct Setting {
  const char* name;
  std::optional<double> GroupOptions::*member;
};
constexpr Setting kSettings[] = {
    {"lr", &GroupOptions::lr},       {"momentum", &GroupOptions::momentum},
    {"decay", &GroupOptions::decay}, {"rho", &GroupOptions::rho},
    {"beta1", &GroupOptions::beta1}, {"beta2", &GroupOptions::beta2},
    {"eps", &GroupOptions::eps},     {"weight_decay", &GroupOptions::weight_decay}};

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string describe(const Variable& p) {
  return std::string(dtype_name(p.dtype())) + " " + to_string(p.shape()) +
         (p.name().empty() ? "" : " '" + p.name() + "'");
}

// g += wd * p, element by element (L2 weight decay).
void add_scaled(Tensor& g, const Tensor& p, double wd) {
  dispatch_floating(g.dtype(), "weight decay", [&](auto tag) {
    using T = decltype(tag);
    T* d = g.data<T>();
    const T* w = p.data<T>();
    for (std::size_t k = 0; k < g.numel(); ++k) d[k] += T(wd) * w[k];
  });
}
}  // namespace

ParamGroups::ParamGroups(std::vector<Variable> params) : groups{{std::move(params)}} {}
ParamGroups::ParamGroups(std::vector<ParamGroup> groups) : groups(std::move(groups)) {}
ParamGroups::ParamGroups(std::initializer_list<ParamGroup> groups) : groups(groups) {}

Optimizer::Optimizer(ParamGroups params, const GroupOptions& defaults, const char* name)
    : defaults_(defaults), name_(name) {
  for (auto& group : params.groups) append_group(std::move(group));
  if (params_.empty()) throw Error(std::string(name) + ": no parameters to optimise");
}

void Optimizer::append_group(ParamGroup group) {
  const std::string who(name_);
  const std::string g = std::to_string(groups_.size());
  for (const auto& s : kSettings) {
    auto& v = group.options.*s.member;
    if (v && !(defaults_.*s.member))
      throw Error(who + ": group " + g + " sets " + s.name + ", which " + who +
                  " does not use (its settings: " + join(setting_names()) + ")");
    if (!v) v = defaults_.*s.member;
    if (v && (!std::isfinite(*v) || *v < 0))
      throw Error(who + ": group " + g + ": " + s.name + " must be finite and non-negative, got " +
                  number(*v));
  }
  for (std::size_t k = 0; k < group.params.size(); ++k) {
    const auto& p = group.params[k];
    if (!p.defined() || !p.requires_grad() || !is_floating(p.dtype()))
      throw Error(who + ": parameter " + std::to_string(params_.size() + k) + " (group " + g +
                  ") must be a defined floating Variable that requires grad");
    for (std::size_t i = 0; i < params_.size() + k; ++i) {
      const bool earlier = i < params_.size();
      if (!(earlier ? params_[i] : group.params[i - params_.size()]).is_same(p)) continue;
      throw Error(who + ": a parameter (" + describe(p) + ") appears twice, in group " +
                  (earlier ? std::to_string(group_of_[i]) : g) + " and group " + g +
                  "; each belongs to one group");
    }
  }
  for (const auto& p : group.params) {
    params_.push_back(p);
    group_of_.push_back(groups_.size());
    state_.emplace_back();
  }
  groups_.push_back(std::move(group));
}

void Optimizer::add_param_group(ParamGroup group) {
  // The rule's own checks (Adam's betas) before append_group, which changes the optimizer once its pass.
  GroupOptions resolved = group.options;
  for (const auto& s : kSettings)
    if (!(resolved.*s.member)) resolved.*s.member = defaults_.*s.member;
  if (const std::string wrong = check_settings(resolved); !wrong.empty())
    throw Error(std::string(name_) + ": group " + std::to_string(groups_.size()) + ": " + wrong);
  append_group(std::move(group));
}

void Optimizer::check_groups() const {
  for (std::size_t g = 0; g < groups_.size(); ++g)
    if (const std::string wrong = check_settings(groups_[g].options); !wrong.empty())
      throw Error(std::string(name_) + ": group " + std::to_string(g) + ": " + wrong);
}

std::vector<std::string> Optimizer::setting_names() const {
  std::vector<std::string> out;
  for (const auto& s : kSettings)
    if (defaults_.*s.member) out.emplace_back(s.name);
  return out;
}

double Optimizer::lr() const {
  std::string all;
  bool differ = false;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    differ = differ || *groups_[g].options.lr != *groups_[0].options.lr;
    all += (g ? ", group " : "group ") + std::to_string(g) + ": " + number(*groups_[g].options.lr);
  }
  if (differ)
    throw Error(std::string(name_) + "::lr: the groups' learning rates differ (" + all + "); ask lr(group)");
  return *groups_[0].options.lr;
}

void Optimizer::set_lr(double lr) {
  for (std::size_t g = 0; g < groups_.size(); ++g) set_lr(g, lr);
}

double Optimizer::lr(std::size_t group) const {
  if (group >= groups_.size())
    throw Error(std::string(name_) + "::lr: no group " + std::to_string(group) + " (" +
                std::to_string(groups_.size()) + " groups)");
  return *groups_[group].options.lr;
}

void Optimizer::set_lr(std::size_t group, double lr) {
  if (group >= groups_.size())
    throw Error(std::string(name_) + "::set_lr: no group " + std::to_string(group) + " (" +
                std::to_string(groups_.size()) + " groups)");
  if (!(lr >= 0) || !std::isfinite(lr))
    throw Error(std::string(name_) + ": learning rate must be finite and non-negative, got " + number(lr) +
                (groups_.size() > 1 ? " for group " + std::to_string(group) : ""));
  groups_[group].options.lr = lr;
}

Optimizer& Optimizer::add_hook(GradHook hook) {
  hooks_.push_back(std::move(hook));
  return *this;
}

void Optimizer::zero_grad() {
  for (auto& p : params_) p.zero_grad();
}

Tensor& Optimizer::slot(std::size_t i, const std::string& name) {
  for (auto& [n, t] : state_[i])
    if (n == name) return t;
  state_[i].emplace_back(name, zeros(params_[i].shape(), params_[i].dtype()));
  return state_[i].back().second;
}

void Optimizer::step() {
  NoGradGuard no_grad;
  const auto l2 = [&](std::size_t i) {
    return decoupled_weight_decay() ? 0.0 : *groups_[group_of_[i]].options.weight_decay;
  };
  std::vector<Tensor> grads(params_.size());
  bool any = false;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Variable g = params_[i].grad();
    if (!g.defined()) continue;
    // Hooks and weight decay rewrite gradients: give them copies so grad() stays what backward computed.
    grads[i] = hooks_.empty() && l2(i) == 0 ? g.data() : g.data().clone();
    any = true;
  }
  if (!any)
    throw GraphError(std::string(name_) +
                     "::step: no parameter has a gradient; call backward() before step()");
  for (auto& hook : hooks_) hook(params_, grads);
  // After the hooks, as PyTorch adds weight decay inside step(), after the user clipped the gradients.
  for (std::size_t i = 0; i < params_.size(); ++i)
    if (grads[i].defined() && l2(i) != 0) add_scaled(grads[i], params_[i].data(), l2(i));
  ++steps_;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!grads[i].defined()) continue;
    Tensor p = params_[i].data();  // shares the buffer: the update is seen by every handle
    update(i, p, grads[i], groups_[group_of_[i]].options);
  }
}

NamedTensors Optimizer::state_dict() const {
  NamedTensors out;
  out.emplace_back("step", scalar_tensor(static_cast<double>(steps_), Dtype::Int64));
  out.emplace_back(std::string("rule.") + name_, scalar_tensor(1, Dtype::Int64));
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    std::vector<std::int64_t> members;
    for (std::size_t i = 0; i < params_.size(); ++i)
      if (group_of_[i] == g) members.push_back(static_cast<std::int64_t>(i));
    const std::string prefix = "group." + std::to_string(g) + ".";
    out.emplace_back(prefix + "params", from_vector(members));
    for (const auto& s : kSettings)
      if (const auto& v = groups_[g].options.*s.member)
        out.emplace_back(prefix + s.name, scalar_tensor(*v, Dtype::Float64));
  }
  if (steps_ == 0) return out;
  const auto slots = slot_names();
  for (std::size_t i = 0; i < state_.size(); ++i)
    for (const auto& s : slots) {
      Tensor t = zeros(params_[i].shape(), params_[i].dtype());  // a parameter not updated yet
      for (const auto& [n, v] : state_[i])
        if (n == s) t = v.clone();
      out.emplace_back(std::to_string(i) + "." + s, t);
    }
  return out;
}

std::string Optimizer::describe_groups() const {
  std::string counts;
  for (const auto& g : groups_) counts += (counts.empty() ? "" : ", ") + std::to_string(g.params.size());
  return std::to_string(groups_.size()) + (groups_.size() == 1 ? " group" : " groups") + " (" + counts +
         " parameters)";
}

LoadReport Optimizer::load_state_dict(const NamedTensors& state, bool strict) {
  const std::string who = std::string(name_) + "::load_state_dict";
  // The rule first: another rule's slots may share names and shapes with this one's (Momentum's v and
  // Adam's v) and would load without a word.
  for (const auto& [key, t] : state)
    if (key.rfind("rule.", 0) == 0 && key != std::string("rule.") + name_)
      throw Error(std::string(name_) + "::load_state_dict: the state was written by " + key.substr(5) +
                  ", and this optimizer is " + name_ + "; one rule's state means nothing to another");
  LoadReport report;
  const auto unexpected = [&](const std::string& key, const std::string& why) {
    if (strict) throw Error(who + ": " + why);
    report.unexpected.push_back(key);
  };
  const auto slots = slot_names();
  const auto settings = setting_names();
  std::vector<NamedTensors> loaded(params_.size());
  std::size_t steps = 0;
  bool has_step = false;
  // The state's groups: position in params() of each member, and settings by name.
  std::map<std::size_t, std::vector<std::size_t>> members;
  std::map<std::size_t, std::map<std::string, double>> values;
  bool any_group = false;
  for (const auto& [key, t] : state) {
    if (key.rfind("rule.", 0) == 0) continue;
    if (key == "step") {
      if (t.dtype() != Dtype::Int64 || t.numel() != 1 || t.data<std::int64_t>()[0] < 0)
        throw Error(who + ": 'step' must be one non-negative int64, got " + dtype_name(t.dtype()) + " " +
                    to_string(t.shape()));
      steps = static_cast<std::size_t>(t.data<std::int64_t>()[0]);
      has_step = true;
      continue;
    }
    if (key.rfind("group.", 0) == 0) {
      any_group = true;
      const auto dot = key.find('.', 6);
      std::size_t g = 0;
      bool ok = dot != std::string::npos && dot > 6 && std::isdigit(static_cast<unsigned char>(key[6]));
      if (ok) try {
          g = std::stoul(key.substr(6, dot - 6));
        } catch (...) {
          ok = false;
        }
      const std::string what = ok ? key.substr(dot + 1) : "";
      if (what == "params") {
        if (t.dtype() != Dtype::Int64 || t.shape().size() != 1)
          throw Error(who + ": '" + key + "' must be a 1-D int64 list of parameter positions, got " +
                      dtype_name(t.dtype()) + " " + to_string(t.shape()));
        auto& m = members[g];
        for (std::size_t k = 0; k < t.numel(); ++k) {
          const std::int64_t i = t.data<std::int64_t>()[k];
          if (i < 0 || static_cast<std::size_t>(i) >= params_.size())
            throw Error(who + ": '" + key + "' names parameter " + std::to_string(i) +
                        ", and this optimizer has " + std::to_string(params_.size()) + " parameters in " +
                        describe_groups());
          m.push_back(static_cast<std::size_t>(i));
        }
      } else if (ok && std::find(settings.begin(), settings.end(), what) != settings.end()) {
        if (!is_floating(t.dtype()) || t.numel() != 1 || !std::isfinite(t.flat(0)) || t.flat(0) < 0)
          throw Error(who + ": '" + key + "' must be one finite non-negative number, got " +
                      dtype_name(t.dtype()) + " " + to_string(t.shape()) +
                      (t.numel() == 1 ? " " + number(t.flat(0)) : ""));
        values[g][what] = t.flat(0);
      } else {
        unexpected(key, "'" + key + "' is not a setting of " + name_ +
                            "'s groups (its settings: " + join(settings) + ")");
      }
      continue;
    }
    const auto dot = key.find('.');
    std::size_t i = params_.size();
    try {
      i = std::stoul(key.substr(0, dot));
    } catch (...) {
    }
    if (dot == std::string::npos || i >= params_.size()) {
      unexpected(key, "entry '" + key + "' names no parameter of this optimizer (" +
                          std::to_string(params_.size()) + " parameters)");
      continue;
    }
    if (t.shape() != params_[i].shape() || t.dtype() != params_[i].dtype())
      throw Error(who + ": '" + key + "' is " + dtype_name(t.dtype()) + " " + to_string(t.shape()) +
                  " but parameter " + std::to_string(i) + " (group " + std::to_string(group_of_[i]) +
                  ") is " + describe(params_[i]));
    const std::string slot_name = key.substr(dot + 1);
    if (std::find(slots.begin(), slots.end(), slot_name) == slots.end()) {
      unexpected(key, "'" + key + "' is not state of " + name_ + " (its slots: " + join(slots) + ")");
      continue;
    }
    for (const auto& [n, v] : loaded[i])
      if (n == slot_name) throw Error(who + ": '" + key + "' appears twice");
    loaded[i].emplace_back(slot_name, t.clone());
  }
  if (!has_step) throw Error(who + ": no 'step' entry");

  // Groups: the same number, each with the same parameters; their settings replace this optimizer's.
  std::vector<GroupOptions> options;
  for (const auto& g : groups_) options.push_back(g.options);
  if (any_group) {
    std::string theirs;
    for (const auto& [g, m] : members) theirs += (theirs.empty() ? "" : ", ") + std::to_string(m.size());
    const bool numbered = !members.empty() && members.rbegin()->first + 1 == members.size();
    for (const auto& [g, v] : values)
      if (!members.count(g))
        throw Error(who + ": the state sets group " + std::to_string(g) + "'s " + v.begin()->first +
                    " but has no 'group." + std::to_string(g) + ".params'");
    if (!numbered || members.size() != groups_.size())
      throw Error(who + ": the state has " + std::to_string(members.size()) +
                  (members.size() == 1 ? " group" : " groups") + " (" + theirs +
                  " parameters), and this optimizer has " + describe_groups() +
                  (numbered ? "" : "; the state's groups are not numbered from 0"));
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      std::vector<std::size_t> mine;
      for (std::size_t i = 0; i < params_.size(); ++i)
        if (group_of_[i] == g) mine.push_back(i);
      if (members[g] != mine) {
        const auto list = [&](const std::vector<std::size_t>& ps) {
          std::string s;
          for (auto i : ps) s += (s.empty() ? "" : ", ") + std::to_string(i) + ": " + describe(params_[i]);
          return std::to_string(ps.size()) + " (" + (s.empty() ? "none" : s) + ")";
        };
        throw Error(who + ": group " + std::to_string(g) + " holds parameters " + list(members[g]) +
                    " in the state and " + list(mine) + " in this optimizer");
      }
      for (const auto& s : kSettings) {
        if (!(options[g].*s.member)) continue;
        const auto it = values[g].find(s.name);
        if (it != values[g].end()) {
          options[g].*s.member = it->second;
          continue;
        }
        const std::string key = "group." + std::to_string(g) + "." + s.name;
        if (strict) throw Error(who + ": no '" + key + "' (pass strict = false to keep this optimizer's)");
        report.missing.push_back(key);
      }
      if (const std::string wrong = check_settings(options[g]); !wrong.empty())
        throw Error(who + ": group " + std::to_string(g) + ": " + wrong);
    }
  } else if (groups_.size() > 1) {
    // Written before groups were recorded: one group of every parameter.
    if (strict)
      throw Error(who + ": the state records no groups (written before groups were: one group of all " +
                  std::to_string(params_.size()) + " parameters), and this optimizer has " +
                  describe_groups() +
                  "; pass strict = false to load it into these groups with their own settings");
    for (std::size_t g = 0; g < groups_.size(); ++g)
      report.missing.push_back("group." + std::to_string(g) + ".*");
  }

  if (steps > 0) {
    std::string missing;
    for (std::size_t i = 0; i < params_.size(); ++i)
      for (const auto& s : slots) {
        bool found = false;
        for (const auto& [n, v] : loaded[i]) found = found || n == s;
        if (found) continue;
        const std::string key = std::to_string(i) + "." + s;
        if (strict)
          missing += (missing.empty() ? "" : ", ") + key;
        else
          report.missing.push_back(key);  // starts from zeros, as before the first step
      }
    if (!missing.empty())
      throw Error(who + ": after " + std::to_string(steps) +
                  " steps every parameter needs its state; missing " + missing);
  }
  state_ = std::move(loaded);
  steps_ = steps;
  for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g].options = options[g];
  return report;
}

// ---- hooks ----
namespace {
template <class F>
void each_pair(const std::vector<Variable>& params, std::vector<Tensor>& grads, F f) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!grads[i].defined()) continue;
    dispatch_floating(grads[i].dtype(), "gradient hook", [&](auto t) {
      using T = decltype(t);
      f(params[i].data().template data<T>(), grads[i].template data<T>(), grads[i].numel());
    });
  }
}
}  // namespace

GradHook weight_decay(double lambda) {
  return [lambda](const std::vector<Variable>& params, std::vector<Tensor>& grads) {
    each_pair(params, grads, [lambda](const auto* p, auto* g, std::size_t n) {
      for (std::size_t k = 0; k < n; ++k)
        g[k] += static_cast<std::remove_reference_t<decltype(*g)>>(lambda) * p[k];
    });
  };
}

GradHook l1(double lambda) {
  return [lambda](const std::vector<Variable>& params, std::vector<Tensor>& grads) {
    each_pair(params, grads, [lambda](const auto* p, auto* g, std::size_t n) {
      using T = std::remove_reference_t<decltype(*g)>;
      for (std::size_t k = 0; k < n; ++k) g[k] += T(lambda) * T((p[k] > 0) - (p[k] < 0));
    });
  };
}

GradHook clip_grad_norm(double max_norm) {
  if (!(max_norm > 0)) throw Error("clip_grad_norm: max_norm must be positive");
  return [max_norm](const std::vector<Variable>& params, std::vector<Tensor>& grads) {
    double sq = 0;
    each_pair(params, grads, [&sq](const auto*, auto* g, std::size_t n) {
      for (std::size_t k = 0; k < n; ++k) sq += static_cast<double>(g[k]) * static_cast<double>(g[k]);
    });
    const double norm = std::sqrt(sq);
    if (norm <= max_norm) return;
    const double scale = max_norm / (norm + 1e-6);
    each_pair(params, grads, [scale](const auto*, auto* g, std::size_t n) {
      using T = std::remove_reference_t<decltype(*g)>;
      for (std::size_t k = 0; k < n; ++k) g[k] *= T(scale);
    });
  };
}

GradHook clip_grad_value(double limit) {
  if (!(limit > 0)) throw Error("clip_grad_value: limit must be positive");
  return [limit](const std::vector<Variable>& params, std::vector<Tensor>& grads) {
    each_pair(params, grads, [limit](const auto*, auto* g, std::size_t n) {
      using T = std::remove_reference_t<decltype(*g)>;
      for (std::size_t k = 0; k < n; ++k) g[k] = std::min(T(limit), std::max(T(-limit), g[k]));
    });
  };
}

}  // namespace tsumiki::optim
