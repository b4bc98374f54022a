// Scaled dot-product attention composed of batched matmul and softmax (no backward of its own).
#pragma once

#include "../autograd/variable.hpp"

namespace tsumiki {
inline namespace functional {

// softmax(q k^T / sqrt(d) + mask) v for q (..., L, d), k (..., S, d), v (..., S, dv) with equal leading
// axes; the result is (..., L, dv). is_causal masks key j for query i when j > i (PyTorch's
// is_causal). The mask adds -1e9, not -Inf: a row with every key masked then averages the values
// instead of dividing 0 by 0, so no mask can make a NaN.
Variable scaled_dot_product_attention(const Variable& q, const Variable& k, const Variable& v,
                                      bool is_causal = false, const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
