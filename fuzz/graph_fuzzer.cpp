// libFuzzer target: random compositions of differentiable ops, autograd against central differences.
//
// The bytes are a program: a header byte, then one op at a time (an op code and its arguments: axes, shapes
// of new leaves, slices), with leaf values drawn from the bytes as well. Ops: smooth unary functions,
// binary ops with NumPy broadcasting, scalar operators, sum/mean over axes, reshape, transpose, swapaxes,
// (un)squeeze, flatten, broadcast_to, matmul (2-D, batched, 1-D), get_item with integers and slices of any
// step, softmax, log_softmax, logsumexp, concat, stack, where, and the kinked ops relu, abs, maximum,
// minimum, clip, conv2d, avg_pool2d and max_pool2d, and (kink_fuzzer) the model writer's ops: gelu, silu,
// logsigmoid, erf, log1p, expm1, elu, leaky_relu, hardtanh, pow and clamp with tensor arguments, var, std,
// cumsum, prod, norm, gather, scatter_add, pad, masked_fill, cross_entropy, huber_loss, layer_norm,
// embedding, scaled_dot_product_attention, masked_select, nll_loss, smooth_l1_loss, group_norm, the recurrent
// cells and layers, max_pool2d_with_indices, adaptive_max_pool2d, and the conv2d/conv_transpose2d/pooling
// options (a program whose
// kinked op sees an input within 1e-3 of its kink is judged against one-sided differences instead, since
// central differences there average two slopes: see check_one_sided). With header bit 1 one leaf element is
// NaN instead, and the output must show a NaN wherever it depends on that element. Shapes stay small (rank <=
// 4, <= 64 elements) and values in safe domains (log and sqrt see square(x) + 0.5, divisors are >= 0.5, exp
// sees a bounded argument), so every program is valid and smooth: any exception, a gradcheck (float64, full
// Jacobian) mismatch, or, when the header asks, a gradgradcheck mismatch, prints the program and aborts.
//
// The program is decoded twice from the same bytes: once to make the leaves, once inside gradcheck's function
// on gradcheck's copies. Decoding never looks at values, so both passes build the same graph.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <tsumiki/autograd/engine.hpp>
#include <tsumiki/autograd/grad_mode.hpp>
#include <tsumiki/autograd/gradcheck.hpp>
#include <tsumiki/autograd/ops.hpp>
#include <tsumiki/functional/activations.hpp>
#include <tsumiki/functional/attention.hpp>
#include <tsumiki/functional/conv.hpp>
#include <tsumiki/functional/embedding.hpp>
#include <tsumiki/functional/linear.hpp>
#include <tsumiki/functional/losses.hpp>
#include <tsumiki/functional/metrics.hpp>
#include <tsumiki/functional/normalization.hpp>
#include <tsumiki/functional/pooling.hpp>
#include <tsumiki/functional/recurrent.hpp>
#include <utility>
#include <vector>

namespace {

using tsumiki::Axes;
using tsumiki::Inputs;
using tsumiki::Shape;
using tsumiki::Tensor;
using tsumiki::Variable;

constexpr std::size_t kMaxNumel = 64;
constexpr std::size_t kMaxRank = 4;
constexpr int kMaxOps = 10;
constexpr double kMaxMagnitude = 50;  // larger intermediates make central differences too inexact to judge
// Far wider than gradcheck's step (1e-6) times any slope a program of <= 10 ops with values <= 50 can build.
constexpr double kKinkMargin = 1e-3;

class Program {
 public:
  Program(const std::uint8_t* data, std::size_t size, const Inputs* given)
      : data_(data), size_(size), given_(given) {}

  // kink_fuzzer (this file built with TSUMIKI_FUZZ_KINKS) adds the kinked ops and the NaN mode. graph_fuzzer
  // keeps the decoding it always had, so the inputs in fuzz/corpus/graph_fuzzer replay the programs they
  // were found as.
#ifdef TSUMIKI_FUZZ_KINKS
  static constexpr bool kKinks = true;
#else
  static constexpr bool kKinks = false;
#endif

  // Builds the whole graph; returns its output.
  Variable build() {
    header_ = next();
    Variable cur = leaf(random_shape());
    const int ops = 1 + pick(kMaxOps);
    for (int k = 0; k < ops && pos_ < size_; ++k) {
      cur = step(cur);
      if (!given_) too_big_ = too_big_ || magnitude(cur) > kMaxMagnitude;
    }
    return cur;
  }

  const Inputs& leaves() const { return made_; }
  const std::string& trace() const { return trace_; }
  bool too_big() const { return too_big_; }
  bool wants_second_order() const { return header_ & 1; }
  // Header bit 1: one leaf element is NaN, and the check is that it propagates (see LLVMFuzzerTestOneInput).
  bool wants_nan() const { return kKinks && (header_ & 2); }
  // A kinked op (relu, abs, maximum, minimum, clip, max pooling) saw an input within kKinkMargin of its kink,
  // where central differences average two slopes: such a program is judged by check_one_sided.
  bool near_kink() const { return near_kink_; }

 private:
  std::uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }
  int pick(int n) { return n <= 1 ? 0 : next() % n; }
  bool coin() { return next() & 1; }

  static double magnitude(const Variable& v) {
    double m = 0;
    for (std::size_t i = 0; i < v.numel(); ++i) m = std::max(m, std::abs(v.data().flat(i)));
    return std::isfinite(m) ? m : 1e300;
  }

