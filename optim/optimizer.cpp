#include "optimizer.hpp"

#include <algorithm>
#include <cmath>

#include "../autograd/grad_mode.hpp"

namespace tsumiki::optim {
namespace {
std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}
}  // namespace

Optimizer::Optimizer(std::vector<Variable> params, double lr, const char* name)
    : params_(std::move(params)), state_(params_.size()), lr_(lr), name_(name) {
  if (params_.empty()) throw Error(std::string(name) + ": no parameters to optimise");
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const auto& p = params_[i];
    if (!p.defined() || !p.requires_grad() || !is_floating(p.dtype()))
      throw Error(std::string(name) + ": parameter " + std::to_string(i) +
                  " must be a defined floating Variable that requires grad");
  }
  set_lr(lr);
}

void Optimizer::set_lr(double lr) {
  if (!(lr >= 0) || !std::isfinite(lr))
    throw Error(std::string(name_) + ": learning rate must be finite and non-negative, got " +
                std::to_string(lr));
  lr_ = lr;
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
  std::vector<Tensor> grads(params_.size());
  bool any = false;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Variable g = params_[i].grad();
    if (!g.defined()) continue;
    // Hooks may rewrite gradients: give them copies so grad() stays what backward computed.
    grads[i] = hooks_.empty() ? g.data() : g.data().clone();
    any = true;
  }
  if (!any)
    throw GraphError(std::string(name_) +
                     "::step: no parameter has a gradient; call backward() before step()");
  for (auto& hook : hooks_) hook(params_, grads);
  ++steps_;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!grads[i].defined()) continue;
    Tensor p = params_[i].data();  // shares the buffer: the update is seen by every handle
    update(i, p, grads[i]);
  }
}

NamedTensors Optimizer::state_dict() const {
  NamedTensors out;
  out.emplace_back("step", scalar_tensor(static_cast<double>(steps_), Dtype::Int64));
  out.emplace_back(std::string("rule.") + name_, scalar_tensor(1, Dtype::Int64));
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

void Optimizer::load_state_dict(const NamedTensors& state) {
  // The rule first: another rule's slots may share names and shapes with this one's (Momentum's v and
  // Adam's v) and would load without a word.
  for (const auto& [key, t] : state)
    if (key.rfind("rule.", 0) == 0 && key != std::string("rule.") + name_)
      throw Error(std::string(name_) + "::load_state_dict: the state was written by " + key.substr(5) +
                  ", and this optimizer is " + name_ + "; one rule's state means nothing to another");
  std::vector<NamedTensors> loaded(params_.size());
  std::size_t steps = 0;
  bool has_step = false;
  for (const auto& [key, t] : state) {
    if (key.rfind("rule.", 0) == 0) continue;
    if (key == "step") {
      if (t.dtype() != Dtype::Int64 || t.numel() != 1 || t.data<std::int64_t>()[0] < 0)
        throw Error(std::string(name_) + "::load_state_dict: 'step' must be one non-negative int64, got " +
                    dtype_name(t.dtype()) + " " + to_string(t.shape()));
      steps = static_cast<std::size_t>(t.data<std::int64_t>()[0]);
      has_step = true;
      continue;
    }
    const auto dot = key.find('.');
    std::size_t i = params_.size();
    try {
      i = std::stoul(key.substr(0, dot));
    } catch (...) {
    }
    if (dot == std::string::npos || i >= params_.size())
      throw Error(std::string(name_) + "::load_state_dict: entry '" + key +
                  "' names no parameter of this optimizer (" + std::to_string(params_.size()) +
                  " parameters)");
    if (t.shape() != params_[i].shape() || t.dtype() != params_[i].dtype())
      throw Error(std::string(name_) + "::load_state_dict: '" + key + "' is " + dtype_name(t.dtype()) + " " +
                  to_string(t.shape()) + " but parameter " + std::to_string(i) + " is " +
                  dtype_name(params_[i].dtype()) + " " + to_string(params_[i].shape()));
    const std::string slot_name = key.substr(dot + 1);
    const auto slots = slot_names();
    if (std::find(slots.begin(), slots.end(), slot_name) == slots.end())
      throw Error(std::string(name_) + "::load_state_dict: '" + key + "' is not state of " + name_ +
                  " (its slots: " + join(slots) + ")");
    for (const auto& [n, v] : loaded[i])
      if (n == slot_name) throw Error(std::string(name_) + "::load_state_dict: '" + key + "' appears twice");
    loaded[i].emplace_back(slot_name, t.clone());
  }
  if (!has_step) throw Error(std::string(name_) + "::load_state_dict: no 'step' entry");
  if (steps > 0) {
    std::string missing;
    for (std::size_t i = 0; i < params_.size(); ++i)
      for (const auto& s : slot_names()) {
        bool found = false;
        for (const auto& [n, v] : loaded[i]) found = found || n == s;
        if (!found) missing += (missing.empty() ? "" : ", ") + std::to_string(i) + "." + s;
      }
    if (!missing.empty())
      throw Error(std::string(name_) + "::load_state_dict: after " + std::to_string(steps) +
                  " steps every parameter needs its state; missing " + missing);
  }
  state_ = std::move(loaded);
  steps_ = steps;
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
