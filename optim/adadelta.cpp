// Zeiler (2012):  h = rho h + (1 - rho) g^2;  dx = sqrt(s + eps) / sqrt(h + eps) * g;
//                 s = rho s + (1 - rho) dx^2;  p -= lr dx
#include <cmath>

#include "detail/update_elements.hpp"
#include "rules.hpp"

namespace tsumiki::optim {

AdaDelta::AdaDelta(ParamGroups params, const AdaDeltaOptions& o)
    : Optimizer(std::move(params), {.lr = o.lr, .rho = o.rho, .eps = o.eps, .weight_decay = o.weight_decay},
                "AdaDelta") {}

void AdaDelta::update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) {
  detail::update_elements(
      "AdaDelta", p, g,
      [&](auto tag) {
        using T = decltype(tag);
        const T lr = T(*o.lr), rho = T(*o.rho), eps = T(*o.eps);
        return [=](T& w, T d, T& h, T& s) {
          h = rho * h + (1 - rho) * d * d;
          const T dx = std::sqrt(s + eps) / std::sqrt(h + eps) * d;
          s = rho * s + (1 - rho) * dx * dx;
          w -= lr * dx;
        };
      },
      slot(i, "h"), slot(i, "s"));
}

}  // namespace tsumiki::optim
