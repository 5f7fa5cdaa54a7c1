#!/usr/bin/env bash
# The figures of `make bench`, each beside the peer measured in the same run.
#
# A benchmark part records a figure with
#   source bench/figures.sh
#   record_figure NAME OURS PEER_NAME PEER_VALUE UNIT BETTER GOAL
# e.g. record_figure "import arxiv-jsonl, 74,728 papers" 52000 "Python sqlite3 + FTS5" 11300 \
#        papers/s higher "ratio >= 4"
# BETTER is "higher" or "lower" (which way is good for this unit). GOAL is either
# "ratio >= X" / "ratio <= X" (ours / peer) or "ours < X" / "ours > X" (absolute, in UNIT).
# Lines go to $COOLPAPERS_BENCH_FIGURES (tab-separated, one figure per line; programs such as
# search_bench append the same seven fields); `print_figures` prints them as a table with the
# ratio and whether each goal is met.
: "${COOLPAPERS_BENCH_FIGURES:=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/output/figures.tsv}"
export COOLPAPERS_BENCH_FIGURES
mkdir -p "$(dirname "$COOLPAPERS_BENCH_FIGURES")"

record_figure() {
  if [ "$#" -ne 7 ]; then
    echo "record_figure: expected 7 fields (name ours peer_name peer_value unit better goal), got $#" >&2
    return 1
  fi
  local IFS=$'\t'
  echo "$*" >>"$COOLPAPERS_BENCH_FIGURES"
}

# Empties the figures file (the start of a `make bench` run).
reset_figures() { : >"$COOLPAPERS_BENCH_FIGURES"; }

print_figures() {
  python3 "$(dirname "${BASH_SOURCE[0]}")/print_figures.py" "$COOLPAPERS_BENCH_FIGURES"
}
