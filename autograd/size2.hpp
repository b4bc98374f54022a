// Size2: a (height, width) pair for kernels, strides and padding; one number means both.
#pragma once

#include <cstddef>

namespace tsumiki {

// conv2d(x, W, b, 1, {2, 1}): stride 1 in both directions, padding 2 rows and 1 column.
struct Size2 {
  std::size_t h = 0, w = 0;
  Size2(std::size_t both) : h(both), w(both) {}  // NOLINT: implicit, so `2` works where a Size2 is expected
  Size2(std::size_t height, std::size_t width) : h(height), w(width) {}
  friend bool operator==(const Size2&, const Size2&) = default;
};

}  // namespace tsumiki
