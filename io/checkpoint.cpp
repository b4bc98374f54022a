#include "checkpoint.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "detail/printable.hpp"
#include "npz.hpp"

namespace tsumiki::io {
using nn::Module;
namespace {

std::string describe(const Tensor& t) {
  return std::string(dtype_name(t.dtype())) + " " + to_string(t.shape());
}

// Each optimizer parameter's position in model.named_parameters().
std::vector<std::size_t> model_positions(const Module& model, const optim::Optimizer& opt) {
  const auto named = model.named_parameters();
  std::vector<std::size_t> out;
  for (const auto& p : opt.params()) {
    auto it = std::find_if(named.begin(), named.end(), [&](const auto& np) { return np.second.is_same(p); });
    if (it == named.end())
      throw Error("checkpoint: the optimizer holds a parameter " + describe(p.data()) +
                  " that is not in the model");
    out.push_back(static_cast<std::size_t>(it - named.begin()));
  }
  return out;
}

// The model's name of each optimizer parameter, by position.
std::vector<std::string> optimizer_names(const Module& model, const optim::Optimizer& opt) {
  const auto named = model.named_parameters();
  std::vector<std::string> names;
  for (std::size_t k : model_positions(model, opt)) names.push_back(named[k].first);
  return names;
}

bool is_group_params(const std::string& key) {
  return key.rfind("group.", 0) == 0 && key.size() > 7 && key.compare(key.size() - 7, 7, ".params") == 0;
}

// "param." or "buffer." before each of the model's state_dict() names: the file keeps the two apart.
std::vector<std::pair<std::string, Tensor>> model_entries(const Module& model) {
  std::set<std::string> buffers;
  for (const auto& [name, b] : model.named_buffers()) buffers.insert(name);
  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& [name, t] : model.state_dict())
    out.emplace_back((buffers.count(name) ? "buffer." : "param.") + name, t);
  return out;
}

}  // namespace

void save_checkpoint(const std::string& path, const Module& model, const optim::Optimizer* optimizer) {
  io::NamedTensors entries = model_entries(model);
  if (optimizer) {
    const auto names = optimizer_names(model, *optimizer);
    const auto positions = model_positions(model, *optimizer);
    for (auto& [key, t] : optimizer->state_dict()) {
      if (is_group_params(key)) {
        // Group members by their position in the model (stable if the optimizer lists them in another order).
        std::vector<std::int64_t> in_model;
        for (std::int64_t i : t.to_vector<std::int64_t>())
          in_model.push_back(static_cast<std::int64_t>(positions[static_cast<std::size_t>(i)]));
        entries.emplace_back("optim." + key, from_vector(in_model));
        continue;
      }
      if (key == "step" || key.rfind("rule.", 0) == 0 || key.rfind("group.", 0) == 0) {
        entries.emplace_back("optim." + key, t);  // "optim.step", "optim.rule.Adam", "optim.group.0.lr"
        continue;
      }
      const auto dot = key.find('.');
      entries.emplace_back("optim." + names[std::stoul(key.substr(0, dot))] + key.substr(dot), t);
    }
  }
  io::save_npz(path, entries);
}

