// Recurrent cells as formulas of ops. Each step takes the input's share of the gates (x W_ih + b_ih)
// ready-made, so a sequence computes it for all steps in one matrix product.
#include "recurrent.hpp"

#include <string>
#include <vector>

#include "../autograd/detail/checks.hpp"
#include "../autograd/ops.hpp"

namespace tsumiki {
inline namespace functional {
namespace {

std::string shape_of(const Variable& v) { return v.defined() ? to_string(v.shape()) : "undefined"; }

// Checks the weights for `gates` blocks and returns H.
std::size_t check_weights(const char* op, std::size_t gates, std::size_t input_size, const RNNWeights& w,
                          const Site& site) {
  detail::check_floating(op, w.w_ih, site);
  detail::check_floating(op, w.w_hh, site);
  detail::check_pair(op, w.w_ih, w.w_hh, site);
  if (w.w_hh.ndim() != 2 || w.w_hh.shape()[1] != gates * w.w_hh.shape()[0] || w.w_hh.shape()[0] == 0)
    fail(op, "w_hh must be (H, " + std::to_string(gates) + " * H), got " + to_string(w.w_hh.shape()), site);
  const std::size_t h = w.w_hh.shape()[0];
  if (w.w_ih.shape() != Shape{input_size, gates * h})
    fail(op,
         "w_ih must be (input_size, " + std::to_string(gates) +
             " * H) = " + to_string(Shape{input_size, gates * h}) + ", got " + to_string(w.w_ih.shape()),
         site);
  for (const Variable* b : {&w.b_ih, &w.b_hh})
    if (b->defined()) {
      detail::check_pair(op, w.w_ih, *b, site);
      if (b->shape() != Shape{gates * h})
        fail(op, "biases must be (" + std::to_string(gates * h) + ",), got " + to_string(b->shape()), site);
    }
  return h;
}

// x (N, input_size) for a cell, (T, N, input_size) for a sequence.
void check_input(const char* op, const Variable& x, std::size_t ndim, const char* layout, const Site& site) {
  detail::check_floating(op, x, site);
  if (x.ndim() != ndim || x.shape().back() == 0)
    fail(op, std::string("expected an input ") + layout + ", got " + shape_of(x), site);
}

void check_state(const char* op, const char* what, const Variable& s, const Variable& x, std::size_t n,
                 std::size_t h, const Site& site) {
  if (!s.defined()) return;
  detail::check_pair(op, x, s, site);
  if (s.shape() != Shape{n, h})
    fail(op,
         std::string(what) + " must be (N, H) = " + to_string(Shape{n, h}) + ", got " + to_string(s.shape()),
         site);
}

Variable zeros_state(const Variable& x, std::size_t n, std::size_t h, const Site& site) {
  return Variable(zeros(Shape{n, h}, x.dtype()), false, site);
}

Variable block(const Variable& g, std::size_t k, std::size_t h, const Site& site) {
  return slice(g, 1, static_cast<std::int64_t>(k * h), static_cast<std::int64_t>((k + 1) * h), 1, site);
}

Variable hidden_part(const Variable& h, const RNNWeights& w, const Site& site) {
  const Variable g = matmul(h, w.w_hh, site);
  return w.b_hh.defined() ? add(g, w.b_hh, site) : g;
}

Variable input_part(const Variable& x, const RNNWeights& w, const Site& site) {
  const Variable g = matmul(x, w.w_ih, site);
  return w.b_ih.defined() ? add(g, w.b_ih, site) : g;
}

// The steps given the input's share of the gates, gi (N, G * H).
Variable rnn_step(const Variable& gi, const Variable& h, const RNNWeights& w, Nonlinearity nl,
                  const Site& site) {
  const Variable a = add(gi, hidden_part(h, w, site), site);
  return nl == Nonlinearity::ReLU ? relu(a, site) : tanh(a, site);
}

LSTMState lstm_step(const Variable& gi, const LSTMState& s, const RNNWeights& w, std::size_t h,
                    const Site& site) {
  const Variable g = add(gi, hidden_part(s.h, w, site), site);
  const Variable i = sigmoid(block(g, 0, h, site), site), f = sigmoid(block(g, 1, h, site), site);
  const Variable cand = tanh(block(g, 2, h, site), site), o = sigmoid(block(g, 3, h, site), site);
  const Variable c = add(mul(f, s.c, site), mul(i, cand, site), site);
  return {mul(o, tanh(c, site), site), c};
}

Variable gru_step(const Variable& gi, const Variable& hprev, const RNNWeights& w, std::size_t h,
                  const Site& site) {
  const Variable gh = hidden_part(hprev, w, site);
  const Variable r = sigmoid(add(block(gi, 0, h, site), block(gh, 0, h, site), site), site);
  const Variable z = sigmoid(add(block(gi, 1, h, site), block(gh, 1, h, site), site), site);
  const Variable n = tanh(add(block(gi, 2, h, site), mul(r, block(gh, 2, h, site), site), site), site);
  return add(n, mul(z, sub(hprev, n, site), site), site);  // (1 - z) n + z h
}

std::size_t check_cell(const char* op, std::size_t gates, const Variable& x, const RNNWeights& w,
                       const Site& site) {
  check_input(op, x, 2, "(N, input_size)", site);
  const std::size_t h = check_weights(op, gates, x.shape()[1], w, site);
  detail::check_pair(op, x, w.w_ih, site);
  return h;
}

std::size_t check_sequence(const char* op, std::size_t gates, const Variable& x, const RNNWeights& w,
                           const Site& site) {
  check_input(op, x, 3, "(T, N, input_size)", site);
  if (x.shape()[0] == 0) fail(op, "the sequence is empty (T = 0): " + to_string(x.shape()), site);
  const std::size_t h = check_weights(op, gates, x.shape()[2], w, site);
  detail::check_pair(op, x, w.w_ih, site);
  return h;
}

// The steps of a time-major (T, ...) tensor, in order. Taking each step out of the whole would make
// backward scatter T gradients of the whole's size (quadratic in T: at T = 64 it cost more than the matrix
// products); halving recursively scatters each level's total once, O(T log T).
void split_steps(const Variable& x, std::vector<Variable>& out, const Site& site) {
  const std::size_t t = x.shape()[0];
  if (t == 1) {
    out.push_back(get_item(x, {std::int64_t{0}}, site));
    return;
  }
  const auto mid = static_cast<std::int64_t>(t / 2);
  split_steps(slice(x, 0, 0, mid, 1, site), out, site);
  split_steps(slice(x, 0, mid, static_cast<std::int64_t>(t), 1, site), out, site);
}

std::vector<Variable> steps_of(const Variable& x, const Site& site) {
  std::vector<Variable> out;
  out.reserve(x.shape()[0]);
  split_steps(x, out, site);
  return out;
}

}  // namespace

Variable rnn_cell(const Variable& x, const Variable& h, const RNNWeights& w, Nonlinearity nl,
                  const Site& site) {
  const std::size_t hs = check_cell("rnn_cell", 1, x, w, site);
  check_state("rnn_cell", "h", h, x, x.shape()[0], hs, site);
  const Variable h0 = h.defined() ? h : zeros_state(x, x.shape()[0], hs, site);
  return rnn_step(input_part(x, w, site), h0, w, nl, site);
}

LSTMState lstm_cell(const Variable& x, const LSTMState& state, const RNNWeights& w, const Site& site) {
  const std::size_t hs = check_cell("lstm_cell", 4, x, w, site);
  check_state("lstm_cell", "h", state.h, x, x.shape()[0], hs, site);
  check_state("lstm_cell", "c", state.c, x, x.shape()[0], hs, site);
  const LSTMState s{state.h.defined() ? state.h : zeros_state(x, x.shape()[0], hs, site),
                    state.c.defined() ? state.c : zeros_state(x, x.shape()[0], hs, site)};
  return lstm_step(input_part(x, w, site), s, w, hs, site);
}

Variable gru_cell(const Variable& x, const Variable& h, const RNNWeights& w, const Site& site) {
  const std::size_t hs = check_cell("gru_cell", 3, x, w, site);
  check_state("gru_cell", "h", h, x, x.shape()[0], hs, site);
  const Variable h0 = h.defined() ? h : zeros_state(x, x.shape()[0], hs, site);
  return gru_step(input_part(x, w, site), h0, w, hs, site);
}

RNNResult rnn(const Variable& x, const Variable& h0, const RNNWeights& w, Nonlinearity nl, const Site& site) {
  const std::size_t hs = check_sequence("rnn", 1, x, w, site), n = x.shape()[1];
  check_state("rnn", "h0", h0, x, n, hs, site);
  const std::vector<Variable> gi = steps_of(input_part(x, w, site), site);
  Variable h = h0.defined() ? h0 : zeros_state(x, n, hs, site);
  std::vector<Variable> out;
  for (const Variable& g : gi) out.push_back(h = rnn_step(g, h, w, nl, site));
  return {stack(out, 0, site), h};
}

LSTMResult lstm(const Variable& x, const LSTMState& state0, const RNNWeights& w, const Site& site) {
  const std::size_t hs = check_sequence("lstm", 4, x, w, site), n = x.shape()[1];
  check_state("lstm", "h0", state0.h, x, n, hs, site);
  check_state("lstm", "c0", state0.c, x, n, hs, site);
  const std::vector<Variable> gi = steps_of(input_part(x, w, site), site);
  LSTMState s{state0.h.defined() ? state0.h : zeros_state(x, n, hs, site),
              state0.c.defined() ? state0.c : zeros_state(x, n, hs, site)};
  std::vector<Variable> out;
  for (const Variable& g : gi) {
    s = lstm_step(g, s, w, hs, site);
    out.push_back(s.h);
  }
  return {stack(out, 0, site), s};
}

RNNResult gru(const Variable& x, const Variable& h0, const RNNWeights& w, const Site& site) {
  const std::size_t hs = check_sequence("gru", 3, x, w, site), n = x.shape()[1];
  check_state("gru", "h0", h0, x, n, hs, site);
  const std::vector<Variable> gi = steps_of(input_part(x, w, site), site);
  Variable h = h0.defined() ? h0 : zeros_state(x, n, hs, site);
  std::vector<Variable> out;
  for (const Variable& g : gi) out.push_back(h = gru_step(g, h, w, hs, site));
  return {stack(out, 0, site), h};
}

}  // namespace functional
}  // namespace tsumiki
