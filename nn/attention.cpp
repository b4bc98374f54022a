#include "attention.hpp"

#include "../autograd/ops.hpp"
#include "../functional/attention.hpp"
#include "../functional/linear.hpp"
#include "init.hpp"

namespace tsumiki::nn {

MultiheadSelfAttention::MultiheadSelfAttention(std::size_t d_model, std::size_t num_heads,
                                               const AttentionOptions& o)
    : d_model_(d_model), heads_(num_heads), options_(o) {
  if (d_model == 0 || num_heads == 0 || d_model % num_heads != 0)
    throw Error("MultiheadSelfAttention: num_heads " + std::to_string(num_heads) +
                " must be positive and divide d_model " + std::to_string(d_model));
  in_proj_weight = register_parameter(
      "in_proj_weight",
      Variable(init::xavier_uniform(Shape{d_model, 3 * d_model}, d_model, d_model, o.dtype)));
  if (o.bias) in_proj_bias = register_parameter("in_proj_bias", Variable(zeros(Shape{3 * d_model}, o.dtype)));
  out_proj = register_module(
      "out_proj",
      std::make_shared<Linear>(d_model, d_model,
                               LinearOptions{.bias = o.bias, .init = init::Kind::Xavier, .dtype = o.dtype}));
}

Variable MultiheadSelfAttention::forward(const Variable& x) {
  if (!x.defined() || x.ndim() != 3 || x.shape()[2] != d_model_)
    throw Error(describe() + ": expected input (N, T, " + std::to_string(d_model_) + "), got " +
                (x.defined() ? to_string(x.shape()) : std::string("undefined")));
  const std::size_t n = x.shape()[0], t = x.shape()[1], hd = d_model_ / heads_;
  // (N, T, 3D) -> (N, T, 3, heads, hd) -> (3, N, heads, T, hd): q, k, v are its three leading slices.
  const Variable qkv = transpose(reshape(linear(x, in_proj_weight, in_proj_bias), Shape{n, t, 3, heads_, hd}),
                                 {2, 0, 3, 1, 4});
  const Variable q = get_item(qkv, {std::int64_t{0}}), k = get_item(qkv, {std::int64_t{1}}),
                 v = get_item(qkv, {std::int64_t{2}});
  const Variable a = scaled_dot_product_attention(q, k, v, options_.causal);  // (N, heads, T, hd)
  return (*out_proj)(reshape(transpose(a, {0, 2, 1, 3}), Shape{n, t, d_model_}));
}

std::string MultiheadSelfAttention::describe() const {
  return "MultiheadSelfAttention(" + std::to_string(d_model_) + ", " + std::to_string(heads_) + " heads" +
         (options_.causal ? ", causal)" : ")");
}

TransformerBlock::TransformerBlock(std::size_t d_model, std::size_t num_heads,
                                   const TransformerBlockOptions& o)
    : d_model_(d_model), heads_(num_heads) {
  const std::size_t d_ff = o.d_ff ? o.d_ff : 4 * d_model;
  ln1 = register_module("ln1", std::make_shared<LayerNorm>(d_model, LayerNormOptions{.dtype = o.dtype}));
  attn = register_module("attn",
                         std::make_shared<MultiheadSelfAttention>(
                             d_model, num_heads, AttentionOptions{.causal = o.causal, .dtype = o.dtype}));
  ln2 = register_module("ln2", std::make_shared<LayerNorm>(d_model, LayerNormOptions{.dtype = o.dtype}));
  fc1 = register_module("fc1", std::make_shared<Linear>(d_model, d_ff, LinearOptions{.dtype = o.dtype}));
  fc2 = register_module(
      "fc2",
      std::make_shared<Linear>(d_ff, d_model, LinearOptions{.init = init::Kind::Xavier, .dtype = o.dtype}));
}

Variable TransformerBlock::forward(const Variable& x) {
  const Variable h = add(x, (*attn)((*ln1)(x)));
  return add(h, (*fc2)(relu((*fc1)((*ln2)(h)))));
}

std::string TransformerBlock::describe() const {
  return "TransformerBlock(" + std::to_string(d_model_) + ", " + std::to_string(heads_) + " heads)";
}

}  // namespace tsumiki::nn
