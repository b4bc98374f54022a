// p -= lr * g
#include "detail/update_elements.hpp"
#include "rules.hpp"

namespace tsumiki::optim {

SGD::SGD(std::vector<Variable> params, const SGDOptions& o) : Optimizer(std::move(params), o.lr, "SGD") {}

void SGD::update(std::size_t, Tensor& p, const Tensor& g) {
  detail::update_elements("SGD", p, g, [&](auto tag) {
    using T = decltype(tag);
    const T lr = T(this->lr());
    return [=](T& w, T d) { w -= lr * d; };
  });
}

}  // namespace tsumiki::optim
