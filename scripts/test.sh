#!/usr/bin/env bash
# The whole test suite on a fresh machine: dependencies, build, ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh chromium  # chromium: the graph explorer test loads its pages headless
bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)"
