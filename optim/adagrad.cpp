// h += g^2;  p -= lr g / (sqrt(h) + eps)
#include <cmath>

#include "rules.hpp"

namespace tsumiki::optim {

AdaGrad::AdaGrad(std::vector<Variable> params, const AdaGradOptions& o)
    : Optimizer(std::move(params), o.lr, "AdaGrad"), eps_(o.eps) {}

void AdaGrad::update(std::size_t i, Tensor& p, const Tensor& g) {
  dispatch_floating(p.dtype(), "AdaGrad", [&](auto t) {
    using T = decltype(t);
    T* w = p.data<T>();
    T* h = slot(i, "h").data<T>();
    const T* d = g.data<T>();
    const T lr = T(this->lr()), eps = T(eps_);
    for (std::size_t k = 0, n = p.numel(); k < n; ++k) {
      h[k] += d[k] * d[k];
      w[k] -= lr * d[k] / (std::sqrt(h[k]) + eps);
    }
  });
}

}  // namespace tsumiki::optim
