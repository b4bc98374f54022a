// IDX reader/writer: round trips, every stored type, the real Fashion-MNIST files, and each malformed-file
// error (type, path and the specific problem in the message).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <tsumiki/autograd/tensor.hpp>
#include <tsumiki/data/dataset.hpp>
#include <tsumiki/data/idx.hpp>
#include <vector>

#include "file_fixtures.hpp"

namespace fs = std::filesystem;
using tsumiki::Dtype;
using tsumiki::Shape;
using tsumiki::Tensor;
using tsumiki::data::read_idx;
using tsumiki::data::write_idx;

namespace {

using IdxTest = tsumiki::testing::ScratchDirTest;
using tsumiki::testing::expect_error;
using tsumiki::testing::read_bytes;
using tsumiki::testing::write_bytes;

Tensor sample_bytes(const Shape& shape) {
  std::vector<std::int64_t> v(shape.numel());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::int64_t>((i * 37 + 11) % 256);
  return tsumiki::from_vector(v, shape);
}

}  // namespace

TEST_F(IdxTest, RoundTripRaw) {
  const Tensor t = sample_bytes(Shape{2, 3, 4});
  const std::string p = path("x.idx");
  write_idx(p, t);

  const auto bytes = read_bytes(p);
  ASSERT_EQ(bytes.size(), 4u + 3 * 4 + 24);
  EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 8),
            (std::vector<std::uint8_t>{0, 0, 0x08, 3, 0, 0, 0, 2}));

  for (Dtype d : {Dtype::Float32, Dtype::Float64, Dtype::Int64}) {
    const Tensor r = read_idx(p, d);
    EXPECT_EQ(r.dtype(), d);
    EXPECT_EQ(r.shape(), (Shape{2, 3, 4}));
    for (std::size_t i = 0; i < t.numel(); ++i) EXPECT_EQ(r.flat(i), t.flat(i)) << i;
  }
  EXPECT_EQ(read_idx(p).dtype(), Dtype::Float32);  // the default
}

TEST_F(IdxTest, RoundTripGzip) {
  const Tensor t = sample_bytes(Shape{50, 7});
  const std::string p = path("x-idx2-ubyte.gz");
  write_idx(p, t.to(Dtype::Float32));
  const auto bytes = read_bytes(p);
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(bytes[0], 0x1f);
  EXPECT_EQ(bytes[1], 0x8b);

  const Tensor r = read_idx(p, Dtype::Int64);
  EXPECT_EQ(r.shape(), (Shape{50, 7}));
  EXPECT_EQ(r.to_vector<std::int64_t>(), t.to_vector<std::int64_t>());
}

TEST_F(IdxTest, ReadsEveryTypeCode) {
  struct Case {
    std::uint8_t code;
    std::vector<std::uint8_t> payload;  // two big-endian values
    double a, b;
  };
  const Case cases[] = {
      {0x08, {0xFF, 0x01}, 255, 1},
      {0x09, {0xFD, 0x7F}, -3, 127},
      {0x0B, {0xFE, 0xD4, 0x01, 0x00}, -300, 256},
      {0x0C, {0x00, 0x01, 0x11, 0x70, 0xFF, 0xFF, 0xFF, 0xFF}, 70000, -1},
      {0x0D, {0x3F, 0xC0, 0x00, 0x00, 0xC1, 0x20, 0x00, 0x00}, 1.5, -10},
      {0x0E, {0xC0, 0x02, 0, 0, 0, 0, 0, 0, 0x40, 0x59, 0, 0, 0, 0, 0, 0}, -2.25, 100},
  };
  for (const auto& c : cases) {
    std::vector<std::uint8_t> bytes = {0, 0, c.code, 1, 0, 0, 0, 2};
    bytes.insert(bytes.end(), c.payload.begin(), c.payload.end());
    const std::string p = path("t" + std::to_string(c.code) + ".idx");
    write_bytes(p, bytes);
    for (Dtype d : {Dtype::Float32, Dtype::Float64}) {
      const Tensor r = read_idx(p, d);
      ASSERT_EQ(r.shape(), (Shape{2})) << int(c.code);
      EXPECT_EQ(r.flat(0), c.a) << int(c.code);
      EXPECT_EQ(r.flat(1), c.b) << int(c.code);
    }
    if (c.code != 0x0D && c.code != 0x0E) {  // the float cases hold fractions: covered below
      const Tensor r = read_idx(p, Dtype::Int64);
      EXPECT_EQ(r.data<std::int64_t>()[0], static_cast<std::int64_t>(c.a)) << int(c.code);
      EXPECT_EQ(r.data<std::int64_t>()[1], static_cast<std::int64_t>(c.b)) << int(c.code);
    }
  }
}

