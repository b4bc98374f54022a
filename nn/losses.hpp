// Loss objects for code that stores its criterion (PyTorch's names: MSELoss, CrossEntropyLoss, ...). They are
// not Modules (no parameters, no state): each is a callable that forwards to a loss of functional/losses.hpp.
#pragma once

#include "../functional/losses.hpp"

namespace tsumiki::nn {

struct MSELoss {
  Variable operator()(const Variable& y, const Variable& t) const { return mean_squared_error(y, t); }
};
// Softmax cross-entropy on logits; targets are int64 labels (N,) or probabilities (N, C).
struct CrossEntropyLoss {
  Variable operator()(const Variable& logits, const Variable& t) const {
    return softmax_cross_entropy(logits, t);
  }
};
struct BCELoss {
  Variable operator()(const Variable& p, const Variable& t) const { return binary_cross_entropy(p, t); }
};
struct BCEWithLogitsLoss {
  Variable operator()(const Variable& logits, const Variable& t) const {
    return sigmoid_cross_entropy(logits, t);
  }
};

}  // namespace tsumiki::nn