  Shape random_shape() {
    Shape s;
    const int rank = pick(kMaxRank);  // 0..3
    for (int i = 0; i < rank; ++i) s.push_back(1 + pick(3));
    return s;
  }

  // A new leaf (values in [-2, 2] from two bytes each), or gradcheck's copy of it on the second pass.
  Variable leaf(const Shape& s) {
    std::vector<double> v(s.numel());
    for (auto& x : v) x = (next() | (next() << 8)) / 65535.0 * 4.0 - 2.0;
    trace_ += "  leaf " + std::to_string(leaf_count_) + " " + tsumiki::to_string(s) + "\n";
    if (given_) return (*given_)[leaf_count_++];
    ++leaf_count_;
    Variable x(tsumiki::from_vector(v, s), true);
    made_.push_back(x);
    return x;
  }

  void note(const std::string& op, const Variable& input) {
    trace_ += "  " + op + " on " + tsumiki::to_string(input.shape()) + "\n";
  }

  int axis_of(std::size_t rank) {  // a valid axis, possibly negative
    const int r = static_cast<int>(rank);
    return pick(2 * r) - r;
  }

  Axes axes_of(std::size_t rank) {  // a non-empty set of distinct axes, some written negative
    Axes axes;
    const int r = static_cast<int>(rank);
    for (int a = 0; a < r; ++a)
      if (coin()) axes.push_back(coin() ? a : a - r);
    if (axes.empty()) axes.push_back(pick(r));
    return axes;
  }

  static std::string axes_text(const Axes& axes) {
    std::string s = "{";
    for (int a : axes) s += std::to_string(a) + ",";
    return s + "}";
  }

  // Shape of an operand that broadcasts against `s`: leading dims dropped, some dims set to 1.
  Shape broadcastable(const Shape& s) {
    Shape o;
    const std::size_t drop = pick(static_cast<int>(s.size()) + 1);
    for (std::size_t i = drop; i < s.size(); ++i) o.push_back(coin() ? s[i] : 1);
    return o;
  }

  Variable positive(const Variable& x) { return tsumiki::square(x) + 0.5; }  // >= 0.5

  Variable unary(const Variable& x) {
    using namespace tsumiki;
    switch (pick(13)) {
      case 0:
        note("neg", x);
        return neg(x);
      case 1:
        note("sin", x);
        return sin(x);
      case 2:
        note("cos", x);
        return cos(x);
      case 3:
        note("tanh", x);
        return tanh(x);
      case 4:
        note("sigmoid", x);
        return sigmoid(x);
      case 5:
        note("square", x);
        return square(x);
      case 6:
        note("softplus", x);
        return softplus(x);
      case 7:
        note("exp(tanh)", x);
        return exp(tanh(x));
      case 8:
        note("log(x^2+0.5)", x);
        return log(positive(x));
      case 9:
        note("sqrt(x^2+0.5)", x);
        return sqrt(positive(x));
      case 10:
        note("pow 3", x);
        return pow(x, 3.0);
      case 11:
        note("pow(x^2+0.5, -1.5)", x);
        return pow(positive(x), -1.5);
      default:
        note("exp(sin)", x);
        return exp(sin(x));
    }
  }

  Variable binary(const Variable& x) {
    using namespace tsumiki;
    Shape os = broadcastable(x.shape());
    // Sometimes the leaf has an extra leading axis, so x broadcasts up instead (needs all of x's axes).
    if (os.size() == x.ndim() && os.size() < kMaxRank && x.numel() * 2 <= kMaxNumel && pick(4) == 0)
      os.insert(0, 2);
    Variable y = leaf(os);
    Variable a = x, b = y;
    if (coin()) std::swap(a, b);
    switch (pick(6)) {
      case 0:
        note("add", a);
        return add(a, b);
      case 1:
        note("sub", a);
        return sub(a, b);
      case 2:
        note("mul", a);
        return mul(a, b);
      case 3:
        note("div by x^2+0.5", a);
        return div(a, positive(b));
      case 4:
        note("a * b + a (operators)", a);
        return a * b + a;
      default:
        note("a - b / 2 (operators)", a);
        return a - b / 2.0;
    }
  }

  Variable scalar_ops(const Variable& x) {
    switch (pick(4)) {
      case 0:
        note("x * 2.5", x);
        return x * 2.5;
      case 1:
        note("1.5 - x", x);
        return 1.5 - x;
      case 2:
        note("x / 3", x);
        return x / 3.0;
      default:
        note("2 / (x^2 + 1)", x);
        return 2.0 / (tsumiki::square(x) + 1.0);
    }
  }

  Variable reduce(const Variable& x) {
    if (x.ndim() == 0 || coin()) {
      note(x.ndim() == 0 ? "sum 0-d" : "sum all", x);
      return coin() ? tsumiki::sum(x) : tsumiki::mean(x);
    }
    const Axes axes = axes_of(x.ndim());
    const bool keep = coin();
    note(std::string("sum/mean axes ") + axes_text(axes) + (keep ? " keepdims" : ""), x);
    return coin() ? tsumiki::sum(x, axes, keep) : tsumiki::mean(x, axes, keep);
  }

