// libFuzzer target: the .npz reader (io/npz.hpp) and the checkpoint loader (io/checkpoint.hpp).
//
// The first byte picks the mode:
//   even: the rest is the archive, byte for byte (zip-level corruption: directory, sizes, CRC, deflate);
//   odd, below 128: the rest is cut into npy payloads that this harness wraps in a well-formed zip under
//         names the model knows ("param.W.npy", "optim.step.npy", ...), so mutations reach the npy header
//         parser and the checkpoint's name, shape and dtype checks instead of dying at the zip's CRC;
//   odd, 128 and up: a zip forged field by field from the input: per entry a compression method (stored,
//         deflate with a valid stream, bzip2, or another), declared sizes that may lie (small, huge, off by
//         some), a wrong CRC, a data descriptor, zip64 size fields. This reaches the reader's size and
//         method guards with archives libzip would never write (a deflate bomb, a bzip2 member lying about
//         its size).
// Either way the archive goes through io::load_npz and nn::load_checkpoint into a Linear(3, 2) model with
// an Adam optimizer. Any std::exception is an accepted answer; crashes, sanitizer reports and leaks are bugs.
// A load that throws must leave the model's parameters untouched (the loader validates before copying).
#include <zip.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <tsumiki/autograd/tensor.hpp>
#include <tsumiki/io/checkpoint.hpp>
#include <tsumiki/io/npz.hpp>
#include <tsumiki/nn/layers.hpp>
#include <tsumiki/optim/rules.hpp>
#include <vector>

#include "fuzz_util.hpp"

namespace {

const char* const kNames[] = {"param.W.npy",   "param.b.npy",   "optim.step.npy", "optim.W.m.npy",
                              "optim.W.v.npy", "optim.b.m.npy", "optim.b.v.npy",  "buffer.x.npy",
                              "W.npy",         "optim.b.x.npy"};

// Wraps the payloads in a stored zip. Chunk format: [name index byte][length lo][length hi][payload].
bool write_wrapped(const std::string& path, const std::uint8_t* data, std::size_t size) {
  int err = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!za) return false;
  std::size_t pos = 0;
  for (int entries = 0; pos + 3 <= size && entries < 8; ++entries) {
    const char* name = kNames[data[pos] % (sizeof(kNames) / sizeof(kNames[0]))];
    std::size_t len = data[pos + 1] | (static_cast<std::size_t>(data[pos + 2]) << 8);
    pos += 3;
    if (len > size - pos) len = size - pos;
    // zip_source_buffer does not copy: the payload outlives the source until zip_close.
    zip_source_t* src = zip_source_buffer(za, data + pos, len, 0);
    if (!src) break;
    if (zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8) < 0) zip_source_free(src);  // duplicate name: skipped
    pos += len;
  }
  const bool ok = zip_close(za) == 0;
  if (!ok) zip_discard(za);
  return ok;
}

// ---- forged archives ----
void put16(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}
void put64(std::string& out, std::uint64_t v) {
  put32(out, static_cast<std::uint32_t>(v));
  put32(out, static_cast<std::uint32_t>(v >> 32));
}

