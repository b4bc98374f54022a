// Tensor: a dense, contiguous, row-major n-d array with a run-time dtype.
//
// Tensors are the data under a Variable. They are cheap handles: copying a Tensor shares its buffer (like a
// NumPy view of the whole array); use clone() for a deep copy. Buffers come from a pooled, 64-byte aligned
// allocator, so creating small tensors on the op path costs no glibc allocation.
//
// No xtensor types here: autograd/xtensor_interop.hpp is the opt-in interop header (to_xarray, from_xarray,
// as_xtensor).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "error.hpp"

namespace tsumiki {

enum class Dtype : std::uint8_t { Float32, Float64, Int64 };

const char* dtype_name(Dtype d);  // "float32", "float64", "int64"
std::size_t element_size(Dtype d);
inline bool is_floating(Dtype d) { return d != Dtype::Int64; }

template <class T>
constexpr Dtype dtype_of() {
  if constexpr (std::is_same_v<T, float>)
    return Dtype::Float32;
  else if constexpr (std::is_same_v<T, double>)
    return Dtype::Float64;
  else {
    static_assert(std::is_same_v<T, std::int64_t>, "Tsumiki tensors hold float, double or int64_t");
    return Dtype::Int64;
  }
}

// Shape: up to 8 dimensions stored inline (no allocation).
class Shape {
 public:
  static constexpr std::size_t kMaxRank = 8;

  Shape() = default;
  Shape(std::initializer_list<std::size_t> dims);
  template <class It>
  Shape(It first, It last) {
    for (; first != last; ++first) push_back(static_cast<std::size_t>(*first));
  }
  explicit Shape(const std::vector<std::size_t>& dims) : Shape(dims.begin(), dims.end()) {}

  std::size_t size() const { return rank_; }  // number of dimensions
  bool empty() const { return rank_ == 0; }
  std::size_t operator[](std::size_t i) const { return dims_[i]; }
  std::size_t& operator[](std::size_t i) { return dims_[i]; }
  const std::size_t* begin() const { return dims_; }
  const std::size_t* end() const { return dims_ + rank_; }
  std::size_t back() const { return dims_[rank_ - 1]; }
  void push_back(std::size_t d);
  void insert(std::size_t pos, std::size_t d);
  void erase(std::size_t pos);
  std::size_t numel() const;  // product of the dimensions (1 for a 0-d shape)
  std::vector<std::size_t> to_vector() const { return {begin(), end()}; }

  friend bool operator==(const Shape& a, const Shape& b);
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }

 private:
  std::size_t dims_[kMaxRank] = {};
  std::uint8_t rank_ = 0;
};

// Axis numbers; negative ones count from the end (-1 is the last axis). One axis may be written alone, so
// every reduction and softmax takes the same forms: sum(x, 1), sum(x, {1}), sum(x, {0, 2}), softmax(x, 1).
// Axes(n) is the one axis n, not n axes: there is no sizing constructor (Axes(size_t) is deleted, so code
// written for std::vector's does not compile into something else); use resize().
struct Axes : std::vector<int> {
  Axes() = default;
  Axes(int axis) : std::vector<int>{axis} {}  // NOLINT(google-explicit-constructor): one axis, as in NumPy
  Axes(std::size_t) = delete;
  Axes(std::initializer_list<int> axes) : std::vector<int>(axes) {}
  Axes(std::vector<int> axes) : std::vector<int>(std::move(axes)) {}  // NOLINT(google-explicit-constructor)
  template <class It>
  Axes(It first, It last) : std::vector<int>(first, last) {}
};

std::string to_string(const Shape& s);  // "(2, 3)"
std::ostream& operator<<(std::ostream& os, const Shape& s);

namespace detail {
struct Buffer;  // reference-counted, pooled storage (autograd/detail/buffer.hpp)
}

