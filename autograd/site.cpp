#include "site.hpp"

#include <string>

namespace tsumiki {

std::string to_string(const Site& site) {
  std::string file = site.file_name();
  const auto slash = file.find_last_of('/');
  if (slash != std::string::npos) file = file.substr(slash + 1);
  return file + ":" + std::to_string(site.line());
}

}  // namespace tsumiki
