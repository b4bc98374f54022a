// Tsumiki's exceptions. Every error raised at the API boundary names the op, the shapes or the file involved,
// and, for ops, the user's source line.
#pragma once

#include <stdexcept>
#include <string>

#include "site.hpp"

namespace tsumiki {

// Bad arguments: shape, axis, dtype or value mismatches. Derives from std::invalid_argument.
class Error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
  // A message that already says where in the user's program (fail() and module calls write those), so a
  // module call passing it on adds nothing.
  struct Located {};
  Error(const std::string& what, Located) : std::invalid_argument(what), located_(true) {}
  bool located() const noexcept { return located_; }

 private:
  bool located_ = false;
};

// Misuse of the engine: backward through a released graph, backward of a non-scalar without a gradient.
class GraphError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Files: missing, truncated or malformed input.
class IOError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A NaN or Inf caught by anomaly mode (autograd/observe.hpp): names the op, the phase and the site.
class AnomalyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws Error("<op>: <what> (at <site>)"); inside a module call the place reads
// "(at main.cpp:42 in fc2 (Linear), via linear.cpp:30)" (autograd/origin.hpp).
[[noreturn]] void fail(const char* op, const std::string& what, const Site& site);

}  // namespace tsumiki
