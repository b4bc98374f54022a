#!/usr/bin/env bash
# The threads tests (tests/threads/) built with ThreadSanitizer into build-tsan/: graphs on four threads that
# share parameters, forward, backward() and grad() at once. Any data race TSan reports fails the run.
#
#   bash scripts/test-tsan.sh            # JOBS=<n> to limit build parallelism (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${JOBS:-$(nproc)}"
start=$(date +%s)

bash scripts/install-deps.sh
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
  -DTSUMIKI_BUILD_EXAMPLES=OFF -DTSUMIKI_BUILD_BENCH=OFF >/dev/null
cmake --build build-tsan -j"$jobs" --target tsumiki_thread_tests
built=$(date +%s)

# One BLAS thread: OpenBLAS is not instrumented, and its own threads are not what this checks.
export OPENBLAS_NUM_THREADS=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
log=build-tsan/threads.log
set +e
build-tsan/tests/tsumiki_thread_tests 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
end=$(date +%s)
reports=$(grep -c 'WARNING: ThreadSanitizer' "$log" || true)
summary=$(grep -E '^\[  PASSED  \]|FAILED TEST' "$log" | tail -1 || true)
echo "tsan: ${summary:-no summary}; ThreadSanitizer reports: ${reports}; build $((built - start)) s, tests $((end - built)) s"
((reports == 0)) || rc=1
exit "$rc"
