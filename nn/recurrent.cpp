#include "recurrent.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "../autograd/ops.hpp"
#include "init.hpp"

namespace tsumiki::nn {
namespace {

// The state passed beside a call: the state forms of operator() set it for the forward they run, and that
// forward takes it (owner == this), so a module called inside, or from a hook, sees none. Per thread, as
// calls on other threads have their own.
struct Carry {
  const Module* owner = nullptr;
  const LSTMState* in = nullptr;
  LSTMState* out = nullptr;
};
thread_local Carry carry;

class CarryScope {
 public:
  CarryScope(const Module* owner, const LSTMState* in, LSTMState* out)
      : previous_(std::exchange(carry, Carry{owner, in, out})) {}
  ~CarryScope() { carry = previous_; }
  CarryScope(const CarryScope&) = delete;
  CarryScope& operator=(const CarryScope&) = delete;

 private:
  Carry previous_;
};

Carry take_carry(const Module* self) {
  if (carry.owner != self) return {};
  return std::exchange(carry, Carry{});
}

std::string shape_of(const Variable& v) { return v.defined() ? to_string(v.shape()) : "undefined"; }

Variable uniform_parameter(Shape shape, std::size_t hidden, Dtype dtype) {
  const double k = 1.0 / std::sqrt(static_cast<double>(hidden));
  return Variable(init::uniform(shape, -k, k, dtype));
}

}  // namespace

// ---- cells ----

RNNCellBase::RNNCellBase(const char* kind, std::size_t gates, std::size_t input_size, std::size_t hidden_size,
                         const RNNOptions& o)
    : kind_(kind), input_(input_size), hidden_(hidden_size), options_(o) {
  if (input_size == 0 || hidden_size == 0)
    throw Error(std::string(kind) + ": input_size and hidden_size must be positive, got " +
                std::to_string(input_size) + " and " + std::to_string(hidden_size));
  weight_ih =
      register_parameter("weight_ih", uniform_parameter(Shape{input_, gates * hidden_}, hidden_, o.dtype));
  weight_hh =
      register_parameter("weight_hh", uniform_parameter(Shape{hidden_, gates * hidden_}, hidden_, o.dtype));
  if (o.bias) {
    bias_ih = register_parameter("bias_ih", uniform_parameter(Shape{gates * hidden_}, hidden_, o.dtype));
    bias_hh = register_parameter("bias_hh", uniform_parameter(Shape{gates * hidden_}, hidden_, o.dtype));
  }
}

std::string RNNCellBase::describe() const {
  return std::string(kind_) + "(" + std::to_string(input_) + " -> " + std::to_string(hidden_) + ")";
}

Variable RNNCell::forward(const Variable& x) {
  const Carry c = take_carry(this);
  const Variable h = rnn_cell(x, c.in ? c.in->h : Variable(), weights(), options_.nonlinearity);
  if (c.out) c.out->h = h;
  return h;
}

Variable RNNCell::operator()(const Variable& x, const Variable& h, const Site& site) {
  const LSTMState in{h, {}};
  LSTMState out;
  const CarryScope scope(this, &in, &out);
  return Module::operator()(x, site);
}

Variable LSTMCell::forward(const Variable& x) {
  const Carry c = take_carry(this);
  const LSTMState s = lstm_cell(x, c.in ? *c.in : LSTMState{}, weights());
  if (c.out) *c.out = s;
  return s.h;
}

LSTMState LSTMCell::operator()(const Variable& x, const LSTMState& state, const Site& site) {
  LSTMState out;
  const CarryScope scope(this, &state, &out);
  const Variable h = Module::operator()(x, site);
  return {h, out.c};  // h as hooks left it
}

Variable GRUCell::forward(const Variable& x) {
  const Carry c = take_carry(this);
  return gru_cell(x, c.in ? c.in->h : Variable(), weights());
}

Variable GRUCell::operator()(const Variable& x, const Variable& h, const Site& site) {
  const LSTMState in{h, {}};
  const CarryScope scope(this, &in, nullptr);
  return Module::operator()(x, site);
}

// ---- sequences ----

RecurrentBase::RecurrentBase(const char* kind, std::size_t gates, std::size_t input_size,
                             std::size_t hidden_size, const RNNOptions& o)
    : kind_(kind), input_(input_size), hidden_(hidden_size), options_(o) {
  if (input_size == 0 || hidden_size == 0 || o.num_layers == 0)
    throw Error(std::string(kind) + ": input_size, hidden_size and num_layers must be positive, got " +
                std::to_string(input_size) + ", " + std::to_string(hidden_size) + " and " +
                std::to_string(o.num_layers));
  for (std::size_t l = 0; l < o.num_layers; ++l) {
    const std::string s = "_l" + std::to_string(l);
    const std::size_t in = l == 0 ? input_ : hidden_;
    RNNWeights w;
    w.w_ih =
        register_parameter("weight_ih" + s, uniform_parameter(Shape{in, gates * hidden_}, hidden_, o.dtype));
    w.w_hh = register_parameter("weight_hh" + s,
                                uniform_parameter(Shape{hidden_, gates * hidden_}, hidden_, o.dtype));
    if (o.bias) {
      w.b_ih = register_parameter("bias_ih" + s, uniform_parameter(Shape{gates * hidden_}, hidden_, o.dtype));
      w.b_hh = register_parameter("bias_hh" + s, uniform_parameter(Shape{gates * hidden_}, hidden_, o.dtype));
    }
    layers_.push_back(w);
  }
}

std::string RecurrentBase::describe() const {
  std::string d = std::string(kind_) + "(" + std::to_string(input_) + " -> " + std::to_string(hidden_);
  if (options_.num_layers > 1) d += ", " + std::to_string(options_.num_layers) + " layers";
  if (options_.batch_first) d += ", batch_first";
  return d + ")";
}

RNNWeights RecurrentBase::weights(std::size_t layer) const { return layers_.at(layer); }

Variable RecurrentBase::time_major(const Variable& x) const {
  if (!x.defined() || x.ndim() != 3 || x.shape()[2] != input_)
    throw Error(describe() + ": expected input " + (options_.batch_first ? "(N, T, " : "(T, N, ") +
                std::to_string(input_) + "), got " + shape_of(x));
  return options_.batch_first ? swapaxes(x, 0, 1) : x;
}

Variable RecurrentBase::batch_layout(const Variable& y) const {
  return options_.batch_first ? swapaxes(y, 0, 1) : y;
}

void RecurrentBase::check_state(const char* what, const Variable& s, const Variable& x) const {
  if (!s.defined()) return;
  const Shape want{options_.num_layers, x.shape()[1], hidden_};  // x time-major
  if (s.shape() != want)
    throw Error(describe() + ": " + what + " must be (num_layers, N, H) = " + to_string(want) + ", got " +
                to_string(s.shape()));
}

namespace {
Variable layer_of(const Variable& s, std::size_t l) {
  return s.defined() ? get_item(s, {static_cast<std::int64_t>(l)}) : Variable();
}
}  // namespace

Variable RNN::forward(const Variable& x) {
  const Carry c = take_carry(this);
  Variable in = time_major(x);
  const Variable h0 = c.in ? c.in->h : Variable();
  check_state("h0", h0, in);
  std::vector<Variable> hs;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const RNNResult r = rnn(in, layer_of(h0, l), layers_[l], options_.nonlinearity);
    in = r.output;
    hs.push_back(r.h);
  }
  if (c.out) c.out->h = stack(hs, 0);
  return batch_layout(in);
}

