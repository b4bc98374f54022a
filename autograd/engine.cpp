// backward(): backprop as dynamic programming over the recorded graph.
//
// Functions are visited highest generation first, so every consumer of a Variable has added its share to the
// Variable's gradient before the Variable's creator runs. Gradients accumulate in the pass's own slots (never
// in shared nodes, so threads may share parameters); at the end leaves (and retain_grad intermediates) keep
// theirs and the rest is dropped.
#include "engine.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>

#include "detail/backward_pass.hpp"
#include "detail/variable_impl.hpp"
#include "grad_mode.hpp"
#include "observe.hpp"
#include "ops.hpp"

namespace tsumiki {
namespace {
std::atomic<std::uint64_t> epoch_counter{0};

Variable root_grad(const Variable& y, const Variable* given, const char* caller) {
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
}  // namespace

// A leaf's gradient that the pass made for it alone (not a Variable the user handed in or one shared with
// another leaf) is labelled with the leaf's own site and module, so printing W.grad() names where W was
// made, not the backward formula's line in the library.
void BackwardPass::adopt(Variable& g, const VariableImpl& owner) {
  VariableImpl* impl = g.impl_.get();
  if (!impl || impl->creator || g.impl_.use_count() != 1) return;
  impl->site = owner.site;
  impl->origin = owner.origin;
}

bool BackwardPass::later(const Entry& a, const Entry& b) {
  return a.generation != b.generation ? a.generation < b.generation : a.order > b.order;
}

namespace {
// Scratch vectors reused by the passes of one thread (a pass may run inside another, e.g. from a hook).
template <class V>
std::vector<std::unique_ptr<V>>& spares() {
  thread_local std::vector<std::unique_ptr<V>> s;
  return s;
}
template <class V>
V& borrow() {
  auto& s = spares<V>();
  if (s.empty()) return *new V();  // owned by the spare list once given back
  V* v = s.back().release();
  s.pop_back();
  return *v;
}
template <class V>
void give_back(V& v) {
  v.clear();
  spares<V>().emplace_back(&v);
}
}  // namespace

BackwardPass::BackwardPass(const std::vector<Variable>& outputs, const std::vector<Variable>& grad_outputs,
                           const std::vector<Variable>* inputs, bool retain_graph, bool create_graph,
                           bool stop_at_inputs)
    : inputs_(inputs),
      retain_graph_(retain_graph),
      create_graph_(create_graph),
      stop_at_inputs_(stop_at_inputs && inputs),
      epoch_(++epoch_counter),
      slots_(borrow<std::vector<Slot>>()),
      leaf_slots_(borrow<std::vector<LeafSlot>>()),
      heap_(borrow<std::vector<Entry>>()) {
  const char* caller = inputs ? "grad" : "backward";
  try {  // every throw below must give back the borrowed vectors: the destructor will not run
    if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
      throw Error(std::string(caller) + ": " + std::to_string(grad_outputs.size()) +
                  " output gradients for " + std::to_string(outputs.size()) + " outputs");
    results_.resize(inputs ? inputs->size() : 0);
    if (inputs) find_needed(outputs);
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const Variable g = root_grad(outputs[i], grad_outputs.empty() ? nullptr : &grad_outputs[i], caller);
      accumulate(outputs[i].impl_, g);
    }
  } catch (...) {
    clear();
    give_back(slots_);
    give_back(leaf_slots_);
    give_back(heap_);
    throw;
  }
}

BackwardPass::~BackwardPass() {
  clear();
  give_back(slots_);
  give_back(leaf_slots_);
  give_back(heap_);
}

void BackwardPass::clear() {
  slots_.clear();
  leaf_slots_.clear();
  heap_.clear();
}

void BackwardPass::find_needed(const std::vector<Variable>& outputs) {
  // Depth first from the outputs, deciding each function once all its inputs' creators are decided.
  std::unordered_set<const Function*> seen;
  std::vector<std::pair<const Function*, std::size_t>> stack;  // function, next input to look at
  const auto visit = [&](const VariableImpl* x) {
    const Function* c = x && !(stop_at_inputs_ && requested(x) >= 0) ? x->creator.get() : nullptr;
    if (c && seen.insert(c).second) stack.emplace_back(c, 0);
  };
  // One output at a time: then a function seen before is either decided or an ancestor on the stack, and
  // a graph has no cycles.
  for (const Variable& y : outputs) {
    visit(y.impl());
    while (!stack.empty()) {
      auto [f, i] = stack.back();
      if (i < f->inputs_.size()) {
        ++stack.back().second;
        visit(f->inputs_[i].impl());
        continue;
      }
      stack.pop_back();
      // A released function has lost its inputs: run it, so the pass says retain_graph was needed.
      if (f->released()) needed_.insert(f);
      for (const Variable& in : f->inputs_) {
        const VariableImpl* x = in.impl();
        if (x && (requested(x) >= 0 || (x->creator && needed_.count(x->creator.get()) != 0))) {
          needed_.insert(f);
          break;
        }
      }
    }
  }
}

void BackwardPass::accumulate(const std::shared_ptr<VariableImpl>& x, const Variable& g) {
  Function* f = x->creator.get();
  if (f && inputs_) {
    const bool wanted = requested(x.get()) >= 0;
    if (!wanted && !needed(f)) return;  // leads to no requested input
    // A requested input whose creator need not run is summed like a leaf: its creator is left alone.
    if (wanted && (stop_at_inputs_ || !needed(f))) f = nullptr;
  }
  if (f) {
    if (f->visit_epoch_ == epoch_) {
      Variable& sum = slots_[f->pass_slot_].grad;
      sum = add(sum, g);
      return;
    }
    // The first gradient of an intermediate: give it a slot and queue its creator.
    f->visit_epoch_ = epoch_;
    f->pass_slot_ = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back({x, g});
    heap_.push_back({f->generation(), order_++, f, x.get(), f->pass_slot_});
    std::push_heap(heap_.begin(), heap_.end(), later);
    return;
  }
  for (const LeafSlot& l : leaf_slots_)
    if (l.x == x.get()) {
      Variable& sum = slots_[l.slot].grad;
      sum = add(sum, g);
      return;
    }
  leaf_slots_.push_back({x.get(), static_cast<std::uint32_t>(slots_.size())});
  slots_.push_back({x, g});
}

int BackwardPass::requested(const VariableImpl* x) const {
  if (!inputs_) return -1;
  for (std::size_t i = 0; i < inputs_->size(); ++i)
    if ((*inputs_)[i].impl() == x) return static_cast<int>(i);
  return -1;
}

Variable BackwardPass::apply_hooks(VariableImpl& x, Variable g) {
  for (const auto& hook : x.hooks) {
    Variable replaced = hook(g);
    if (replaced.defined()) {
      if (replaced.shape() != g.shape() || replaced.dtype() != g.dtype())
        throw Error("gradient hook returned " + std::string(dtype_name(replaced.dtype())) + " " +
                    to_string(replaced.shape()) + " for a gradient of " + dtype_name(g.dtype()) + " " +
                    to_string(g.shape()));
      g = replaced;
    }
  }
  return g;
}

void BackwardPass::step(Step* record) {
  EnableGradGuard mode(create_graph_);
  std::pop_heap(heap_.begin(), heap_.end(), later);
  const Entry e = heap_.back();
  heap_.pop_back();
  // Nodes a create_graph backward records serve the forward op: they carry its user line and module.
  std::optional<detail::OriginScope> origin;
  if (create_graph_) origin.emplace(e.fn->op(), e.fn->site(), e.fn->origin());
  try {
    VariableImpl& y = *e.output;
    Variable gy =
        std::move(slots_[e.slot].grad);  // an intermediate's gradient is not needed past its creator
    slots_[e.slot].grad = Variable();
    if (!y.hooks.empty()) gy = apply_hooks(y, gy);
    if (const int r = requested(&y); r >= 0) results_[r] = gy;
    if (!inputs_ && y.retains_grad) y.grad = y.grad.defined() ? add(y.grad, gy) : gy;

    Grads gxs;
    if (detail::observing()) {
      const auto t0 = std::chrono::steady_clock::now();
      {
        detail::BackwardScope scope;
        gxs = e.fn->backward(gy);
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::size_t bytes = 0;
      for (const auto& g : gxs) {
        if (!g.defined()) continue;
        bytes += g.data().nbytes();
        if (is_anomaly_enabled())
          detail::check_finite(g.data(), e.fn->op(), Phase::Backward, e.fn->site(), e.fn->origin(),
                               e.fn->inputs_, "input gradient");
      }
      if (detail::function_hook_count.load(std::memory_order_relaxed) > 0)
        detail::emit({e.fn->op(), Phase::Backward, e.fn->site(), e.fn->origin(), seconds, bytes,
                      e.fn->output_shape(), e.fn->output_dtype()});
    } else {
      gxs = e.fn->backward(gy);
    }
    if (record) *record = {y.creator, e.fn->inputs_, Variable(y.creator->output_.lock()), gy, gxs};
    for (std::size_t i = 0; i < gxs.size(); ++i) {
      if (!gxs[i].defined()) continue;
      accumulate(e.fn->inputs_[i].impl_, gxs[i]);
    }
    if (!retain_graph_) e.fn->release();
  } catch (...) {
    clear();
    throw;
  }
}

std::vector<Variable> BackwardPass::finish() {
  EnableGradGuard mode(create_graph_);
  try {
    for (auto& [x, pending] : slots_) {
      if (!pending.defined()) continue;
      const int r = requested(x.get());
      if (x->creator && r < 0) continue;  // an intermediate whose creator never ran (cannot happen once done)
      // (a requested intermediate summed like a leaf has r >= 0)
      Variable g = x->hooks.empty() ? std::move(pending) : apply_hooks(*x, pending);
      if (inputs_) {
        if (r >= 0) results_[r] = std::move(g);
      } else if (x->requires_grad) {
        x->grad = x->grad.defined() ? add(x->grad, g) : std::move(g);
        adopt(x->grad, *x);
      }
    }
  } catch (...) {
    clear();
    throw;
  }
  clear();
  return std::move(results_);
}

void Variable::backward(const BackwardOptions& options) const { backward(Variable(), options); }

void Variable::backward(const Variable& grad_output, const BackwardOptions& options) const {
  BackwardPass pass({*this}, {grad_output}, nullptr, options.retain_graph || options.create_graph,
                    options.create_graph);
  while (!pass.done()) pass.step();
  pass.finish();
}

std::vector<Variable> grad(const std::vector<Variable>& outputs, const std::vector<Variable>& inputs,
                           const std::vector<Variable>& grad_outputs, const GradOptions& options) {
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i].defined() || !inputs[i].requires_grad())
      throw Error("grad: input " + std::to_string(i) + " does not require grad");
  const bool allow_unused = options.allow_unused || options.materialize_grads;
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    throw Error("grad: " + std::to_string(grad_outputs.size()) + " output gradients for " +
                std::to_string(outputs.size()) + " outputs");
  // An output that requires no grad was made from nothing the inputs reach: say so, not "no grad mode".
  std::vector<Variable> live, live_grads;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i].defined()) throw Error("grad: output " + std::to_string(i) + " is undefined");
    if (!outputs[i].requires_grad()) {
      if (allow_unused) continue;
      throw GraphError(
          "grad: output " + std::to_string(i) + " (shape " + to_string(outputs[i].shape()) +
          ") does not depend on the inputs: it does not require grad (it was computed from "
          "Variables that do not require grad, after detach(), or under NoGradGuard); pass "
          "allow_unused = true to get undefined gradients, or materialize_grads = true for zeros");
    }
    live.push_back(outputs[i]);
    if (!grad_outputs.empty()) live_grads.push_back(grad_outputs[i]);
  }
  std::vector<Variable> results(inputs.size());
  if (!live.empty()) {
    BackwardPass pass(live, live_grads, &inputs, options.retain_graph.value_or(options.create_graph),
                      options.create_graph);
    while (!pass.done()) pass.step();
    results = pass.finish();
  }
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].defined()) continue;
    if (!allow_unused)
      throw GraphError("grad: input " + std::to_string(i) + " (shape " + to_string(inputs[i].shape()) +
                       ") is not used to compute the outputs; pass allow_unused = true to get an undefined "
                       "gradient, or materialize_grads = true for zeros");
    if (options.materialize_grads) results[i] = Variable(zeros(inputs[i].shape(), inputs[i].dtype()));
  }
  return results;
}

Variable grad(const Variable& output, const Variable& input, const GradOptions& options) {
  return grad(std::vector<Variable>{output}, std::vector<Variable>{input}, {}, options)[0];
}

}  // namespace tsumiki
