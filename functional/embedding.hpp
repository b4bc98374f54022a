// Embedding lookup composed of take (no backward of its own): the gradient scatter-adds into the table's
// rows, so a token seen twice in a batch gets both contributions.
#pragma once

#include "../autograd/variable.hpp"

namespace tsumiki {
inline namespace functional {

// y[i..., :] = table[indices[i...], :] for a table (num_embeddings, embedding_dim) and int64 indices of any
// shape; y has shape indices.shape + (embedding_dim,). Every index must be in [0, num_embeddings) (as
// PyTorch: a negative index is refused, not counted from the end).
Variable embedding(const Variable& table, const Tensor& indices, const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
