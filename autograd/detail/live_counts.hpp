// Process-wide counts of live graph objects and pool bytes, kept per thread (internal).
//
// Every op allocates and frees several blocks and makes a Variable and a Function; a locked add on one
// shared counter for each of those was a tenth of an op's cost. Each thread instead changes its own share
// with plain loads and stores (only that thread writes it), and a reader sums the shares of the live threads
// and what ended threads left behind.
#pragma once

#include <cstddef>

namespace tsumiki::detail {

enum class Live { Bytes, Variables, Functions };

void count_live(Live what, std::ptrdiff_t delta) noexcept;
std::size_t live_total(Live what) noexcept;

// The calling thread's share of live pool bytes at its highest since reset_peak_bytes() on this thread,
// above its level at that reset.
std::size_t peak_bytes() noexcept;
void reset_peak_bytes() noexcept;

}  // namespace tsumiki::detail
