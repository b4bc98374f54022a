#include "scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tsumiki::optim {

StepLR::StepLR(Optimizer& opt, std::size_t step_size, double gamma)
    : opt_(opt), base_(opt.lr()), gamma_(gamma), step_size_(step_size) {
  if (step_size == 0) throw Error("StepLR: step_size must be positive");
}

void StepLR::step() {
  ++epoch_;
  opt_.set_lr(base_ * std::pow(gamma_, static_cast<double>(epoch_ / step_size_)));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& opt, std::size_t t_max, double min_lr)
    : opt_(opt), base_(opt.lr()), min_(min_lr), t_max_(t_max) {
  if (t_max == 0) throw Error("CosineAnnealingLR: t_max must be positive");
}

void CosineAnnealingLR::step() {
  ++epoch_;
  const double e = static_cast<double>(std::min(epoch_, t_max_));
  opt_.set_lr(min_ + (base_ - min_) * (1 + std::cos(std::numbers::pi * e / static_cast<double>(t_max_))) / 2);
}

}  // namespace tsumiki::optim
