// Recurrent layers: RNNCell, LSTMCell, GRUCell (one step) and RNN, LSTM, GRU (whole sequences, stacked
// layers), all from tsumiki::functional's formulas (functional/recurrent.hpp: PyTorch's gate order and
// equations; weights laid out (in, gates * H) as Linear's W). None has a backward of its own.
//
//   nn::LSTM lstm(32, 64, {.num_layers = 2, .batch_first = true});
//   Variable y = lstm(x);                        // (N, T, 64): h after every step, zero initial state
//   auto [out, state] = lstm(x, state0);         // and the final state (h, c), each (num_layers, N, 64)
//   state = {state.h.detach(), state.c.detach()};  // truncated BPTT: the next window starts a new graph
//
// m(x) alone serves Sequential and hooks; the state forms pass the state beside the call (per thread), so
// module paths, hooks and errors work for both.
#pragma once

#include "../functional/recurrent.hpp"
#include "module.hpp"

namespace tsumiki::nn {

struct RNNOptions {
  std::size_t num_layers = 1;
  Nonlinearity nonlinearity = Nonlinearity::Tanh;  // RNN and RNNCell only
  bool bias = true;
  bool batch_first = false;  // sequences: (N, T, input) instead of PyTorch's default (T, N, input)
  Dtype dtype = Dtype::Float32;
};

// Parameters weight_ih (input, G * H), weight_hh (H, G * H), bias_ih, bias_hh (G * H), all drawn from
// U(-1/sqrt(H), 1/sqrt(H)) as PyTorch does. Inputs (N, input); states (N, H).
class RNNCellBase : public Module {
 public:
  std::string describe() const override;
  RNNWeights weights() const { return {weight_ih, weight_hh, bias_ih, bias_hh}; }
  std::size_t input_size() const { return input_; }
  std::size_t hidden_size() const { return hidden_; }
  Variable weight_ih, weight_hh, bias_ih, bias_hh;

 protected:
  RNNCellBase(const char* kind, std::size_t gates, std::size_t input_size, std::size_t hidden_size,
              const RNNOptions& options);
  const char* kind_;
  std::size_t input_, hidden_;
  RNNOptions options_;
};

class RNNCell : public RNNCellBase {
 public:
  RNNCell(std::size_t input_size, std::size_t hidden_size, const RNNOptions& options = {})
      : RNNCellBase("RNNCell", 1, input_size, hidden_size, options) {}
  Variable forward(const Variable& x) override;  // from h = 0
  using Module::operator();
  Variable operator()(const Variable& x, const Variable& h, const Site& site = Site::current());
};

class LSTMCell : public RNNCellBase {
 public:
  LSTMCell(std::size_t input_size, std::size_t hidden_size, const RNNOptions& options = {})
      : RNNCellBase("LSTMCell", 4, input_size, hidden_size, options) {}
  Variable forward(const Variable& x) override;  // h' from h = c = 0
  using Module::operator();
  LSTMState operator()(const Variable& x, const LSTMState& state, const Site& site = Site::current());
};

class GRUCell : public RNNCellBase {
 public:
  GRUCell(std::size_t input_size, std::size_t hidden_size, const RNNOptions& options = {})
      : RNNCellBase("GRUCell", 3, input_size, hidden_size, options) {}
  Variable forward(const Variable& x) override;  // from h = 0
  using Module::operator();
  Variable operator()(const Variable& x, const Variable& h, const Site& site = Site::current());
};

// Stacked layers over a sequence: layer l > 0 reads layer l - 1's outputs. Parameters per layer as
// PyTorch names them: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, weight_ih_l1, ...
// Input (T, N, input) or, with batch_first, (N, T, input); the output has H in place of input. States are
// (num_layers, N, H); an undefined one starts from zeros.
class RecurrentBase : public Module {
 public:
  std::string describe() const override;
  RNNWeights weights(std::size_t layer) const;
  std::size_t num_layers() const { return options_.num_layers; }
  std::size_t hidden_size() const { return hidden_; }

 protected:
  RecurrentBase(const char* kind, std::size_t gates, std::size_t input_size, std::size_t hidden_size,
                const RNNOptions& options);
  // x time-major after checking it; the final states are checked against it.
  Variable time_major(const Variable& x) const;
  Variable batch_layout(const Variable& y) const;
  void check_state(const char* what, const Variable& s, const Variable& x) const;
  const char* kind_;
  std::size_t input_, hidden_;
  RNNOptions options_;
  std::vector<RNNWeights> layers_;
};

class RNN : public RecurrentBase {
 public:
  RNN(std::size_t input_size, std::size_t hidden_size, const RNNOptions& options = {})
      : RecurrentBase("RNN", 1, input_size, hidden_size, options) {}
  Variable forward(const Variable& x) override;  // every step's output, from h0 = 0
  using Module::operator();
  RNNResult operator()(const Variable& x, const Variable& h0, const Site& site = Site::current());
};

class LSTM : public RecurrentBase {
 public:
  LSTM(std::size_t input_size, std::size_t hidden_size, const RNNOptions& options = {})
      : RecurrentBase("LSTM", 4, input_size, hidden_size, options) {}
  Variable forward(const Variable& x) override;
  using Module::operator();
  LSTMResult operator()(const Variable& x, const LSTMState& state0, const Site& site = Site::current());
};

class GRU : public RecurrentBase {
 public:
  GRU(std::size_t input_size, std::size_t hidden_size, const RNNOptions& options = {})
      : RecurrentBase("GRU", 3, input_size, hidden_size, options) {}
  Variable forward(const Variable& x) override;
  using Module::operator();
  RNNResult operator()(const Variable& x, const Variable& h0, const Site& site = Site::current());
};

}  // namespace tsumiki::nn