  Variable reshape(const Variable& x) {
    const std::size_t n = x.numel();
    Shape s;
    switch (pick(4)) {
      case 0:
        s = Shape{n};
        break;
      case 1:
        for (std::size_t i = x.ndim(); i-- > 0;) s.push_back(x.shape()[i]);
        break;
      case 2: {
        std::size_t a = 1;
        for (std::size_t d = 2; d <= n; ++d)
          if (n % d == 0 && coin()) {
            a = d;
            break;
          }
        s = Shape{a, n / a};
        break;
      }
      default:
        s = x.shape();
        if (s.size() < kMaxRank) s.insert(pick(static_cast<int>(s.size()) + 1), 1);
        if (n == 1 && coin()) s = Shape{};
    }
    note("reshape " + tsumiki::to_string(s), x);
    return tsumiki::reshape(x, s);
  }

  Variable permute(const Variable& x) {
    const int r = static_cast<int>(x.ndim());
    if (r < 2) {
      note("transpose (<2-d)", x);
      return tsumiki::transpose(x);
    }
    switch (pick(3)) {
      case 0:
        note("transpose", x);
        return tsumiki::transpose(x);
      case 1: {
        Axes perm;
        perm.resize(r);
        for (int i = 0; i < r; ++i) perm[i] = i;
        for (int i = r - 1; i > 0; --i) std::swap(perm[i], perm[pick(i + 1)]);
        note("transpose " + axes_text(perm), x);
        return tsumiki::transpose(x, perm);
      }
      default: {
        const int a = axis_of(r), b = axis_of(r);
        note("swapaxes " + std::to_string(a) + " " + std::to_string(b), x);
        return tsumiki::swapaxes(x, a, b);
      }
    }
  }

  Variable matmul(const Variable& x) {
    const Shape& s = x.shape();
    const std::size_t r = s.size();
    if (r == 0) return unary(x);
    const std::size_t k = 1 + pick(3);
    if (r == 1) {
      if (coin()) {
        Variable v = leaf(Shape{s[0]});
        note("matmul 1-d . 1-d", x);
        return tsumiki::matmul(x, v);
      }
      Variable w = leaf(Shape{s[0], k});
      note("matmul 1-d @ 2-d", x);
      return tsumiki::matmul(x, w);
    }
    switch (pick(4)) {
      case 0: {
        Variable w = leaf(Shape{s[r - 1], k});
        note("matmul x @ W", x);
        return tsumiki::matmul(x, w);
      }
      case 1: {
        Variable w = leaf(Shape{k, s[r - 2]});
        note("matmul W @ x", x);
        return tsumiki::matmul(w, x);
      }
      case 2: {
        Variable v = leaf(Shape{s[r - 1]});
        note("matmul x @ 1-d", x);
        return tsumiki::matmul(x, v);
      }
      default: {  // batched: W carries the batch dims (or 1s that broadcast)
        Shape ws;
        for (std::size_t i = 0; i + 2 < r; ++i) ws.push_back(coin() ? s[i] : 1);
        if (ws.size() + 2 < kMaxRank && coin()) ws.insert(0, 1);
        ws.push_back(s[r - 1]);
        ws.push_back(k);
        Variable w = leaf(ws);
        note("matmul batched x @ W" + tsumiki::to_string(ws), x);
        return tsumiki::matmul(x, w);
      }
    }
  }

  Variable index(const Variable& x) {
    const Shape& s = x.shape();
    if (s.size() == 0) return unary(x);
    if (coin()) {  // slice() on one axis
      const int axis = axis_of(s.size());
      const auto d = static_cast<std::int64_t>(s[axis < 0 ? axis + s.size() : axis]);
      const std::int64_t start = pick(static_cast<int>(d));
      const std::int64_t stop = start + 1 + pick(static_cast<int>(d - start));
      note("slice axis " + std::to_string(axis) + " [" + std::to_string(start) + ":" + std::to_string(stop) +
               "]",
           x);
      return tsumiki::slice(x, axis, start, stop);
    }
    std::vector<tsumiki::Index> idx;
    std::string text = "get_item [";
    const int count = 1 + pick(static_cast<int>(s.size()));
    for (int i = 0; i < count; ++i) {
      const auto d = static_cast<std::int64_t>(s[i]);
      if (coin()) {
        const std::int64_t v = pick(static_cast<int>(2 * d)) - d;  // [-d, d)
        idx.emplace_back(v);
        text += std::to_string(v) + ",";
      } else {
        tsumiki::Slice sl;
        static const std::int64_t steps[] = {1, 2, -1, -2, 3};
        sl.step = steps[pick(5)];
        if (coin()) sl.start = pick(static_cast<int>(2 * d + 1)) - d;
        if (coin()) sl.stop = pick(static_cast<int>(2 * d + 3)) - d - 1;
        idx.emplace_back(sl);
        text += (sl.start ? std::to_string(*sl.start) : "") + ":" +
                (sl.stop ? std::to_string(*sl.stop) : "") + ":" + std::to_string(sl.step) + ",";
      }
    }
    note(text + "]", x);
    Variable y = tsumiki::get_item(x, idx);
    if (y.numel() == 0) {  // an empty selection: legal, but nothing left to check; undo it
      trace_ += "    (empty, dropped)\n";
      return x;
    }
    return y;
  }

  Variable softmaxes(const Variable& x) {
    if (x.ndim() == 0) return unary(x);
    switch (pick(3)) {
      case 0: {
        const int a = axis_of(x.ndim());
        note("softmax axis " + std::to_string(a), x);
        return tsumiki::softmax(x, a);
      }
      case 1: {
        const int a = axis_of(x.ndim());
        note("log_softmax axis " + std::to_string(a), x);
        return tsumiki::log_softmax(x, a);
      }
      default: {
        const Axes axes = axes_of(x.ndim());
        const bool keep = coin();
        note("logsumexp " + axes_text(axes) + (keep ? " keepdims" : ""), x);
        return tsumiki::logsumexp(x, axes, keep);
      }
    }
  }

