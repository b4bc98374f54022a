// Zeiler (2012):  h = rho h + (1 - rho) g^2;  dx = sqrt(s + eps) / sqrt(h + eps) * g;
//                 s = rho s + (1 - rho) dx^2;  p -= lr dx
#include <cmath>

#include "rules.hpp"

namespace tsumiki::optim {

AdaDelta::AdaDelta(std::vector<Variable> params, const AdaDeltaOptions& o)
    : Optimizer(std::move(params), o.lr, "AdaDelta"), rho_(o.rho), eps_(o.eps) {}

void AdaDelta::update(std::size_t i, Tensor& p, const Tensor& g) {
  dispatch_floating(p.dtype(), "AdaDelta", [&](auto t) {
    using T = decltype(t);
    T* w = p.data<T>();
    T* h = slot(i, "h").data<T>();
    T* s = slot(i, "s").data<T>();
    const T* d = g.data<T>();
    const T lr = T(this->lr()), rho = T(rho_), eps = T(eps_);
    for (std::size_t k = 0, n = p.numel(); k < n; ++k) {
      h[k] = rho * h[k] + (1 - rho) * d[k] * d[k];
      const T dx = std::sqrt(s[k] + eps) / std::sqrt(h[k] + eps) * d[k];
      s[k] = rho * s[k] + (1 - rho) * dx * dx;
      w[k] -= lr * dx;
    }
  });
}

}  // namespace tsumiki::optim
