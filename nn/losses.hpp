// Loss objects for code that stores its criterion (PyTorch's names: MSELoss, CrossEntropyLoss, ...). They are
// not Modules (no parameters, no state): each is a callable that forwards to a loss of functional/losses.hpp,
// with that loss's options as members: nn::CrossEntropyLoss{{.ignore_index = 0, .label_smoothing = 0.1}}.
#pragma once

#include <cstdint>

#include "../functional/losses.hpp"

namespace tsumiki::nn {

struct MSELoss {
  Reduction reduction = Reduction::Mean;
  Variable operator()(const Variable& y, const Variable& t) const {
    return mean_squared_error(y, t, reduction);
  }
};
// cross_entropy on logits (N, C) or (N, C, d1, ...); targets are int64 labels or class probabilities.
struct CrossEntropyLoss {
  CrossEntropyOptions options = {};
  Variable operator()(const Variable& logits, const Variable& t) const {
    return cross_entropy(logits, t, options);
  }
};
struct NLLLoss {
  Tensor weight = {};
  std::int64_t ignore_index = -100;
  Reduction reduction = Reduction::Mean;
  Variable operator()(const Variable& log_probs, const Variable& t) const {
    return nll_loss(log_probs, t, weight, ignore_index, reduction);
  }
};
struct BCELoss {
  Reduction reduction = Reduction::Mean;
  Variable operator()(const Variable& p, const Variable& t) const {
    return binary_cross_entropy(p, t, reduction);
  }
};
struct BCEWithLogitsLoss {
  Reduction reduction = Reduction::Mean;
  Variable operator()(const Variable& logits, const Variable& t) const {
    return sigmoid_cross_entropy(logits, t, reduction);
  }
};
struct HuberLoss {
  double delta = 1.0;
  Reduction reduction = Reduction::Mean;
  Variable operator()(const Variable& y, const Variable& t) const {
    return huber_loss(y, t, delta, reduction);
  }
};
struct SmoothL1Loss {
  double beta = 1.0;
  Reduction reduction = Reduction::Mean;
  Variable operator()(const Variable& y, const Variable& t) const {
    return smooth_l1_loss(y, t, beta, reduction);
  }
};

}  // namespace tsumiki::nn