  Variable shape_ops(const Variable& x) {
    const Shape& s = x.shape();
    const int r = static_cast<int>(s.size());
    switch (pick(4)) {
      case 0: {
        if (r >= static_cast<int>(kMaxRank)) return unary(x);
        const int a = pick(2 * r + 2) - (r + 1);  // [-(r+1), r]
        note("unsqueeze " + std::to_string(a), x);
        return tsumiki::unsqueeze(x, a);
      }
      case 1: {
        for (int a = 0; a < r; ++a)
          if (s[a] == 1) {
            const int ax = coin() ? a : a - r;
            note("squeeze " + std::to_string(ax), x);
            return tsumiki::squeeze(x, ax);
          }
        if (r == 0) return unary(x);
        note("flatten", x);
        return tsumiki::flatten(x);
      }
      case 2: {
        if (r == 0) return unary(x);
        const int start = pick(r);
        const int end = start + pick(r - start);
        note("flatten " + std::to_string(start) + " " + std::to_string(end), x);
        return tsumiki::flatten(x, start, end);
      }
      default: {
        Shape t = s;
        for (std::size_t i = 0; i < t.size(); ++i)
          if (t[i] == 1 && coin()) t[i] = 2 + pick(2);
        if (t.size() < kMaxRank && coin()) t.insert(0, 2);
        if (t.numel() > kMaxNumel) return unary(x);
        note("broadcast_to " + tsumiki::to_string(t), x);
        return tsumiki::broadcast_to(x, t);
      }
    }
  }

  Variable joins(const Variable& x) {
    const Shape& s = x.shape();
    const int r = static_cast<int>(s.size());
    if (coin() && r > 0) {
      const int axis = axis_of(r);
      Shape o = s;
      o[axis < 0 ? axis + r : axis] = 1 + pick(3);
      if (s.numel() + o.numel() > kMaxNumel) return unary(x);
      Variable y = leaf(o);
      note("concat axis " + std::to_string(axis), x);
      return coin() ? tsumiki::concat({x, y}, axis) : tsumiki::concat({y, x, y}, axis);
    }
    if (r >= static_cast<int>(kMaxRank) || 2 * s.numel() > kMaxNumel) return unary(x);
    Variable y = leaf(s);
    const int axis = pick(2 * r + 2) - (r + 1);
    note("stack axis " + std::to_string(axis), x);
    return tsumiki::stack({x, y}, axis);
  }

  // Distance of a kinked op's input to its kink, noted on the first pass (where values are the leaves' own).
  void kink_distance(const Variable& d) {
    if (given_ || d.numel() == 0) return;
    tsumiki::NoGradGuard no_grad;
    near_kink_ = near_kink_ || tsumiki::min(d).data().flat(0) < kKinkMargin;
  }

  // Ops with kinks, and convolution and pooling on x viewed as a (1, 1, 1, n) image.
  Variable kinked(const Variable& x) {
    using namespace tsumiki;
    switch (pick(8)) {
      case 0:
        note("relu", x);
        kink_distance(abs(x.detach()));
        return relu(x);
      case 1:
        note("abs", x);
        kink_distance(abs(x.detach()));
        return abs(x);
      case 2:
      case 3: {
        Variable y = leaf(broadcastable(x.shape()));
        kink_distance(abs(x.detach() - y.detach()));
        const bool max_op = pick(2) == 0;
        note(max_op ? "maximum" : "minimum", x);
        return max_op ? maximum(x, y) : minimum(x, y);
      }
      case 4:
        note("clip -0.5 0.7", x);
        kink_distance(minimum(abs(x.detach() + 0.5), abs(x.detach() - 0.7)));
        return clip(x, -0.5, 0.7);
      default: {
        const std::size_t n = x.numel();
        if (n < 2) {
          note("relu(x + 1)", x);
          kink_distance(abs(x.detach() + 1.0));
          return relu(x + 1.0);
        }
        const std::size_t k = 1 + pick(2), s = 1 + pick(2);
        const Variable img = tsumiki::reshape(x, Shape{1, 1, 1, n});
        if (pick(3) == 0) {
          const std::size_t oc = 1 + pick(2);
          const Variable w = leaf(Shape{oc, 1, 1, k});
          note("conv2d (1, " + std::to_string(k) + ") stride " + std::to_string(s), x);
          return conv2d(img, w, {}, Size2{1, s});
        }
        if (coin()) {
          note("avg_pool2d (1, " + std::to_string(k) + ")", x);
          return avg_pool2d(img, Size2{1, k}, Size2{1, s});
        }
        note("max_pool2d (1, " + std::to_string(k) + ") stride " + std::to_string(s), x);
        if (!given_ && k == 2) {  // the gap between a window's two taps: a tie is a kink
          const auto v = x.data().to(tsumiki::Dtype::Float64).to_vector<double>();
          for (std::size_t o = 0; o + 1 < n; o += s)
            near_kink_ = near_kink_ || std::abs(v[o] - v[o + 1]) < kKinkMargin;
        }
        return max_pool2d(img, Size2{1, k}, Size2{1, s});
      }
    }
  }

