// Recording switch. While grad mode is off, ops record no graph (thread-local, on by default).
#pragma once

namespace tsumiki {

bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// RAII: no recording in this scope (evaluation, optimizer updates).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// RAII: recording on (or set to `enabled`) in this scope, whatever the enclosing mode.
class EnableGradGuard {
 public:
  explicit EnableGradGuard(bool enabled = true);
  ~EnableGradGuard();
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace tsumiki
