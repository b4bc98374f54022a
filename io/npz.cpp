#include "npz.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <set>

#include "detail/printable.hpp"

namespace tsumiki::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";  // 6 bytes
constexpr std::size_t kMagicSize = 6;

const char* descr_of(Dtype d) {
  switch (d) {
    case Dtype::Float32:
      return "<f4";
    case Dtype::Float64:
      return "<f8";
    case Dtype::Int64:
      return "<i8";
  }
  return "?";
}

// NPY data is little-endian; a big-endian host swaps each element (in place, on its own copy).
void swap_elements(unsigned char* p, std::size_t nbytes, std::size_t esize) {
  for (std::size_t i = 0; i < nbytes; i += esize) std::reverse(p + i, p + i + esize);
}

std::string shape_literal(const Shape& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.size() == 1 ? ",)" : ")");
}

// Magic, version 1.0, little-endian header length, then the dict padded with spaces and a final '\n' so the
// data starts at a multiple of 64 bytes (what numpy writes, and what lets readers mmap aligned data).
std::string npy_header(const Tensor& t) {
  std::string dict = std::string("{'descr': '") + descr_of(t.dtype()) +
                     "', 'fortran_order': False, 'shape': " + shape_literal(t.shape()) + ", }";
  const std::size_t unpadded = kMagicSize + 4 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicSize);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xFF);
  out += static_cast<char>(dict.size() >> 8);  // at most 8 dims, so the dict is far below 64 KiB
  return out + dict;
}

std::string errno_text(int err) { return std::strerror(err); }

// Temporaries ".<name>.tmp.<pid>.<random>" left by saves of this target whose process died (killed mid-save)
// are removed: nothing else will ever rename or delete them.
void remove_stale_temporaries(const std::filesystem::path& dir, const std::string& name) {
  const std::string prefix = "." + name + ".tmp.";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string f = entry.path().filename().string();
    if (f.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(f.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      std::filesystem::remove(entry, ec);
  }
}

// A uniquely named file next to the target; unlinked on destruction unless committed by rename.
class TempFile {
 public:
  explicit TempFile(const std::string& target) {
    namespace fs = std::filesystem;
    const fs::path p(target);
    dir_ = p.has_parent_path() ? p.parent_path().string() : ".";
    remove_stale_temporaries(dir_, p.filename().string());
    std::random_device rd;
    for (int attempt = 0;; ++attempt) {
      char suffix[32];
      std::snprintf(suffix, sizeof suffix, ".tmp.%d.%08x", static_cast<int>(::getpid()), rd());
      std::string name = p.filename().string();  // hidden: ".<name>.tmp.<pid>.<random>"
      name.insert(0, 1, '.');
      name += suffix;
      path_ = (fs::path(dir_) / name).string();
      // 0666 lets the umask decide the permissions, as for any newly created file.
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ >= 0) break;
      if (errno != EEXIST || attempt == 16)
        throw IOError("save_npz: " + target + ": cannot create a temporary file in " + dir_ + ": " +
                      errno_text(errno));
    }
    struct stat st;
    mode_ = ::fstat(fd_, &st) == 0 ? st.st_mode & 07777 : 0644;
  }
  ~TempFile() {
    close_fd();
    if (!committed_) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }
  int fd() const { return fd_; }
  mode_t mode() const { return mode_; }
  void close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void commit() { committed_ = true; }

 private:
  std::string path_, dir_;
  int fd_ = -1;
  mode_t mode_ = 0644;
  bool committed_ = false;
};

void write_all(int fd, const void* data, std::size_t n, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (n) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw IOError("save_npz: " + path + ": write failed: " + errno_text(errno));
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

std::string zip_code_text(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string s = zip_error_strerror(&e);
  zip_error_fini(&e);
  return s;
}

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipDiscard>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileClose>;

// ---- reading the npy header: a Python dict literal such as {'descr': '<f4', 'shape': (2, 3), ...} ----

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::uint64_t> shape;
};

class HeaderParser {
 public:
  explicit HeaderParser(const std::string& text) : s_(text) {}

