// .npz save/load: round trips, an independent parse of the written zip and npy bytes, numpy interop when
// numpy is installed, corrupt archives, and the atomic-replace guarantees of save_npz.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <tsumiki/autograd/ops.hpp>
#include <tsumiki/autograd/tensor.hpp>
#include <tsumiki/io/checkpoint.hpp>
#include <tsumiki/io/npz.hpp>
#include <tsumiki/nn/module.hpp>
#include <tsumiki/optim/rules.hpp>
#include <vector>

#include "file_fixtures.hpp"

namespace fs = std::filesystem;
using tsumiki::Dtype;
using tsumiki::Shape;
using tsumiki::Tensor;
using tsumiki::io::load_npz;
using tsumiki::io::NamedTensors;
using tsumiki::io::save_npz;

namespace {

class NpzTest : public tsumiki::testing::ScratchDirTest {
 protected:
  std::vector<std::string> listing(const fs::path& d) const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(d)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

using tsumiki::testing::expect_error;
using tsumiki::testing::read_bytes;
using tsumiki::testing::write_bytes;

// Replaces the first occurrence of `from` with `to` (same length) in the file's bytes.
void patch(const std::string& p, const std::string& from, const std::string& to) {
  auto bytes = read_bytes(p);
  std::string s(bytes.begin(), bytes.end());
  const auto at = s.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  ASSERT_EQ(from.size(), to.size());
  s.replace(at, from.size(), to);
  write_bytes(p, std::vector<std::uint8_t>(s.begin(), s.end()));
}

// Four arrays covering every dtype, a 0-d and a 1-d shape, and values whose bits must survive exactly.
NamedTensors sample_arrays() {
  return {
      {"weight", tsumiki::from_vector<float>({1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, -7.0f}, Shape{2, 3})},
      {"bias", tsumiki::from_vector<double>({0.1, -1e300, 3.0, 4.0, 5.5})},
      {"step", tsumiki::from_vector<std::int64_t>({std::int64_t{1} << 40}, Shape{})},
      {"labels", tsumiki::from_vector<std::int64_t>({-7, 0, 9, 123456789012345}, Shape{2, 1, 2})},
  };
}

void expect_same(const Tensor& a, const Tensor& b, const std::string& name) {
  ASSERT_EQ(a.dtype(), b.dtype()) << name;
  ASSERT_EQ(a.shape(), b.shape()) << name;
  ASSERT_EQ(a.nbytes(), b.nbytes()) << name;
  EXPECT_EQ(std::memcmp(a.raw(), b.raw(), a.nbytes()), 0) << name;
}

// The first Python that can import numpy: PATH's python3 (which may be a pyenv or venv without numpy), then
// the system one where apt installs python3-numpy. Empty when there is none.
const std::string& numpy_python() {
  static const std::string found = [] {
    for (const char* py : {"python3", "/usr/bin/python3"})
      if (std::system((std::string(py) + " -c 'import numpy' >/dev/null 2>&1").c_str()) == 0)
        return std::string(py);
    return std::string();
  }();
  return found;
}

// Runs a Python script with numpy; returns its exit status (0 when every assert held).
int run_python(const fs::path& dir, const std::string& script, const std::string& arg) {
  const fs::path file = dir / "check.py";
  std::ofstream(file) << "import sys\nimport numpy as np\n" << script;
  const std::string cmd = numpy_python() + " '" + file.string() + "' '" + arg + "'";
  return std::system(cmd.c_str());
}

std::uint32_t crc32_of(const std::uint8_t* p, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

std::uint32_t le(const std::vector<std::uint8_t>& b, std::size_t at, int n) {
  std::uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | b.at(at + static_cast<std::size_t>(i));
  return v;
}

}  // namespace

TEST_F(NpzTest, RoundTrip) {
  const std::string p = path("model.npz");
  const NamedTensors arrays = sample_arrays();
  save_npz(p, arrays);
  const NamedTensors back = load_npz(p);
  ASSERT_EQ(back.size(), arrays.size());
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    EXPECT_EQ(back[i].first, arrays[i].first);  // order kept
    expect_same(back[i].second, arrays[i].second, arrays[i].first);
  }
  EXPECT_EQ(back[2].second.ndim(), 0u);
  EXPECT_EQ(back[1].second.shape(), (Shape{5}));
}

TEST_F(NpzTest, EmptyArraysAndEmptyArchive) {
  const std::string p = path("empty.npz");
  save_npz(p, {{"none", tsumiki::zeros(Shape{0, 3})}});
  auto back = load_npz(p);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].second.shape(), (Shape{0, 3}));

  save_npz(p, {});
  EXPECT_TRUE(load_npz(p).empty());
}