class Tensor {
 public:
  Tensor() = default;                       // undefined: no dtype, no storage
  Tensor(const Shape& shape, Dtype dtype);  // uninitialised contents
  Tensor(const Tensor& other);
  Tensor(Tensor&& other) noexcept;
  Tensor& operator=(const Tensor& other);
  Tensor& operator=(Tensor&& other) noexcept;
  ~Tensor();

  bool defined() const { return buffer_ != nullptr; }
  Dtype dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  std::size_t ndim() const { return shape_.size(); }
  std::size_t numel() const { return numel_; }
  std::size_t nbytes() const { return numel() * element_size(dtype_); }

  void* raw();
  const void* raw() const;
  // Typed access; throws Error if T does not match dtype().
  template <class T>
  T* data();
  template <class T>
  const T* data() const;
  // The value of a one-element tensor, converted to T.
  template <class T>
  T item() const;
  // Element at a flat (row-major) index, converted to double.
  double flat(std::size_t i) const;
  template <class T>
  std::vector<T> to_vector() const;

  Tensor clone() const;  // deep copy
  // The contiguous block of `shape` starting at flat element `offset`, sharing this tensor's buffer (a view:
  // writes through either are seen by both). Slicing uses it when the selection is one contiguous block.
  Tensor view(std::size_t offset, const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;  // shares the buffer; numel must match
  Tensor to(Dtype dtype) const;              // converted copy (or *this when already that dtype)
  void fill(double value);
  void copy_from(const Tensor& src);  // same shape and dtype; copies the values into this buffer
  bool shares_buffer_with(const Tensor& other) const { return buffer_ == other.buffer_; }

 private:
  detail::Buffer* buffer_ = nullptr;
  Shape shape_;
  std::size_t numel_ = 0;   // shape_.numel(), kept so element loops need not recompute it
  std::size_t offset_ = 0;  // bytes from the buffer's start to element 0 (non-zero for views)
  Dtype dtype_ = Dtype::Float32;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ---- factories (default dtype float32, the model dtype) ----
Tensor empty(const Shape& shape, Dtype dtype = Dtype::Float32);
Tensor zeros(const Shape& shape, Dtype dtype = Dtype::Float32);
Tensor ones(const Shape& shape, Dtype dtype = Dtype::Float32);
Tensor full(const Shape& shape, double value, Dtype dtype = Dtype::Float32);
Tensor scalar_tensor(double value, Dtype dtype = Dtype::Float32);  // 0-d
Tensor arange(double start, double stop, double step = 1.0, Dtype dtype = Dtype::Float32);
Tensor linspace(double start, double stop, std::size_t num, Dtype dtype = Dtype::Float32);
// Values in row-major order; values.size() must equal shape.numel().
template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape);
template <class T>
Tensor from_vector(const std::vector<T>& values) {
  return from_vector(values, Shape{values.size()});
}

// ---- random numbers ----
using Generator = std::mt19937_64;
// Each thread has its own default generator, seeded identically at its start: manual_seed seeds only the
// calling thread's. Worker threads that draw random numbers should each get their own Generator with a seed
// derived from the run's (e.g. Generator g(seed + thread_index)) and pass it explicitly.
Generator& default_generator();
void manual_seed(std::uint64_t seed);
Tensor randn(const Shape& shape, Dtype dtype = Dtype::Float32, Generator& gen = default_generator());
Tensor rand(const Shape& shape, Dtype dtype = Dtype::Float32,
            Generator& gen = default_generator());  // [0, 1)
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, Generator& gen = default_generator());

// Calls fn(T{}) with T the C++ type of a floating dtype; throws Error naming `op` for other dtypes.
template <class Fn>
decltype(auto) dispatch_floating(Dtype d, const char* op, Fn&& fn) {
  switch (d) {
    case Dtype::Float32:
      return fn(float{});
    case Dtype::Float64:
      return fn(double{});
    default:
      throw Error(std::string(op) + ": expected a floating dtype (float32 or float64), got " + dtype_name(d));
  }
}

}  // namespace tsumiki
