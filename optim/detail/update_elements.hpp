// The one per-element loop every update rule shares (internal, never installed).
#pragma once

#include <cstddef>

#include "../../autograd/detail/parallel.hpp"
#include "../../autograd/tensor.hpp"

namespace tsumiki::optim::detail {

// For p's float type T, make_step(T{}) returns the rule's step, called as step(w, d, s...) for every element:
// w the parameter (in place), d its gradient, s the rule's slots (in place). Constants are converted to T
// once, in make_step, so the loop stays the rule's formula. Slots come by value: a Tensor is a handle that
// shares its buffer, and a reference from Optimizer::slot may move when the next slot is created.
template <class MakeStep, class... Slots>
void update_elements(const char* rule, Tensor& p, const Tensor& g, MakeStep make_step, Slots... slots) {
  dispatch_floating(p.dtype(), rule, [&](auto tag) {
    using T = decltype(tag);
    auto step = make_step(tag);
    T* w = p.data<T>();
    const T* d = g.data<T>();
    // Elements are independent: large parameters update in parallel chunks (the same bits for any count).
    const auto run = [&](auto*... s) {
      kernels::parallel_for(p.numel(), kernels::kElementwiseGrain / 4, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t k = lo; k < hi; ++k) step(w[k], d[k], s[k]...);
      });
    };
    run(slots.template data<T>()...);
  });
}

}  // namespace tsumiki::optim::detail
