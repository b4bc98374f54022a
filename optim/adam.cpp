// Adam (Kingma & Ba):  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//                      p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// AdamW (Loshchilov & Hutter) first decays the weights apart from the gradient: p -= lr * wd * p
#include <cmath>

#include "detail/update_elements.hpp"
#include "rules.hpp"

namespace tsumiki::optim {

Adam::Adam(std::vector<Variable> params, const AdamOptions& o) : Adam(std::move(params), o, "Adam") {}

Adam::Adam(std::vector<Variable> params, const AdamOptions& o, const char* name)
    : Optimizer(std::move(params), o.lr, name), o_(o) {
  if (!(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1))
    throw Error(std::string(name) + ": betas must lie in [0, 1)");
}

void Adam::update(std::size_t i, Tensor& p, const Tensor& g) {
  const double t = static_cast<double>(steps());
  const double c1 = 1 - std::pow(o_.beta1, t), c2 = 1 - std::pow(o_.beta2, t);
  detail::update_elements(
      name(), p, g,
      [&](auto tag) {
        using T = decltype(tag);
        const T lr = T(this->lr()), b1 = T(o_.beta1), b2 = T(o_.beta2), eps = T(o_.eps);
        const T decay = T(this->lr() * o_.weight_decay);
        const T k1 = T(1 / c1), k2 = T(1 / c2);
        return [=](T& w, T d, T& m, T& v) {
          if (decay != 0) w -= decay * w;
          m = b1 * m + (1 - b1) * d;
          v = b2 * v + (1 - b2) * d * d;
          w -= lr * (m * k1) / (std::sqrt(v * k2) + eps);
        };
      },
      slot(i, "m"), slot(i, "v"));
}

AdamW::AdamW(std::vector<Variable> params, const AdamOptions& o) : Adam(std::move(params), o, "AdamW") {}

}  // namespace tsumiki::optim
