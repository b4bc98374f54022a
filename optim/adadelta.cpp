// Zeiler (2012):  h = rho h + (1 - rho) g^2;  dx = sqrt(s + eps) / sqrt(h + eps) * g;
//                 s = rho s + (1 - rho) dx^2;  p -= lr dx
#include <cmath>

#include "detail/update_elements.hpp"
#include "rules.hpp"

namespace tsumiki::optim {

AdaDelta::AdaDelta(std::vector<Variable> params, const AdaDeltaOptions& o)
    : Optimizer(std::move(params), o.lr, "AdaDelta"), rho_(o.rho), eps_(o.eps) {}

void AdaDelta::update(std::size_t i, Tensor& p, const Tensor& g) {
  detail::update_elements(
      "AdaDelta", p, g,
      [&](auto tag) {
        using T = decltype(tag);
        const T lr = T(this->lr()), rho = T(rho_), eps = T(eps_);
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
