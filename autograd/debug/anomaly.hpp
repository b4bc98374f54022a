// Anomaly mode: every op's forward result and every backward gradient is checked for NaN and Inf; the first
// one found throws AnomalyError naming the op, the phase, the shapes and the user line that applied the op.
//
//   { AnomalyGuard anomaly;  auto loss = model(x); loss.backward(); }   // throws at the source of a NaN
//
// Off by default (it reads every value); thread-local like grad mode.
#pragma once

namespace tsumiki {

bool is_anomaly_enabled();
void set_anomaly_enabled(bool enabled);

class AnomalyGuard {
 public:
  explicit AnomalyGuard(bool enabled = true);
  ~AnomalyGuard();
  AnomalyGuard(const AnomalyGuard&) = delete;
  AnomalyGuard& operator=(const AnomalyGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace tsumiki
