// Optimizers by name, for command lines and configuration files.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "optimizer.hpp"

namespace tsumiki::optim {

// "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw" with the rule's other
// settings at their defaults; lr is the learning rate of groups that set none. Throws Error listing the
// names for an unknown one.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, ParamGroups params, double lr);
const std::vector<std::string>& optimizer_names();

}  // namespace tsumiki::optim
