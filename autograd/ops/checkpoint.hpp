// Activation checkpointing: trade compute for memory (Chen et al. 2016, "Training deep nets with sublinear
// memory cost"; jax.checkpoint, torch.utils.checkpoint). (Saving a model to a file is io/checkpoint.hpp.)
//
//   Variable h = x;
//   for (auto& block : blocks) h = checkpoint([&](const Variable& z) { return (*block)(z); }, h);
//
// checkpoint(f, x) runs f without recording and keeps only x and the Variables f reads from outside (the
// parameters it closes over), not f's intermediate activations. Backward runs f again, recording, and
// differentiates that graph. So the memory of a deep net's forward drops from every layer's activations to
// one block's plus the blocks' inputs; the price is a second forward of each block.
//
// - Gradients reach x and every Variable requiring grad that f uses (found as f runs), as without
//   checkpoint, and create_graph works: the recomputation is recorded, so double backward and hvp do too.
// - Dropout inside f draws the same mask when recomputed: the thread's default generator is put back to its
//   state at the forward while f runs again (a Generator of your own passed to dropout is not: reset it).
// - f must compute the same function when run again: state it updates (batch norm's running statistics in
//   training mode) is updated twice, as in PyTorch.
// - f (a copy of the callable) and whatever it refers to must outlive the backward pass.
#pragma once

#include "../derivatives.hpp"
#include "../variable.hpp"

namespace tsumiki {

Variable checkpoint(const UnaryFn& f, const Variable& x, const Site& site = Site::current());
// Several inputs: f(xs) with every xs[i] kept.
Variable checkpoint(const Fn& f, const Inputs& xs, const Site& site = Site::current());

}  // namespace tsumiki
