#include "idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

namespace tsumiki::data {
namespace {

// Larger than any real IDX data set (MNIST train images: 47M), small enough that a corrupt header cannot
// make us allocate unbounded memory.
constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 31;
constexpr std::size_t kChunk = std::size_t{1} << 20;

struct IdxType {
  std::uint8_t code;
  const char* name;
  std::size_t size;
};

constexpr IdxType kTypes[] = {
    {0x08, "ubyte", 1}, {0x09, "byte", 1},  {0x0B, "short", 2},
    {0x0C, "int", 4},   {0x0D, "float", 4}, {0x0E, "double", 8},
};

const IdxType* find_type(std::uint8_t code) {
  for (const auto& t : kTypes)
    if (t.code == code) return &t;
  return nullptr;
}

std::string hex_byte(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", v & 0xFFu);
  return buf;
}

std::string shape_string(const std::vector<std::uint32_t>& dims) {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + (dims.size() == 1 ? ",)" : ")");
}

// gzread passes non-gzip files through unchanged, so one reader serves raw and compressed files.
class GzReader {
 public:
  GzReader(const std::string& path, bool gzip) : file_(gzopen(path.c_str(), "rb")), path_(path), gzip_(gzip) {
    if (!file_) throw IOError("read_idx: " + path + ": cannot open: " + std::strerror(errno));
    gzbuffer(file_, 1u << 17);
  }
  ~GzReader() { gzclose(file_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Reads up to n bytes (fewer only at the end of the data); throws IOError on a read or zlib error.
  std::size_t read(void* dst, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      const unsigned want = static_cast<unsigned>(std::min(n - done, kChunk));
      const int got = gzread(file_, static_cast<unsigned char*>(dst) + done, want);
      if (got < 0) {
        int code = 0;
        std::string why = gzerror(file_, &code);
        if (code == Z_ERRNO) why = std::strerror(errno);
        if (why.rfind(path_ + ": ", 0) == 0) why.erase(0, path_.size() + 2);  // zlib prefixes the path
        throw IOError("read_idx: " + path_ + ": " + (gzip_ ? "corrupt gzip data: " : "read error: ") + why);
      }
      if (got == 0) {
        // zlib reports a gzip stream cut short (even just its CRC trailer) as end of data plus Z_BUF_ERROR.
        int code = Z_OK;
        gzerror(file_, &code);
        cut_short_ = gzip_ && code == Z_BUF_ERROR;
        break;
      }
      done += static_cast<std::size_t>(got);
    }
    return done;
  }
  bool cut_short() const { return cut_short_; }

 private:
  gzFile file_ = nullptr;
  std::string path_;
  bool gzip_;
  bool cut_short_ = false;
};

template <class U>
U load_be(const unsigned char* p) {
  U v = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i) v = static_cast<U>((v << 8) | p[i]);
  return v;
}

template <class Dst>
void convert(const unsigned char* src, const IdxType& type, Dst* out, std::size_t n,
             const std::string& path) {
  // Float data only converts to Int64 when every value is integral: silently truncating would hide a mistake.
  auto to_dst = [&](double v, std::size_t i) -> Dst {
    if constexpr (std::is_same_v<Dst, std::int64_t>) {
      if (!std::isfinite(v) || std::trunc(v) != v || std::fabs(v) >= 9.2e18)
        throw Error("read_idx: " + path + ": cannot convert " + type.name + " value " + std::to_string(v) +
                    " at flat index " + std::to_string(i) + " to int64: expected an integer");
    }
    // NaN or Inf pixels would train to NaN without a word: a data file must hold finite numbers.
    if (!std::isfinite(v) || !std::isfinite(static_cast<double>(static_cast<Dst>(v))))
      throw IOError("read_idx: " + path + ": " + type.name + " value " + std::to_string(v) +
                    " at flat index " + std::to_string(i) +
                    (std::isfinite(v) ? " does not fit the requested dtype" : " is not finite") +
                    "; expected finite numbers");
    return static_cast<Dst>(v);
  };
  switch (type.code) {
    case 0x08:
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Dst>(src[i]);
      break;
    case 0x09:  // signed bytes
      // NOLINTNEXTLINE(bugprone-signed-char-misuse): the int8 cast is the point
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Dst>(static_cast<std::int8_t>(src[i]));
      break;
    case 0x0B:
      for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<Dst>(static_cast<std::int16_t>(load_be<std::uint16_t>(src + 2 * i)));
      break;
    case 0x0C:
      for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<Dst>(static_cast<std::int32_t>(load_be<std::uint32_t>(src + 4 * i)));
      break;
    case 0x0D:
      for (std::size_t i = 0; i < n; ++i)
        out[i] = to_dst(std::bit_cast<float>(load_be<std::uint32_t>(src + 4 * i)), i);
      break;
    case 0x0E:
      for (std::size_t i = 0; i < n; ++i)
        out[i] = to_dst(std::bit_cast<double>(load_be<std::uint64_t>(src + 8 * i)), i);
      break;
  }
}

bool has_gzip_magic(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw IOError("read_idx: " + path + ": cannot open: " + std::strerror(errno));
  unsigned char m[2] = {0, 0};
  const std::size_t got = std::fread(m, 1, 2, f);
  const bool failed = std::ferror(f);
  const int err = errno;
  std::fclose(f);
  if (failed) throw IOError("read_idx: " + path + ": cannot read: " + std::strerror(err));
  return got == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

template <class T>
void check_ubyte_values(const Tensor& t, const std::string& path) {
  const T* p = t.data<T>();
  for (std::size_t i = 0; i < t.numel(); ++i) {
    const T v = p[i];
    if (!(v >= 0 && v <= 255) || static_cast<T>(static_cast<int>(v)) != v)
      throw Error("write_idx: " + path + ": value " + std::to_string(v) + " at flat index " +
                  std::to_string(i) + " is not an integer in 0..255 (ubyte IDX)");
  }
}

}  // namespace

Tensor read_idx(const std::string& path, Dtype dtype) {
  if (dtype != Dtype::Float32 && dtype != Dtype::Float64 && dtype != Dtype::Int64)
    throw Error("read_idx: " + path + ": unknown dtype requested");
  const bool gzip = has_gzip_magic(path);
  GzReader in(path, gzip);
  const std::string bytes_word = gzip ? " uncompressed bytes" : " bytes";

  unsigned char magic[4];
  if (const std::size_t got = in.read(magic, 4); got < 4)
    throw IOError("read_idx: " + path + ": not an IDX file: expected a 4-byte magic number, file has " +
                  std::to_string(got) + bytes_word);
  if (magic[0] != 0 || magic[1] != 0)
    throw IOError("read_idx: " + path + ": bad magic number: expected 0x00 0x00 <type> <rank>, found " +
                  hex_byte(magic[0]) + " " + hex_byte(magic[1]) + " " + hex_byte(magic[2]) + " " +
                  hex_byte(magic[3]));
  const IdxType* type = find_type(magic[2]);
  if (!type)
    throw IOError(
        "read_idx: " + path + ": bad magic number: unknown type code " + hex_byte(magic[2]) +
        ", expected 0x08 (ubyte), 0x09 (byte), 0x0B (short), 0x0C (int), 0x0D (float) or 0x0E (double)");
  const std::size_t ndim = magic[3];
  if (ndim < 1 || ndim > Shape::kMaxRank)
    throw IOError("read_idx: " + path + ": bad magic number: rank " + std::to_string(ndim) +
                  ", expected 1..8");

  const std::size_t header_bytes = 4 + 4 * ndim;
  unsigned char raw_dims[4 * Shape::kMaxRank];
  if (const std::size_t got = in.read(raw_dims, 4 * ndim); got < 4 * ndim)
    throw IOError("read_idx: " + path + ": truncated header: expected " + std::to_string(header_bytes) +
                  bytes_word + " for " + std::to_string(ndim) + " dimensions, got " +
                  std::to_string(4 + got));
  std::vector<std::uint32_t> dims(ndim);
  for (std::size_t i = 0; i < ndim; ++i) dims[i] = load_be<std::uint32_t>(raw_dims + 4 * i);

  // Each partial product stays below 2^31 * 2^32, so the check itself cannot overflow.
  std::uint64_t numel = 1;
  if (std::find(dims.begin(), dims.end(), 0u) != dims.end()) numel = 0;
  for (std::size_t i = 0; i < ndim && numel; ++i) {
    numel *= dims[i];
    if (numel > kMaxElements)
      throw IOError("read_idx: " + path + ": declared shape " + shape_string(dims) +
                    " is too large: expected at most 2^31 elements");
  }

  const std::uint64_t payload = numel * type->size;
  const std::uint64_t expected = header_bytes + payload;
  // Grow the buffer as data arrives instead of trusting the header, so a lying header costs no memory.
  std::vector<unsigned char> bytes;
  bytes.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(payload, 64 * kChunk)));
  std::uint64_t got = 0;
  while (got < payload) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(payload - got, kChunk));
    bytes.resize(static_cast<std::size_t>(got) + want);
    const std::size_t n = in.read(bytes.data() + got, want);
    got += n;
    if (n < want) break;
  }
  if (got < payload)
    throw IOError("read_idx: " + path + ": truncated file: expected " + std::to_string(expected) +
                  bytes_word + " (" + std::to_string(header_bytes) + "-byte header + " +
                  std::to_string(numel) + " " + type->name + " values for shape " + shape_string(dims) +
                  "), got " + std::to_string(header_bytes + got) +
                  (in.cut_short() ? " (the gzip stream ends early)" : ""));

  std::uint64_t trailing = 0;
  unsigned char scratch[4096];
  while (const std::size_t n = in.read(scratch, sizeof scratch)) trailing += n;
  if (trailing)
    throw IOError("read_idx: " + path + ": " + std::to_string(trailing) +
                  " trailing bytes after the data: expected " + std::to_string(expected) + bytes_word +
                  " for " + type->name + " shape " + shape_string(dims) + ", got " +
                  std::to_string(expected + trailing));

  if (in.cut_short())
    throw IOError("read_idx: " + path +
                  ": truncated gzip stream: the data is complete but the gzip trailer is " +
                  "missing, so its checksum cannot be verified");

  Tensor out(Shape(dims.begin(), dims.end()), dtype);
  const std::size_t n = static_cast<std::size_t>(numel);
  switch (dtype) {
    case Dtype::Float32:
      convert(bytes.data(), *type, out.data<float>(), n, path);
      break;
    case Dtype::Float64:
      convert(bytes.data(), *type, out.data<double>(), n, path);
      break;
    case Dtype::Int64:
      convert(bytes.data(), *type, out.data<std::int64_t>(), n, path);
      break;
  }
  return out;
}

