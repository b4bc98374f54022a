// Adam (Kingma & Ba):  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//                      p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// Adam's weight_decay is L2 (added to g by Optimizer::step, as PyTorch's Adam); AdamW (Loshchilov & Hutter)
// first decays the weights apart from the gradient: p -= lr * wd * p
#include <cmath>

#include "detail/update_elements.hpp"
#include "rules.hpp"

namespace tsumiki::optim {

Adam::Adam(ParamGroups params, const AdamOptions& o) : Adam(std::move(params), o, "Adam") {}

Adam::Adam(ParamGroups params, const AdamOptions& o, const char* name)
    : Optimizer(
          std::move(params),
          {.lr = o.lr, .beta1 = o.beta1, .beta2 = o.beta2, .eps = o.eps, .weight_decay = o.weight_decay},
          name) {
  check_groups();
}

std::string Adam::check_settings(const GroupOptions& o) const {
  if (!(*o.beta1 >= 0 && *o.beta1 < 1 && *o.beta2 >= 0 && *o.beta2 < 1))
    return "betas must lie in [0, 1), got beta1 " + std::to_string(*o.beta1) + ", beta2 " +
           std::to_string(*o.beta2);
  return "";
}

void Adam::update(std::size_t i, Tensor& p, const Tensor& g, const GroupOptions& o) {
  const double t = static_cast<double>(steps());
  const double c1 = 1 - std::pow(*o.beta1, t), c2 = 1 - std::pow(*o.beta2, t);
  const double decay = decoupled_weight_decay() ? *o.lr * *o.weight_decay : 0;
  detail::update_elements(
      name(), p, g,
      [&](auto tag) {
        using T = decltype(tag);
        const T lr = T(*o.lr), b1 = T(*o.beta1), b2 = T(*o.beta2), eps = T(*o.eps), dw = T(decay);
        const T k1 = T(1 / c1), k2 = T(1 / c2);
        return [=](T& w, T d, T& m, T& v) {
          if (dw != 0) w -= dw * w;
          m = b1 * m + (1 - b1) * d;
          v = b2 * v + (1 - b2) * d * d;
          w -= lr * (m * k1) / (std::sqrt(v * k2) + eps);
        };
      },
      slot(i, "m"), slot(i, "v"));
}

AdamW::AdamW(ParamGroups params, const AdamOptions& o) : Adam(std::move(params), o, "AdamW") {}

}  // namespace tsumiki::optim
