// Variable: a node of the computation graph that holds a Tensor, its gradient and the Function that made it.
//
// A Variable is a shallow handle, like a shared_ptr: copies share data, grad, name and creator. Assigning to
// a copy's data (set_data) is seen by every copy. detach() gives a new node over the same data.
//
// Threads: graphs built on different threads may share read-only leaves (parameters). Forward, backward()
// into each thread's own leaves and grad() over shared parameters may run at the same time: a backward pass
// keeps its state to itself. Two threads calling backward() into the same leaf both write its grad(): that
// is the program's to synchronise (or use grad(), which returns gradients instead of accumulating them). A
// graph itself belongs to one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "site.hpp"
#include "tensor.hpp"

namespace tsumiki {

class Function;
class Variable;
struct VariableImpl;
struct Origin;

struct BackwardOptions {
  bool retain_graph = false;  // keep what functions saved, so backward can run through the graph again
  bool create_graph = false;  // record the backward pass, so gradients can be differentiated again
};

class Variable {
 public:
  Variable() = default;  // undefined handle
  // `site` records the user line that made this leaf (shown by printing, graph dumps and the debugger).
  explicit Variable(Tensor data, bool requires_grad = false, const Site& site = Site::current());

  bool defined() const { return impl_ != nullptr; }
  const Tensor& data() const;
  // Replaces the data in place for every copy of this handle (used by optimizers, under NoGradGuard).
  void set_data(Tensor data);

  Dtype dtype() const { return data().dtype(); }
  const Shape& shape() const { return data().shape(); }
  std::size_t ndim() const { return data().ndim(); }
  std::size_t numel() const { return data().numel(); }
  // The value of a one-element Variable; double by default, which holds a float32 or float64 value exactly.
  template <class T = double>
  T item() const {
    return data().item<T>();
  }

  // Gradient, itself a Variable (differentiable after backward with create_graph). Undefined until set.
  Variable grad() const;
  void set_grad(Variable grad);
  void zero_grad();  // drops the gradient (the next backward starts from nothing)

  bool requires_grad() const;
  Variable& requires_grad(bool on);  // only for leaves
  bool is_leaf() const;              // made by the user, not by an op that recorded a Function
  void retain_grad();                // keep this intermediate's gradient after backward
  bool retains_grad() const;

  const std::string& name() const;
  Variable& name(std::string name);  // a label for printing and graph export, e.g. x.name("logits")

  // Where this Variable was made: the creator's site, or the leaf's constructor call.
  Site site() const;
  // The module and user line the Variable came from (autograd/origin.hpp); nullptr outside modules.
  const Origin* origin() const;
  // For messages: the user's line, and inside a module its path and the library's line.
  std::string where() const;

  // Called with this Variable's gradient once backward has summed it; may return a replacement (or an
  // undefined Variable to keep it). Hooks run in registration order, in backward() and grad() alike.
  using GradHook = std::function<Variable(const Variable& grad)>;
  void register_hook(GradHook hook);

  std::shared_ptr<Function> creator() const;
  int generation() const;  // 0 for leaves, 1 + max over the creator's inputs otherwise

  // Computes d(this)/d(leaf) for every leaf that requires grad and accumulates into leaf.grad().
  // A non-scalar output needs an explicit gradient of the same shape.
  void backward(const BackwardOptions& options = {}) const;
  void backward(const Variable& grad_output, const BackwardOptions& options = {}) const;

  Variable detach() const;  // same data, no creator, requires_grad false

  // Identity of the underlying node (two handles of one node compare equal).
  bool is_same(const Variable& other) const { return impl_ == other.impl_; }
  VariableImpl* impl() const { return impl_.get(); }

 private:
  friend class Function;
  friend class BackwardPass;
  friend Variable make_result(Tensor, std::shared_ptr<Function>, const Site&);
  explicit Variable(std::shared_ptr<VariableImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<VariableImpl> impl_;
};

// Handy constructors for model code: a Variable over a tensor made by a factory of tensor.hpp.
Variable parameter(Tensor data, const Site& site = Site::current());  // requires_grad = true
Variable constant(Tensor data, const Site& site = Site::current());   // requires_grad = false

// Counts of live graph objects: instrumented counters for leak tests and debugging.
std::size_t live_variables();
std::size_t live_functions();

}  // namespace tsumiki
