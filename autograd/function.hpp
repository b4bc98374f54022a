// Function: the record of one op application in the graph.
//
// A Function holds its inputs strongly and its output weakly, so a graph is freed with its last Variable and
// never forms a reference cycle. Its backward is written with Variable ops, so running it while recording
// (create_graph) gives higher-order derivatives.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "origin.hpp"
#include "pool.hpp"
#include "site.hpp"
#include "variable.hpp"
#include "variable_list.hpp"

namespace tsumiki {

// Tensors an op's forward saves for its backward (SavedTensors::save in apply's forward, f.saved(i) in
// backward).
class SavedTensors {
 public:
  void save(Tensor t) { tensors_.push_back(std::move(t)); }
  std::size_t size() const { return tensors_.size(); }
  const Tensor& operator[](std::size_t i) const { return tensors_.at(i); }
  void clear() { tensors_.clear(); }

 private:
  std::vector<Tensor, PoolAllocator<Tensor>> tensors_;
};
// gx = backward(f, gy): f gives access to inputs and output; gy is the output's gradient.
using BackwardFn = std::function<Grads(const Function& f, const Variable& gy)>;

class Function {
 public:
  Function(const char* op, VariableList inputs, const Site& site, BackwardFn backward,
           SavedTensors saved = {});
  ~Function();
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;

  const char* op() const { return op_; }
  const Site& site() const { return site_; }  // the code that applied the op (a library line inside modules)
  // The module and user line it came from (nullptr when applied outside modules and backwards).
  const Origin* origin() const { return origin_; }
  std::string where() const { return describe_site(site_, origin_); }  // for messages
  int generation() const { return generation_; }
  const Shape& output_shape() const { return output_shape_; }
  Dtype output_dtype() const { return output_dtype_; }

  std::size_t num_inputs() const { return inputs_.size(); }
  const Variable& input(std::size_t i) const;  // throws GraphError once released
  Variable output() const;                     // undefined once the output Variable is gone
  bool needs_grad(std::size_t i) const;        // whether input i wants a gradient (skip work when not)
  const Tensor& saved(std::size_t i) const;    // what the forward saved; throws GraphError once released
  std::size_t num_saved() const { return saved_.size(); }

  // Runs the backward formula, checks each gradient against its input (dtype; a shape the input broadcasts
  // to, else GraphError naming the op, the input and both shapes) and reduces it to the input's shape
  // (broadcasting's sum_to).
  Grads backward(const Variable& gy) const;

  // Drops inputs and saved values (after backward without retain_graph). A later backward throws.
  void release();
  bool released() const { return released_; }

 private:
  friend Variable make_result(Tensor, std::shared_ptr<Function>, const Site&);
  friend class BackwardPass;
  const char* op_;
  Site site_;
  const Origin* origin_;
  VariableList inputs_;
  std::weak_ptr<VariableImpl> output_;
  BackwardFn backward_;
  SavedTensors saved_;
  Shape output_shape_;
  Dtype output_dtype_ = Dtype::Float32;
  int generation_ = 0;
  bool released_ = false;
  // Engine bookkeeping for the pass that runs through this function's graph: the pass's epoch when it
  // queued this function, and where that pass keeps the gradient of this function's output. A graph belongs
  // to the thread that built it; only leaves (parameters) are shared between threads, and leaves have no
  // Function.
  std::uint64_t visit_epoch_ = 0;
  std::uint32_t pass_slot_ = 0;
};

}  // namespace tsumiki
