// distributed/communicator.hpp when Tsumiki is built without MPI: a clear error instead of a link failure.
#include "communicator.hpp"

namespace tsumiki::dist {
namespace {
[[noreturn]] void unavailable() {
  throw Error(
      "distributed training: Tsumiki was built without MPI; install libopenmpi-dev and openmpi-bin and "
      "reconfigure (CMake option TSUMIKI_WITH_MPI)");
}
}  // namespace

bool available() { return false; }
Communicator& Communicator::world() { unavailable(); }
void Communicator::broadcast(const std::vector<Variable>&, int) { unavailable(); }
void Communicator::average_gradients(const std::vector<Variable>&, std::size_t) { unavailable(); }
double Communicator::sum(double) { unavailable(); }
double Communicator::max(double) { unavailable(); }
void Communicator::barrier() { unavailable(); }

}  // namespace tsumiki::dist