  // The ops a model writer reaches for (activations, reductions, gather/scatter, pad, masks, losses):
  // kink_fuzzer only, so graph_fuzzer's corpus keeps replaying the programs it was found as.
  Variable model_ops(const Variable& x) {
    using namespace tsumiki;
    const Shape& s = x.shape();
    const int r = static_cast<int>(s.size());
    switch (pick(27)) {
      case 22:
      case 23:
      case 24:
      case 25:
      case 26:
        return more_model_ops(x);
      case 19:
      case 20:
      case 21:
        return image_ops(x);
      case 16: {
        if (r == 0 || s[r - 1] < 2) return unary(x);
        Variable gamma = leaf(Shape{s[r - 1]}), beta = leaf(Shape{s[r - 1]});
        note("layer_norm over the last axis", x);
        const Variable d = x.detach() - mean(x.detach(), -1, true);
        kink_distance(sum(d * d, -1));  // all-equal values: no derivative
        return layer_norm(x, Shape{s[r - 1]}, gamma, beta);
      }
      case 17: {
        if (r != 2) return unary(x);
        Shape is = random_shape();
        if (is.numel() * s[1] > kMaxNumel) is = Shape{2};
        std::vector<std::int64_t> idx(is.numel());
        for (auto& i : idx) i = pick(static_cast<int>(s[0]));
        note("embedding (table " + to_string(s) + ") indices " + to_string(is), x);
        return embedding(x, from_vector(idx, is));
      }
      case 18: {
        if (r < 2) return unary(x);
        Variable k = leaf(s), v = leaf(s);
        const bool causal = coin();
        note(std::string("scaled_dot_product_attention") + (causal ? " causal" : ""), x);
        return scaled_dot_product_attention(x, k, v, causal);
      }
      case 0:
        note(coin() ? "gelu" : "gelu tanh", x);
        return gelu(x, coin() ? "none" : "tanh");
      case 1:
        note("silu", x);
        return silu(x);
      case 2:
        note("logsigmoid", x);
        return logsigmoid(x);
      case 3:
        note("erf, log1p(x^2), expm1(tanh)", x);
        return erf(x) + log1p(square(x)) + expm1(tanh(x));
      case 4:
        note("elu", x);
        kink_distance(abs(x.detach()));  // alpha 1: a continuous slope, but the second derivative jumps at 0
        return elu(x);
      case 5: {
        const bool leaky = coin();
        note(leaky ? "leaky_relu 0.2" : "hardtanh", x);
        kink_distance(leaky ? abs(x.detach()) : minimum(abs(x.detach() + 1.0), abs(x.detach() - 1.0)));
        return leaky ? leaky_relu(x, 0.2) : hardtanh(x);
      }
      case 6: {
        Variable b = leaf(broadcastable(s));
        note("pow(x^2+0.5, b)", x);
        return pow(positive(x), b * 0.5);
      }
      case 7: {
        Variable lo = leaf(broadcastable(s)) * 0.1 - 1.0, hi = leaf(broadcastable(s)) * 0.1 + 1.0;
        note("clamp tensor bounds", x);
        kink_distance(minimum(abs(x.detach() - lo.detach()), abs(x.detach() - hi.detach())));
        return clamp(x, lo, hi);
      }
      case 8: {
        if (r == 0) return unary(x);
        const int a = axis_of(s.size());
        const bool std_dev = coin() && s[a < 0 ? a + r : a] >= 2;
        note(std::string(std_dev ? "std" : "var (correction 0)") + " axis " + std::to_string(a), x);
        return std_dev ? tsumiki::std(x, a) : var(x, a, 0.0);
      }
      case 9: {
        if (r == 0) return unary(x);
        const int a = axis_of(s.size());
        const bool running = coin();
        note((running ? "cumsum axis " : "prod axis ") + std::to_string(a), x);
        return running ? cumsum(x, a) : prod(x, a);
      }
      case 10: {
        static const double ps[] = {2.0, 1.0, HUGE_VAL};
        const double p = ps[pick(3)];
        note("norm p " + std::to_string(p), x);
        kink_distance(p == 2 ? norm(x.detach(), 2) : abs(x.detach()));  // zeros: no derivative
        if (p == HUGE_VAL) near_kink_ = near_kink_ || near_tie(abs(x.detach()));
        return norm(x, p);
      }
      case 11: {
        if (r == 0) return unary(x);
        const int a = pick(r);
        Shape is = s;
        is[a] = 1 + pick(3);
        std::vector<std::int64_t> idx(is.numel());
        for (auto& i : idx) i = pick(static_cast<int>(s[a]));
        const Tensor index = from_vector(idx, is);
        if (coin()) {
          note("gather axis " + std::to_string(a), x);
          return gather(x, a, index);
        }
        Variable src = leaf(is);
        note("scatter_add axis " + std::to_string(a), x);
        return scatter_add(x, a, index, src);
      }
      case 12: {
        if (r == 0) return unary(x);
        const auto d = static_cast<std::int64_t>(s[r - 1]);
        static const PadMode modes[] = {PadMode::Constant, PadMode::Reflect, PadMode::Replicate,
                                        PadMode::Circular};
        const PadMode mode = modes[pick(4)];
        const std::int64_t most = mode == PadMode::Reflect ? d - 1 : mode == PadMode::Circular ? d : 2;
        const std::int64_t left = most > 0 ? pick(static_cast<int>(most) + 1) : 0;
        const std::int64_t right = most > 0 ? pick(static_cast<int>(most) + 1) : 0;
        if ((d + left + right) * static_cast<std::int64_t>(x.numel()) / d >
            static_cast<std::int64_t>(kMaxNumel))
          return unary(x);
        note("pad last axis " + std::to_string(left) + " " + std::to_string(right), x);
        return pad(x, {left, right}, mode, 0.5);
      }
      case 13: {
        const Shape cs = broadcastable(s);
        std::vector<double> mask(cs.numel());
        for (auto& m : mask) m = next() & 1;
        note("masked_fill", x);
        return masked_fill(x, Variable(from_vector(mask, cs)), 0.5);
      }
      case 14: {
        if (r != 2) return unary(x);
        std::vector<std::int64_t> labels(s[0]);
        for (auto& l : labels) l = pick(static_cast<int>(s[1]) + 1);
        for (auto& l : labels)
          if (l == static_cast<std::int64_t>(s[1])) l = -100;  // ignored
        bool any = false;
        for (const auto l : labels) any = any || l >= 0;
        if (!any) labels[0] = 0;
        note("cross_entropy label smoothing 0.1", x);
        return cross_entropy(x, Variable(from_vector(labels, Shape{s[0]})), {.label_smoothing = 0.1});
      }
      default: {
        Variable t = leaf(s);
        note("huber_loss delta 1", x);
        kink_distance(abs(abs(x.detach() - t.detach()) - 1.0));
        return huber_loss(x, t, 1.0);
      }
    }
  }