RNNResult RNN::operator()(const Variable& x, const Variable& h0, const Site& site) {
  const LSTMState in{h0, {}};
  LSTMState out;
  const CarryScope scope(this, &in, &out);
  const Variable y = Module::operator()(x, site);
  return {y, out.h};
}

Variable LSTM::forward(const Variable& x) {
  const Carry c = take_carry(this);
  Variable in = time_major(x);
  const LSTMState s0 = c.in ? *c.in : LSTMState{};
  check_state("h0", s0.h, in);
  check_state("c0", s0.c, in);
  std::vector<Variable> hs, cs;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const LSTMResult r = lstm(in, {layer_of(s0.h, l), layer_of(s0.c, l)}, layers_[l]);
    in = r.output;
    hs.push_back(r.state.h);
    cs.push_back(r.state.c);
  }
  if (c.out) *c.out = {stack(hs, 0), stack(cs, 0)};
  return batch_layout(in);
}

LSTMResult LSTM::operator()(const Variable& x, const LSTMState& state0, const Site& site) {
  LSTMState out;
  const CarryScope scope(this, &state0, &out);
  const Variable y = Module::operator()(x, site);
  return {y, out};
}

Variable GRU::forward(const Variable& x) {
  const Carry c = take_carry(this);
  Variable in = time_major(x);
  const Variable h0 = c.in ? c.in->h : Variable();
  check_state("h0", h0, in);
  std::vector<Variable> hs;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const RNNResult r = gru(in, layer_of(h0, l), layers_[l]);
    in = r.output;
    hs.push_back(r.h);
  }
  if (c.out) c.out->h = stack(hs, 0);
  return batch_layout(in);
}

RNNResult GRU::operator()(const Variable& x, const Variable& h0, const Site& site) {
  const LSTMState in{h0, {}};
  LSTMState out;
  const CarryScope scope(this, &in, &out);
  const Variable y = Module::operator()(x, site);
  return {y, out.h};
}

}  // namespace tsumiki::nn
