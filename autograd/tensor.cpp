#include "tensor.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <new>
#include <ostream>
#include <sstream>

#include "detail/buffer.hpp"
#include "pool.hpp"

namespace tsumiki {

// ---- dtypes ----
const char* dtype_name(Dtype d) {
  switch (d) {
    case Dtype::Float32:
      return "float32";
    case Dtype::Float64:
      return "float64";
    case Dtype::Int64:
      return "int64";
  }
  return "?";
}

std::size_t element_size(Dtype d) { return d == Dtype::Float32 ? 4 : 8; }

// ---- Shape ----
Shape::Shape(std::initializer_list<std::size_t> dims) {
  for (auto d : dims) push_back(d);
}

void Shape::push_back(std::size_t d) {
  if (rank_ == kMaxRank) throw Error("Shape: at most 8 dimensions are supported");
  dims_[rank_++] = d;
}

void Shape::insert(std::size_t pos, std::size_t d) {
  if (rank_ == kMaxRank) throw Error("Shape: at most 8 dimensions are supported");
  for (std::size_t i = rank_; i > pos; --i) dims_[i] = dims_[i - 1];
  dims_[pos] = d;
  ++rank_;
}

void Shape::erase(std::size_t pos) {
  for (std::size_t i = pos; i + 1 < rank_; ++i) dims_[i] = dims_[i + 1];
  --rank_;
}

std::size_t Shape::numel() const {
  std::size_t n = 1;
  for (std::size_t i = 0; i < rank_; ++i) n *= dims_[i];
  return n;
}

bool operator==(const Shape& a, const Shape& b) {
  return a.rank_ == b.rank_ && std::equal(a.begin(), a.end(), b.begin());
}

std::string to_string(const Shape& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  if (s.size() == 1) out += ",";
  return out + ")";
}

std::ostream& operator<<(std::ostream& os, const Shape& s) { return os << to_string(s); }

// ---- Buffer ----
namespace detail {
Buffer* Buffer::create(std::size_t bytes) {
  void* p = pool_allocate(sizeof(Buffer) + bytes);
  auto* b = new (p) Buffer;
  b->bytes = bytes;
  return b;
}

void Buffer::release(Buffer* b) noexcept {
  if (b && b->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    const std::size_t total = sizeof(Buffer) + b->bytes;
    b->~Buffer();
    pool_free(b, total);
  }
}
}  // namespace detail

// ---- Tensor ----
Tensor::Tensor(const Shape& shape, Dtype dtype)
    : buffer_(detail::Buffer::create(shape.numel() * element_size(dtype))),
      shape_(shape),
      numel_(shape.numel()),
      dtype_(dtype) {}

Tensor::Tensor(const Tensor& o)
    : buffer_(o.buffer_), shape_(o.shape_), numel_(o.numel_), offset_(o.offset_), dtype_(o.dtype_) {
  detail::Buffer::retain(buffer_);
}

Tensor::Tensor(Tensor&& o) noexcept
    : buffer_(o.buffer_), shape_(o.shape_), numel_(o.numel_), offset_(o.offset_), dtype_(o.dtype_) {
  o.buffer_ = nullptr;
}

Tensor& Tensor::operator=(const Tensor& o) {
  if (this != &o) {
    detail::Buffer::retain(o.buffer_);
    detail::Buffer::release(buffer_);
    buffer_ = o.buffer_;
    shape_ = o.shape_;
    numel_ = o.numel_;
    offset_ = o.offset_;
    dtype_ = o.dtype_;
  }
  return *this;
}

Tensor& Tensor::operator=(Tensor&& o) noexcept {
  if (this != &o) {
    detail::Buffer::release(buffer_);
    buffer_ = o.buffer_;
    o.buffer_ = nullptr;
    shape_ = o.shape_;
    numel_ = o.numel_;
    offset_ = o.offset_;
    dtype_ = o.dtype_;
  }
  return *this;
}

Tensor::~Tensor() { detail::Buffer::release(buffer_); }

void* Tensor::raw() {
  if (!buffer_) throw Error("Tensor: access to an undefined tensor");
  return static_cast<char*>(buffer_->data()) + offset_;
}

const void* Tensor::raw() const { return const_cast<Tensor*>(this)->raw(); }

template <class T>
T* Tensor::data() {
  if (dtype_of<T>() != dtype_)
    throw Error(std::string("Tensor::data: requested ") + dtype_name(dtype_of<T>()) + " from a " +
                dtype_name(dtype_) + " tensor of shape " + to_string(shape_));
  return static_cast<T*>(raw());
}

template <class T>
const T* Tensor::data() const {
  return const_cast<Tensor*>(this)->data<T>();
}

double Tensor::flat(std::size_t i) const {
  if (i >= numel())
    throw Error("Tensor::flat: index " + std::to_string(i) + " out of range for shape " + to_string(shape_));
  switch (dtype_) {
    case Dtype::Float32:
      return data<float>()[i];
    case Dtype::Float64:
      return data<double>()[i];
    case Dtype::Int64:
      return static_cast<double>(data<std::int64_t>()[i]);
  }
  return 0;
}

template <class T>
T Tensor::item() const {
  if (numel() != 1)
    throw Error("Tensor::item: expected a tensor with one element, got shape " + to_string(shape_));
  if constexpr (std::is_integral_v<T>) {
    if (dtype_ == Dtype::Int64) return static_cast<T>(data<std::int64_t>()[0]);
    // A float converts only when it is a whole number in T's range (anything else is undefined in C++).
    const double v = flat(0);
    if (!(v >= -9.2233720368547758e18 && v < 9.2233720368547758e18) || v != std::trunc(v))
      throw Error("Tensor::item: " + std::to_string(v) + " (" + dtype_name(dtype_) +
                  ") is not an int64 value");
    return static_cast<T>(v);
  } else {
    return static_cast<T>(flat(0));
  }
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  std::vector<T> out(numel());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(flat(i));
  return out;
}

Tensor Tensor::clone() const {
  if (!defined()) return {};
  Tensor out(shape_, dtype_);
  std::memcpy(out.raw(), raw(), nbytes());
  return out;
}

Tensor Tensor::view(std::size_t offset, const Shape& shape) const {
  if (!defined()) throw Error("Tensor::view: undefined tensor");
  if (offset + shape.numel() > numel())
    throw Error("Tensor::view: " + to_string(shape) + " at element " + std::to_string(offset) +
                " runs past the end of a tensor of shape " + to_string(shape_));
  Tensor out(*this);
  out.shape_ = shape;
  out.numel_ = shape.numel();
  out.offset_ = offset_ + offset * element_size(dtype_);
  return out;
}

Tensor Tensor::reshape(const Shape& shape) const {
  if (shape.numel() != numel())
    throw Error("Tensor::reshape: cannot reshape " + to_string(shape_) + " (" + std::to_string(numel()) +
                " elements) to " + to_string(shape));
  Tensor out(*this);
  out.shape_ = shape;
  out.numel_ = shape.numel();
  return out;
}

namespace {
template <class To>
void convert_into(const Tensor& src, To* dst) {
  const std::size_t n = src.numel();
  switch (src.dtype()) {
    case Dtype::Float32:
      std::copy_n(src.data<float>(), n, dst);
      break;
    case Dtype::Float64:
      std::copy_n(src.data<double>(), n, dst);
      break;
    case Dtype::Int64:
      std::copy_n(src.data<std::int64_t>(), n, dst);
      break;
  }
}
}  // namespace

Tensor Tensor::to(Dtype dtype) const {
  if (dtype == dtype_) return *this;
  Tensor out(shape_, dtype);
  switch (dtype) {
    case Dtype::Float32:
      convert_into(*this, out.data<float>());
      break;
    case Dtype::Float64:
      convert_into(*this, out.data<double>());
      break;
    case Dtype::Int64:
      convert_into(*this, out.data<std::int64_t>());
      break;
  }
  return out;
}

void Tensor::fill(double value) {
  switch (dtype_) {
    case Dtype::Float32:
      std::fill_n(data<float>(), numel(), static_cast<float>(value));
      break;
    case Dtype::Float64:
      std::fill_n(data<double>(), numel(), value);
      break;
    case Dtype::Int64:
      std::fill_n(data<std::int64_t>(), numel(), static_cast<std::int64_t>(value));
      break;
  }
}

void Tensor::copy_from(const Tensor& src) {
  if (src.shape() != shape_ || src.dtype() != dtype_)
    throw Error(std::string("Tensor::copy_from: expected ") + dtype_name(dtype_) + " " + to_string(shape_) +
                ", got " + dtype_name(src.dtype()) + " " + to_string(src.shape()));
  if (src.raw() != raw()) std::memmove(raw(), src.raw(), nbytes());
}

// NumPy-like printing: nested brackets, at most 6 entries per axis (first 3 ... last 3).
namespace {
void print_rec(std::ostream& os, const Tensor& t, std::size_t axis, std::size_t offset, std::size_t stride,
               int indent) {
  const std::size_t n = t.shape()[axis];
  const std::size_t inner = stride / std::max<std::size_t>(n, 1);
  os << '[';
  for (std::size_t i = 0; i < n; ++i) {
    if (n > 6 && i == 3) {
      os << (axis + 1 == t.ndim() ? "..., " : "...,\n" + std::string(indent + 1, ' '));
      i = n - 3;
    }
    if (axis + 1 == t.ndim()) {
      const double v = t.flat(offset + i);
      if (t.dtype() == Dtype::Int64)
        os << static_cast<long long>(v);
      else
        os << std::setprecision(5) << v;
    } else {
      print_rec(os, t, axis + 1, offset + i * inner, inner, indent + 1);
    }
    if (i + 1 < n) os << (axis + 1 == t.ndim() ? ", " : ",\n" + std::string(indent + 1, ' '));
  }
  os << ']';
}
}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  os << "tensor(";
  if (t.ndim() == 0)
    os << t.flat(0);
  else if (t.numel() == 0)
    os << "[]";
  else
    print_rec(os, t, 0, 0, t.numel(), 7);
  return os << ", shape=" << t.shape() << ", dtype=" << dtype_name(t.dtype()) << ")";
}

