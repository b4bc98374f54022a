// Tsumiki's benchmark program: the workloads of shared/peers/WORKLOADS.md, printed as the LibTorch peer
// prints them ("<workload> <metric> <value>"), each the median of 3 timed repetitions after building the
// data.
//
//   bench [--threads N] [workload ...]     workloads: tape_scalar tape_small hvp mlp_epoch cnn_steps mlp_soak
//
// mlp_soak (not in the peer) runs 10,000 SGD steps and prints the resident memory after 1,000 and 10,000.
// With mlp_epoch or cnn_steps it also prints this machine's sgemm rate and the seconds the workload's matrix
// products alone would take at that rate (its distance to the hardware).
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <tsumiki.hpp>
#include <vector>

using namespace tsumiki;

namespace {

template <class F>
double timed(F f, int repeat = 3) {
  std::vector<double> t;
  for (int i = 0; i < repeat; ++i) {
    const auto a = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

double tape(const Shape& shape, int n = 10000) {
  const Variable x(ones(shape), true);
  return timed([&] {
           Variable y = x;
           for (int i = 0; i < n / 2; ++i) {
             y = y * 0.999;
             y = y + 0.001;
           }
           sum(y).backward();
         }) /
         n * 1e6;
}

double hvp_us(int n = 1000) {
  const Variable W = Variable(randn(Shape{64, 64})) * 0.1;
  const Variable x(randn(Shape{64}), true);
  const Variable v(randn(Shape{64}));
  return timed([&] {
           for (int i = 0; i < n; ++i) {
             const Variable y = sum(tanh(matmul(W, tanh(matmul(W, x)))));
             const Variable g = grad(y, x, {.create_graph = true});
             const Variable h = grad(sum(g * v), x);
           }
         }) /
         n * 1e6;
}

struct Mlp {
  Variable W1 = parameter((Variable(randn(Shape{784, 100})) * 0.05).data());
  Variable b1 = parameter(zeros(Shape{100}));
  Variable W2 = parameter((Variable(randn(Shape{100, 10})) * 0.14).data());
  Variable b2 = parameter(zeros(Shape{10}));
  Variable loss(const Variable& x, const Variable& t) const {
    return softmax_cross_entropy(linear(relu(linear(x, W1, b1)), W2, b2), t);
  }
};

struct MlpData {
  Variable X{rand(Shape{60000, 784})};
  Variable T{randint(0, 10, Shape{60000})};
};

void mlp_steps(const MlpData& d, Mlp& m, optim::Optimizer& opt, int steps) {
  for (int i = 0; i < steps; ++i) {
    const std::int64_t j = (i % 600) * 100;
    const Variable loss = m.loss(slice(d.X, 0, j, j + 100), slice(d.T, 0, j, j + 100));
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
}

double mlp_epoch() {
  const MlpData d;
  Mlp m;
  optim::SGD opt({m.W1, m.b1, m.W2, m.b2}, {.lr = 0.1});
  return timed([&] { mlp_steps(d, m, opt, 600); });
}

double cnn_steps() {
  const Variable X(rand(Shape{10000, 1, 28, 28}));
  const Variable T(randint(0, 10, Shape{10000}));
  nn::Sequential net{std::make_shared<nn::Conv2d>(1, 30, 5),
                     std::make_shared<nn::ReLU>(),
                     std::make_shared<nn::MaxPool2d>(2),
                     std::make_shared<nn::Flatten>(),
                     std::make_shared<nn::Linear>(30 * 12 * 12, 100),
                     std::make_shared<nn::ReLU>(),
                     std::make_shared<nn::Linear>(100, 10)};
  optim::Adam opt(net.parameters(), {.lr = 1e-3});
  return timed([&] {
    for (int i = 0; i < 100; ++i) {
      const std::int64_t j = (i * 100) % 10000;
      const Variable loss = softmax_cross_entropy(net(slice(X, 0, j, j + 100)), slice(T, 0, j, j + 100));
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
  });
}

// This machine's single-precision matrix-product rate: a 512^3 product (2 * 512^3 flops) through matmul,
// which calls OpenBLAS's sgemm, best of 5.
double sgemm_gflops() {
  constexpr std::size_t n = 512;  // 3 MiB of operands: small beside the peak memory that bench.sh reads
  const Variable a(randn(Shape{n, n})), b(randn(Shape{n, n}));
  NoGradGuard no_grad;
  double best = 1e30;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const Variable c = matmul(a, b);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return 2.0 * n * n * n / best / 1e9;
}

// Flops of the matrix products of each workload, counted from its shapes (2 m n k per product).
// mlp_epoch, per step: forward X(100x784) W1 and h(100x100) W2; backward gW1 = X^T gh, gW2 = h^T gy and
// gh = gy W2^T (X needs no gradient). cnn_steps, per step: the convolution as im2col (57,600 x 25) times
// (25 x 30), forward and gW; linear 4320 -> 100 forward, gW and gx; linear 100 -> 10 forward, gW and gx.
double product_gflop(const std::string& workload) {
  auto mm = [](double m, double n, double k) { return 2 * m * n * k; };
  if (workload == "mlp_epoch") return 600 * (2 * mm(100, 100, 784) + 3 * mm(100, 10, 100)) / 1e9;
  return 100 * (2 * mm(57600, 30, 25) + 3 * mm(100, 100, 4320) + 3 * mm(100, 10, 100)) / 1e9;
}

double rss_mib() {  // current resident set, from /proc
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return static_cast<double>(resident) * 4096.0 / 1048576.0;
}

void mlp_soak() {
  const MlpData d;
  Mlp m;
  optim::SGD opt({m.W1, m.b1, m.W2, m.b2}, {.lr = 0.1});
  mlp_steps(d, m, opt, 1000);
  const double after_1k = rss_mib();
  mlp_steps(d, m, opt, 9000);
  std::printf("mlp_soak rss_mib_after_1000_steps %.1f\n", after_1k);
  std::printf("mlp_soak rss_mib_after_10000_steps %.1f\n", rss_mib());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Tsumiki benchmark workloads (shared/peers/WORKLOADS.md)"};
  int threads = 1;
  std::vector<std::string> todo;
  app.add_option("--threads", threads, "BLAS threads")->check(CLI::PositiveNumber);
  app.add_option("workloads", todo, "tape_scalar tape_small hvp mlp_epoch cnn_steps mlp_soak");
  bool corename = false;
  app.add_flag("--corename", corename, "print the OpenBLAS kernel set and exit");
  CLI11_PARSE(app, argc, argv);
  if (corename) {
    select_fast_blas_kernels();  // what the first product does
    std::printf("%s%s\n", blas_core_name().c_str(), blas_uses_generic_kernels() ? " (generic kernels)" : "");
    return 0;
  }
  set_num_threads(threads);
  manual_seed(0);
  if (todo.empty()) todo = {"tape_scalar", "tape_small", "mlp_epoch", "cnn_steps", "hvp"};
  // How far the product-bound workloads are from this machine: the time their matrix products alone take
  // at the sgemm rate measured now, in the same run.
  double gflops = 0;
  for (const auto& w : todo)
    if (w == "mlp_epoch" || w == "cnn_steps") gflops = sgemm_gflops();
  if (gflops > 0) std::printf("sgemm gflops_per_second %.1f\n", gflops);
  for (const auto& w : todo) {
    if (gflops > 0 && (w == "mlp_epoch" || w == "cnn_steps"))
      std::printf("%s products_only_seconds %.3f\n", w.c_str(), product_gflop(w) / gflops);
    if (w == "tape_scalar")
      std::printf("tape_scalar us_per_op %.3f\n", tape(Shape{1}));
    else if (w == "tape_small")
      std::printf("tape_small us_per_op %.3f\n", tape(Shape{10, 10}));
    else if (w == "mlp_epoch")
      std::printf("mlp_epoch seconds %.3f\n", mlp_epoch());
    else if (w == "cnn_steps")
      std::printf("cnn_steps seconds_per_100 %.3f\n", cnn_steps());
    else if (w == "hvp")
      std::printf("hvp us_per_hvp %.2f\n", hvp_us());
    else if (w == "mlp_soak")
      mlp_soak();
    else {
      std::fprintf(stderr, "bench: unknown workload '%s'\n", w.c_str());
      return 2;
    }
    std::fflush(stdout);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak_rss_mib %.1f\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
  return 0;
}
