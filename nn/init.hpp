// Weight initialisers. fan_in is the number of inputs of a unit, fan_out the number of outputs.
#pragma once

#include "../autograd/tensor.hpp"

namespace tsumiki::nn::init {

Tensor normal(const Shape& shape, double std, Dtype dtype = Dtype::Float32,
              Generator& gen = default_generator());
Tensor uniform(const Shape& shape, double lo, double hi, Dtype dtype = Dtype::Float32,
               Generator& gen = default_generator());
// Glorot & Bengio: std = sqrt(2 / (fan_in + fan_out)); uniform bound sqrt(6 / (fan_in + fan_out)).
Tensor xavier_normal(const Shape& shape, std::size_t fan_in, std::size_t fan_out,
                     Dtype dtype = Dtype::Float32, Generator& gen = default_generator());
Tensor xavier_uniform(const Shape& shape, std::size_t fan_in, std::size_t fan_out,
                      Dtype dtype = Dtype::Float32, Generator& gen = default_generator());
// He et al. for ReLU: std = sqrt(2 / fan_in); uniform bound sqrt(6 / fan_in).
Tensor he_normal(const Shape& shape, std::size_t fan_in, Dtype dtype = Dtype::Float32,
                 Generator& gen = default_generator());
Tensor he_uniform(const Shape& shape, std::size_t fan_in, Dtype dtype = Dtype::Float32,
                  Generator& gen = default_generator());

// Choice of initialiser for layers' weights.
enum class Kind { Normal, Xavier, He, Zeros };
// normal uses `std`; the others ignore it.
Tensor make(Kind kind, const Shape& shape, std::size_t fan_in, std::size_t fan_out, double std = 0.01,
            Dtype dtype = Dtype::Float32, Generator& gen = default_generator());

}  // namespace tsumiki::nn::init
