// Site: the place in user code that called an op, recorded for errors and graph debugging.
#pragma once

#include <source_location>
#include <string>

namespace tsumiki {

using Site = std::source_location;

// "file.cpp:42" (the file's base name keeps messages short).
std::string to_string(const Site& site);

}  // namespace tsumiki
