// Optimizers by name, for command lines and configuration files.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "optimizer.hpp"

namespace tsumiki::optim {

// "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw" with the rule's other
// settings at their defaults. Throws Error listing the names for an unknown one.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Variable> params, double lr);
const std::vector<std::string>& optimizer_names();

}  // namespace tsumiki::optim