  // Returns "" on success, otherwise what went wrong.
  std::string parse(NpyHeader& out) {
    std::set<std::string> seen;
    skip_ws();
    if (!eat('{')) return "expected '{'";
    while (true) {
      skip_ws();
      if (eat('}')) break;
      std::string key;
      if (!string_literal(key)) return "expected a quoted key";
      if (!seen.insert(key).second) return "duplicate key '" + key + "'";
      skip_ws();
      if (!eat(':')) return "expected ':' after '" + key + "'";
      skip_ws();
      if (key == "descr") {
        if (!string_literal(out.descr)) return "expected a string for 'descr'";
      } else if (key == "fortran_order") {
        if (word("True"))
          out.fortran_order = true;
        else if (word("False"))
          out.fortran_order = false;
        else
          return "expected True or False for 'fortran_order'";
      } else if (key == "shape") {
        if (std::string why = tuple(out.shape); !why.empty()) return why;
      } else {
        return "unexpected key '" + key + "'";
      }
      skip_ws();
      if (eat(',')) continue;
      skip_ws();
      if (eat('}')) break;
      return "expected ',' or '}' after the value of '" + key + "'";
    }
    skip_ws();
    if (pos_ != s_.size()) return "unexpected text after the dict";
    for (const char* k : {"descr", "fortran_order", "shape"})
      if (!seen.count(k)) return std::string("missing key '") + k + "'";
    return "";
  }

 private:
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) return ++pos_, true;
    return false;
  }
  bool word(const char* w) {
    const std::size_t n = std::strlen(w);
    if (s_.compare(pos_, n, w) != 0) return false;
    pos_ += n;
    return true;
  }
  bool string_literal(std::string& out) {
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return false;
    const char q = s_[pos_];
    const std::size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos) return false;
    out = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return true;
  }
  std::string tuple(std::vector<std::uint64_t>& dims) {
    if (!eat('(')) return "expected a tuple for 'shape'";
    while (true) {
      skip_ws();
      if (eat(')')) return "";
      if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9')
        return "expected a non-negative integer in 'shape'";
      std::uint64_t v = 0;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        if (v > (UINT64_MAX - 9) / 10) return "dimension too large in 'shape'";
        v = v * 10 + static_cast<std::uint64_t>(s_[pos_++] - '0');
      }
      eat('L');  // Python 2 numpy wrote long integers as 3L
      dims.push_back(v);
      skip_ws();
      if (eat(',')) continue;
      skip_ws();
      if (eat(')')) return "";
      return "expected ',' or ')' in 'shape'";
    }
  }

  const std::string& s_;
  std::size_t pos_ = 0;
};

// Reads exactly n bytes of an entry or throws; a short read means the archive lies about the entry's size.
void read_exact(zip_file_t* f, void* dst, std::uint64_t n, const std::string& where) {
  std::uint64_t done = 0;
  while (done < n) {
    const zip_int64_t got = zip_fread(f, static_cast<char*>(dst) + done, n - done);
    if (got < 0) throw IOError(where + ": read failed: " + zip_file_strerror(f));
    if (got == 0)
      throw IOError(where + ": truncated: expected " + std::to_string(n) + " more bytes, got " +
                    std::to_string(done));
    done += static_cast<std::uint64_t>(got);
  }
}

// An entry opened and its npy header read and checked against the zip directory; the data comes next.
struct OpenEntry {
  ZipFilePtr f;
  Dtype dtype = Dtype::Float32;
  Shape shape;
  std::uint64_t data_bytes = 0;
};

