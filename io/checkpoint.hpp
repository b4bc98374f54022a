// Checkpoints (the one place that knows both nn and optim): a model's parameters and, optionally, its
// optimizer's state in one NumPy .npz file.
//
// Entries are the model's state_dict() as "param.<name>" (e.g. "param.fc1.W") and "buffer.<name>" (e.g. batch
// norm's running statistics), and the optimizer's state_dict(): "optim.<name>.<slot>", "optim.step",
// "optim.rule.<rule>", and per parameter group "optim.group.<g>.<setting>" and "optim.group.<g>.params"
// (the members' positions in model.named_parameters()), so numpy.load(path) shows them by name. Files
// written before groups were recorded load as one group. Saving is atomic (temporary file + rename). Loading
// checks every name, shape and dtype first and changes nothing unless all match; the error lists every
// mismatch.
#pragma once

#include <string>

#include "../nn/module.hpp"
#include "../optim/optimizer.hpp"

namespace tsumiki::io {

void save_checkpoint(const std::string& path, const nn::Module& model,
                     const optim::Optimizer* optimizer = nullptr);
struct LoadCheckpointOptions {
  bool allow_non_finite = false;  // load NaN or Inf parameters and state instead of refusing them
};
// Checks every entry's name, dtype and shape from the archive's headers first, then reads only the entries
// the model (and the optimizer, when given) needs, each no larger than its header says; changes nothing
// unless everything matches. Refused, with every problem listed: missing or unexpected entries (also with an
// optimizer), a mismatched dtype or shape, missing optimizer state after the first step, NaN or Inf values;
// and by the optimizer's load_state_dict: another rule's state, groups that differ in number or members.
// Without an optimizer the file's optimizer entries are skipped unread.
void load_checkpoint(const std::string& path, nn::Module& model, optim::Optimizer* optimizer = nullptr,
                     const LoadCheckpointOptions& options = {});

}  // namespace tsumiki::io

// Checkpoints lived in nn:: before io/ existed; programs written then keep compiling.
namespace tsumiki::nn {
using io::load_checkpoint;
using io::save_checkpoint;
}  // namespace tsumiki::nn
