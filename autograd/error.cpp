#include "error.hpp"

namespace tsumiki {

void fail(const char* op, const std::string& what, const Site& site) {
  throw Error(std::string(op) + ": " + what + " (at " + to_string(site) + ")");
}

}  // namespace tsumiki
