// Tensors and Variables with static storage are freed after the main thread's allocator cache is gone: they
// must go back to the system, not into a destroyed cache (run under MALLOC_CHECK_=3 and the sanitizers).
#include <cstdio>
#include <tsumiki.hpp>

namespace {
tsumiki::Tensor table = tsumiki::ones({1000});                        // namespace scope
const tsumiki::Variable weights(tsumiki::full({64, 64}, 0.5), true);  // with a graph node's allocation
}  // namespace

int main() {
  static tsumiki::Tensor cache = tsumiki::zeros({4096});  // function-static
  const tsumiki::Tensor local = tsumiki::ones({1000});    // freed into the cache before exit
  const tsumiki::Variable y = tsumiki::sum(weights * 2.0);
  y.backward();
  std::printf("static storage: %.1f %.1f %.1f %zu\n", table.flat(0), cache.flat(0),
              weights.grad().data().flat(0), local.numel());
  return 0;
}
