#include "scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tsumiki::optim {
namespace {
// The bases of groups the schedule has not seen yet (all of them when it is made) are their current lrs.
void extend_bases(std::vector<double>& base, const Optimizer& opt) {
  for (std::size_t g = base.size(); g < opt.param_groups().size(); ++g) base.push_back(opt.lr(g));
}
}  // namespace

StepLR::StepLR(Optimizer& opt, std::size_t step_size, double gamma)
    : opt_(opt), gamma_(gamma), step_size_(step_size) {
  if (step_size == 0) throw Error("StepLR: step_size must be positive");
  extend_bases(base_, opt);
}

void StepLR::step() {
  ++epoch_;
  extend_bases(base_, opt_);
  const double factor = std::pow(gamma_, static_cast<double>(epoch_ / step_size_));
  for (std::size_t g = 0; g < base_.size(); ++g) opt_.set_lr(g, base_[g] * factor);
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& opt, std::size_t t_max, double min_lr)
    : opt_(opt), min_(min_lr), t_max_(t_max) {
  if (t_max == 0) throw Error("CosineAnnealingLR: t_max must be positive");
  extend_bases(base_, opt);
}

void CosineAnnealingLR::step() {
  ++epoch_;
  extend_bases(base_, opt_);
  const double e = static_cast<double>(std::min(epoch_, t_max_));
  const double w = (1 + std::cos(std::numbers::pi * e / static_cast<double>(t_max_))) / 2;
  for (std::size_t g = 0; g < base_.size(); ++g) opt_.set_lr(g, min_ + (base_[g] - min_) * w);
}

}  // namespace tsumiki::optim
