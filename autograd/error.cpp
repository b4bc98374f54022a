#include "error.hpp"

#include "origin.hpp"

namespace tsumiki {

void fail(const char* op, const std::string& what, const Site& site) {
  throw Error(std::string(op) + ": " + what + " (at " + describe_site(site, current_origin()) + ")",
              Error::Located{});
}

}  // namespace tsumiki
