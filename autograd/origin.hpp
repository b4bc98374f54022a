// Origin: where a graph node came from, in the user's terms.
//
// An op applied inside a module's forward records the module's path and type and the user's line that called
// the outermost module (nn::Module::operator() opens the scope); the op's own site, Function::site(), stays
// as the inner, library frame. Everything that reports a node (print_graph, to_dot, anomaly mode, graph
// errors, the profiler, the stepper) reads it. Origins are interned and live for the process: a node holds
// one pointer, and every node made by the same module at the same user line shares one record.
#pragma once

#include <string>

#include "site.hpp"

namespace tsumiki {

struct Origin {
  std::string module_path;  // registered names joined by dots ("fc2", "encoder.0"); "" for the root module
  std::string module_type;  // "Linear"
  Site user_site;  // the user's call of the outermost module, or the line of the op a backward serves
  const char* backward_of = nullptr;  // set for nodes a backward makes: the op whose gradient they compute
};

// The origin of ops applied now on this thread: nullptr outside any module call.
const Origin* current_origin() noexcept;

// "fc2 (Linear)"; the root module alone is its type ("Sequential"); "" outside modules.
std::string module_label(const Origin& origin);

// Where a node came from, for messages: "main.cpp:42" outside modules; inside one, the user's line, the
// module, and the library's line as the inner frame: "main.cpp:42 in fc2 (Linear), via layers.cpp:21";
// for a node a backward made, the forward op it serves: "main.cpp:42, backward of 'tanh', via math.cpp:44".
std::string describe_site(const Site& op_site, const Origin* origin);

namespace detail {
// Makes an origin current for its lifetime, then restores the one before (scopes nest as module calls do).
class OriginScope {
 public:
  OriginScope(const std::string& module_path, const std::string& module_type, const Site& user_site);
  // While a backward runs: what it makes serves `op`, applied at `op_site` with origin `forward` (or none).
  OriginScope(const char* op, const Site& op_site, const Origin* forward);
  ~OriginScope();
  OriginScope(const OriginScope&) = delete;
  OriginScope& operator=(const OriginScope&) = delete;
  const Origin* origin() const { return origin_; }

 private:
  const Origin* origin_;
  const Origin* previous_;
};
}  // namespace detail

}  // namespace tsumiki
