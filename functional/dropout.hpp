// Inverted dropout: in training each element is zeroed with probability p and the survivors are scaled by
// 1 / (1 - p), so the expected output equals the input and evaluation is the identity.
#pragma once

#include "../autograd/tensor.hpp"
#include "../autograd/variable.hpp"

namespace tsumiki {
inline namespace functional {

// The mask is drawn from `gen` (default: the thread's default generator, seeded by manual_seed), so a run is
// reproducible. p in [0, 1]; p = 1 zeros everything. With training false (or p = 0) x is returned as is.
Variable dropout(const Variable& x, double p, bool training = true, Generator& gen = default_generator(),
                 const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