  // Whether two values of v lie within the kink margin of each other (a max or an inf-norm tie).
  bool near_tie(const Variable& v) const {
    if (given_) return false;
    const auto a = v.data().to(tsumiki::Dtype::Float64).to_vector<double>();
    for (std::size_t i = 0; i < a.size(); ++i)
      for (std::size_t j = i + 1; j < a.size(); ++j)
        if (std::abs(a[i] - a[j]) < kKinkMargin) return true;
    return false;
  }

  Variable more_model_ops(const Variable& x) {
    using namespace tsumiki;
    const Shape& s = x.shape();
    const int r = static_cast<int>(s.size());
    const std::size_t n = x.numel();
    switch (pick(5)) {
      case 0: {
        std::vector<double> mask(n);
        bool any = false;
        for (auto& m : mask) {
          m = next() & 1;
          any = any || m != 0;
        }
        if (!any) return unary(x);
        note("masked_select", x);
        return masked_select(x, Variable(from_vector(mask, s)));
      }
      case 1: {
        if (r == 2 && coin()) {
          std::vector<std::int64_t> labels(s[0]);
          for (auto& l : labels) l = pick(static_cast<int>(s[1]));
          note("nll_loss(log_softmax) sum", x);
          return nll_loss(log_softmax(x, 1), Variable(from_vector(labels, Shape{s[0]})), {}, -100,
                          Reduction::Sum);
        }
        Variable t = leaf(s);
        note("smooth_l1_loss beta 0.5, none", x);
        kink_distance(abs(abs(x.detach() - t.detach()) - 0.5));
        return smooth_l1_loss(x, t, 0.5, Reduction::None);
      }
      case 2: {
        if (n < 4 || n % 2 != 0) return unary(x);
        const std::size_t groups = 1 + pick(2);
        const Variable img = tsumiki::reshape(x, Shape{1, 2, n / 2});
        Variable gamma = leaf(Shape{2}), beta = leaf(Shape{2});
        note("group_norm groups " + std::to_string(groups) + " on (1, 2, " + std::to_string(n / 2) + ")", x);
        const Variable d = img.detach() - mean(img.detach(), -1, true);
        kink_distance(sum(d * d, -1));  // a constant group: no derivative
        return group_norm(img, groups, gamma, beta);
      }
      case 3: {
        if (r != 2 || s[1] > 3) return unary(x);
        const std::size_t in = s[1], h = 2, kind = pick(3), gates = kind == 0 ? 1 : kind == 1 ? 4 : 3;
        const RNNWeights w{leaf(Shape{in, gates * h}), leaf(Shape{h, gates * h}), leaf(Shape{gates * h}),
                           leaf(Shape{gates * h})};
        if (coin()) {  // a sequence: x's rows are the time steps of one example
          const Variable seq = tsumiki::reshape(x, Shape{s[0], 1, in});
          note(kind == 0 ? "rnn" : kind == 1 ? "lstm" : "gru", x);
          if (kind == 1) return lstm(seq, {}, w).output;
          return kind == 0 ? rnn(seq, {}, w).output : gru(seq, {}, w).output;
        }
        Variable h0 = leaf(Shape{s[0], h});
        note(kind == 0 ? "rnn_cell" : kind == 1 ? "lstm_cell" : "gru_cell", x);
        if (kind == 1) {
          Variable c0 = leaf(Shape{s[0], h});
          const LSTMState st = lstm_cell(x, {h0, c0}, w);
          return concat({st.h, st.c}, 1);
        }
        return kind == 0 ? rnn_cell(x, h0, w) : gru_cell(x, h0, w);
      }
      default: {
        if (n < 2) return unary(x);
        switch (pick(3)) {
          case 0: {
            const std::size_t o = 1 + pick(3);
            note("adaptive_max_pool2d (1, " + std::to_string(o) + ")", x);
            near_kink_ = near_kink_ || near_tie(x.detach());
            return adaptive_max_pool2d(tsumiki::reshape(x, Shape{1, 1, 1, n}), Size2{1, o});
          }
          case 1: {
            const std::size_t k = 2, st = 1 + pick(2), d = 1 + pick(2);
            if (d * (k - 1) + 1 > n) return unary(x);
            note("max_pool2d_with_indices (1, 2) stride " + std::to_string(st) + " dilation " +
                     std::to_string(d) + " ceil_mode",
                 x);
            near_kink_ = near_kink_ || near_tie(x.detach());
            return max_pool2d_with_indices(tsumiki::reshape(x, Shape{1, 1, 1, n}), Size2{1, k}, Size2{1, st},
                                           0, Size2{1, d}, true)
                .first;
          }
          default: {
            if (n % 2 != 0) return unary(x);
            const std::size_t k = 1 + pick(2);
            if (k > n / 2) return unary(x);
            const Variable w = leaf(Shape{2, 1, 1, k});
            note("conv2d groups 2 (depthwise) (1, " + std::to_string(k) + ")", x);
            return conv2d(tsumiki::reshape(x, Shape{1, 2, 1, n / 2}), w, {}, 1, 0, 1, 2);
          }
        }
      }
    }
  }