OpenEntry open_entry(zip_t* za, zip_uint64_t index, const zip_stat_t& st, const std::string& where) {
  OpenEntry e;
  e.f.reset(zip_fopen_index(za, index, 0));
  if (!e.f) throw IOError(where + ": cannot open: " + zip_strerror(za));
  zip_file_t* f = e.f.get();
  const std::uint64_t size = st.size;

  unsigned char pre[12];
  if (size < 10)
    throw IOError(where + ": not an npy file: " + std::to_string(size) + " bytes, shorter than the header");
  read_exact(f, pre, 10, where);
  if (std::memcmp(pre, kMagic, kMagicSize) != 0)
    throw IOError(where + ": not an npy file: bad magic, expected \\x93NUMPY");
  const unsigned major = pre[6], minor = pre[7];
  if (major < 1 || major > 3 || minor != 0)
    throw IOError(where + ": unsupported npy version " + std::to_string(major) + "." + std::to_string(minor) +
                  ", expected 1.0, 2.0 or 3.0");
  std::uint64_t header_len = pre[8] | (pre[9] << 8);
  std::uint64_t preamble = 10;
  if (major >= 2) {  // versions 2 and 3 have a 4-byte header length
    if (size < 12) throw IOError(where + ": truncated npy header");
    read_exact(f, pre + 10, 2, where);
    header_len = pre[8] | (pre[9] << 8) | (std::uint64_t{pre[10]} << 16) | (std::uint64_t{pre[11]} << 24);
    preamble = 12;
  }
  if (preamble + header_len > size)
    throw IOError(where + ": truncated npy header: expected " + std::to_string(header_len) +
                  " header bytes, the entry has " + std::to_string(size - preamble));
  std::string text(header_len, '\0');
  read_exact(f, text.data(), header_len, where);

  NpyHeader h;
  if (std::string why = HeaderParser(text).parse(h); !why.empty())
    throw IOError(
        where + ": malformed npy header (" + why + "): " +
        detail::printable(text.substr(0, std::min<std::size_t>(200, text.find_last_not_of(" \n") + 1))));
  if (h.descr == "<f4")
    e.dtype = Dtype::Float32;
  else if (h.descr == "<f8")
    e.dtype = Dtype::Float64;
  else if (h.descr == "<i8")
    e.dtype = Dtype::Int64;
  else
    throw IOError(where + ": unsupported descr '" + detail::printable(h.descr) +
                  "', expected '<f4' (float32), '<f8' (float64) or '<i8' (int64)");
  if (h.fortran_order)
    throw IOError(where + ": fortran_order True is not supported, expected C order (np.ascontiguousarray)");
  if (h.shape.size() > Shape::kMaxRank)
    throw IOError(where + ": shape has " + std::to_string(h.shape.size()) +
                  " dimensions, expected at most 8");

  // Compare the declared data length with the entry before anything is allocated.
  const std::uint64_t esize = element_size(e.dtype);
  const std::uint64_t available = size - preamble - header_len;
  std::uint64_t numel = 1;
  bool overflow = false;
  for (std::uint64_t d : h.shape) {
    if (d != 0 && numel > UINT64_MAX / esize / d) overflow = true;
    numel *= d;
  }
  if (std::find(h.shape.begin(), h.shape.end(), 0) != h.shape.end()) overflow = false, numel = 0;
  std::string shape_text = "(";
  for (std::size_t i = 0; i < h.shape.size(); ++i) shape_text += (i ? ", " : "") + std::to_string(h.shape[i]);
  shape_text += h.shape.size() == 1 ? ",)" : ")";
  if (overflow || numel * esize != available)
    throw IOError(where + ": data length mismatch: shape " + shape_text + " of " + h.descr + " needs " +
                  (overflow ? std::string("more than 2^64") : std::to_string(numel * esize)) +
                  " bytes, the entry holds " + std::to_string(available));
  e.shape = Shape(h.shape.begin(), h.shape.end());
  e.data_bytes = available;
  return e;
}

// Reads exactly the data the header declares, then one byte more: a stream that goes on (a member that lies
// about its size, whatever its compression) is refused after at most one byte past what was asked for.
Tensor read_data(OpenEntry& e, const std::string& where) {
  Tensor t(e.shape, e.dtype);
  read_exact(e.f.get(), t.raw(), e.data_bytes, where);
  // Reading past the end makes libzip verify the CRC; a mismatch surfaces as an error here.
  char extra;
  const zip_int64_t more = zip_fread(e.f.get(), &extra, 1);
  if (more < 0) throw IOError(where + ": read failed: " + zip_file_strerror(e.f.get()));
  if (more > 0) throw IOError(where + ": more data than the zip directory declares");
  if constexpr (std::endian::native == std::endian::big)
    swap_elements(static_cast<unsigned char*>(t.raw()), t.nbytes(), element_size(e.dtype));
  return t;
}

}  // namespace

