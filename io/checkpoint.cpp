#include "checkpoint.hpp"

#include <algorithm>
#include <map>

#include "npz.hpp"

namespace tsumiki::io {
using nn::Module;
namespace {

std::string describe(const Tensor& t) {
  return std::string(dtype_name(t.dtype())) + " " + to_string(t.shape());
}

// The model's name of each optimizer parameter, by position.
std::vector<std::string> optimizer_names(const Module& model, const optim::Optimizer& opt) {
  const auto named = model.named_parameters();
  std::vector<std::string> names;
  for (const auto& p : opt.params()) {
    auto it = std::find_if(named.begin(), named.end(), [&](const auto& np) { return np.second.is_same(p); });
    if (it == named.end())
      throw Error("checkpoint: the optimizer holds a parameter " + describe(p.data()) +
                  " that is not in the model");
    names.push_back(it->first);
  }
  return names;
}

}  // namespace

void save_checkpoint(const std::string& path, const Module& model, const optim::Optimizer* optimizer) {
  io::NamedTensors entries;
  for (const auto& [name, p] : model.named_parameters()) entries.emplace_back("param." + name, p.data());
  for (const auto& [name, b] : model.named_buffers()) entries.emplace_back("buffer." + name, b.data());
  if (optimizer) {
    const auto names = optimizer_names(model, *optimizer);
    for (auto& [key, t] : optimizer->state_dict()) {
      if (key == "step") {
        entries.emplace_back("optim.step", t);
        continue;
      }
      const auto dot = key.find('.');
      entries.emplace_back("optim." + names[std::stoul(key.substr(0, dot))] + key.substr(dot), t);
    }
  }
  io::save_npz(path, entries);
}

void load_checkpoint(const std::string& path, Module& model, optim::Optimizer* optimizer) {
  std::map<std::string, Tensor> file;
  for (auto& [name, t] : io::load_npz(path)) file.emplace(name, t);

  std::vector<std::string> problems;
  std::vector<std::pair<Tensor, Tensor>> copies;  // (destination, source), applied only when all match
  std::map<std::string, bool> used;
  std::vector<std::pair<std::string, Variable>> entries;
  for (auto& [name, p] : model.named_parameters()) entries.emplace_back("param." + name, p);
  for (auto& [name, b] : model.named_buffers()) entries.emplace_back("buffer." + name, b);
  for (auto& [key, p] : entries) {
    const std::string name = key.substr(key.find('.') + 1);
    auto it = file.find(key);
    if (it == file.end()) {
      problems.push_back("missing " + name + " (" + describe(p.data()) + ")");
      continue;
    }
    used[it->first] = true;
    if (it->second.shape() != p.shape() || it->second.dtype() != p.dtype()) {
      problems.push_back(name + " is " + describe(it->second) + " in the file but " + describe(p.data()) +
                         " in the model");
      continue;
    }
    copies.emplace_back(p.data(), it->second);
  }
  optim::NamedTensors state;
  if (optimizer) {
    const auto names = optimizer_names(model, *optimizer);
    for (auto& [key, t] : file) {
      if (key.rfind("optim.", 0) != 0) continue;
      used[key] = true;
      const std::string rest = key.substr(6);
      if (rest == "step") {
        state.emplace_back("step", t);
        continue;
      }
      bool found = false;
      for (std::size_t i = 0; i < names.size() && !found; ++i)
        if (rest.rfind(names[i] + ".", 0) == 0) {
          state.emplace_back(std::to_string(i) + "." + rest.substr(names[i].size() + 1), t);
          found = true;
        }
      if (!found) problems.push_back("optimizer entry " + rest + " names no parameter of the model");
    }
    if (state.empty()) problems.push_back("no optimizer state in the file");
  }
  for (const auto& [key, t] : file)
    if (!used.count(key) && (key.rfind("param.", 0) == 0 || key.rfind("buffer.", 0) == 0 || !optimizer))
      if (key.rfind("optim.", 0) != 0) problems.push_back("unexpected " + key.substr(key.find('.') + 1));
  if (!problems.empty()) {
    std::string msg = "load_checkpoint: '" + path + "' does not match the model:";
    for (const auto& p : problems) msg += "\n  " + p;
    throw Error(msg);
  }
  if (optimizer) {
    try {
      optimizer->load_state_dict(state);  // validates before changing anything
    } catch (const Error& e) {
      throw Error("load_checkpoint: '" + path + "': " + e.what());
    }
  }
  for (auto& [dst, src] : copies) dst.copy_from(src);
}

}  // namespace tsumiki::io
