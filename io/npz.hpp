// NumPy .npz archives: a zip with one .npy file per named array, as written by numpy.savez and
// numpy.savez_compressed, so checkpoints and data sets move between Tsumiki and Python.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "../autograd/tensor.hpp"

namespace tsumiki::io {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Writes each array as an uncompressed "<name>.npy" entry (NPY format 1.0, little-endian, C order), in the
// given order. The file is replaced atomically: the archive is written to a temporary file in the same
// directory, fsync'ed and renamed over `path`, so a crash mid-save leaves the previous file intact.
// Throws Error for an empty, duplicate or undefined entry, IOError if the file cannot be written.
void save_npz(const std::string& path, const NamedTensors& arrays);

// Reads every "<name>.npy" entry (stored or deflated) of the archive, in archive order, with the ".npy"
// dropped from the name. Supports dtypes '<f4' (float32), '<f8' (float64) and '<i8' (int64) in C order.
// Throws IOError naming the file, the entry and the problem for a missing, corrupt or unsupported archive.
NamedTensors load_npz(const std::string& path);

}  // namespace tsumiki::io
