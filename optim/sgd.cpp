// p -= lr * g
#include "rules.hpp"

namespace tsumiki::optim {

SGD::SGD(std::vector<Variable> params, const SGDOptions& o) : Optimizer(std::move(params), o.lr, "SGD") {}

void SGD::update(std::size_t, Tensor& p, const Tensor& g) {
  dispatch_floating(p.dtype(), "SGD", [&](auto t) {
    using T = decltype(t);
    T* w = p.data<T>();
    const T* d = g.data<T>();
    const T lr = T(this->lr());
    for (std::size_t k = 0, n = p.numel(); k < n; ++k) w[k] -= lr * d[k];
  });
}

}  // namespace tsumiki::optim
