#!/usr/bin/env bash
# make bench: every benchmark, each next to a peer measured in the same run. Bounded in time and
# requests; everything listens on 127.0.0.1 only. Figures go to stdout and bench/output/; the
# run ends with one table of every recorded figure beside its peer, with the ratio
# (bench/figures.sh).
set -uo pipefail
build="${1:-build}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$root/bench/output"
mkdir -p "$out"
export COOLPAPERS_BIN="$root/$build/coolpapers"
shared="${COOLPAPERS_SHARED_DATA:-$root/../shared/data}"
export COOLPAPERS_SHARED_DATA="$shared"
source bench/figures.sh
reset_figures

for part in bench/pages-bench.sh bench/search-bench.sh bench/faq-bench.sh bench/venue-bench.sh \
    bench/pg-bench.sh; do
  if [ -x "$part" ]; then
    echo "=== $part"
    bash "$part" "$build" || echo "bench: $part failed (exit $?)"
  fi
done
echo "=== figures beside their peers (same run; also in $COOLPAPERS_BENCH_FIGURES)"
print_figures
