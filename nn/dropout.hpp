// Dropout layer: inverted dropout in training mode, the identity in evaluation mode.
#pragma once

#include <optional>

#include "../functional/dropout.hpp"
#include "module.hpp"

namespace tsumiki::nn {

class Dropout : public Module {
 public:
  // Masks come from the default generator (seeded by manual_seed), or from the layer's own generator when a
  // seed is given.
  explicit Dropout(double p = 0.5, std::optional<std::uint64_t> seed = std::nullopt);
  Variable forward(const Variable& x) override;
  std::string describe() const override;
  double p() const { return p_; }

 private:
  double p_;
  std::optional<Generator> gen_;
};

}  // namespace tsumiki::nn