void write_idx(const std::string& path, const Tensor& t) {
  if (!t.defined()) throw Error("write_idx: " + path + ": expected a defined tensor, got an undefined one");
  if (t.ndim() < 1)
    throw Error("write_idx: " + path + ": expected 1 to 8 dimensions, got a 0-d tensor (IDX has no scalars)");
  for (std::size_t d : t.shape())
    if (d > std::numeric_limits<std::uint32_t>::max())
      throw Error("write_idx: " + path + ": dimension " + std::to_string(d) + " of shape " +
                  to_string(t.shape()) + " does not fit in the 32-bit IDX header");
  switch (t.dtype()) {
    case Dtype::Float32:
      check_ubyte_values<float>(t, path);
      break;
    case Dtype::Float64:
      check_ubyte_values<double>(t, path);
      break;
    case Dtype::Int64:
      check_ubyte_values<std::int64_t>(t, path);
      break;
  }

  std::vector<unsigned char> bytes;
  bytes.reserve(4 + 4 * t.ndim() + t.numel());
  bytes.insert(bytes.end(), {0, 0, 0x08, static_cast<unsigned char>(t.ndim())});
  for (std::size_t d : t.shape())
    for (int s = 24; s >= 0; s -= 8) bytes.push_back(static_cast<unsigned char>(d >> s));
  for (std::size_t i = 0; i < t.numel(); ++i) bytes.push_back(static_cast<unsigned char>(t.flat(i)));

  // "T" makes gzwrite write the bytes as they are, so one code path serves both outputs.
  const bool gzip = path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  gzFile f = gzopen(path.c_str(), gzip ? "wb9" : "wbT");
  if (!f) throw IOError("write_idx: " + path + ": cannot create: " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const unsigned want = static_cast<unsigned>(std::min(bytes.size() - done, kChunk));
    const int n = gzwrite(f, bytes.data() + done, want);
    if (n <= 0) {
      int code = 0;
      std::string why = gzerror(f, &code);
      if (code == Z_ERRNO) why = std::strerror(errno);
      gzclose(f);
      throw IOError("write_idx: " + path + ": write failed after " + std::to_string(done) + " bytes: " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  // gzclose flushes the last block; a full disk shows up here.
  if (const int rc = gzclose(f); rc != Z_OK)
    throw IOError("write_idx: " + path + ": write failed when closing the file: " +
                  (rc == Z_ERRNO ? std::strerror(errno) : "zlib error " + std::to_string(rc)));
}

}  // namespace tsumiki::data
