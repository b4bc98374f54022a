#include "gradcheck.hpp"

#include <cmath>
#include <sstream>

#include "engine.hpp"
#include "grad_mode.hpp"
#include "ops.hpp"

namespace tsumiki {
namespace {

struct Checked {
  Inputs x;                      // float64 copies
  std::vector<std::size_t> idx;  // which of them are checked
  std::vector<Variable> checked() const {
    std::vector<Variable> out;
    out.reserve(idx.size());
    for (auto i : idx) out.push_back(x[i]);
    return out;
  }
};

Checked prepare(const Inputs& inputs, const GradcheckOptions& o) {
  if (!o.check_input.empty() && o.check_input.size() != inputs.size())
    throw Error("gradcheck: check_input has " + std::to_string(o.check_input.size()) + " flags for " +
                std::to_string(inputs.size()) + " inputs");
  Checked c;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) throw Error("gradcheck: input " + std::to_string(i) + " is undefined");
    const Tensor& d = inputs[i].data();
    const bool check = is_floating(d.dtype()) && (o.check_input.empty() || o.check_input[i]);
    c.x.push_back(check ? Variable(d.to(Dtype::Float64).clone(), true) : inputs[i]);
    if (check) c.idx.push_back(i);
  }
  return c;
}

std::string index_string(const Shape& s, std::size_t flat) {
  std::vector<std::size_t> idx(s.size());
  for (std::size_t d = s.size(); d-- > 0;) {
    idx[d] = flat % s[d];
    flat /= s[d];
  }
  std::string out = "[";
  for (std::size_t d = 0; d < idx.size(); ++d) out += (d ? ", " : "") + std::to_string(idx[d]);
  return out + "]";
}

Variable evaluate(const Fn& f, const Inputs& x) {
  Variable y = f(x);
  if (!y.defined()) throw Error("gradcheck: the function returned an undefined Variable");
  if (y.dtype() != Dtype::Float64)
    throw Error(std::string("gradcheck: the function returned ") + dtype_name(y.dtype()) +
                " for float64 inputs; build constants with the inputs' dtype");
  return y;
}

// Compares one pair and appends to the report when it fails.
void compare(GradcheckResult& r, const GradcheckOptions& o, double analytic, double numeric,
             const std::string& where) {
  const double err = std::abs(analytic - numeric);
  const bool bad = !(err <= o.atol + o.rtol * std::abs(numeric));  // NaN fails too
  r.max_error = std::max(r.max_error, std::isnan(err) ? INFINITY : err);
  if (!bad) return;
  if (r.ok)
    r.report +=
        "gradcheck failed (atol " + std::to_string(o.atol) + ", rtol " + std::to_string(o.rtol) + "):\n";
  r.ok = false;
  std::ostringstream line;
  line.precision(10);
  line << "  " << where << ": analytic " << analytic << ", numeric " << numeric << ", error " << err << "\n";
  if (std::count(r.report.begin(), r.report.end(), '\n') < 12) r.report += line.str();
}

Tensor random_like(const Shape& s, Generator& gen) { return randn(s, Dtype::Float64, gen); }

GradcheckResult full_jacobian(const Fn& f, Checked& c, const Variable& y, const GradcheckOptions& o) {
  GradcheckResult r;
  const std::size_t m = y.numel();
  const std::vector<Variable> wrt = c.checked();
  // Analytic rows: one backward per output element.
  std::vector<std::vector<Tensor>> rows(m);
  for (std::size_t j = 0; j < m; ++j) {
    Tensor e = zeros(y.shape(), Dtype::Float64);
    e.data<double>()[j] = 1;
    auto g =
        grad({y}, wrt, {Variable(e)}, {.create_graph = false, .retain_graph = true, .allow_unused = true});
    for (std::size_t k = 0; k < g.size(); ++k)
      rows[j].push_back(g[k].defined() ? g[k].data() : zeros(wrt[k].shape(), Dtype::Float64));
  }
  // Numeric columns: perturb each element.
  NoGradGuard no_grad;
  for (std::size_t k = 0; k < c.idx.size(); ++k) {
    Tensor data = c.x[c.idx[k]].data();
    double* p = data.data<double>();
    for (std::size_t e = 0; e < data.numel(); ++e) {
      const double saved = p[e];
      p[e] = saved + o.eps;
      const Tensor plus = evaluate(f, c.x).data().clone();
      p[e] = saved - o.eps;
      const Tensor minus = evaluate(f, c.x).data().clone();
      p[e] = saved;
      for (std::size_t j = 0; j < m; ++j) {
        const double numeric = (plus.data<double>()[j] - minus.data<double>()[j]) / (2 * o.eps);
        compare(r, o, rows[j][k].data<double>()[e], numeric,
                "input " + std::to_string(c.idx[k]) + " " + to_string(data.shape()) + " element " +
                    index_string(data.shape(), e) + ", output element " + index_string(y.shape(), j));
      }
    }
  }
  return r;
}

