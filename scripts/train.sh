#!/usr/bin/env bash
# The main job: train an MLP on Fashion-MNIST. Extra arguments go to the mlp program (see mlp --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec build/examples/mlp --out runs/mlp "$@"
