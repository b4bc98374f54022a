// Computes a gradient through the installed package; exits non-zero when it is wrong.
#include <cmath>
#include <cstdio>
#include <tsumiki.hpp>  // both spellings are installed
#include <tsumiki/tsumiki.hpp>

int main() {
  using namespace tsumiki;
  Variable x(from_vector<double>({0.5, -1.0}), true);
  Variable y = sum(x * x * x);  // dy/dx = 3 x^2
  y.backward();
  const auto g = x.grad().data().to_vector<double>();
  std::printf("grad %.6f %.6f\n", g[0], g[1]);
  return std::abs(g[0] - 0.75) < 1e-12 && std::abs(g[1] - 3.0) < 1e-12 ? 0 : 1;
}
