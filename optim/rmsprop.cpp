// h = decay h + (1 - decay) g^2;  p -= lr g / (sqrt(h) + eps)
#include <cmath>

#include "detail/update_elements.hpp"
#include "rules.hpp"

namespace tsumiki::optim {

RMSProp::RMSProp(ParamGroups params, const RMSPropOptions& o)
    : Optimizer(std::move(params),
                {.lr = o.lr, .decay = o.decay, .eps = o.eps, .weight_decay = o.weight_decay}, "RMSProp") {}

void RMSProp::update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) {
  detail::update_elements(
      "RMSProp", p, g,
      [&](auto tag) {
        using T = decltype(tag);
        const T lr = T(*o.lr), rho = T(*o.decay), eps = T(*o.eps);
        return [=](T& w, T d, T& h) {
          h = rho * h + (1 - rho) * d * d;
          w -= lr * d / (std::sqrt(h) + eps);
        };
      },
      slot(i, "h"));
}

}  // namespace tsumiki::optim
