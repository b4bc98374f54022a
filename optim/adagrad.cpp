// h += g^2;  p -= lr g / (sqrt(h) + eps)
#include <cmath>

#include "detail/update_elements.hpp"
#include "rules.hpp"

namespace tsumiki::optim {

AdaGrad::AdaGrad(std::vector<Variable> params, const AdaGradOptions& o)
    : Optimizer(std::move(params), o.lr, "AdaGrad"), eps_(o.eps) {}

void AdaGrad::update(std::size_t i, Tensor& p, const Tensor& g) {
  detail::update_elements(
      "AdaGrad", p, g,
      [&](auto tag) {
        using T = decltype(tag);
        const T lr = T(this->lr()), eps = T(eps_);
        return [=](T& w, T d, T& h) {
          h += d * d;
          w -= lr * d / (std::sqrt(h) + eps);
        };
      },
      slot(i, "h"));
}

}  // namespace tsumiki::optim
