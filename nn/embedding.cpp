#include "embedding.hpp"

#include "../functional/embedding.hpp"
#include "init.hpp"

namespace tsumiki::nn {

Embedding::Embedding(std::size_t num_embeddings, std::size_t embedding_dim, const EmbeddingOptions& o)
    : num_(num_embeddings), dim_(embedding_dim) {
  if (num_embeddings == 0 || embedding_dim == 0)
    throw Error("Embedding: num_embeddings and embedding_dim must be positive, got " +
                std::to_string(num_embeddings) + " and " + std::to_string(embedding_dim));
  weight = register_parameter("weight", Variable(init::normal(Shape{num_, dim_}, 1.0, o.dtype)));
}

Variable Embedding::forward(const Variable& indices) {
  if (!indices.defined() || indices.dtype() != Dtype::Int64)
    throw Error(describe() + ": expected int64 indices, got " +
                (indices.defined()
                     ? std::string(dtype_name(indices.dtype())) + " " + to_string(indices.shape())
                     : std::string("undefined")));
  return embedding(weight, indices.data());
}

std::string Embedding::describe() const {
  return "Embedding(" + std::to_string(num_) + ", " + std::to_string(dim_) + ")";
}

}  // namespace tsumiki::nn
