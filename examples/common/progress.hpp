// A one-line progress bar for training loops: batch count, running loss, examples per second, time left.
// On a terminal it redraws in place; in a log (no TTY) it prints a line every 10%.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

namespace examples {

class ProgressBar {
 public:
  // A hidden bar (visible = false: e.g. ranks other than 0) only keeps the statistics.
  ProgressBar(bool visible, std::string label, std::size_t total);
  ProgressBar(std::string label, std::size_t total) : ProgressBar(true, std::move(label), total) {}
  // After each batch: its size and loss.
  void update(std::size_t examples, double loss);
  void finish();
  double mean_loss() const { return count_ ? loss_sum_ / static_cast<double>(count_) : 0.0; }
  double examples_per_second() const;

 private:
  void draw(bool final);
  std::string label_;
  std::size_t total_, done_ = 0, examples_ = 0, count_ = 0, last_decile_ = 0;
  double loss_sum_ = 0;
  bool visible_, tty_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace examples
