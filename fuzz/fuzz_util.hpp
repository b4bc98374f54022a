// Helpers shared by the fuzzers: a per-process scratch file for the readers that take a path.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace tsumiki::fuzz {

// A file in $TMPDIR (or /tmp) named after the fuzzer and the process id, removed at exit.
class ScratchFile {
 public:
  ScratchFile(const char* fuzzer, const char* suffix) {
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp && *tmp ? tmp : "/tmp") + "/tsumiki_" + fuzzer + "_" + std::to_string(getpid()) +
            suffix;
  }
  ~ScratchFile() { std::remove(path_.c_str()); }
  const std::string& write(const std::uint8_t* data, std::size_t size) const {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) std::abort();
    if (size && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace tsumiki::fuzz
