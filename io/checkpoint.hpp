// Checkpoints (the one place that knows both nn and optim): a model's parameters and, optionally, its
// optimizer's state in one NumPy .npz file.
//
// Entries are "param.<name>" (e.g. "param.fc1.W"), "buffer.<name>" (e.g. batch norm's running statistics)
// and "optim.<name>.<slot>" plus "optim.step", so
// numpy.load(path) shows them by name. Saving is atomic (temporary file + rename). Loading checks every name,
// shape and dtype first and changes nothing unless all match; the error lists every mismatch.
#pragma once

#include <string>

#include "../nn/module.hpp"
#include "../optim/optimizer.hpp"

namespace tsumiki::io {

void save_checkpoint(const std::string& path, const nn::Module& model,
                     const optim::Optimizer* optimizer = nullptr);
void load_checkpoint(const std::string& path, nn::Module& model, optim::Optimizer* optimizer = nullptr);

}  // namespace tsumiki::io

// Checkpoints lived in nn:: before io/ existed; programs written then keep compiling.
namespace tsumiki::nn {
using io::load_checkpoint;
using io::save_checkpoint;
}  // namespace tsumiki::nn
