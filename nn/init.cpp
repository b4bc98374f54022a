#include "init.hpp"

#include <cmath>

namespace tsumiki::nn::init {
namespace {
void check_fan(const char* who, std::size_t fan) {
  if (fan == 0) throw Error(std::string("init::") + who + ": fan must be positive");
}
}  // namespace

Tensor normal(const Shape& shape, double std, Dtype dtype, Generator& gen) {
  if (!(std >= 0)) throw Error("init::normal: std must be non-negative, got " + std::to_string(std));
  Tensor t = randn(shape, Dtype::Float64, gen);
  for (std::size_t i = 0; i < t.numel(); ++i) t.data<double>()[i] *= std;
  return t.to(dtype);
}

Tensor uniform(const Shape& shape, double lo, double hi, Dtype dtype, Generator& gen) {
  if (!(lo <= hi)) throw Error("init::uniform: expected lo <= hi");
  Tensor t = rand(shape, Dtype::Float64, gen);
  for (std::size_t i = 0; i < t.numel(); ++i) t.data<double>()[i] = lo + (hi - lo) * t.data<double>()[i];
  return t.to(dtype);
}

Tensor xavier_normal(const Shape& shape, std::size_t fan_in, std::size_t fan_out, Dtype dtype,
                     Generator& gen) {
  check_fan("xavier_normal", fan_in + fan_out);
  return normal(shape, std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)), dtype, gen);
}

Tensor xavier_uniform(const Shape& shape, std::size_t fan_in, std::size_t fan_out, Dtype dtype,
                      Generator& gen) {
  check_fan("xavier_uniform", fan_in + fan_out);
  const double a = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform(shape, -a, a, dtype, gen);
}

Tensor he_normal(const Shape& shape, std::size_t fan_in, Dtype dtype, Generator& gen) {
  check_fan("he_normal", fan_in);
  return normal(shape, std::sqrt(2.0 / static_cast<double>(fan_in)), dtype, gen);
}

Tensor he_uniform(const Shape& shape, std::size_t fan_in, Dtype dtype, Generator& gen) {
  check_fan("he_uniform", fan_in);
  const double a = std::sqrt(6.0 / static_cast<double>(fan_in));
  return uniform(shape, -a, a, dtype, gen);
}

Tensor make(Kind kind, const Shape& shape, std::size_t fan_in, std::size_t fan_out, double std, Dtype dtype,
            Generator& gen) {
  switch (kind) {
    case Kind::Normal:
      return normal(shape, std, dtype, gen);
    case Kind::Xavier:
      return xavier_normal(shape, fan_in, fan_out, dtype, gen);
    case Kind::He:
      return he_normal(shape, fan_in, dtype, gen);
    case Kind::Zeros:
      return zeros(shape, dtype);
  }
  return {};
}

}  // namespace tsumiki::nn::init