void save_npz(const std::string& path, const NamedTensors& arrays) {
  std::set<std::string> names;
  for (const auto& [name, t] : arrays) {
    if (name.empty()) throw Error("save_npz: " + path + ": array names must be non-empty");
    if (!names.insert(name).second)
      throw Error("save_npz: " + path + ": duplicate array name '" + name + "'");
    if (!t.defined()) throw Error("save_npz: " + path + ": array '" + name + "' is undefined");
  }

  TempFile tmp(path);
  if (arrays.empty()) {
    // libzip deletes an archive with no entries on close; numpy writes a bare end-of-central-directory
    // record.
    const char eocd[22] = {'P', 'K', 5, 6};
    write_all(tmp.fd(), eocd, sizeof eocd, path);
    tmp.close_fd();
  } else {
    tmp.close_fd();
    int code = 0;
    ZipPtr za(zip_open(tmp.path().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
    if (!za) throw IOError("save_npz: " + path + ": cannot create the archive: " + zip_code_text(code));
    // Entries reference these buffers until zip_close, so they must not move: size the vectors up front.
    std::vector<std::string> headers;
    std::vector<std::vector<unsigned char>> swapped;
    headers.reserve(arrays.size());
    swapped.reserve(arrays.size());
    for (const auto& [name, t] : arrays) {
      headers.push_back(npy_header(t));
      const void* data = t.raw();
      if constexpr (std::endian::native == std::endian::big) {
        const auto* p = static_cast<const unsigned char*>(t.raw());
        swapped.emplace_back(p, p + t.nbytes());
        swap_elements(swapped.back().data(), t.nbytes(), element_size(t.dtype()));
        data = swapped.back().data();
      }
      const zip_buffer_fragment_t parts[2] = {
          {reinterpret_cast<zip_uint8_t*>(headers.back().data()), headers.back().size()},
          {static_cast<zip_uint8_t*>(const_cast<void*>(data)), t.nbytes()},
      };
      zip_source_t* src = zip_source_buffer_fragment(za.get(), parts, 2, 0);
      if (!src) throw IOError("save_npz: " + path + ": entry '" + name + ".npy': " + zip_strerror(za.get()));
      const zip_int64_t idx = zip_file_add(za.get(), (name + ".npy").c_str(), src, ZIP_FL_ENC_UTF_8);
      if (idx < 0) {
        zip_source_free(src);
        throw IOError("save_npz: " + path + ": cannot add entry '" + name +
                      ".npy': " + zip_strerror(za.get()));
      }
      // Stored, like numpy.savez: fast, and readable by the simplest zip readers.
      if (zip_set_file_compression(za.get(), static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0) != 0)
        throw IOError("save_npz: " + path + ": entry '" + name + ".npy': " + zip_strerror(za.get()));
    }
    if (zip_close(za.get()) != 0)
      throw IOError("save_npz: " + path + ": writing the archive failed: " + zip_strerror(za.get()));
    za.release();  // zip_close freed it
  }

  // Keep an existing file's permissions; a new file gets the umask's (libzip's own temp may be 0600).
  mode_t mode = tmp.mode();
  if (struct stat st; ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) mode = st.st_mode & 07777;
  ::chmod(tmp.path().c_str(), mode);

  // The data must be on disk before the rename makes it visible under the final name.
  const int fd = ::open(tmp.path().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IOError("save_npz: " + path + ": cannot reopen the temporary file: " + errno_text(errno));
  const int sync_rc = ::fsync(fd);
  const int sync_err = errno;
  ::close(fd);
  if (sync_rc != 0) throw IOError("save_npz: " + path + ": fsync failed: " + errno_text(sync_err));
  if (::rename(tmp.path().c_str(), path.c_str()) != 0)
    throw IOError("save_npz: " + path + ": cannot replace the file: " + errno_text(errno));
  tmp.commit();
  // Persist the rename itself; some file systems cannot fsync a directory, which is harmless.
  if (const int dfd = ::open(tmp.dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

struct NpzReader::Impl {
  ZipPtr za;
  std::string path;
  struct Entry {
    std::string name;  // without ".npy"
    zip_uint64_t index;
    zip_stat_t st;
  };
  std::vector<Entry> entries;

  const Entry& find(const std::string& name) const {
    for (const auto& e : entries)
      if (e.name == name) return e;
    throw IOError("load_npz: " + path + ": no entry '" + detail::printable(name) + "'");
  }
  std::string where(const Entry& e) const {
    return "load_npz: " + path + ": entry '" + detail::printable(e.name) + ".npy'";
  }
};

NpzReader::NpzReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  struct stat st_file;
  if (::stat(path.c_str(), &st_file) != 0)
    throw IOError("load_npz: " + path + ": cannot open: " + errno_text(errno));
  if (S_ISDIR(st_file.st_mode)) throw IOError("load_npz: " + path + ": cannot open: is a directory");

  int code = 0;
  impl_->za.reset(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!impl_->za) throw IOError("load_npz: " + path + ": not a valid zip archive: " + zip_code_text(code));

  // The directory only: names, sizes and methods. No entry's data is read here.
  const zip_int64_t n = zip_get_num_entries(impl_->za.get(), 0);
  std::set<std::string> seen;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(impl_->za.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0)
      throw IOError("load_npz: " + path + ": entry " + std::to_string(i) + ": " +
                    zip_strerror(impl_->za.get()));
    std::string name = (st.valid & ZIP_STAT_NAME) && st.name ? st.name : "";
    const std::string where = "load_npz: " + path + ": entry '" + detail::printable(name) + "'";
    if (name.size() < 5 || name.compare(name.size() - 4, 4, ".npy") != 0)
      throw IOError(where + ": expected a .npy file");
    if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE) || !(st.valid & ZIP_STAT_COMP_METHOD))
      throw IOError(where + ": the zip directory does not give its size and compression");
    // numpy writes stored or deflated entries; a re-encoded archive may use bzip2, xz or zstd (whatever this
    // libzip decodes). A declared size that the compression cannot explain is corruption or a bomb, refused
    // before anything is allocated: deflate expands at most ~1032x; bzip2, xz and zstd reach a few 10,000x on
    // runs of zeros, so 100,000x bounds them (a 229-byte archive may then claim 23 MB, not 1 GiB).
    const bool stored = st.comp_method == ZIP_CM_STORE, deflated = st.comp_method == ZIP_CM_DEFLATE;
    if (!stored && !deflated &&
        !zip_compression_method_supported(static_cast<zip_int32_t>(st.comp_method), 0))
      throw IOError(where + ": compression method " + std::to_string(st.comp_method) +
                    " is not supported by this libzip (numpy.savez writes stored (0) or deflate (8))");
    const std::uint64_t max_ratio = stored ? 1 : deflated ? 1100 : 100000;
    if ((stored && st.size != st.comp_size) || (!stored && st.size / max_ratio > st.comp_size + 64))
      throw IOError(where + ": declared size " + std::to_string(st.size) +
                    " is inconsistent with its compressed size " + std::to_string(st.comp_size));
    name.resize(name.size() - 4);
    if (!seen.insert(name).second) throw IOError(where + ": a second entry of that name");
    impl_->entries.push_back({std::move(name), static_cast<zip_uint64_t>(i), st});
  }
}

NpzReader::~NpzReader() = default;
NpzReader::NpzReader(NpzReader&&) noexcept = default;
NpzReader& NpzReader::operator=(NpzReader&&) noexcept = default;

std::vector<std::string> NpzReader::names() const {
  std::vector<std::string> out;
  out.reserve(impl_->entries.size());
  for (const auto& e : impl_->entries) out.push_back(e.name);
  return out;
}

NpyInfo NpzReader::info(const std::string& name) const {
  const auto& e = impl_->find(name);
  const OpenEntry o = open_entry(impl_->za.get(), e.index, e.st, impl_->where(e));
  return {o.dtype, o.shape};
}

Tensor NpzReader::read(const std::string& name) const {
  const auto& e = impl_->find(name);
  OpenEntry o = open_entry(impl_->za.get(), e.index, e.st, impl_->where(e));
  return read_data(o, impl_->where(e));
}

NamedTensors load_npz(const std::string& path) {
  const NpzReader reader(path);
  NamedTensors out;
  for (const auto& name : reader.names()) out.emplace_back(name, reader.read(name));
  return out;
}

}  // namespace tsumiki::io
