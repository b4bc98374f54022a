// Graphviz export of a computation graph, in the style of DeZero's get_dot_graph: Variables are ellipses
// (name, shape, dtype, optionally values), Functions are boxes (op and source line).
#pragma once

#include <string>

#include "../variable.hpp"

namespace tsumiki {

struct DotOptions {
  bool show_values = false;  // print the values of Variables with at most max_values elements
  std::size_t max_values = 6;
  bool show_sites = true;  // file:line under each op
  std::string title;       // graph label
};

std::string to_dot(const Variable& root, const DotOptions& options = {});

// Renders DOT text to PNG or SVG (by the path's extension) with Graphviz's `dot`. Throws IOError when dot is
// missing (Debian package graphviz) or fails.
void render_dot(const std::string& dot, const std::string& path);

}  // namespace tsumiki
