// The softmax family, composed of primitives (no backward of its own).
#pragma once

#include "../autograd/variable.hpp"

// Composites live in tsumiki::functional, an inline namespace: tsumiki::softmax names the same function.
namespace tsumiki {
inline namespace functional {

// Stable along `axis`: the maximum is subtracted first, so logits of 1e4 stay finite.
Variable logsumexp(const Variable& x, const Axes& axes = {-1}, bool keepdims = false,
                   const Site& site = Site::current());
Variable softmax(const Variable& x, int axis = -1, const Site& site = Site::current());
Variable log_softmax(const Variable& x, int axis = -1, const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
