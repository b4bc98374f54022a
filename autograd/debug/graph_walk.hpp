// The functions below a Variable, highest generation first (internal; shared by printing and DOT export).
#pragma once

#include <vector>

#include "../function.hpp"

namespace tsumiki::detail {

std::vector<const Function*> functions_below(const Variable& root);

}  // namespace tsumiki::detail
