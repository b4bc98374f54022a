// Data-parallel training across processes with MPI, in the manner of ChainerMN: every rank holds the whole
// model, trains on its own share of each global batch, and the ranks average their gradients before each
// optimizer step, so N ranks with batch b follow the same path as one process with batch N*b.
//
//   auto& comm = dist::Communicator::world();        // MPI starts on first use (run under mpirun)
//   comm.broadcast(model.parameters());              // every rank starts from rank 0's weights
//   data::DataLoader loader(train, {.batch_size = b, .seed = s, .rank = comm.rank(), .world = comm.size()});
//   for (auto& batch : loader) { ...; loss.backward(); comm.average_gradients(model.parameters());
//   opt.step(); }
//
// Built when CMake finds MPI (option TSUMIKI_WITH_MPI); otherwise world() throws and available() is false.
#pragma once

#include <cstddef>
#include <vector>

#include "../autograd/variable.hpp"

namespace tsumiki::dist {

bool available();  // built with MPI

class Communicator {
 public:
  // The processes started together by mpirun (MPI_COMM_WORLD). Initialises MPI on first call.
  static Communicator& world();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }

  // Copies the data of every tensor from `root` to all ranks (shapes and dtypes must agree on all ranks).
  void broadcast(const std::vector<Variable>& params, int root = 0);
  // Replaces each parameter's gradient by its mean over the ranks. Gradients travel in buckets of up to
  // bucket_bytes, so many small parameters share one message. A parameter without a gradient counts as zero.
  void average_gradients(const std::vector<Variable>& params, std::size_t bucket_bytes = 4u << 20);
  double sum(double value);  // over the ranks
  double max(double value);
  void barrier();

 private:
  Communicator(int rank, int size) : rank_(rank), size_(size) {}
  int rank_, size_;
};

}  // namespace tsumiki::dist