TEST_F(NpzTest, OverwriteReplacesAndLeavesNoTemporary) {
  const std::string p = path("ckpt.npz");
  save_npz(p, sample_arrays());
  save_npz(p, {{"only", tsumiki::full(Shape{3}, 2.0)}});
  const auto back = load_npz(p);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].first, "only");
  EXPECT_EQ(back[0].second.to_vector<float>(), (std::vector<float>{2, 2, 2}));
  EXPECT_EQ(listing(dir_), std::vector<std::string>{"ckpt.npz"});
}

TEST_F(NpzTest, BadNamesAreRejectedBeforeTouchingTheFile) {
  const std::string p = path("keep.npz");
  save_npz(p, sample_arrays());
  const auto before = read_bytes(p);
  expect_error<tsumiki::Error>(
      [&] {
        save_npz(p, {{"a", tsumiki::ones({1})}, {"a", tsumiki::ones({2})}});
      },
      p, {"duplicate", "'a'"});
  expect_error<tsumiki::Error>([&] { save_npz(p, {{"", tsumiki::ones({1})}}); }, p, {"non-empty"});
  expect_error<tsumiki::Error>([&] { save_npz(p, {{"u", Tensor()}}); }, p, {"'u'", "undefined"});
  EXPECT_EQ(read_bytes(p), before);
  EXPECT_EQ(listing(dir_), std::vector<std::string>{"keep.npz"});
}

// Reads the archive with nothing but the zip and npy specifications: local file headers, stored data, CRC,
// the npy preamble, the header dict and the little-endian values.
TEST_F(NpzTest, ArchiveParsesByHand) {
  const std::string p = path("hand.npz");
  const NamedTensors arrays = sample_arrays();
  save_npz(p, arrays);
  const auto b = read_bytes(p);

  const char* expected_headers[] = {
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }",
      "{'descr': '<i8', 'fortran_order': False, 'shape': (), }",
      "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 1, 2), }",
  };
  std::size_t at = 0;
  for (std::size_t k = 0; k < arrays.size(); ++k) {
    SCOPED_TRACE(arrays[k].first);
    ASSERT_EQ(le(b, at, 4), 0x04034b50u) << "local file header signature at " << at;
    const std::uint32_t flags = le(b, at + 6, 2), method = le(b, at + 8, 2), crc = le(b, at + 14, 4);
    const std::uint32_t csize = le(b, at + 18, 4), usize = le(b, at + 22, 4);
    const std::uint32_t name_len = le(b, at + 26, 2), extra_len = le(b, at + 28, 2);
    EXPECT_EQ(flags & 8u, 0u) << "sizes must be in the local header";
    EXPECT_EQ(method, 0u) << "entries are stored, like numpy.savez";
    EXPECT_EQ(csize, usize);
    const std::string name(b.begin() + at + 30, b.begin() + at + 30 + name_len);
    EXPECT_EQ(name, arrays[k].first + ".npy");
    const std::size_t data = at + 30 + name_len + extra_len;
    ASSERT_LE(data + usize, b.size());
    EXPECT_EQ(crc32_of(b.data() + data, usize), crc);

    // The npy file: magic, version 1.0, header length, header padded to 64 bytes, then the values.
    EXPECT_EQ(std::string(b.begin() + data, b.begin() + data + 6), "\x93NUMPY");
    EXPECT_EQ(b[data + 6], 1);
    EXPECT_EQ(b[data + 7], 0);
    const std::size_t hlen = le(b, data + 8, 2);
    EXPECT_EQ((10 + hlen) % 64, 0u);
    const std::string header(b.begin() + data + 10, b.begin() + data + 10 + hlen);
    EXPECT_EQ(header.back(), '\n');
    EXPECT_EQ(header.substr(0, header.find_last_not_of(" \n") + 1), expected_headers[k]);
    const Tensor& t = arrays[k].second;
    ASSERT_EQ(usize, 10 + hlen + t.nbytes());
    const std::uint8_t* values = b.data() + data + 10 + hlen;
    for (std::size_t i = 0; i < t.numel(); ++i) {
      const std::size_t es = tsumiki::element_size(t.dtype());
      std::uint64_t bits = 0;
      for (std::size_t j = es; j-- > 0;) bits = (bits << 8) | values[i * es + j];
      double v;
      if (t.dtype() == Dtype::Float32)
        v = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
      else if (t.dtype() == Dtype::Float64)
        v = std::bit_cast<double>(bits);
      else
        v = static_cast<double>(static_cast<std::int64_t>(bits));
      EXPECT_EQ(v, t.flat(i)) << i;
    }
    at = data + usize;
  }
  EXPECT_EQ(le(b, at, 4), 0x02014b50u) << "the central directory follows the last entry";
}