// ---- factories ----
Tensor empty(const Shape& shape, Dtype dtype) { return Tensor(shape, dtype); }

Tensor full(const Shape& shape, double value, Dtype dtype) {
  Tensor t(shape, dtype);
  t.fill(value);
  return t;
}

Tensor zeros(const Shape& shape, Dtype dtype) { return full(shape, 0.0, dtype); }
Tensor ones(const Shape& shape, Dtype dtype) { return full(shape, 1.0, dtype); }
Tensor scalar_tensor(double value, Dtype dtype) { return full(Shape{}, value, dtype); }

Tensor arange(double start, double stop, double step, Dtype dtype) {
  if (step == 0 || !std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step))
    throw Error("arange: expected finite bounds and a non-zero step");
  const double count = std::ceil((stop - start) / step);
  const std::size_t n = count > 0 ? static_cast<std::size_t>(count) : 0;
  Tensor t(Shape{n}, Dtype::Float64);
  for (std::size_t i = 0; i < n; ++i) t.data<double>()[i] = start + step * static_cast<double>(i);
  return t.to(dtype);
}

Tensor linspace(double start, double stop, std::size_t num, Dtype dtype) {
  Tensor t(Shape{num}, Dtype::Float64);
  for (std::size_t i = 0; i < num; ++i)
    t.data<double>()[i] = num == 1 ? start : start + (stop - start) * static_cast<double>(i) / (num - 1);
  return t.to(dtype);
}