  // Convolution and pooling options on x viewed as a (1, 1, 1, n) image: dilation, padding modes, the
  // transposed convolution, ceil_mode, count_include_pad and adaptive pooling (all smooth in x).
  Variable image_ops(const Variable& x) {
    using namespace tsumiki;
    const auto n = static_cast<std::size_t>(x.numel());
    if (n < 2) return unary(x);
    const Variable img = tsumiki::reshape(x, Shape{1, 1, 1, n});
    switch (pick(3)) {
      case 0: {
        static const PaddingMode modes[] = {PaddingMode::Zeros, PaddingMode::Reflect, PaddingMode::Replicate,
                                            PaddingMode::Circular};
        const PaddingMode mode = modes[pick(4)];
        const std::size_t p =
            pick(mode == PaddingMode::Reflect ? std::min<int>(2, static_cast<int>(n) - 1) + 1 : 3);
        const std::size_t k = 1 + pick(3), d = 1 + pick(2);
        if (d * (k - 1) + 1 > n + 2 * p) return unary(x);
        const Variable w = leaf(Shape{1, 1, 1, k});
        note(std::string("conv2d (1, ") + std::to_string(k) + ") padding " + std::to_string(p) + " " +
                 to_string(mode) + " dilation " + std::to_string(d),
             x);
        return conv2d(img, w, {}, 1, Size2{0, p}, Size2{1, d}, 1, mode);
      }
      case 1: {
        const std::size_t k = 1 + pick(3), st = 1 + pick(2), op = pick(static_cast<int>(st));
        if ((n - 1) * st + k + op > kMaxNumel) return unary(x);
        const Variable w = leaf(Shape{1, 1, 1, k});
        note("conv_transpose2d (1, " + std::to_string(k) + ") stride " + std::to_string(st) +
                 " output_padding " + std::to_string(op),
             x);
        return conv_transpose2d(img, w, {}, Size2{1, st}, 0, Size2{0, op});
      }
      default: {
        if (coin()) {
          const std::size_t o = 1 + pick(4);
          note("adaptive_avg_pool2d (1, " + std::to_string(o) + ")", x);
          return adaptive_avg_pool2d(img, Size2{1, o});
        }
        const std::size_t k = 2 + pick(2), st = 1 + pick(3), p = pick(2);
        if (k > n + 2 * p) return unary(x);
        note("avg_pool2d (1, " + std::to_string(k) + ") stride " + std::to_string(st) + " padding " +
                 std::to_string(p) + " ceil_mode, count_include_pad false",
             x);
        return avg_pool2d(img, Size2{1, k}, Size2{1, st}, Size2{0, p}, true, false);
      }
    }
  }

  Variable select(const Variable& x) {
    if (coin()) {
      note("x * x", x);
      return tsumiki::mul(x, x);
    }
    const Shape cs = broadcastable(x.shape());
    std::vector<double> mask(cs.numel());
    for (auto& m : mask) m = next() & 1;
    Variable cond(tsumiki::from_vector(mask, cs));
    Variable y = leaf(broadcastable(x.shape()));
    note("where cond" + tsumiki::to_string(cs), x);
    return coin() ? tsumiki::where(cond, x, y) : tsumiki::where(cond, y, x);
  }

  Variable step(const Variable& x) {
    if (x.numel() > kMaxNumel) return tsumiki::sum(x, {0});
    switch (pick(kKinks ? 14 : 12)) {
      case 12:
        return kinked(x);
      case 13:
        return model_ops(x);
      case 0:
        return unary(x);
      case 1:
        return binary(x);
      case 2:
        return scalar_ops(x);
      case 3:
        return reduce(x);
      case 4:
        return reshape(x);
      case 5:
        return permute(x);
      case 6:
        return matmul(x);
      case 7:
        return index(x);
      case 8:
        return softmaxes(x);
      case 9:
        return shape_ops(x);
      case 10:
        return joins(x);
      default:
        return select(x);
    }
  }

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  const Inputs* given_;
  Inputs made_;
  std::size_t leaf_count_ = 0;
  std::uint8_t header_ = 0;
  std::string trace_;
  bool too_big_ = false;
  bool near_kink_ = false;
};

[[noreturn]] void fail(const std::string& what, const std::string& trace) {
  std::fprintf(stderr, "graph_fuzzer: %s\nprogram:\n%s", what.c_str(), trace.c_str());
  std::fflush(stderr);
  std::abort();
}

