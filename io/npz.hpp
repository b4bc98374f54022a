// NumPy .npz archives: a zip with one .npy file per named array, as written by numpy.savez and
// numpy.savez_compressed, so checkpoints and data sets move between Tsumiki and Python.
#pragma once

#include <memory>
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

// What an entry holds, from its npy header alone.
struct NpyInfo {
  Dtype dtype;
  Shape shape;
};

// An archive read entry by entry, so a loader can check names, dtypes and shapes before it reads any data and
// read only the entries it needs (load_checkpoint does). Opening reads the zip directory only and refuses
// entries that are not .npy files, duplicate names, compression this libzip cannot decode, and sizes the
// compression cannot explain (a bomb). read() never reads more than one byte past the size its header declares.
class NpzReader {
 public:
  explicit NpzReader(const std::string& path);
  ~NpzReader();
  NpzReader(NpzReader&&) noexcept;
  NpzReader& operator=(NpzReader&&) noexcept;

  std::vector<std::string> names() const;       // archive order, ".npy" dropped
  NpyInfo info(const std::string& name) const;  // reads the entry's npy header only
  Tensor read(const std::string& name) const;   // header and data; the CRC is checked

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tsumiki::io
