// Run under `mpirun -np 2`: N ranks with batch b each must end where one process with batch N*b ends, and all
// ranks must hold the same parameters. Exits non-zero otherwise.
#include <cmath>
#include <cstdio>
#include <tsumiki.hpp>

using namespace tsumiki;

namespace {

std::shared_ptr<nn::Sequential> make_model() {
  manual_seed(7);
  const nn::LinearOptions f64{.dtype = Dtype::Float64};
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Linear>(2, 16, f64), std::make_shared<nn::Tanh>(),
      std::make_shared<nn::Linear>(16, 3, f64)});
}

// Trains for `steps` Adam steps with per-rank batch `batch`; average_gradients only when `comm` is given.
void train(nn::Module& model, const data::Dataset& set, std::size_t batch, int rank, int world, int steps,
           dist::Communicator* comm) {
  optim::Adam opt(model.parameters(), {.lr = 0.05});
  data::DataLoader loader(
      set,
      {.batch_size = batch, .shuffle = true, .drop_last = true, .seed = 3, .rank = rank, .world = world});
  int done = 0;
  while (done < steps)
    for (const auto& b : loader) {
      if (done++ == steps) break;
      const Variable loss = softmax_cross_entropy(model(b.x), b.y);
      model.zero_grad();
      loss.backward();
      if (comm) comm->average_gradients(model.parameters());
      opt.step();
    }
}

}  // namespace

int main() {
  auto& comm = dist::Communicator::world();
  const data::Dataset raw = data::spiral(true);
  const data::Dataset set(raw.inputs().to(Dtype::Float64), raw.targets());
  const std::size_t b = 10;
  const int steps = 25;

  auto distributed = make_model();
  comm.broadcast(distributed->parameters());
  train(*distributed, set, b, comm.rank(), comm.size(), steps, &comm);

  auto single = make_model();  // one process, batch size * b, no communication
  train(*single, set, b * static_cast<std::size_t>(comm.size()), 0, 1, steps, nullptr);

  double diff = 0, checksum = 0, moved = 0;
  const auto pd = distributed->parameters(), ps = single->parameters(), p0 = make_model()->parameters();
  for (std::size_t i = 0; i < pd.size(); ++i)
    for (std::size_t e = 0; e < pd[i].numel(); ++e) {
      diff = std::max(diff, std::abs(pd[i].data().flat(e) - ps[i].data().flat(e)));
      moved = std::max(moved, std::abs(pd[i].data().flat(e) - p0[i].data().flat(e)));
      checksum += pd[i].data().flat(e) * static_cast<double>(e + 1);
    }
  const double spread = comm.max(checksum) + comm.max(-checksum);  // max - min over ranks
  const double worst = comm.max(diff);
  if (comm.is_root())
    std::printf(
        "ranks %d, batch %zu each, %d Adam steps: max |distributed - single process (batch %zu)| = %.3g; "
        "parameters moved by up to %.3g; checksum spread over ranks = %.3g\n",
        comm.size(), b, steps, b * static_cast<std::size_t>(comm.size()), worst, moved, spread);
  const bool ok = worst < 1e-10 && spread == 0.0 && moved > 1e-3;
  if (comm.is_root()) std::printf("%s\n", ok ? "distributed training matches" : "MISMATCH");
  return ok ? 0 : 1;
}
