// libFuzzer target: the .npz reader (io/npz.hpp) and the checkpoint loader (io/checkpoint.hpp).
//
// The first byte picks the mode:
//   even: the rest is the archive, byte for byte (zip-level corruption: directory, sizes, CRC, deflate);
//   odd:  the rest is cut into npy payloads that this harness wraps in a well-formed zip under names the
//   model
//         knows ("param.W.npy", "optim.step.npy", ...), so mutations reach the npy header parser and the
//         checkpoint's name, shape and dtype checks instead of dying at the zip's CRC.
// Either way the archive goes through io::load_npz and nn::load_checkpoint into a Linear(3, 2) model with
// an Adam optimizer. Any std::exception is an accepted answer; crashes, sanitizer reports and leaks are bugs.
// A load that throws must leave the model's parameters untouched (the loader validates before copying).
#include <zip.h>

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
