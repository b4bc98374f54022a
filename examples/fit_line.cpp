// Fit y = w x + b to noisy points by gradient descent: the smallest complete Tsumiki program.
#include <cstdio>
#include <tsumiki.hpp>

using namespace tsumiki;

int main() {
  manual_seed(0);
  // 100 points on y = 2x + 5 with noise.
  const Variable x(rand(Shape{100, 1}));
  const Variable y = 2.0 * x + 5.0 + Variable(rand(Shape{100, 1})) * 0.1;

  Variable w = parameter(zeros(Shape{1, 1}));
  Variable b = parameter(zeros(Shape{1}));
  const double lr = 0.1;
  for (int step = 0; step <= 1000; ++step) {
    const Variable loss = mean_squared_error(linear(x, w, b), y);
    w.zero_grad();
    b.zero_grad();
    loss.backward();
    {
      NoGradGuard no_grad;  // updates are not part of the model
      w.set_data((w - lr * w.grad()).data());
      b.set_data((b - lr * b.grad()).data());
    }
    if (step % 100 == 0)
      std::printf("step %4d  loss %.6f  w %.4f  b %.4f\n", step, loss.item(), w.item(), b.item());
  }
  return 0;
}
