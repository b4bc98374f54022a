// Self-attention and a small pre-norm transformer block, built from ops (functional/attention.hpp); no
// backward of their own. Inputs are batch-first: (N, T, d_model).
#pragma once

#include <memory>

#include "layers.hpp"
#include "module.hpp"
#include "normalization.hpp"

namespace tsumiki::nn {

struct AttentionOptions {
  bool causal = false;  // position t attends to positions <= t only (language models)
  bool bias = true;
  Dtype dtype = Dtype::Float32;
};

// PyTorch's MultiheadAttention with query = key = value: in_proj_weight (d_model, 3 d_model) makes q, k, v
// (Xavier-uniform, bias 0), each split into num_heads heads of d_model / num_heads; attention runs as one
// batched matmul over (N, heads, T, head_dim); out_proj (Linear) mixes the heads.
class MultiheadSelfAttention : public Module {
 public:
  MultiheadSelfAttention(std::size_t d_model, std::size_t num_heads, const AttentionOptions& options = {});
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  Variable in_proj_weight, in_proj_bias;
  std::shared_ptr<Linear> out_proj;

 private:
  std::size_t d_model_, heads_;
  AttentionOptions options_;
};

struct TransformerBlockOptions {
  std::size_t d_ff = 0;  // hidden width of the MLP; 0 means 4 * d_model
  bool causal = false;
  Dtype dtype = Dtype::Float32;
};

// Pre-norm (GPT-2's order): x = x + attn(ln1(x)); x = x + fc2(relu(fc1(ln2(x)))).
class TransformerBlock : public Module {
 public:
  TransformerBlock(std::size_t d_model, std::size_t num_heads, const TransformerBlockOptions& options = {});
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  std::shared_ptr<LayerNorm> ln1, ln2;
  std::shared_ptr<MultiheadSelfAttention> attn;
  std::shared_ptr<Linear> fc1, fc2;

 private:
  std::size_t d_model_, heads_;
};

}  // namespace tsumiki::nn
