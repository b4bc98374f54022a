// h += g^2;  p -= lr g / (sqrt(h) + eps)
#include <cmath>

#include "detail/update_elements.hpp"
#include "rules.hpp"

namespace tsumiki::optim {

AdaGrad::AdaGrad(ParamGroups params, const AdaGradOptions& o)
    : Optimizer(std::move(params), {.lr = o.lr, .eps = o.eps, .weight_decay = o.weight_decay}, "AdaGrad") {}

void AdaGrad::update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) {
  detail::update_elements(
      "AdaGrad", p, g,
      [&](auto tag) {
        using T = decltype(tag);
        const T lr = T(*o.lr), eps = T(*o.eps);
        return [=](T& w, T d, T& h) {
          h += d * d;
          w -= lr * d / (std::sqrt(h) + eps);
        };
      },
      slot(i, "h"));
}

}  // namespace tsumiki::optim
