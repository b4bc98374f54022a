// p -= lr * g
#include "detail/update_elements.hpp"
#include "rules.hpp"

namespace tsumiki::optim {

SGD::SGD(ParamGroups params, const SGDOptions& o)
    : Optimizer(std::move(params), {.lr = o.lr, .weight_decay = o.weight_decay}, "SGD") {}

void SGD::update(std::size_t, Tensor& p, const Tensor& g, const GroupOptions& o) {
  detail::update_elements("SGD", p, g, [&](auto tag) {
    using T = decltype(tag);
    const T lr = T(*o.lr);
    return [=](T& w, T d) { w -= lr * d; };
  });
}

}  // namespace tsumiki::optim