TEST_F(IdxTest, FloatDataToInt64RejectsFractions) {
  const std::string p = path("frac.idx");
  write_bytes(p, {0, 0, 0x0D, 1, 0, 0, 0, 2, 0x40, 0, 0, 0, 0x3F, 0xC0, 0, 0});  // 2.0, 1.5
  EXPECT_EQ(read_idx(p, Dtype::Float32).to_vector<float>(), (std::vector<float>{2.0f, 1.5f}));
  expect_error<tsumiki::Error>([&] { read_idx(p, Dtype::Int64); }, p, {"1.5", "flat index 1", "int64"});
}

TEST_F(IdxTest, FloatDataMustBeFinite) {
  // 2.0, then NaN (0x7FC00000) / +Inf (0x7F800000): refused with the file and the flat index.
  const std::string p = path("nonfinite.idx");
  write_bytes(p, {0, 0, 0x0D, 1, 0, 0, 0, 2, 0x40, 0, 0, 0, 0x7F, 0xC0, 0, 0});
  expect_error<tsumiki::IOError>([&] { read_idx(p, Dtype::Float32); }, p, {"flat index 1", "not finite"});
  write_bytes(p, {0, 0, 0x0D, 1, 0, 0, 0, 2, 0x40, 0, 0, 0, 0x7F, 0x80, 0, 0});
  expect_error<tsumiki::IOError>([&] { read_idx(p, Dtype::Float64); }, p, {"flat index 1", "not finite"});
  // A double too large for float32 is refused rather than turned into Inf.
  write_bytes(p, {0, 0, 0x0E, 1, 0, 0, 0, 1, 0x7F, 0xE0, 0, 0, 0, 0, 0, 0});
  expect_error<tsumiki::IOError>([&] { read_idx(p, Dtype::Float32); }, p, {"flat index 0", "does not fit"});
  EXPECT_EQ(read_idx(p, Dtype::Float64).numel(), 1u);
}

TEST_F(IdxTest, DatasetsRefuseNonFiniteInputs) {
  Tensor x = tsumiki::zeros({3, 4});
  x.data<float>()[9] = std::numeric_limits<float>::quiet_NaN();
  try {
    tsumiki::data::Dataset d(x, tsumiki::zeros({3}, Dtype::Int64));
    ADD_FAILURE() << "a NaN input was accepted";
  } catch (const tsumiki::Error& e) {
    EXPECT_NE(std::string(e.what()).find("input 2 (flat index 9) is NaN"), std::string::npos) << e.what();
  }
}

TEST_F(IdxTest, WriteRejectsNonBytes) {
  const std::string p = path("bad.idx");
  expect_error<tsumiki::Error>(
      [&] {
        write_idx(p, tsumiki::from_vector<std::int64_t>({1, 256}));
      },
      p, {"256", "flat index 1", "0..255"});
  expect_error<tsumiki::Error>([&] { write_idx(p, tsumiki::from_vector<float>({-1.0f})); }, p, {"0..255"});
  expect_error<tsumiki::Error>([&] { write_idx(p, tsumiki::from_vector<double>({3.0, 0.5})); }, p, {"0.5"});
  expect_error<tsumiki::Error>([&] { write_idx(p, tsumiki::scalar_tensor(1.0)); }, p, {"0-d"});
  expect_error<tsumiki::Error>([&] { write_idx(p, Tensor()); }, p, {"undefined"});
  EXPECT_FALSE(fs::exists(p));  // validation happens before the file is created
  expect_error<tsumiki::IOError>([&] { write_idx(path("no/such/dir/x.idx"), sample_bytes(Shape{2})); },
                                 path("no/such/dir/x.idx"), {"cannot create"});
}

TEST_F(IdxTest, FashionMnistTestSet) {
  const fs::path root = "/usr/share/datasets/fashion-mnist";
  if (!fs::is_directory(root)) GTEST_SKIP() << root << " is not installed";
  const Tensor images = read_idx((root / "t10k-images-idx3-ubyte.gz").string());
  EXPECT_EQ(images.dtype(), Dtype::Float32);
  EXPECT_EQ(images.shape(), (Shape{10000, 28, 28}));
  const float* px = images.data<float>();
  float lo = 255, hi = 0;
  for (std::size_t i = 0; i < images.numel(); ++i) lo = std::min(lo, px[i]), hi = std::max(hi, px[i]);
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 255.0f);

  const Tensor labels = read_idx((root / "t10k-labels-idx1-ubyte.gz").string(), Dtype::Int64);
  EXPECT_EQ(labels.shape(), (Shape{10000}));
  std::vector<int> count(10, 0);
  for (std::int64_t y : labels.to_vector<std::int64_t>()) {
    ASSERT_GE(y, 0);
    ASSERT_LE(y, 9);
    ++count[static_cast<std::size_t>(y)];
  }
  for (int c : count) EXPECT_EQ(c, 1000);        // the test set is balanced
  EXPECT_EQ(labels.data<std::int64_t>()[0], 9);  // the first test image is an ankle boot
}

