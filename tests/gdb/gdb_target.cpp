// A tiny program for the gdb pretty-printer test (tests/gdb/run_gdb_test.cmake): gdb breaks in inspect()
// and prints Variables, their creator Function, Tensors and a Shape with autograd/debug/gdb printers. It includes
// only the public header: the library carries the debug information of its node types (CMakeLists.txt).
#include <cstdio>
#include <tsumiki.hpp>

// gdb breaks here; noinline plus the asm barrier keep a real frame with `v` in it.
__attribute__((noinline)) void inspect(const tsumiki::Variable& v) {
  asm volatile("" ::: "memory");
  std::printf("inspect: %zu elements\n", v.numel());
}

int main() {
  using namespace tsumiki;
  Variable x(from_vector<float>({0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, Shape{2, 3}), true);  // LEAF_X
  x.name("x");
  Variable W = constant(from_vector<float>({1.0f, 0.0f, 0.0f, 1.0f, 0.5f, 0.5f}, Shape{3, 2}));
  Variable y = tanh(matmul(x, W));  // OP_Y
  y.name("logits");
  Tensor t = y.data();
  Shape s = t.shape();
  Variable none;
  Tensor empty_tensor;
  Tensor big = arange(0, 10, 1, Dtype::Float64);
  Tensor idx = arange(0, 3, 1, Dtype::Int64);
  inspect(x);  // a leaf without a gradient
  inspect(y);  // tanh(matmul(x, W)) before backward
  y.backward(Variable(ones(y.shape())));
  inspect(x);  // the leaf with its gradient; y's creator is released
  return s.size() == 2 && t.numel() == 4 && !none.defined() && big.numel() + idx.numel() == 13 ? 0 : 1;
}
