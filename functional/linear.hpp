// The affine map under nn::Linear, composed of matmul and add (no backward of its own).
#pragma once

#include "../autograd/variable.hpp"

// Composites live in tsumiki::functional, an inline namespace: tsumiki::softmax names the same function.
namespace tsumiki {
inline namespace functional {

// y = x W + b (b may be undefined).
Variable linear(const Variable& x, const Variable& W, const Variable& b, const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
