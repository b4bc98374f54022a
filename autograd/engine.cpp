// backward(): backprop as dynamic programming over the recorded graph.
//
// Functions are visited highest generation first, so every consumer of a Variable has added its share to the
// Variable's gradient before the Variable's creator runs. Gradients accumulate in VariableImpl::pending
// during a pass; at the end leaves (and retain_grad intermediates) keep theirs and the rest is dropped.
#include "engine.hpp"

#include <algorithm>
#include <atomic>

#include "detail/variable_impl.hpp"
#include "function.hpp"
#include "grad_mode.hpp"
#include "ops.hpp"

namespace tsumiki {

struct Engine {
  struct Entry {
    int generation;
    std::uint64_t order;
    std::shared_ptr<Function> fn;
    std::shared_ptr<VariableImpl> output;  // keeps the output (and its pending gradient) alive until fn runs
  };

  // Returns the gradients of `inputs` (grad mode) or accumulates into leaves' grad() (inputs == nullptr).
  static std::vector<Variable> run(const std::vector<Variable>& outputs,
                                   const std::vector<Variable>& grad_outputs,
                                   const std::vector<Variable>* inputs, bool retain_graph, bool create_graph);

  static Variable root_grad(const Variable& y, const Variable* given, const char* caller);
};

namespace {
std::atomic<std::uint64_t> epoch_counter{0};

bool later(const Engine::Entry& a, const Engine::Entry& b) {
  return a.generation != b.generation ? a.generation < b.generation : a.order > b.order;
}
}  // namespace

Variable Engine::root_grad(const Variable& y, const Variable* given, const char* caller) {
  if (!y.defined()) throw Error(std::string(caller) + ": output is undefined");
  if (!y.requires_grad())
    throw GraphError(std::string(caller) +
                     ": the output does not require grad (no input requires grad, or it was computed "
                     "under NoGradGuard)");
  if (given && given->defined()) {
    if (given->shape() != y.shape() || given->dtype() != y.dtype())
      throw Error(std::string(caller) + ": output gradient " + dtype_name(given->dtype()) + " " +
                  to_string(given->shape()) + " does not match the output " + dtype_name(y.dtype()) + " " +
                  to_string(y.shape()));
    return *given;
  }
  if (y.numel() != 1)
    throw GraphError(std::string(caller) + ": the output has shape " + to_string(y.shape()) +
                     " and is not a scalar; pass an output gradient of that shape");
  return Variable(ones(y.shape(), y.dtype()));
}

std::vector<Variable> Engine::run(const std::vector<Variable>& outputs,
                                  const std::vector<Variable>& grad_outputs,
                                  const std::vector<Variable>* inputs, bool retain_graph, bool create_graph) {
  const char* caller = inputs ? "grad" : "backward";
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    throw Error(std::string(caller) + ": " + std::to_string(grad_outputs.size()) + " output gradients for " +
                std::to_string(outputs.size()) + " outputs");
  const std::uint64_t epoch = ++epoch_counter;
  EnableGradGuard mode(create_graph);

  std::vector<std::shared_ptr<VariableImpl>> touched;  // every Variable given a pending gradient
  std::vector<Entry> heap;
  std::uint64_t order = 0;
  std::vector<Variable> results(inputs ? inputs->size() : 0);

  auto accumulate = [&](const std::shared_ptr<VariableImpl>& x, const Variable& g) {
    if (!x->pending.defined()) {
      x->pending = g;
      touched.push_back(x);
    } else {
      x->pending = add(x->pending, g);
    }
  };
  auto schedule = [&](const std::shared_ptr<VariableImpl>& x) {
    Function* f = x->creator.get();
    if (!f || f->visit_epoch_ == epoch) return;
    f->visit_epoch_ = epoch;
    heap.push_back({f->generation(), order++, x->creator, x});
    std::push_heap(heap.begin(), heap.end(), later);
  };
  auto requested = [&](const VariableImpl* x) -> int {
    if (!inputs) return -1;
    for (std::size_t i = 0; i < inputs->size(); ++i)
      if ((*inputs)[i].impl() == x) return static_cast<int>(i);
    return -1;
  };
  auto clear_pending = [&] {
    for (auto& x : touched) x->pending = Variable();
  };

  try {
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const Variable g = root_grad(outputs[i], grad_outputs.empty() ? nullptr : &grad_outputs[i], caller);
      accumulate(outputs[i].impl_, g);
      schedule(outputs[i].impl_);
    }
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), later);
      Entry e = std::move(heap.back());
      heap.pop_back();
      VariableImpl& y = *e.output;
      const Variable gy = y.pending;
      if (const int r = requested(&y); r >= 0) results[r] = gy;
      if (!inputs && y.retains_grad) y.grad = y.grad.defined() ? add(y.grad, gy) : gy;
      y.pending = Variable();  // an intermediate's gradient is not needed past its creator

      const Grads gxs = e.fn->backward(gy);
      for (std::size_t i = 0; i < gxs.size(); ++i) {
        if (!gxs[i].defined()) continue;
        const auto& x = e.fn->inputs_[i].impl_;
        accumulate(x, gxs[i]);
        schedule(x);
      }
      if (!retain_graph) e.fn->release();
    }
    for (auto& x : touched) {
      if (!x->pending.defined()) continue;
      if (inputs) {
        if (const int r = requested(x.get()); r >= 0) results[r] = x->pending;
      } else if (!x->creator && x->requires_grad) {
        x->grad = x->grad.defined() ? add(x->grad, x->pending) : x->pending;
      }
    }
  } catch (...) {
    clear_pending();
    throw;
  }
  clear_pending();
  return results;
}

void Variable::backward(const BackwardOptions& options) const { backward(Variable(), options); }

void Variable::backward(const Variable& grad_output, const BackwardOptions& options) const {
  Engine::run({*this}, {grad_output}, nullptr, options.retain_graph || options.create_graph,
              options.create_graph);
}

std::vector<Variable> grad(const std::vector<Variable>& outputs, const std::vector<Variable>& inputs,
                           const std::vector<Variable>& grad_outputs, const GradOptions& options) {
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i].defined() || !inputs[i].requires_grad())
      throw Error("grad: input " + std::to_string(i) + " does not require grad");
  auto results = Engine::run(outputs, grad_outputs, &inputs,
                             options.retain_graph.value_or(options.create_graph), options.create_graph);
  for (std::size_t i = 0; i < results.size(); ++i)
    if (!results[i].defined() && !options.allow_unused)
      throw GraphError("grad: input " + std::to_string(i) + " (shape " + to_string(inputs[i].shape()) +
                       ") is not used to compute the outputs; pass allow_unused = true to get an undefined "
                       "gradient instead");
  return results;
}

Variable grad(const Variable& output, const Variable& input, const GradOptions& options) {
  return grad(std::vector<Variable>{output}, std::vector<Variable>{input}, {}, options)[0];
}

}  // namespace tsumiki
