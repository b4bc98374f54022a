// Learning-rate schedules: call step() once per epoch, after the epoch's updates.
#pragma once

#include <cstddef>

#include "optimizer.hpp"

namespace tsumiki::optim {

// lr = base * gamma^floor(epoch / step_size)
class StepLR {
 public:
  StepLR(Optimizer& opt, std::size_t step_size, double gamma = 0.1);
  void step();
  std::size_t epoch() const { return epoch_; }

 private:
  Optimizer& opt_;
  double base_, gamma_;
  std::size_t step_size_, epoch_ = 0;
};

// lr = min + (base - min) (1 + cos(pi epoch / t_max)) / 2, held at min after t_max
class CosineAnnealingLR {
 public:
  CosineAnnealingLR(Optimizer& opt, std::size_t t_max, double min_lr = 0);
  void step();
  std::size_t epoch() const { return epoch_; }

 private:
  Optimizer& opt_;
  double base_, min_;
  std::size_t t_max_, epoch_ = 0;
};

}  // namespace tsumiki::optim