TEST_F(IdxTest, WrongMagic) {
  const std::string p = path("magic.idx");
  write_bytes(p, {0x01, 0x02, 0x08, 0x01, 0, 0, 0, 1, 7});
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p, {"bad magic", "0x01 0x02 0x08 0x01"});

  write_bytes(p, {0, 0, 0x0A, 0x01, 0, 0, 0, 1, 7});
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p, {"unknown type code 0x0A"});

  write_bytes(p, {0, 0, 0x08, 0, 7});
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p, {"rank 0", "1..8"});
  write_bytes(p, {0, 0, 0x08, 9, 7});
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p, {"rank 9", "1..8"});

  write_bytes(p, {0, 0});
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p, {"4-byte magic", "has 2 bytes"});

  // A PNG is not an IDX file.
  write_bytes(p, {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p, {"bad magic", "0x89"});
}

TEST_F(IdxTest, TruncatedFile) {
  const std::string p = path("short.idx");
  write_bytes(p, {0, 0, 0x08, 1, 0, 0, 0, 10, 1, 2, 3, 4, 5});  // declares 10 values, holds 5
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p, {"truncated", "expected 18 bytes", "got 13"});

  write_bytes(p, {0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0});  // the second dimension is cut off
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p,
                                 {"truncated header", "expected 12 bytes", "got 10"});

  // A gzip stream cut short is an error too, not silently short data.
  const std::string gz = path("short.idx.gz");
  std::vector<std::int64_t> noise(20000);
  std::mt19937 gen(1);
  for (auto& v : noise) v = static_cast<std::int64_t>(gen() % 256);
  write_idx(gz, tsumiki::from_vector(noise));
  auto bytes = read_bytes(gz);
  bytes.resize(bytes.size() / 2);
  write_bytes(gz, bytes);
  expect_error<tsumiki::IOError>([&] { read_idx(gz); }, gz, {"truncated", "gzip stream ends early"});

  // All data present but the CRC trailer missing, or the CRC wrong: the file is still rejected.
  const std::string small = path("small.idx.gz");
  write_idx(small, sample_bytes(Shape{4, 4}));
  const auto whole = read_bytes(small);
  write_bytes(small, std::vector<std::uint8_t>(whole.begin(), whole.end() - 8));
  expect_error<tsumiki::IOError>([&] { read_idx(small); }, small, {"truncated gzip stream", "trailer"});
  auto bad_crc = whole;
  bad_crc[bad_crc.size() - 8] ^= 1;
  write_bytes(small, bad_crc);
  expect_error<tsumiki::IOError>([&] { read_idx(small); }, small,
                                 {"corrupt gzip data", "incorrect data check"});
}

TEST_F(IdxTest, TrailingBytes) {
  const std::string p = path("long.idx");
  write_bytes(p, {0, 0, 0x08, 1, 0, 0, 0, 3, 1, 2, 3, 4, 5});
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p, {"2 trailing bytes", "expected 11", "got 13"});
}

TEST_F(IdxTest, HugeDeclaredDimensions) {
  const std::string p = path("huge.idx");
  // 65536 * 32769 elements: just over 2^31, with only a handful of bytes behind it.
  write_bytes(p, {0, 0, 0x08, 2, 0, 1, 0, 0, 0, 0, 0x80, 0x01, 1, 2, 3});
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p, {"(65536, 32769)", "too large", "2^31"});
  // (2^32-1)^3 overflows 64 bits; it must be rejected, not wrapped around.
  write_bytes(p, {0, 0, 0x0E, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p, {"too large"});
  // Allowed size but absent data: reported as truncated, without allocating 2 GB first.
  write_bytes(p, {0, 0, 0x08, 1, 0x7F, 0xFF, 0xFF, 0xFF, 1});
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p,
                                 {"truncated", "expected 2147483655 bytes", "got 9"});
}

TEST_F(IdxTest, ZeroSizedDimension) {
  const std::string p = path("empty.idx");
  write_bytes(p, {0, 0, 0x08, 2, 0, 0, 0, 0, 0, 0, 0, 5});
  const Tensor r = read_idx(p);
  EXPECT_EQ(r.shape(), (Shape{0, 5}));
  EXPECT_EQ(r.numel(), 0u);
}

TEST_F(IdxTest, MissingFile) {
  const std::string p = path("does-not-exist.idx");
  expect_error<tsumiki::IOError>([&] { read_idx(p); }, p, {"cannot open", "No such file"});
}
