// h = decay h + (1 - decay) g^2;  p -= lr g / (sqrt(h) + eps)
#include <cmath>

#include "rules.hpp"

namespace tsumiki::optim {

RMSProp::RMSProp(std::vector<Variable> params, const RMSPropOptions& o)
    : Optimizer(std::move(params), o.lr, "RMSProp"), decay_(o.decay), eps_(o.eps) {}

void RMSProp::update(std::size_t i, Tensor& p, const Tensor& g) {
  dispatch_floating(p.dtype(), "RMSProp", [&](auto t) {
    using T = decltype(t);
    T* w = p.data<T>();
    T* h = slot(i, "h").data<T>();
    const T* d = g.data<T>();
    const T lr = T(this->lr()), rho = T(decay_), eps = T(eps_);
    for (std::size_t k = 0, n = p.numel(); k < n; ++k) {
      h[k] = rho * h[k] + (1 - rho) * d[k] * d[k];
      w[k] -= lr * d[k] / (std::sqrt(h[k]) + eps);
    }
  });
}

}  // namespace tsumiki::optim
