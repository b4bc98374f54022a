// h = decay h + (1 - decay) g^2;  p -= lr g / (sqrt(h) + eps)
#include <cmath>

#include "detail/update_elements.hpp"
#include "rules.hpp"

namespace tsumiki::optim {

RMSProp::RMSProp(std::vector<Variable> params, const RMSPropOptions& o)
    : Optimizer(std::move(params), o.lr, "RMSProp"), decay_(o.decay), eps_(o.eps) {}

void RMSProp::update(std::size_t i, Tensor& p, const Tensor& g) {
  detail::update_elements(
      "RMSProp", p, g,
      [&](auto tag) {
        using T = decltype(tag);
        const T lr = T(this->lr()), rho = T(decay_), eps = T(eps_);
        return [=](T& w, T d, T& h) {
          h = rho * h + (1 - rho) * d * d;
          w -= lr * d / (std::sqrt(h) + eps);
        };
      },
      slot(i, "h"));
}

}  // namespace tsumiki::optim
