// Three ops defined in user code with tsumiki::apply (README, "Writing your own op"). Each forward runs on
// Tensors; each backward is written with Tsumiki's ops, so second derivatives come for free.
#pragma once

#include <cstdint>
#include <tsumiki.hpp>
#include <tsumiki/autograd/xtensor_interop.hpp>  // opt-in: cube's forward is an xtensor expression

namespace custom {

using tsumiki::Function;
using tsumiki::Grads;
using tsumiki::Site;
using tsumiki::Tensor;
using tsumiki::Variable;

// y = x^3;  gx = gy * 3 x^2. Forward with xtensor expressions on the tensors' buffers.
inline Variable cube(const Variable& x, const Site& site = Site::current()) {
  return tsumiki::apply(
      "cube", {x}, site,
      [&] {
        return tsumiki::dispatch_floating(x.dtype(), "cube", [&](auto tag) {
          using T = decltype(tag);
          Tensor out(x.shape(), x.dtype());
          auto in = tsumiki::as_xtensor<T>(x.data());
          tsumiki::as_xtensor<T>(out) = in * in * in;
          return out;
        });
      },
      [](const Function& f, const Variable& gy) {
        const Variable& x = f.input(0);
        return Grads{gy * 3.0 * x * x};
      });
}

// y[i] = max_j x[i, j] for a 2-D x;  gx = gy[i] at the first maximum of row i, 0 elsewhere. The forward
// saves the argmax (an int64 tensor) for the backward: a by-product, not an input or an output.
inline Variable row_max(const Variable& x, const Site& site = Site::current()) {
  if (!x.defined() || x.ndim() != 2)
    tsumiki::fail("row_max",
                  "expected a 2-D input, got " + (x.defined() ? to_string(x.shape()) : "undefined"), site);
  return tsumiki::apply(
      "row_max", {x}, site,
      [&](tsumiki::SavedTensors& saved) {
        const std::size_t rows = x.shape()[0], cols = x.shape()[1];
        const Tensor xd = x.data().to(tsumiki::Dtype::Float64);
        Tensor y({rows}, tsumiki::Dtype::Float64);
        Tensor arg({rows}, tsumiki::Dtype::Int64);
        for (std::size_t i = 0; i < rows; ++i) {
          std::size_t best = 0;
          for (std::size_t j = 1; j < cols; ++j)
            if (xd.flat(i * cols + j) > xd.flat(i * cols + best)) best = j;
          y.data<double>()[i] = xd.flat(i * cols + best);
          arg.data<std::int64_t>()[i] = static_cast<std::int64_t>(best);
        }
        saved.save(arg);
        return y.to(x.dtype());
      },
      [](const Function& f, const Variable& gy) {
        // A one-hot mask of the saved argmax, times gy as a column: made of ops, so differentiable again.
        const Variable mask(tsumiki::one_hot(f.saved(0), f.input(0).shape()[1], gy.dtype()));
        return Grads{tsumiki::unsqueeze(gy, 1) * mask};
      });
}

// y = x * mask * scale, with `mask` an input that never gets a gradient (marked non-differentiable).
inline Variable masked_scale(const Variable& x, const Variable& mask, double scale,
                             const Site& site = Site::current()) {
  if (!x.defined() || !mask.defined() || x.shape() != mask.shape() || x.dtype() != mask.dtype())
    tsumiki::fail("masked_scale", "expected x and mask of one shape and dtype", site);
  return tsumiki::apply(
      "masked_scale", {x, mask}, site,
      [&] {
        tsumiki::NoGradGuard no_grad;  // forward with Tsumiki's own ops: nothing recorded inside
        return (x * mask * scale).data();
      },
      [scale](const Function& f, const Variable& gy) {
        return Grads{gy * f.input(1) * scale, Variable()};
      },
      {.non_differentiable = {1}});
}

}  // namespace custom
