// Command-line checks shared by the example programs (CLI11).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace examples {

// Numbers > 0 (>= 0 for NonNegative). CLI11's own PositiveNumber states its range as 0 to 1.8e308 written out
// in 309 digits; these say what they want in a line.
inline const CLI::Validator Positive(
    [](std::string& s) -> std::string {
      double v = 0;
      if (!CLI::detail::lexical_cast(s, v)) return "expected a number, got '" + s + "'";
      return v > 0 ? std::string() : "expected a number greater than 0, got " + s;
    },
    "> 0");
inline const CLI::Validator NonNegative(
    [](std::string& s) -> std::string {
      double v = 0;
      if (!CLI::detail::lexical_cast(s, v)) return "expected a number, got '" + s + "'";
      return v >= 0 ? std::string() : "expected a number of at least 0, got " + s;
    },
    ">= 0");

}  // namespace examples
