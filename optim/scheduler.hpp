// Learning-rate schedules: call step() once per epoch, after the epoch's updates. A schedule sets every
// parameter group's learning rate, each from its own base (its lr when the schedule was made), as
// PyTorch's do: groups at 1e-3 and 1e-4 stay ten times apart. A group added later (add_param_group) has
// its lr at the schedule's next step() as its base.
#pragma once

#include <cstddef>
#include <vector>

#include "optimizer.hpp"

namespace tsumiki::optim {

// lr = base * gamma^floor(epoch / step_size)
class StepLR {
 public:
  StepLR(Optimizer& opt, std::size_t step_size, double gamma = 0.1);
  void step();
  std::size_t epoch() const { return epoch_; }
  const std::vector<double>& base_lrs() const { return base_; }

 private:
  Optimizer& opt_;
  std::vector<double> base_;
  double gamma_;
  std::size_t step_size_, epoch_ = 0;
};

// lr = min + (base - min) (1 + cos(pi epoch / t_max)) / 2, held at min after t_max
class CosineAnnealingLR {
 public:
  CosineAnnealingLR(Optimizer& opt, std::size_t t_max, double min_lr = 0);
  void step();
  std::size_t epoch() const { return epoch_; }
  const std::vector<double>& base_lrs() const { return base_; }

 private:
  Optimizer& opt_;
  std::vector<double> base_;
  double min_;
  std::size_t t_max_, epoch_ = 0;
};

}  // namespace tsumiki::optim
