#include "grad_mode.hpp"

namespace tsumiki {
namespace {
thread_local bool grad_enabled = true;
}

bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }

NoGradGuard::NoGradGuard() : previous_(grad_enabled) { grad_enabled = false; }
NoGradGuard::~NoGradGuard() { grad_enabled = previous_; }

EnableGradGuard::EnableGradGuard(bool enabled) : previous_(grad_enabled) { grad_enabled = enabled; }
EnableGradGuard::~EnableGradGuard() { grad_enabled = previous_; }

}  // namespace tsumiki
