#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for SECONDS each and reports executions, speed,
# corpus size and crashes per target. `make fuzz FUZZ_SECONDS=N`; `make test` runs it briefly.
#   scripts/fuzz.sh SECONDS [BUILD_DIR]        (FUZZ_ONLY=arxiv_* runs the matching targets only;
#                                              FUZZ_SEED=N fixes libFuzzer's random seed)
# Seeds: tests/fuzz/seeds/<target>/ (the XML ones are the recorded arXiv responses of
# tests/fixtures cut to two records, so each execution stays fast). The growing corpus lives in BUILD_DIR/corpus/<target> (kept between runs); a
# crashing input is saved as BUILD_DIR/artifacts/<target>-crash-* with the command that
# reproduces it. Exit status 1 when any target crashed, leaked, timed out or failed to start.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
build="${2:-build-fuzz}"
jobs="$(nproc)"

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ is missing: run scripts/install-deps.sh (it installs clang and libFuzzer)" >&2
  exit 1
fi
mkdir -p "$build"
CXX=clang++ CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1" \
  -DCOOLPAPERS_FUZZ=ON -DCOOLPAPERS_TESTS=OFF -DCOOLPAPERS_WERROR=ON \
  >"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" -j "$jobs" --target fuzzers >"$build/fuzz-build.log" 2>&1 || {
  tail -40 "$build/fuzz-build.log" >&2
  echo "fuzz: building the fuzz targets failed (full log: $build/fuzz-build.log)" >&2
  exit 1
}

mkdir -p "$build/artifacts"
failed=0
printf '%-22s %12s %10s %8s  %s\n' target executions exec/s corpus result
for src in tests/fuzz/${FUZZ_ONLY:-*}_fuzz.cc; do
  name="$(basename "$src" .cc)"
  corpus="$build/corpus/$name"
  mkdir -p "$corpus"
  seeds=()
  [ -d "tests/fuzz/seeds/${name%_fuzz}" ] && seeds+=("tests/fuzz/seeds/${name%_fuzz}")
  log="$build/$name.log"
  status=0
  # -timeout: one input taking over 30 s is a hang (the parsers answer in microseconds; the
  # margin is for a loaded machine);
  # -rss_limit_mb: a parser that blows up memory is a finding too.
  ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$build/$name" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$name-" ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
    "$corpus" "${seeds[@]}" \
    >"$log" 2>&1 || status=$?
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  files="$(find "$corpus" -type f | wc -l)"
  if [ "$status" -eq 0 ]; then
    result="ok, 0 crashes"
  else
    failed=1
    artifact="$(grep -o "$build/artifacts/$name-[a-z-]*[0-9a-f]*" "$log" | head -1 || true)"
    result="FAILED (exit $status): ${artifact:-see $log}; reproduce: $build/$name ${artifact:-}"
  fi
  printf '%-22s %12s %10s %8s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "$files" "$result"
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: a target failed; its log is $build/<target>.log, the input in $build/artifacts/" >&2
  exit 1
fi
