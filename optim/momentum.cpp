// Momentum:  v = mu v - lr g;  p += v
// Nesterov:  v = mu v - lr g;  p += mu^2 v - (1 + mu) lr g   (the book's form of Nesterov's look-ahead)
#include "detail/update_elements.hpp"
#include "rules.hpp"

namespace tsumiki::optim {

Momentum::Momentum(ParamGroups params, const MomentumOptions& o)
    : Momentum(std::move(params), o, "Momentum") {}

Momentum::Momentum(ParamGroups params, const MomentumOptions& o, const char* name)
    : Optimizer(std::move(params), {.lr = o.lr, .momentum = o.momentum, .weight_decay = o.weight_decay},
                name) {}

void Momentum::update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) {
  detail::update_elements(
      "Momentum", p, g,
      [&](auto tag) {
        using T = decltype(tag);
        const T lr = T(*o.lr), mu = T(*o.momentum);
        return [=](T& w, T d, T& v) {
          v = mu * v - lr * d;
          w += v;
        };
      },
      slot(i, "v"));
}

Nesterov::Nesterov(ParamGroups params, const MomentumOptions& o)
    : Momentum(std::move(params), o, "Nesterov") {}

void Nesterov::update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) {
  detail::update_elements(
      "Nesterov", p, g,
      [&](auto tag) {
        using T = decltype(tag);
        const T lr = T(*o.lr), mu = T(*o.momentum);
        return [=](T& w, T d, T& v) {
          v = mu * v - lr * d;
          w += mu * mu * v - (1 + mu) * lr * d;
        };
      },
      slot(i, "v"));
}

}  // namespace tsumiki::optim
