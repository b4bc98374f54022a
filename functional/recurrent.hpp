// Recurrent cells and their loops over time, composed of matmul, slices and activations (no backward of
// their own), with PyTorch's gate order and equations. Weights are laid out as Linear's, (in, gates * H),
// so x W needs no transpose; PyTorch stores the transpose, (gates * H, in).
//
//   RNN:  h' = tanh(x W_ih + b_ih + h W_hh + b_hh)                (or relu)
//   LSTM: i, f, g, o = the four H-wide blocks of x W_ih + b_ih + h W_hh + b_hh, in that order
//         c' = sigmoid(f) * c + sigmoid(i) * tanh(g);  h' = sigmoid(o) * tanh(c')
//   GRU:  r, z, n blocks of a = x W_ih + b_ih and b = h W_hh + b_hh
//         r = sigmoid(a_r + b_r), z = sigmoid(a_z + b_z), n = tanh(a_n + r * b_n);  h' = (1 - z) n + z h
#pragma once

#include "../autograd/variable.hpp"

namespace tsumiki {
inline namespace functional {

// One layer's weights: w_ih (input_size, G * H), w_hh (H, G * H), biases (G * H,) or undefined, with G = 1
// (RNN), 4 (LSTM) or 3 (GRU).
struct RNNWeights {
  Variable w_ih, w_hh, b_ih, b_hh;
};

enum class Nonlinearity { Tanh, ReLU };

struct LSTMState {
  Variable h, c;  // (N, H) each
};

// One step. x (N, input_size); h, c (N, H).
Variable rnn_cell(const Variable& x, const Variable& h, const RNNWeights& w,
                  Nonlinearity nonlinearity = Nonlinearity::Tanh, const Site& site = Site::current());
LSTMState lstm_cell(const Variable& x, const LSTMState& state, const RNNWeights& w,
                    const Site& site = Site::current());
Variable gru_cell(const Variable& x, const Variable& h, const RNNWeights& w,
                  const Site& site = Site::current());

// A whole sequence, time-major: x (T, N, input_size); output (T, N, H) holds h after every step and h (or
// state) the last one. An undefined initial state starts from zeros. x W_ih is one matrix product over all
// steps; only h W_hh runs step by step.
struct RNNResult {
  Variable output, h;
};
struct LSTMResult {
  Variable output;
  LSTMState state;
};
RNNResult rnn(const Variable& x, const Variable& h0, const RNNWeights& w,
              Nonlinearity nonlinearity = Nonlinearity::Tanh, const Site& site = Site::current());
LSTMResult lstm(const Variable& x, const LSTMState& state0, const RNNWeights& w,
                const Site& site = Site::current());
RNNResult gru(const Variable& x, const Variable& h0, const RNNWeights& w, const Site& site = Site::current());

}  // namespace functional
}  // namespace tsumiki
