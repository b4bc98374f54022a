// IDX files: the simple n-d array format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).
//
// Layout: two zero bytes, a type code, the number of dimensions, then one big-endian uint32 per dimension
// and the values in row-major order, big-endian. The data sets ship gzip-compressed; read_idx takes either.
#pragma once

#include <string>

#include "../autograd/tensor.hpp"

namespace tsumiki::data {

// Reads a raw or gzip-compressed IDX file into a tensor of the declared shape, converting the stored values
// (ubyte, byte, short, int, float or double) to `dtype`. Throws IOError for a missing, truncated, oversized
// or malformed file, and Error when a stored value cannot be represented in `dtype` (a fraction for Int64).
Tensor read_idx(const std::string& path, Dtype dtype = Dtype::Float32);

// Writes `t` (1 to 8 dimensions, any dtype, every value an integer in 0..255) as a ubyte IDX file,
// gzip-compressed when `path` ends in ".gz". Throws Error for bad values or shapes, IOError if the write
// fails.
void write_idx(const std::string& path, const Tensor& t);

}  // namespace tsumiki::data
