// The MPI implementation of distributed/communicator.hpp (compiled when CMake finds MPI).
#include <mpi.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "communicator.hpp"

namespace tsumiki::dist {
namespace {

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) {
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    throw IOError(std::string("MPI ") + what + " failed: " + std::string(msg, static_cast<std::size_t>(len)));
  }
}

MPI_Datatype mpi_type(Dtype d) {
  switch (d) {
    case Dtype::Float32:
      return MPI_FLOAT;
    case Dtype::Float64:
      return MPI_DOUBLE;
    case Dtype::Int64:
      return MPI_INT64_T;
  }
  return MPI_BYTE;
}

void finalize() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

}  // namespace

bool available() { return true; }

Communicator& Communicator::world() {
  static Communicator* comm = [] {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      int provided = 0;
      check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "init");
      std::atexit(finalize);
    }
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return new Communicator(rank, size);
  }();
  return *comm;
}

void Communicator::broadcast(const std::vector<Variable>& params, int root) {
  for (const auto& p : params) {
    Tensor t = p.data();  // shares the buffer: the parameter is updated in place
    check(MPI_Bcast(t.raw(), static_cast<int>(t.numel()), mpi_type(t.dtype()), root, MPI_COMM_WORLD),
          "broadcast");
  }
}

void Communicator::average_gradients(const std::vector<Variable>& params, std::size_t bucket_bytes) {
  if (size_ == 1) return;
  // One bucket per dtype run: gradients are packed, summed in one allreduce, then unpacked as new tensors
  // (a gradient tensor may be shared with another Variable, so it is never averaged in place).
  std::size_t i = 0;
  while (i < params.size()) {
    const Dtype dtype = params[i].dtype();
    const std::size_t esize = element_size(dtype);
    std::size_t j = i, elems = 0;
    while (j < params.size() && params[j].dtype() == dtype &&
           (j == i || (elems + params[j].numel()) * esize <= bucket_bytes)) {
      elems += params[j].numel();
      ++j;
    }
    Tensor bucket(Shape{elems}, dtype);
    char* at = static_cast<char*>(bucket.raw());
    for (std::size_t k = i; k < j; ++k) {
      const std::size_t bytes = params[k].numel() * esize;
      const Variable g = params[k].grad();
      if (g.defined())
        std::memcpy(at, g.data().raw(), bytes);
      else
        std::memset(at, 0, bytes);
      at += bytes;
    }
    check(MPI_Allreduce(MPI_IN_PLACE, bucket.raw(), static_cast<int>(elems), mpi_type(dtype), MPI_SUM,
                        MPI_COMM_WORLD),
          "allreduce");
    const double scale = 1.0 / size_;
    std::size_t off = 0;  // elements into the bucket
    for (std::size_t k = i; k < j; ++k) {
      Tensor g(params[k].shape(), dtype);
      const std::size_t n = params[k].numel();
      if (dtype == Dtype::Float32) {
        const float* src = bucket.data<float>() + off;
        for (std::size_t e = 0; e < n; ++e) g.data<float>()[e] = src[e] * static_cast<float>(scale);
      } else {
        const double* src = bucket.data<double>() + off;
        for (std::size_t e = 0; e < n; ++e) g.data<double>()[e] = src[e] * scale;
      }
      Variable p = params[k];
      p.set_grad(Variable(g));
      off += n;
    }
    i = j;
  }
}

double Communicator::sum(double value) {
  check(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD), "allreduce");
  return value;
}

double Communicator::max(double value) {
  check(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD), "allreduce");
  return value;
}

void Communicator::barrier() { check(MPI_Barrier(MPI_COMM_WORLD), "barrier"); }

}  // namespace tsumiki::dist