std::string raw_deflate(const std::uint8_t* p, std::size_t n) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, n), '\0');
  z.next_in = const_cast<Bytef*>(p);
  z.avail_in = static_cast<uInt>(n);
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Entry format: [name][method][lies][declared-size byte][length lo][length hi][payload].
// lies: bit 0 uncompressed size lies, bit 1 compressed size lies, bit 2 wrong CRC, bit 3 data descriptor,
// bit 4 zip64 size fields, bit 5 the lie is huge (x 2^20) rather than small.
std::string forge(const std::uint8_t* data, std::size_t size) {
  std::string zip, central;
  std::size_t pos = 0;
  int entries = 0;
  for (; pos + 6 <= size && entries < 8; ++entries) {
    const std::string name = kNames[data[pos] % (sizeof(kNames) / sizeof(kNames[0]))];
    const std::uint8_t method_pick = data[pos + 1], lies = data[pos + 2], amount = data[pos + 3];
    std::size_t len = data[pos + 4] | (static_cast<std::size_t>(data[pos + 5]) << 8);
    pos += 6;
    if (len > size - pos) len = size - pos;
    const std::uint8_t* payload = data + pos;
    pos += len;
    const std::uint16_t method = method_pick % 4 == 0 ? 0 : method_pick % 4 == 1 ? 8 : method_pick % 4 == 2 ? 12 : 99;
    const std::string body = method == 8 ? raw_deflate(payload, len) : std::string(payload, payload + len);
    const std::uint32_t crc = static_cast<std::uint32_t>(crc32(0, payload, static_cast<uInt>(len))) ^ ((lies & 4) ? 1u : 0u);
    const std::uint64_t lie = (lies & 32) ? (static_cast<std::uint64_t>(amount) + 1) << 20 : amount;
    const std::uint64_t usize = (lies & 1) ? len + lie : len, csize = (lies & 2) ? body.size() + lie : body.size();
    const bool descriptor = lies & 8, zip64 = lies & 16;
    const std::uint16_t flags = descriptor ? 8 : 0;
    std::string extra;
    if (zip64) {
      put16(extra, 1);
      put16(extra, 16);
      put64(extra, usize);
      put64(extra, csize);
    }
    const std::uint32_t u32 = zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(usize);
    const std::uint32_t c32 = zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(csize);
    const std::uint32_t offset = static_cast<std::uint32_t>(zip.size());
    put32(zip, 0x04034b50);
    put16(zip, zip64 ? 45 : 20);
    put16(zip, flags);
    put16(zip, method);
    put32(zip, 0);  // time and date
    put32(zip, descriptor ? 0 : crc);
    put32(zip, descriptor ? 0 : c32);
    put32(zip, descriptor ? 0 : u32);
    put16(zip, static_cast<std::uint32_t>(name.size()));
    put16(zip, static_cast<std::uint32_t>(extra.size()));
    zip += name + extra + body;
    if (descriptor) {
      put32(zip, 0x08074b50);
      put32(zip, crc);
      put32(zip, c32);
      put32(zip, u32);
    }
    put32(central, 0x02014b50);
    put16(central, zip64 ? 45 : 20);
    put16(central, zip64 ? 45 : 20);
    put16(central, flags);
    put16(central, method);
    put32(central, 0);
    put32(central, crc);
    put32(central, c32);
    put32(central, u32);
    put16(central, static_cast<std::uint32_t>(name.size()));
    put16(central, static_cast<std::uint32_t>(extra.size()));
    put16(central, 0);  // comment
    put16(central, 0);  // disk
    put16(central, 0);  // internal attributes
    put32(central, 0);  // external attributes
    put32(central, offset);
    central += name + extra;
  }
  const std::uint32_t cd_offset = static_cast<std::uint32_t>(zip.size());
  zip += central;
  put32(zip, 0x06054b50);
  put16(zip, 0);
  put16(zip, 0);
  put16(zip, static_cast<std::uint32_t>(entries));
  put16(zip, static_cast<std::uint32_t>(entries));
  put32(zip, static_cast<std::uint32_t>(central.size()));
  put32(zip, cd_offset);
  put16(zip, 0);
  return zip;
}

// The parameters' bytes: compared bitwise, since a checkpoint may legitimately load NaNs (NaN != NaN).
std::vector<unsigned char> snapshot(const tsumiki::nn::Module& m) {
  std::vector<unsigned char> out;
  for (const auto& p : m.parameters()) {
    const auto* b = static_cast<const unsigned char*>(p.data().raw());
    out.insert(out.end(), b, b + p.data().nbytes());
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tsumiki::fuzz::ScratchFile file("npz_fuzzer", ".npz");
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    file.write(data + 1, size - 1);
  } else if (data[0] >= 128) {
    const std::string zip = forge(data + 1, size - 1);
    file.write(reinterpret_cast<const std::uint8_t*>(zip.data()), zip.size());
  } else if (!write_wrapped(file.path(), data + 1, size - 1)) {
    return 0;
  }
  const std::string& path = file.path();

  try {
    const auto arrays = tsumiki::io::load_npz(path);
    for (const auto& [name, t] : arrays) {
      if (!t.defined()) std::abort();
      volatile double sink = 0;
      for (std::size_t i = 0; i < t.numel(); ++i) sink = sink + t.flat(i);
    }
  } catch (const std::exception&) {
  }

  tsumiki::nn::Linear model(3, 2);
  tsumiki::optim::Adam opt(model.parameters(), {.lr = 1e-3});
  for (tsumiki::optim::Optimizer* o :
       {static_cast<tsumiki::optim::Optimizer*>(nullptr), static_cast<tsumiki::optim::Optimizer*>(&opt)}) {
    const auto before = snapshot(model);  // a successful load before this one may have changed the model
    try {
      tsumiki::nn::load_checkpoint(path, model, o);
    } catch (const std::exception&) {
      if (snapshot(model) != before) {
        std::fprintf(stderr, "npz_fuzzer: a failed load_checkpoint changed the model's parameters\n");
        std::abort();
      }
    }
  }
  return 0;
}