TEST_F(NpzTest, NumpyReadsOurArchive) {
  if (numpy_python().empty()) GTEST_SKIP() << "python3 with numpy is not installed";
  const std::string p = path("for_numpy.npz");
  save_npz(p, sample_arrays());
  const std::string script = R"(
d = np.load(sys.argv[1])
assert list(d.keys()) == ['weight', 'bias', 'step', 'labels'], list(d.keys())
w = d['weight']
assert w.dtype == np.float32 and w.shape == (2, 3), (w.dtype, w.shape)
assert (w == np.array([[1.5, -2, 3.25], [0, 1e-30, -7]], dtype=np.float32)).all(), w
b = d['bias']
assert b.dtype == np.float64 and b.shape == (5,) and (b == [0.1, -1e300, 3, 4, 5.5]).all(), b
s = d['step']
assert s.dtype == np.int64 and s.shape == () and s == 2**40, s
l = d['labels']
assert l.dtype == np.int64 and l.shape == (2, 1, 2), l.shape
assert (l.ravel() == [-7, 0, 9, 123456789012345]).all(), l
)";
  EXPECT_EQ(run_python(dir_, script, p), 0);
}

TEST_F(NpzTest, ReadsNumpySavezCompressed) {
  if (numpy_python().empty()) GTEST_SKIP() << "python3 with numpy is not installed";
  const std::string p = path("from_numpy.npz");
  const std::string script = R"(
np.savez_compressed(sys.argv[1],
    a=np.arange(12, dtype=np.float32).reshape(3, 4),
    b=np.linspace(0, 1, 1000),
    c=np.array(-5, dtype=np.int64),
    d=np.array([1, 2, 3], dtype=np.int64),
    z=np.zeros((100, 100), dtype=np.float32))
)";
  ASSERT_EQ(run_python(dir_, script, p), 0);
  const auto d = load_npz(p);
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].first, "a");
  EXPECT_EQ(d[0].second.shape(), (Shape{3, 4}));
  EXPECT_EQ(d[0].second.dtype(), Dtype::Float32);
  EXPECT_EQ(d[0].second.flat(11), 11.0);
  EXPECT_EQ(d[1].second.dtype(), Dtype::Float64);
  EXPECT_EQ(d[1].second.shape(), (Shape{1000}));
  EXPECT_DOUBLE_EQ(d[1].second.flat(999), 1.0);
  EXPECT_EQ(d[2].second.ndim(), 0u);
  EXPECT_EQ(d[2].second.item<std::int64_t>(), -5);
  EXPECT_EQ(d[3].second.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(d[4].second.shape(), (Shape{100, 100}));

  // Plain savez too, and dtypes we do not support are named in the error.
  const std::string q = path("int32.npz");
  ASSERT_EQ(
      run_python(dir_,
                 "np.savez(sys.argv[1], x=np.ones(3, dtype=np.float64), y=np.ones(3, dtype=np.int32))\n", q),
      0);
  expect_error<tsumiki::IOError>([&] { load_npz(q); }, q, {"'y.npy'", "unsupported descr '<i4'"});
}

