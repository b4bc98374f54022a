// StateDict: a module's parameters and buffers by path ("fc1.W", "bn.running_mean"), in registration order:
// each module's parameters, then its buffers, then its children's, depth first (Module::state_dict()).
//
// The tensors share storage with the module's (as PyTorch's do): copy one (clone()) to keep it apart from
// later training. Module::load_state_dict checks every name, dtype and shape before it changes anything.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "../autograd/tensor.hpp"

namespace tsumiki::nn {

class StateDict {
 public:
  using Entry = std::pair<std::string, Tensor>;

  // Adds an entry at the end; a name already present is an Error.
  void insert(std::string name, Tensor value);
  // The entry named `name`; an Error naming it (and the keys there are) when absent.
  const Tensor& at(const std::string& name) const;
  bool contains(const std::string& name) const;
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }

 private:
  const Tensor* find(const std::string& name) const;
  std::vector<Entry> entries_;
};

// What a load_state_dict(dict, strict = false) left out: the module's names the dict lacks, and the dict's
// names the module does not have.
struct LoadReport {
  std::vector<std::string> missing;
  std::vector<std::string> unexpected;
};

}  // namespace tsumiki::nn
