#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang into build-fuzz/ and runs each for a bounded time on a copy
# of its seed corpus (fuzz/corpus/<name>/), then prints every fuzzer's execution count.
#
#   bash scripts/fuzz.sh                      # FUZZ_SECONDS=60 per fuzzer by default
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh graph_fuzzer
#
# Installs clang-16 and libclang-rt-16-dev (libFuzzer and the sanitizer runtimes) with apt-get when missing;
# run as root then. Why 16 and not Debian's default clang 14: Tsumiki records every op's call site with
# std::source_location, and libstdc++ 12's <source_location> needs __builtin_source_location, which clang has
# only from version 15 on (clang 14 stops with "no type named 'source_location' in namespace 'std'"). A crash leaves its input in build-fuzz/artifacts/<name>/ and fails the script; replay it with
# build-fuzz/fuzz/<name> <file>. Inputs worth keeping go to fuzz/corpus/<name>/ (and a regression test).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
jobs="${JOBS:-$(nproc)}"
fuzzers=("$@")
((${#fuzzers[@]})) || fuzzers=(idx_fuzzer npz_fuzzer graph_fuzzer kink_fuzzer)

# ---- toolchain (idempotent: apt-get only runs when something is missing) ----
bash scripts/install-deps.sh clang-16 libclang-rt-16-dev

# ---- build ----
start=$(date +%s)
CC=clang-16 CXX=clang++-16 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTSUMIKI_BUILD_FUZZERS=ON \
  -DTSUMIKI_BUILD_TESTS=OFF -DTSUMIKI_BUILD_EXAMPLES=OFF -DTSUMIKI_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$jobs" --target "${fuzzers[@]}"
built=$(date +%s)
echo "fuzz: build $((built - start)) s"

# ---- run ----
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export OPENBLAS_NUM_THREADS=1
summary=()
status=0
for name in "${fuzzers[@]}"; do
  work="build-fuzz/corpus-run/$name"
  artifacts="build-fuzz/artifacts/$name"
  rm -rf "$work"
  mkdir -p "$work" "$artifacts"
  cp fuzz/corpus/"$name"/* "$work"/
  log="build-fuzz/$name.log"
  echo "fuzz: running $name for ${seconds} s (log: $log)"
  set +e
  # -malloc_limit_mb: one allocation of more than 512 MB is a bug (a huge declared shape must be refused
  # before it is allocated). -timeout: one input running 20 s is a hang.
  # -seed: a fixed seed (FUZZ_SEED) makes a run reproducible; set another seed to explore further.
  "build-fuzz/fuzz/$name" "$work" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
    -malloc_limit_mb=512 -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -oE 'Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  [[ -n "$runs" ]] || runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  corpus=$(find "$work" -type f | wc -l)
  # The committed corpus (seeds and the regressions of fixed findings) must always pass: replay it alone.
  set +e
  "build-fuzz/fuzz/$name" fuzz/corpus/"$name" -runs=0 >"$log.replay" 2>&1
  replay=$?
  set -e
  if ((replay != 0)); then
    status=1
    tail -40 "$log.replay"
    summary+=("$name: REGRESSION: an input of fuzz/corpus/$name fails again (log $log.replay)")
  elif ((rc != 0)); then
    # A new finding: printed with its input. FUZZ_STRICT=0 (CI) reports it without failing the run, so a
    # finding becomes an issue to fix and a regression input rather than a blocked submission.
    [[ ${FUZZ_STRICT:-1} == 0 ]] || status=1
    tail -40 "$log"
    summary+=("$name: FINDING (exit $rc) after ${runs:-?} runs; inputs in $artifacts/")
  else
    summary+=("$name: ${runs:-?} runs in ${seconds} s, corpus $(ls fuzz/corpus/"$name" | wc -l) -> $corpus files, 0 crashes")
  fi
done
echo "fuzz summary:"
printf '  %s\n' "${summary[@]}"
exit "$status"
