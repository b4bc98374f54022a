// Shared by the tests that write files (IDX, npz, checkpoints, bad input): a fresh scratch folder per test,
// byte-level file access for corrupting files on purpose, and a check on an exception's type and message.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <random>
#include <string>
#include <system_error>
#include <vector>

namespace tsumiki::testing {

// Each test gets its own folder under the system's temporary directory, removed afterwards even when a test
// took away its permissions.
class ScratchDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("tsumiki_test_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    for (const auto& e : fs::recursive_directory_iterator(dir_, ec))
      if (e.is_directory()) fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

inline std::vector<std::uint8_t> read_bytes(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& p, const std::vector<std::uint8_t>& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Runs fn and expects an E (or a subclass) whose message contains every one of `parts`.
template <class E, class Fn>
void expect_error(Fn&& fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected an exception, none was thrown";
  } catch (const std::exception& e) {
    EXPECT_NE(dynamic_cast<const E*>(&e), nullptr) << "wrong exception type; message: " << e.what();
    const std::string msg = e.what();
    for (const auto& p : parts)
      EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
  }
}

// The same, for file errors: the message must also name the file.
template <class E, class Fn>
void expect_error(Fn&& fn, const std::string& file, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected an exception for " << file;
  } catch (const std::exception& e) {
    EXPECT_NE(dynamic_cast<const E*>(&e), nullptr) << "wrong exception type; message: " << e.what();
    const std::string msg = e.what();
    EXPECT_NE(msg.find(file), std::string::npos) << "the message does not name " << file << ": " << msg;
    for (const auto& p : parts)
      EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
  }
}

}  // namespace tsumiki::testing
