// Embedding: a learned table looked up by int64 indices (tsumiki::embedding; the gradient scatter-adds
// into the rows that were used).
#pragma once

#include "module.hpp"

namespace tsumiki::nn {

struct EmbeddingOptions {
  Dtype dtype = Dtype::Float32;
};

// weight (num_embeddings, embedding_dim), drawn from N(0, 1) as PyTorch does. forward takes a Variable
// holding int64 indices of any shape (made with Variable(tensor)) and returns indices.shape +
// (embedding_dim,).
class Embedding : public Module {
 public:
  Embedding(std::size_t num_embeddings, std::size_t embedding_dim, const EmbeddingOptions& options = {});
  Variable forward(const Variable& indices) override;
  std::string describe() const override;
  Variable weight;

 private:
  std::size_t num_, dim_;
};

}  // namespace tsumiki::nn
