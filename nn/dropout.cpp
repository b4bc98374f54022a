#include "dropout.hpp"

#include <sstream>

namespace tsumiki::nn {

Dropout::Dropout(double p, std::optional<std::uint64_t> seed) : p_(p) {
  if (!(p >= 0 && p <= 1)) throw Error("Dropout: p must be in [0, 1], got " + std::to_string(p));
  if (seed) gen_.emplace(*seed);
}

Variable Dropout::forward(const Variable& x) {
  return dropout(x, p_, is_training(), gen_ ? *gen_ : default_generator());
}

std::string Dropout::describe() const {
  std::ostringstream s;
  s << "Dropout(p " << p_ << ")";
  return s.str();
}

}  // namespace tsumiki::nn