TEST_F(NpzTest, CorruptArchives) {
  const std::string p = path("corrupt.npz");
  save_npz(p, sample_arrays());
  const auto good = read_bytes(p);

  // Truncated: the central directory at the end is gone.
  write_bytes(p, std::vector<std::uint8_t>(good.begin(), good.begin() + static_cast<long>(good.size() / 2)));
  expect_error<tsumiki::IOError>([&] { load_npz(p); }, p, {"not a valid zip archive"});

  // Garbage.
  write_bytes(p, std::vector<std::uint8_t>(1000, 0x5A));
  expect_error<tsumiki::IOError>([&] { load_npz(p); }, p, {"not a valid zip archive"});
  write_bytes(p, {});
  expect_error<tsumiki::IOError>([&] { load_npz(p); }, p, {});

  // The npy magic of the first entry is damaged (the header is checked before the CRC is).
  write_bytes(p, good);
  patch(p, "\x93NUMPY", "\x93NUMPX");
  expect_error<tsumiki::IOError>([&] { load_npz(p); }, p, {"'weight.npy'", "bad magic"});

  write_bytes(p, good);
  patch(p, "'<f8'", "'<c8'");
  expect_error<tsumiki::IOError>([&] { load_npz(p); }, p, {"'bias.npy'", "unsupported descr '<c8'"});

  write_bytes(p, good);
  patch(p, "(2, 3)", "(2, 4)");
  expect_error<tsumiki::IOError>([&] { load_npz(p); }, p, {"'weight.npy'", "data length mismatch", "(2, 4)"});

  write_bytes(p, good);
  patch(p, "'fortran_order': False", "'fortran_order': True ");
  expect_error<tsumiki::IOError>([&] { load_npz(p); }, p, {"'weight.npy'", "fortran_order"});

  write_bytes(p, good);
  patch(p, "'shape': (5,)", "'shape': [5,]");
  expect_error<tsumiki::IOError>([&] { load_npz(p); }, p, {"'bias.npy'", "malformed npy header"});

  // Control characters in a header reach the message escaped, never raw onto the user's terminal.
  write_bytes(p, good);
  patch(p, "'shape': (5,)", std::string("'shape':\x1b[2J\x07"));
  expect_error<tsumiki::IOError>([&] { load_npz(p); }, p, {"malformed npy header", "'shape':\\x1b[2J\\x07"});
  try {
    load_npz(p);
  } catch (const tsumiki::IOError& e) {
    for (const char c : std::string(e.what()))
      EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20) << "a raw control character in: " << e.what();
  }

  // A flipped data byte passes every header check but not the CRC.
  write_bytes(p, good);
  {
    auto b = read_bytes(p);
    b[b.size() / 4] ^= 0x40;  // inside the first entry's data: header 30+10, npy header 64, data 24
    write_bytes(p, b);
  }
  expect_error<tsumiki::IOError>([&] { load_npz(p); }, p, {});

  expect_error<tsumiki::IOError>([&] { load_npz(path("missing.npz")); }, path("missing.npz"),
                                 {"cannot open", "No such file"});
}

TEST_F(NpzTest, UnwritableTargetLeavesNoTemporary) {
  // A directory that does not exist.
  const std::string nowhere = path("no/such/dir/x.npz");
  expect_error<tsumiki::IOError>([&] { save_npz(nowhere, sample_arrays()); }, nowhere, {"temporary file"});

  // The target is a directory: the archive is written, the rename fails, and the temporary is removed.
  const fs::path sub = dir_ / "sub";
  fs::create_directories(sub / "target.npz");
  const std::string target = (sub / "target.npz").string();
  expect_error<tsumiki::IOError>([&] { save_npz(target, sample_arrays()); }, target, {"cannot replace"});
  EXPECT_EQ(listing(sub), std::vector<std::string>{"target.npz"});
}

TEST_F(NpzTest, ReadOnlyDirectoryLeavesNoTemporary) {
  // Root ignores the directory's mode, so the check only means something when the mode is enforced.
  const fs::path ro = dir_ / "ro";
  fs::create_directories(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  if (::access(ro.c_str(), W_OK) == 0)
    GTEST_SKIP() << "running as root: directory permissions are not enforced";
  const std::string rop = (ro / "x.npz").string();
  expect_error<tsumiki::IOError>([&] { save_npz(rop, sample_arrays()); }, rop, {"Permission denied"});
  EXPECT_TRUE(listing(ro).empty());
}

// ---- hostile and broken checkpoints: checked from the headers, read no further than the model needs ----

namespace {
struct TinyModel : tsumiki::nn::Module {
  tsumiki::Variable W = register_parameter("W", tsumiki::Variable(tsumiki::ones({2, 3})));
  tsumiki::Variable forward(const tsumiki::Variable& x) override { return x; }
  std::string describe() const override { return "TinyModel"; }
};
}  // namespace

TEST_F(NpzTest, Bzip2MembersLoadAndTheirSizesAreBounded) {
  if (numpy_python().empty()) GTEST_SKIP() << "python3 with numpy is not installed";
  const std::string p = path("bzip2.npz");
  // A valid re-encoding: the model's W in a bzip2 member loads.
  const std::string script = R"(
import io, zipfile, struct
buf = io.BytesIO(); np.save(buf, np.full((2, 3), 7, dtype=np.float32))
with zipfile.ZipFile(sys.argv[1], 'w', compression=zipfile.ZIP_BZIP2) as z:
    z.writestr('param.W.npy', buf.getvalue())
with open(sys.argv[1] + '.padded', 'wb') as f:
    with zipfile.ZipFile(f, 'w', compression=zipfile.ZIP_BZIP2) as z:
        z.writestr('param.W.npy', buf.getvalue() + bytes(10_000_000))
# A member that lies: its zip directory claims 1 GiB for a few hundred bytes.
data = bytearray(open(sys.argv[1], 'rb').read())
for sig, at in ((b'PK\x03\x04', 22), (b'PK\x01\x02', 24)):
    i = data.find(sig)
    data[i + at:i + at + 4] = struct.pack('<I', 1 << 30)
open(sys.argv[1] + '.lying', 'wb').write(bytes(data))
)";
  ASSERT_EQ(run_python(dir_, script, p), 0);
  TinyModel model;
  tsumiki::io::load_checkpoint(p, model);
  EXPECT_EQ(model.W.data().to_vector<float>(), std::vector<float>(6, 7.0f));
  // 10 MB more data than the npy header declares: refused from the header, before any data is read.
  expect_error<tsumiki::IOError>([&] { tsumiki::io::load_checkpoint(p + ".padded", model); }, p + ".padded",
                                 {"param.W.npy", "data length mismatch"});
  expect_error<tsumiki::IOError>([&] { tsumiki::io::load_checkpoint(p + ".lying", model); }, p + ".lying",
                                 {"param.W.npy", "declared size 1073741824 is inconsistent"});
}

