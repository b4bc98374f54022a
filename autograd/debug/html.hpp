// A graph explorer in the browser: one self-contained HTML page (no network, no server) that draws the graph
// grouped by module. Clicking a node shows its op, shapes, dtype, module path, the user's line, value
// statistics (min, max, mean, NaN and Inf counts) and its gradient; a step mode walks backward one function
// at a time, as BackwardStepper does, highlighting which gradient flows where.
//
//   save_html(loss, "graph.html");   // then open graph.html in a browser
//
// To have gradients to show and steps to walk, build the page before backward() (or after a backward with
// retain_graph): to_html runs its own pass with a BackwardStepper and leaves every grad() as it found it
// (gradient hooks registered on the graph's Variables do run in that pass).
#pragma once

#include <cstddef>
#include <string>

#include "../variable.hpp"

namespace tsumiki {

struct HtmlOptions {
  std::string title = "Tsumiki graph";
  std::size_t max_values = 6;  // values shown for tensors with at most this many elements
  bool backward = true;        // record the backward steps (needs a scalar root that requires grad)
};

std::string to_html(const Variable& root, const HtmlOptions& options = {});
// Writes to_html(root, options) to `path`; throws IOError naming the file when it cannot.
void save_html(const Variable& root, const std::string& path, const HtmlOptions& options = {});

namespace detail {
extern const char* const kExplorerStyle;   // the page's CSS (html_assets.cpp)
extern const char* const kExplorerScript;  // the page's JavaScript (html_assets.cpp)
}  // namespace detail

}  // namespace tsumiki
