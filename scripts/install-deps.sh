#!/usr/bin/env bash
# Installs Tsumiki's build and run dependencies from Debian's packages. Safe to run again: packages already
# present are skipped, and apt-get is not called at all when nothing is missing. Run as root.
# Scripts with needs of their own name extra packages: `bash scripts/install-deps.sh clang-16`.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libxtensor-dev libxtensor-blas-dev xtl-dev libxsimd-dev libopenblas-dev
  libgtest-dev libcli11-dev zlib1g-dev libzip-dev
  python3 python3-numpy            # the .npz tests read checkpoints back with numpy
  gnuplot-nox                      # training curves as PNG
  graphviz                         # computation graphs as PNG (render_dot)
  gdb                              # the pretty-printer test
  dataset-fashion-mnist            # the main job's data (/usr/share/datasets/fashion-mnist)
  libopenmpi-dev openmpi-bin       # data-parallel training over MPI (distributed/communicator.hpp)
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing ${missing[*]}; run this script as root (it calls apt-get)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
