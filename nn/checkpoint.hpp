// Checkpoints: a model's parameters and, optionally, its optimizer's state in one NumPy .npz file.
//
// Entries are "param.<name>" (e.g. "param.fc1.W"), "buffer.<name>" (e.g. batch norm's running statistics)
// and "optim.<name>.<slot>" plus "optim.step", so
// numpy.load(path) shows them by name. Saving is atomic (temporary file + rename). Loading checks every name,
// shape and dtype first and changes nothing unless all match; the error lists every mismatch.
#pragma once

#include <string>

#include "../optim/optimizer.hpp"
#include "module.hpp"

namespace tsumiki::nn {

void save_checkpoint(const std::string& path, const Module& model,
                     const optim::Optimizer* optimizer = nullptr);
void load_checkpoint(const std::string& path, Module& model, optim::Optimizer* optimizer = nullptr);

}  // namespace tsumiki::nn