void load_checkpoint(const std::string& path, Module& model, optim::Optimizer* optimizer,
                     const LoadCheckpointOptions& options) {
  const NpzReader reader(path);
  const auto file_names = reader.names();
  const std::set<std::string> in_file(file_names.begin(), file_names.end());
  std::vector<std::string> problems;
  const auto fail_if_any = [&] {
    if (problems.empty()) return;
    std::string msg = "load_checkpoint: '" + path + "' does not match the model:";
    for (const auto& p : problems) msg += "\n  " + p;
    throw Error(msg);
  };

  // What the model (and the optimizer) expect: entry name -> the tensor it fills, and for the optimizer the
  // key of its state_dict. Every check below reads headers only; data is read once everything matches.
  struct Expected {
    Tensor like;            // dtype and shape to match (the destination for parameters and buffers)
    std::string state_key;  // non-empty for optimizer state: "<param index>.<slot>"
  };
  std::vector<std::pair<std::string, Expected>> expected;
  for (const auto& [name, t] : model_entries(model)) expected.push_back({name, {t, ""}});
  if (optimizer) {
    const auto names = optimizer_names(model, *optimizer);
    for (std::size_t i = 0; i < names.size(); ++i)
      for (const auto& slot : optimizer->slot_names())
        expected.push_back({"optim." + names[i] + "." + slot,
                            {optimizer->params()[i].data(), std::to_string(i) + "." + slot}});
  }
  // The optimizer's rule, when the file records it (files written before rules were recorded do not): Adam's
  // state given to Momentum is refused here, naming both, before any slot is compared.
  const std::string rule = optimizer ? std::string("optim.rule.") + optimizer->name() : std::string();
  if (optimizer)
    for (const auto& name : file_names)
      if (name.rfind("optim.rule.", 0) == 0 && name != rule)
        throw Error("load_checkpoint: '" + path + "' holds the state of the " +
                    detail::printable(name.substr(11)) + " rule, and the optimizer given is " +
                    optimizer->name() + "; one rule's state means nothing to another");
  const auto is_expected = [&](const std::string& name) {
    if (optimizer && (name == "optim.step" || name == rule || name.rfind("optim.group.", 0) == 0))
      return true;
    return std::any_of(expected.begin(), expected.end(), [&](const auto& e) { return e.first == name; });
  };

  // 1. Names. An entry nobody asked for is refused, with or without an optimizer, before anything is read;
  // only the optimizer's own entries are skipped (unread) when loading the model alone.
  for (const auto& name : file_names)
    if (!is_expected(name) && !(!optimizer && name.rfind("optim.", 0) == 0))
      problems.push_back(name.rfind("param.", 0) == 0 || name.rfind("buffer.", 0) == 0 ||
                                 name.rfind("optim.", 0) == 0
                             ? "unexpected " + detail::printable(name.substr(name.find('.') + 1))
                             : "unexpected entry '" + detail::printable(name) + "'");

  // 2. Headers: every expected entry present, with the model's dtype and shape.
  std::int64_t steps = 0;
  if (optimizer) {
    if (!in_file.count("optim.step")) {
      problems.push_back("no optimizer state in the file (missing optim.step)");
    } else {
      const NpyInfo info = reader.info("optim.step");
      if (info.dtype != Dtype::Int64 || info.shape.numel() != 1) {
        problems.push_back("optim.step is " + std::string(dtype_name(info.dtype)) + " " +
                           to_string(info.shape) + ", expected one int64");
      } else {
        steps = reader.read("optim.step").item<std::int64_t>();
        if (steps < 0) problems.push_back("optim.step is " + std::to_string(steps) + ", expected at least 0");
      }
    }
  }
  std::vector<std::string> present;
  for (const auto& [name, e] : expected) {
    const std::string shown = name.substr(name.find('.') + 1);
    if (!in_file.count(name)) {
      // Optimizer state exists once a step has been taken; before that the file has none.
      if (e.state_key.empty() || steps > 0)
        problems.push_back("missing " + shown + " (" + describe(e.like) + ")");
      continue;
    }
    const NpyInfo info = reader.info(name);
    if (info.shape != e.like.shape() || info.dtype != e.like.dtype()) {
      problems.push_back(shown + " is " + dtype_name(info.dtype) + " " + to_string(info.shape) +
                         " in the file but " + describe(e.like) + " in the model");
      continue;
    }
    present.push_back(name);
  }
  // The optimizer's groups (files written before groups have none: one group). Their members and settings
  // are checked by the optimizer; here only that each is small enough to read.
  std::vector<std::string> group_entries;
  const std::size_t model_params = model.named_parameters().size();
  if (optimizer)
    for (const auto& name : file_names) {
      if (name.rfind("optim.group.", 0) != 0) continue;
      const NpyInfo info = reader.info(name);
      const bool members = is_group_params(name.substr(6));
      if (members ? info.dtype != Dtype::Int64 || info.shape.size() != 1 || info.shape.numel() > model_params
                  : !is_floating(info.dtype) || info.shape.numel() != 1)
        problems.push_back(name.substr(6) + " is " + dtype_name(info.dtype) + " " + to_string(info.shape) +
                           (members ? ", expected a list of at most " + std::to_string(model_params) +
                                          " int64 parameter positions"
                                    : ", expected one number"));
      else
        group_entries.push_back(name);
    }
  fail_if_any();

  // 3. Data: each entry reads exactly the bytes its (now checked) header declares, and must be finite.
  nn::StateDict model_state;  // applied only when all is well
  optim::NamedTensors state;
  if (optimizer) state.emplace_back("step", scalar_tensor(static_cast<double>(steps), Dtype::Int64));
  for (const auto& name : present) {
    const Expected& e = std::find_if(expected.begin(), expected.end(), [&](const auto& x) {
                          return x.first == name;
                        })->second;
    Tensor t = reader.read(name);
    if (!options.allow_non_finite && is_floating(t.dtype()))
      for (std::size_t k = 0; k < t.numel(); ++k)
        if (!std::isfinite(t.flat(k))) {
          problems.push_back(name.substr(name.find('.') + 1) + " holds " +
                             (std::isnan(t.flat(k)) ? "NaN" : "Inf") + " at flat index " + std::to_string(k) +
                             " (pass allow_non_finite to load it anyway)");
          break;
        }
    if (e.state_key.empty())
      model_state.insert(name.substr(name.find('.') + 1), std::move(t));
    else
      state.emplace_back(e.state_key, std::move(t));
  }
  if (optimizer) {
    // Group members are model positions in the file, optimizer positions in its state.
    const auto named = model.named_parameters();
    const auto positions = model_positions(model, *optimizer);
    for (const auto& name : group_entries) {
      Tensor t = reader.read(name);
      const std::string key = name.substr(6);
      if (is_group_params(key)) {
        std::vector<std::int64_t> in_optimizer;
        for (std::int64_t k : t.to_vector<std::int64_t>()) {
          const auto at = std::find(positions.begin(), positions.end(), static_cast<std::size_t>(k));
          if (k < 0 || static_cast<std::size_t>(k) >= named.size() || at == positions.end()) {
            problems.push_back(
                key + " lists " +
                (k >= 0 && static_cast<std::size_t>(k) < named.size()
                     ? named[static_cast<std::size_t>(k)].first + ", which the optimizer does not hold"
                     : "parameter " + std::to_string(k) + ", and the model has " +
                           std::to_string(named.size())));
            continue;
          }
          in_optimizer.push_back(at - positions.begin());
        }
        t = from_vector(in_optimizer);
      }
      state.emplace_back(key, std::move(t));
    }
  }
  fail_if_any();
  if (optimizer) {
    try {
      optimizer->load_state_dict(state);  // validates before changing anything
    } catch (const Error& e) {
      throw Error("load_checkpoint: '" + path + "': " + e.what());
    }
  }
  model.load_state_dict(model_state);  // every entry was checked above: cannot fail now
}

}  // namespace tsumiki::io
