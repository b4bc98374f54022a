#include "make.hpp"

#include "rules.hpp"

namespace tsumiki::optim {

const std::vector<std::string>& optimizer_names() {
  static const std::vector<std::string> names = {"sgd",     "momentum", "nesterov", "adagrad",
                                                 "rmsprop", "adadelta", "adam",     "adamw"};
  return names;
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, ParamGroups params, double lr) {
  if (name == "sgd") return std::make_unique<SGD>(std::move(params), SGDOptions{.lr = lr});
  if (name == "momentum") return std::make_unique<Momentum>(std::move(params), MomentumOptions{.lr = lr});
  if (name == "nesterov") return std::make_unique<Nesterov>(std::move(params), MomentumOptions{.lr = lr});
  if (name == "adagrad") return std::make_unique<AdaGrad>(std::move(params), AdaGradOptions{.lr = lr});
  if (name == "rmsprop") return std::make_unique<RMSProp>(std::move(params), RMSPropOptions{.lr = lr});
  if (name == "adadelta") return std::make_unique<AdaDelta>(std::move(params), AdaDeltaOptions{.lr = lr});
  if (name == "adam") return std::make_unique<Adam>(std::move(params), AdamOptions{.lr = lr});
  if (name == "adamw")
    return std::make_unique<AdamW>(std::move(params), AdamOptions{.lr = lr, .weight_decay = 0.01});
  std::string known;
  for (const auto& n : optimizer_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("make_optimizer: unknown optimizer '" + name + "' (known: " + known + ")");
}

}  // namespace tsumiki::optim
