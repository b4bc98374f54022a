// Bytes from a file, fit for an error message (internal): printable ASCII as is, anything else as \\xHH, so a
// hostile or binary file cannot put control characters on the user's terminal.
#pragma once

#include <string>

namespace tsumiki::io::detail {

std::string printable(const std::string& bytes);

}  // namespace tsumiki::io::detail
