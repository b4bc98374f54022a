// Momentum:  v = mu v - lr g;  p += v
// Nesterov:  v = mu v - lr g;  p += mu^2 v - (1 + mu) lr g   (the book's form of Nesterov's look-ahead)
#include "rules.hpp"

namespace tsumiki::optim {

Momentum::Momentum(std::vector<Variable> params, const MomentumOptions& o)
    : Optimizer(std::move(params), o.lr, "Momentum"), momentum_(o.momentum) {}

void Momentum::update(std::size_t i, Tensor& p, const Tensor& g) {
  dispatch_floating(p.dtype(), "Momentum", [&](auto t) {
    using T = decltype(t);
    T* w = p.data<T>();
    T* v = slot(i, "v").data<T>();
    const T* d = g.data<T>();
    const T lr = T(this->lr()), mu = T(momentum_);
    for (std::size_t k = 0, n = p.numel(); k < n; ++k) {
      v[k] = mu * v[k] - lr * d[k];
      w[k] += v[k];
    }
  });
}

Nesterov::Nesterov(std::vector<Variable> params, const MomentumOptions& o) : Momentum(std::move(params), o) {}

void Nesterov::update(std::size_t i, Tensor& p, const Tensor& g) {
  dispatch_floating(p.dtype(), "Nesterov", [&](auto t) {
    using T = decltype(t);
    T* w = p.data<T>();
    T* v = slot(i, "v").data<T>();
    const T* d = g.data<T>();
    const T lr = T(this->lr()), mu = T(momentum_);
    for (std::size_t k = 0, n = p.numel(); k < n; ++k) {
      v[k] = mu * v[k] - lr * d[k];
      w[k] += mu * mu * v[k] - (1 + mu) * lr * d[k];
    }
  });
}

}  // namespace tsumiki::optim