// Near a kink, autograd's derivative must lie between the two one-sided differences, entry by entry of the
// Jacobian: away from the kink both equal the slope on the input's side, a step across it mixes the two
// slopes, and exactly at it an op's subgradient (relu'(0) = 0, abs'(0) = 0, a tie's choice) is one of them
// or between. A step of 1e-7 stays far below the kink margin yet far above float64's rounding at |f| <= 50.
void check_one_sided(const std::uint8_t* data, std::size_t size, const Program& first, const Variable& out) {
  constexpr double kStep = 1e-7, kAtol = 1e-4, kRtol = 1e-3;
  const Inputs& leaves = first.leaves();
  const std::size_t n_out = out.numel();
  auto values = [](const Variable& v) { return v.data().to(tsumiki::Dtype::Float64).to_vector<double>(); };
  auto run = [&](const Inputs& in) {
    tsumiki::NoGradGuard no_grad;
    return values(Program(data, size, &in).build());
  };
  // Autograd's Jacobian, one row (output element) at a time.
  std::vector<std::vector<Variable>> rows;
  for (std::size_t i = 0; i < n_out; ++i) {
    std::vector<double> e(n_out, 0.0);
    e[i] = 1.0;
    const Variable w(tsumiki::from_vector(e, out.shape()));
    rows.push_back(tsumiki::grad({out}, leaves, {w}, {.retain_graph = true, .allow_unused = true}));
  }
  const std::vector<double> at = values(out);
  for (std::size_t l = 0; l < leaves.size(); ++l) {
    for (std::size_t j = 0; j < leaves[l].numel(); ++j) {
      auto shifted = [&](double by) {
        Inputs in;
        for (const auto& x : leaves) in.push_back(Variable(x.data().clone()));
        Tensor t = in[l].data();
        t.data<double>()[j] += by;
        return run(in);
      };
      const std::vector<double> up = shifted(kStep), down = shifted(-kStep);
      for (std::size_t i = 0; i < n_out; ++i) {
        const double plus = (up[i] - at[i]) / kStep, minus = (at[i] - down[i]) / kStep;
        const Variable& g = rows[i][l];
        const double a = g.defined() ? g.data().flat(j) : 0.0;
        const double lo = std::min(plus, minus), hi = std::max(plus, minus);
        const double off = a < lo ? lo - a : (a > hi ? a - hi : 0.0);
        if (!(off <= kAtol + kRtol * std::max(std::abs(lo), std::abs(hi))))
          fail("near a kink, d out[" + std::to_string(i) + "] / d leaf " + std::to_string(l) + "[" +
                   std::to_string(j) + "] is " + std::to_string(a) + " by autograd, outside the one-sided " +
                   "differences [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
               first.trace());
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  Program first(data, size, nullptr);
  Variable out;
  try {
    out = first.build();
  } catch (const std::exception& e) {
    fail(std::string("a valid program threw: ") + e.what(), first.trace());
  }
  if (first.too_big()) return 0;
  const Inputs leaves = first.leaves();
  if (first.wants_nan()) {
    // One leaf element becomes NaN. Wherever the output depends on it (its gradient there is non-zero), the
    // output must hold a NaN too, as IEEE arithmetic and PyTorch give: an op that turns NaN into a number
    // hides a bad input.
    const Variable& x = leaves[0];
    const Variable y = tsumiki::sum(out * out);
    if (!y.requires_grad() || !std::isfinite(y.data().flat(0))) return 0;
    const Variable g = tsumiki::grad(y, x, {.allow_unused = true});
    if (!g.defined() || g.data().flat(0) == 0 || !std::isfinite(g.data().flat(0))) return 0;
    Inputs poisoned;
    for (const auto& l : leaves) poisoned.push_back(Variable(l.data().clone(), true));
    Tensor nan_leaf = leaves[0].data().clone();
    nan_leaf.data<double>()[0] = std::nan("");
    poisoned[0] = Variable(nan_leaf, true);
    Variable bad;
    try {
      bad = Program(data, size, &poisoned).build();
    } catch (const std::exception& e) {
      fail(std::string("a program with a NaN input threw: ") + e.what(), first.trace());
    }
    bool any_nan = false;
    for (std::size_t i = 0; i < bad.numel(); ++i) any_nan = any_nan || std::isnan(bad.data().flat(i));
    if (!any_nan) fail("a NaN input that the output depends on vanished from the output", first.trace());
    return 0;
  }
  if (first.near_kink()) {
    try {
      check_one_sided(data, size, first, out);
    } catch (const std::exception& e) {
      fail(std::string("the one-sided check threw: ") + e.what(), first.trace());
    }
    return 0;
  }
  const tsumiki::Fn f = [&](const Inputs& in) { return Program(data, size, &in).build(); };
  tsumiki::GradcheckOptions opts;
  opts.atol = 1e-4;  // central differences in float64 on values up to kMaxMagnitude
  opts.rtol = 1e-3;
  opts.full_jacobian_limit = 512;
  try {
    const auto r = tsumiki::gradcheck(f, leaves, opts);
    if (!r.ok) fail("gradcheck failed: " + r.report, first.trace());
    if (first.wants_second_order()) {
      const auto r2 = tsumiki::gradgradcheck(f, leaves, opts);
      if (!r2.ok) fail("gradgradcheck failed: " + r2.report, first.trace());
    }
  } catch (const std::exception& e) {
    fail(std::string("gradcheck threw: ") + e.what(), first.trace());
  }
  return 0;
}