GradcheckResult directional(const Fn& f, Checked& c, const Variable& y, const GradcheckOptions& o) {
  GradcheckResult r;
  Generator gen(o.seed + 1);
  const Variable w(random_like(y.shape(), gen));
  const std::vector<Variable> wrt = c.checked();
  auto g = grad({y}, wrt, {w}, {.create_graph = false, .retain_graph = true, .allow_unused = true});
  auto objective = [&] {
    const Tensor out = evaluate(f, c.x).data();
    double s = 0;
    for (std::size_t j = 0; j < out.numel(); ++j) s += out.data<double>()[j] * w.data().data<double>()[j];
    return s;
  };
  NoGradGuard no_grad;
  for (int d = 0; d < o.directions; ++d) {
    std::vector<Tensor> v;
    double analytic = 0;
    for (std::size_t k = 0; k < wrt.size(); ++k) {
      v.push_back(random_like(wrt[k].shape(), gen));
      if (!g[k].defined()) continue;
      for (std::size_t e = 0; e < v[k].numel(); ++e)
        analytic += g[k].data().data<double>()[e] * v[k].data<double>()[e];
    }
    auto shift = [&](double s) {
      for (std::size_t k = 0; k < wrt.size(); ++k) {
        Tensor data = wrt[k].data();
        for (std::size_t e = 0; e < data.numel(); ++e) data.data<double>()[e] += s * v[k].data<double>()[e];
      }
    };
    shift(o.eps);
    const double plus = objective();
    shift(-2 * o.eps);
    const double minus = objective();
    shift(o.eps);
    compare(r, o, analytic, (plus - minus) / (2 * o.eps), "random direction " + std::to_string(d));
  }
  return r;
}

}  // namespace

GradcheckResult gradcheck(const Fn& f, const Inputs& inputs, const GradcheckOptions& options) {
  Checked c = prepare(inputs, options);
  if (c.idx.empty()) throw Error("gradcheck: no floating input to check");
  Variable y;
  {
    EnableGradGuard recording;
    y = evaluate(f, c.x);
    // Nothing depends on the inputs: the gradient is zero, which the numeric side must confirm.
    if (!y.requires_grad()) y = add(y, mul(scalar_like(0, y), sum(c.x[c.idx[0]])));
  }
  std::size_t total = 0;
  for (auto i : c.idx) total += c.x[i].numel();
  return total <= options.full_jacobian_limit && y.numel() <= options.full_jacobian_limit
             ? full_jacobian(f, c, y, options)
             : directional(f, c, y, options);
}

GradcheckResult gradgradcheck(const Fn& f, const Inputs& inputs, const GradcheckOptions& options) {
  Checked c = prepare(inputs, options);
  if (c.idx.empty()) throw Error("gradgradcheck: no floating input to check");
  Variable y0;
  {
    EnableGradGuard recording;
    y0 = evaluate(f, c.x);
  }
  Generator gen(options.seed + 7);
  Inputs extended = c.x;
  extended.emplace_back(random_like(y0.shape(), gen), true);  // the output gradient, itself an input
  const std::size_t n = c.x.size();
  const std::vector<std::size_t> idx = c.idx;
  // g(x, gy) = the gradients of f at x for output gradient gy, flattened and joined.
  Fn g = [f, n, idx](const Inputs& xs) {
    EnableGradGuard recording;
    const Inputs x(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(n));
    const Variable y = f(x);
    std::vector<Variable> wrt, parts;
    wrt.reserve(idx.size());
    parts.reserve(idx.size());
    for (auto i : idx) wrt.push_back(x[i]);
    if (y.requires_grad()) {
      auto gs = grad({y}, wrt, {xs[n]}, {.create_graph = true, .retain_graph = {}, .allow_unused = true});
      for (std::size_t k = 0; k < gs.size(); ++k)
        parts.push_back(gs[k].defined() ? reshape(gs[k], Shape{gs[k].numel()})
                                        : Variable(zeros(Shape{wrt[k].numel()}, Dtype::Float64)));
    } else {
      for (const auto& v : wrt) parts.push_back(Variable(zeros(Shape{v.numel()}, Dtype::Float64)));
    }
    return concat(parts, 0);
  };
  GradcheckOptions o = options;
  if (!o.check_input.empty()) o.check_input.push_back(true);
  return gradcheck(g, extended, o);
}

}  // namespace tsumiki
