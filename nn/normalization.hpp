// Normalisation layers: batch norm over (N, C) or (N, C, L) (BatchNorm1d) and (N, C, H, W) (BatchNorm2d),
// layer norm and group norm (per example, so the same in training and evaluation), and AlexNet's local
// response normalisation across channels.
#pragma once

#include "../functional/normalization.hpp"
#include "module.hpp"

namespace tsumiki::nn {

struct BatchNormOptions {
  double eps = 1e-5;
  double momentum = 0.1;  // running = (1 - momentum) * running + momentum * batch statistic
  bool affine = true;     // learn gamma (starts at 1) and beta (starts at 0)
  bool track_running_stats =
      true;  // keep running statistics for evaluation; without them eval uses the batch's
  Dtype dtype = Dtype::Float32;
};

// Parameters gamma, beta (C,); buffers running_mean (starts at 0) and running_var (starts at 1), updated in
// training mode and used in evaluation mode (see tsumiki::batch_norm).
class BatchNorm : public Module {
 public:
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  Variable gamma, beta, running_mean, running_var;

 protected:
  BatchNorm(const char* kind, std::size_t rank_lo, std::size_t rank_hi, std::size_t num_features,
            const BatchNormOptions& options);

 private:
  const char* kind_;
  std::size_t rank_lo_, rank_hi_, features_;
  BatchNormOptions options_;
};

class BatchNorm1d : public BatchNorm {  // (N, C) or (N, C, L)
 public:
  explicit BatchNorm1d(std::size_t num_features, const BatchNormOptions& options = {})
      : BatchNorm("BatchNorm1d", 2, 3, num_features, options) {}
};

class BatchNorm2d : public BatchNorm {  // (N, C, H, W)
 public:
  explicit BatchNorm2d(std::size_t num_features, const BatchNormOptions& options = {})
      : BatchNorm("BatchNorm2d", 4, 4, num_features, options) {}
};

struct LayerNormOptions {
  double eps = 1e-5;
  bool elementwise_affine = true;  // learn gamma (starts at 1) and beta (starts at 0) of normalized_shape
  Dtype dtype = Dtype::Float32;
};

// y = layer_norm(x, normalized_shape, gamma, beta, eps): each x[..., :] normalised over its last axes.
// (gamma and beta are PyTorch's weight and bias, named as BatchNorm's here.)
class LayerNorm : public Module {
 public:
  explicit LayerNorm(std::size_t normalized_size, const LayerNormOptions& options = {})
      : LayerNorm(Shape{normalized_size}, options) {}
  explicit LayerNorm(const Shape& normalized_shape, const LayerNormOptions& options = {});
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  Variable gamma, beta;

 private:
  Shape shape_;
  LayerNormOptions options_;
};

struct GroupNormOptions {
  double eps = 1e-5;
  bool affine = true;  // learn gamma (starts at 1) and beta (starts at 0), one per channel
  Dtype dtype = Dtype::Float32;
};

// y = group_norm(x, num_groups, gamma, beta, eps) on x (N, C, ...). GroupNorm(C, C) is instance norm.
class GroupNorm : public Module {
 public:
  GroupNorm(std::size_t num_groups, std::size_t num_channels, const GroupNormOptions& options = {});
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  Variable gamma, beta;

 private:
  std::size_t groups_, channels_;
  GroupNormOptions options_;
};

// y = local_response_norm(x, size, alpha, beta, k); PyTorch's defaults.
class LocalResponseNorm : public Module {
 public:
  explicit LocalResponseNorm(std::size_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0);
  Variable forward(const Variable& x) override;
  std::string describe() const override;

 private:
  std::size_t size_;
  double alpha_, beta_, k_;
};

}  // namespace tsumiki::nn
