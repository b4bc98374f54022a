// Printing Variables and graphs for debugging.
#pragma once

#include <iosfwd>
#include <string>

#include "../variable.hpp"

namespace tsumiki {

// Name, shape, dtype, creator op and source line, requires_grad, whether a grad is present, then the values
// (abbreviated like NumPy for large tensors).
std::ostream& operator<<(std::ostream& os, const Variable& v);

// The graph below `root`, one function per line, highest generation first: op, generation, source line,
// output shape and dtype, and each input (leaf or the function that made it, name, shape, grad present).
std::string graph_string(const Variable& root);
void print_graph(const Variable& root);  // to std::cout

}  // namespace tsumiki
