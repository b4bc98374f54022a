// Pictures of convolution filters: a grid of grey tiles written as PNG through gnuplot.
#pragma once

#include <string>
#include <tsumiki.hpp>

namespace examples {

// W is (OC, C, KH, KW): one tile per output channel (input channels side by side), each tile scaled to its
// own min..max (black..white) as in the book's filter pictures. Also writes the pixel matrix as <png>.txt.
// Returns false (and says why on stderr) without gnuplot.
bool write_filters_png(const tsumiki::Tensor& W, const std::string& png_path, const std::string& title);

}  // namespace examples