TEST_F(NpzTest, ADeflateBombIsRefusedFromItsHeaderBeforeItInflates) {
  if (numpy_python().empty()) GTEST_SKIP() << "python3 with numpy is not installed";
  const std::string p = path("bomb.npz");
  // 100 MB of zeros deflate to ~0.1 MB; its npy header declares (5000, 5000) float32, the zip directory
  // agrees.
  const std::string script = R"(
import zipfile
with zipfile.ZipFile(sys.argv[1], 'w', compression=zipfile.ZIP_DEFLATED) as z:
    with z.open('param.W.npy', 'w', force_zip64=True) as f:
        np.lib.format.write_array_header_1_0(f, {'descr': '<f4', 'fortran_order': False, 'shape': (5000, 5000)})
        chunk = bytes(1_000_000)
        for _ in range(100): f.write(chunk)
)";
  ASSERT_EQ(run_python(dir_, script, p), 0);
  TinyModel model;
  const auto before = model.W.data().to_vector<float>();
  expect_error<tsumiki::Error>([&] { tsumiki::io::load_checkpoint(p, model); }, p,
                               {"W is float32 (5000, 5000) in the file but float32 (2, 3) in the model"});
  EXPECT_EQ(model.W.data().to_vector<float>(), before);
}

TEST_F(NpzTest, CheckpointRefusesUnknownEntriesWithOrWithoutAnOptimizer) {
  TinyModel model;
  tsumiki::optim::SGD opt(model.parameters());
  const std::string p = path("unknown.npz");
  for (const std::string junk : {"notes", "../param.W", "param.W.extra"}) {
    save_npz(p, {{"param.W", tsumiki::ones({2, 3})},
                 {junk, tsumiki::zeros({1000})},
                 {"optim.step", tsumiki::scalar_tensor(0, Dtype::Int64)}});
    expect_error<tsumiki::Error>([&] { tsumiki::io::load_checkpoint(p, model); }, p, {"unexpected"});
    expect_error<tsumiki::Error>([&] { tsumiki::io::load_checkpoint(p, model, &opt); }, p, {"unexpected"});
  }
}

TEST_F(NpzTest, CheckpointRefusesMissingOptimizerStateAfterTheFirstStep) {
  TinyModel model;
  tsumiki::optim::Adam opt(model.parameters());
  tsumiki::sum(model.W * model.W).backward();
  opt.step();
  const std::string p = path("adam.npz");
  tsumiki::io::save_checkpoint(p, model, &opt);
  NamedTensors entries = load_npz(p);
  std::erase_if(entries, [](const auto& e) { return e.first == "optim.W.v"; });  // drop Adam's v
  save_npz(p, entries);
  tsumiki::optim::Adam fresh(model.parameters());
  expect_error<tsumiki::Error>([&] { tsumiki::io::load_checkpoint(p, model, &fresh); }, p,
                               {"missing W.v (float32 (2, 3))"});
  EXPECT_EQ(fresh.steps(), 0u);
}

TEST_F(NpzTest, CheckpointRefusesNonFiniteValuesUnlessAllowed) {
  TinyModel model;
  const std::string p = path("nan.npz");
  Tensor w = tsumiki::ones({2, 3});
  w.data<float>()[4] = std::numeric_limits<float>::infinity();
  save_npz(p, {{"param.W", w}});
  expect_error<tsumiki::Error>([&] { tsumiki::io::load_checkpoint(p, model); }, p,
                               {"W holds Inf at flat index 4", "allow_non_finite"});
  EXPECT_EQ(model.W.data().flat(4), 1.0);
  tsumiki::io::load_checkpoint(p, model, nullptr, {.allow_non_finite = true});
  EXPECT_TRUE(std::isinf(model.W.data().flat(4)));
}
