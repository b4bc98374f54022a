#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace examples {

ProgressBar::ProgressBar(bool visible, std::string label, std::size_t total)
    : label_(std::move(label)),
      total_(total),
      visible_(visible),
      tty_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()) {}

double ProgressBar::examples_per_second() const {
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return s > 0 ? static_cast<double>(examples_) / s : 0.0;
}

void ProgressBar::update(std::size_t examples, double loss) {
  ++done_;
  ++count_;
  examples_ += examples;
  loss_sum_ += loss;
  if (!visible_) return;
  if (tty_) {
    draw(false);
  } else if (total_ && done_ * 10 / total_ > last_decile_) {
    last_decile_ = done_ * 10 / total_;
    draw(true);
  }
}

void ProgressBar::draw(bool newline) {
  const int width = 30;
  const double frac = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(frac * width);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0.0;
  std::fprintf(stderr, "%s%s [%.*s%*s] %zu/%zu loss %.4f  %.0f ex/s  eta %.1fs%s", tty_ ? "\r" : "",
               label_.c_str(), filled, "##############################", width - filled, "", done_, total_,
               mean_loss(), examples_per_second(), eta, newline ? "\n" : "");
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (visible_ && tty_) {
    draw(false);
    std::fprintf(stderr, "\n");
  }
}

}  // namespace examples
