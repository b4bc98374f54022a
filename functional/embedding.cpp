// embedding = take along axis 0, after checking the indices against the table.
#include "embedding.hpp"

#include "../autograd/detail/checks.hpp"
#include "../autograd/ops.hpp"

namespace tsumiki {
inline namespace functional {

Variable embedding(const Variable& table, const Tensor& indices, const Site& site) {
  detail::check_floating("embedding", table, site);
  if (table.ndim() != 2)
    fail("embedding", "expected a table (num_embeddings, embedding_dim), got " + to_string(table.shape()),
         site);
  if (!indices.defined() || indices.dtype() != Dtype::Int64)
    fail("embedding",
         std::string("indices must be an int64 tensor, got ") +
             (indices.defined() ? dtype_name(indices.dtype()) : "undefined"),
         site);
  const auto n = static_cast<std::int64_t>(table.shape()[0]);
  const std::int64_t* p = indices.data<std::int64_t>();
  for (std::size_t i = 0; i < indices.numel(); ++i)
    if (p[i] < 0 || p[i] >= n)
      fail("embedding",
           "index " + std::to_string(p[i]) + " is out of range for a table of " + std::to_string(n) +
               " rows (shape " + to_string(table.shape()) + ")",
           site);
  return take(table, indices, 0, site);
}

}  // namespace functional
}  // namespace tsumiki
