#!/usr/bin/env bash
# Runs Tsumiki's benchmark program beside the LibTorch peer (shared/peers/libtorch) in one run, at one thread,
# and prints each workload's figures and the ratio Tsumiki / LibTorch, plus peak resident memory of the
# mlp_epoch runs. Installs libtorch-dev (Debian) for the peer. Usage: scripts/bench.sh [workload ...]
set -euo pipefail
cd "$(dirname "$0")/.."
peers=${PEERS_DIR:-../shared/peers}

bash scripts/install-deps.sh libtorch-dev time  # the peer, and /usr/bin/time for peak memory
bash scripts/build.sh
# The same OpenBLAS kernels for both: Tsumiki selects its CPU's set itself when OpenBLAS falls back to the
# generic one (autograd/threads.hpp); the peer gets that set through OPENBLAS_CORETYPE.
[[ -n ${OPENBLAS_CORETYPE:-} ]] || export OPENBLAS_CORETYPE="$(build/bench/bench --corename | awk '{print $1}')"
cmake -S "$peers/libtorch" -B peer-build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build peer-build >/dev/null

# One thread for both, and the same OpenBLAS kernels for both.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 TORCH_THREADS=1

workloads=("$@")
[[ ${#workloads[@]} -gt 0 ]] || workloads=(tape_scalar tape_small hvp mlp_epoch cnn_steps)
out=$(mktemp -d)
for w in "${workloads[@]}"; do
  build/bench/bench "$w" | grep -v peak_rss >>"$out/tsumiki"
  peer-build/libtorch_bench "$w" >>"$out/libtorch"
done
# Peak memory of the mlp run, as /usr/bin/time -v reports it.
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ {printf "%.0f", $6 / 1024}'; }
if command -v /usr/bin/time >/dev/null; then
  echo "mlp_epoch peak_rss_mib $(rss build/bench/bench mlp_epoch)" >>"$out/tsumiki"
  echo "mlp_epoch peak_rss_mib $(rss peer-build/libtorch_bench mlp_epoch)" >>"$out/libtorch"
fi
printf "%-12s %-16s %12s %12s %8s\n" workload metric tsumiki libtorch ratio
join <(awk '{print $1"/"$2, $3}' "$out/tsumiki" | sort) <(awk '{print $1"/"$2, $3}' "$out/libtorch" | sort) |
  awk '{split($1, k, "/"); printf "%-12s %-16s %12s %12s %8.3f\n", k[1], k[2], $2, $3, $2 / $3}'
# Tsumiki's own lines: the sgemm rate measured in the same run, and the time each product-bound workload's
# matrix products alone would take at that rate.
grep -E "^sgemm|products_only" "$out/tsumiki" | awk '{printf "%-12s %-22s %12s\n", $1, $2, $3}' || true
echo "(OpenBLAS kernels on both sides: $(build/bench/bench --corename))"
rm -rf "$out"
