#include "normalization.hpp"

#include "../autograd/ops/conv.hpp"
#include "../autograd/ops/pooling.hpp"
#include "../functional/conv.hpp"
#include "../functional/normalization.hpp"
#include "../functional/pooling.hpp"

namespace tsumiki::nn {

BatchNorm::BatchNorm(const char* kind, std::size_t rank_lo, std::size_t rank_hi, std::size_t num_features,
                     const BatchNormOptions& o)
    : kind_(kind), rank_lo_(rank_lo), rank_hi_(rank_hi), features_(num_features), options_(o) {
  if (num_features == 0) throw Error(std::string(kind) + ": num_features must be positive");
  if (o.affine) {
    gamma = register_parameter("gamma", Variable(ones(Shape{num_features}, o.dtype)));
    beta = register_parameter("beta", Variable(zeros(Shape{num_features}, o.dtype)));
  }
  if (o.track_running_stats) {
    running_mean = register_buffer("running_mean", Variable(zeros(Shape{num_features}, o.dtype)));
    running_var = register_buffer("running_var", Variable(ones(Shape{num_features}, o.dtype)));
  }
}

Variable BatchNorm::forward(const Variable& x) {
  if (!x.defined() || x.ndim() < rank_lo_ || x.ndim() > rank_hi_ || x.shape()[1] != features_)
    throw Error(describe() + ": expected input " +
                (rank_hi_ == 4 ? "(N, " + std::to_string(features_) + ", H, W)"
                               : "(N, " + std::to_string(features_) + ") or (N, " +
                                     std::to_string(features_) + ", L)") +
                ", got " + (x.defined() ? to_string(x.shape()) : std::string("undefined")));
  return batch_norm(x, gamma, beta, running_mean, running_var,
                    {.training = is_training(), .momentum = options_.momentum, .eps = options_.eps});
}

std::string BatchNorm::describe() const { return std::string(kind_) + "(" + std::to_string(features_) + ")"; }

namespace {
std::string dims_list(const Shape& s) {  // "2, 3" (to_string writes a 1-d shape as "(4,)")
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out;
}
}  // namespace

LayerNorm::LayerNorm(const Shape& normalized_shape, const LayerNormOptions& o)
    : shape_(normalized_shape), options_(o) {
  if (normalized_shape.empty() || normalized_shape.numel() == 0)
    throw Error("LayerNorm: normalized_shape must be non-empty with positive sizes, got " +
                to_string(normalized_shape));
  if (o.elementwise_affine) {
    gamma = register_parameter("gamma", Variable(ones(shape_, o.dtype)));
    beta = register_parameter("beta", Variable(zeros(shape_, o.dtype)));
  }
}

Variable LayerNorm::forward(const Variable& x) {
  const std::size_t k = shape_.size();
  bool ok = x.defined() && x.ndim() >= k;
  for (std::size_t i = 0; ok && i < k; ++i) ok = x.shape()[x.ndim() - k + i] == shape_[i];
  if (!ok)
    throw Error(describe() + ": expected input (..., " + dims_list(shape_) + "), got " +
                (x.defined() ? to_string(x.shape()) : std::string("undefined")));
  return layer_norm(x, shape_, gamma, beta, options_.eps);
}

std::string LayerNorm::describe() const { return "LayerNorm(" + dims_list(shape_) + ")"; }

GroupNorm::GroupNorm(std::size_t num_groups, std::size_t num_channels, const GroupNormOptions& o)
    : groups_(num_groups), channels_(num_channels), options_(o) {
  if (num_groups == 0 || num_channels == 0 || num_channels % num_groups != 0)
    throw Error("GroupNorm: num_groups " + std::to_string(num_groups) + " must be positive and divide " +
                "num_channels " + std::to_string(num_channels));
  if (o.affine) {
    gamma = register_parameter("gamma", Variable(ones(Shape{num_channels}, o.dtype)));
    beta = register_parameter("beta", Variable(zeros(Shape{num_channels}, o.dtype)));
  }
}

Variable GroupNorm::forward(const Variable& x) {
  if (!x.defined() || x.ndim() < 2 || x.shape()[1] != channels_)
    throw Error(describe() + ": expected input (N, " + std::to_string(channels_) + ", ...), got " +
                (x.defined() ? to_string(x.shape()) : std::string("undefined")));
  return group_norm(x, groups_, gamma, beta, options_.eps);
}

std::string GroupNorm::describe() const {
  return "GroupNorm(" + std::to_string(groups_) + " groups, " + std::to_string(channels_) + " channels)";
}

LocalResponseNorm::LocalResponseNorm(std::size_t size, double alpha, double beta, double k)
    : size_(size), alpha_(alpha), beta_(beta), k_(k) {
  if (size == 0) throw Error("LocalResponseNorm: size must be positive");
}

Variable LocalResponseNorm::forward(const Variable& x) {
  return local_response_norm(x, size_, alpha_, beta_, k_);
}

std::string LocalResponseNorm::describe() const {
  return "LocalResponseNorm(size " + std::to_string(size_) + ", alpha " + std::to_string(alpha_) + ", beta " +
         std::to_string(beta_) + ", k " + std::to_string(k_) + ")";
}

}  // namespace tsumiki::nn
