// libFuzzer target: the IDX reader (data/idx.hpp) on arbitrary bytes, raw or gzip-compressed.
//
// Any exception derived from std::exception is an accepted answer to a malformed file; a crash, a sanitizer
// report, a leak, an allocation past libFuzzer's -malloc_limit_mb (a huge declared shape must be rejected
// before allocating) or a tensor that disagrees with its own header is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <tsumiki/autograd/tensor.hpp>
#include <tsumiki/data/idx.hpp>

#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tsumiki::fuzz::ScratchFile file("idx_fuzzer", ".idx");
  const std::string& path = file.write(data, size);
  for (tsumiki::Dtype dtype : {tsumiki::Dtype::Float32, tsumiki::Dtype::Float64, tsumiki::Dtype::Int64}) {
    try {
      const tsumiki::Tensor t = tsumiki::data::read_idx(path, dtype);
      // A raw file that loads must have exactly the declared rank and dtype.
      const bool raw = !(size >= 2 && data[0] == 0x1f && data[1] == 0x8b);
      if (!t.defined() || t.dtype() != dtype || (raw && size >= 4 && t.ndim() != data[3])) {
        std::fprintf(stderr, "idx_fuzzer: read_idx returned a tensor that disagrees with the header\n");
        std::abort();
      }
      volatile double sink = 0;
      for (std::size_t i = 0; i < t.numel(); ++i) sink = sink + t.flat(i);  // every element is readable
    } catch (const std::exception&) {
    }
  }
  return 0;
}