template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape) {
  if (values.size() != shape.numel())
    throw Error("from_vector: " + std::to_string(values.size()) + " values do not fill shape " +
                to_string(shape) + " (" + std::to_string(shape.numel()) + " elements)");
  Tensor t(shape, dtype_of<T>());
  std::copy(values.begin(), values.end(), t.data<T>());
  return t;
}

// ---- random numbers ----
Generator& default_generator() {
  thread_local Generator gen(0x7473756d696b69ULL);  // "tsumiki"
  return gen;
}

void manual_seed(std::uint64_t seed) { default_generator().seed(seed); }

namespace {
// Draws in double (the same sequence for every dtype) and stores in the tensor's own dtype.
template <class Dist>
Tensor draw(const Shape& shape, Dtype dtype, Generator& gen, Dist dist, const char* who) {
  Tensor t(shape, dtype);
  dispatch_floating(dtype, who, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for (std::size_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(dist(gen));
  });
  return t;
}
}  // namespace

Tensor randn(const Shape& shape, Dtype dtype, Generator& gen) {
  return draw(shape, dtype, gen, std::normal_distribution<double>(0.0, 1.0), "randn");
}

Tensor rand(const Shape& shape, Dtype dtype, Generator& gen) {
  return draw(shape, dtype, gen, std::uniform_real_distribution<double>(0.0, 1.0), "rand");
}

Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, Generator& gen) {
  if (high <= low) throw Error("randint: expected low < high");
  Tensor t(shape, Dtype::Int64);
  std::uniform_int_distribution<std::int64_t> dist(low, high - 1);
  for (std::size_t i = 0; i < t.numel(); ++i) t.data<std::int64_t>()[i] = dist(gen);
  return t;
}

// NOLINTBEGIN(bugprone-macro-parentheses): T names a type
#define TSUMIKI_INSTANTIATE(T)                          \
  template T* Tensor::data<T>();                        \
  template const T* Tensor::data<T>() const;            \
  template T Tensor::item<T>() const;                   \
  template std::vector<T> Tensor::to_vector<T>() const; \
  template Tensor from_vector<T>(const std::vector<T>&, const Shape&);
TSUMIKI_INSTANTIATE(float)
TSUMIKI_INSTANTIATE(double)
TSUMIKI_INSTANTIATE(std::int64_t)
#undef TSUMIKI_INSTANTIATE
// NOLINTEND(bugprone-macro-parentheses)

}  // namespace tsumiki
