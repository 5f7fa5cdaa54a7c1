#!/usr/bin/env bash
# Search benchmark (`make bench`): on the 74,728 real papers and on a 1,000,000-document corpus
# (the real papers replicated with new ids "r<k>.<id>", labelled as such): index build time and
# size, query latency p50/p99 over 300 realistic queries (2-3 consecutive words of real titles)
# for Xapian and for SQLite FTS5 bm25() on the same documents and queries, and through the HTTP
# API (GET /api/search, one keep-alive connection); then SciFact train nDCG@10 for bm25,
# semantic and hybrid. Indexes are cached in BUILD_DIR/bench-search between runs.
#
#   bench/search-bench.sh BUILD_DIR
# Env: COOLPAPERS_SHARED_DATA (default ../shared/data next to the repo),
#      COOLPAPERS_BENCH_1M=0 skips the 1M part, =1 forces it (default: run when disk allows).
set -euo pipefail
build="${1:?usage: bench/search-bench.sh BUILD_DIR}"
build="$(cd "$build" && pwd)"
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="${COOLPAPERS_BIN:-$build/coolpapers}"
driver="$build/search_bench"
shared="${COOLPAPERS_SHARED_DATA:-$repo/../shared/data}"
bulk="$shared/arxiv_bulk/daily_arxiv_cs_2025-03_2026-07.jsonl.gz"
scifact="$shared/retrieval/scifact"
work="$build/bench-search"
source "$repo/bench/figures.sh"
mkdir -p "$work"
for f in "$bin" "$driver"; do
  if [ ! -x "$f" ]; then
    echo "search-bench: $f is missing; build with -DCOOLPAPERS_BENCH=ON (make bench does)"
    exit 1
  fi
done
if [ ! -f "$bulk" ]; then
  echo "search-bench: skipped: $bulk not found (set COOLPAPERS_SHARED_DATA)"
  exit 0
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
t0=$(date +%s)

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# http_bench LABEL INDEX_DIR MODE...: serves INDEX_DIR from `coolpapers serve` and times the API.
http_bench() {
  local label="$1" index="$2"; shift 2
  local port db
  port=$(free_port)
  db="$work/empty-$port.db"
  COOLPAPERS_INDEX_DIR="$index" "$bin" serve --offline --db "sqlite:$db" --listen "127.0.0.1:$port" \
    >"$work/serve.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  # serve builds the index's top-weight lists in the background: time the API once they are up.
  for _ in $(seq 1 600); do grep -q "top-weight lists" "$work/serve.log" && break; sleep 1; done
  grep -o "top-weight lists.*" "$work/serve.log" | head -1 | sed "s/^/[$label] serve: /"
  for mode in "$@"; do
    "$driver" http --url "http://127.0.0.1:$port" --queries "$work/queries.txt" --mode "$mode" \
      --index "$index" ${http_goals:-} \
      --label "$label" || echo "[$label] HTTP run had errors (see $work/serve.log)"
  done
  # Resident memory of the serving process once it has answered every query (rss_goal set:
  # recorded as a figure; the store is empty, so this is the search index's share).
  local rss_mb
  rss_mb=$(awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$pid/status" 2>/dev/null || echo "")
  if [ -n "$rss_mb" ]; then
    echo "[$label] serve resident memory after the queries: $rss_mb MB"
    [ -z "${rss_goal:-}" ] || record_figure "serve resident memory, $label index" "$rss_mb" \
      "(absolute goal)" "-" MB lower "$rss_goal"
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$db" "$db"-*
}

echo "--- search: 74,728 real papers (keyword + semantic index of corpus-trained word vectors)"
# The 74k indexes are rebuilt every run: their build times are a figure (ours beside FTS5's).
"$driver" corpus --papers "$bulk" --work "$work/74k" --queries-out "$work/queries.txt" \
  --semantic --rebuild --figure "index --rebuild, 74,728 papers" --label "74,728 papers" \
  2> >(grep -v '^index:' >&2)
http_bench "74,728 papers" "$work/74k/index" bm25 auto

echo "--- search: SciFact train (809 queries, 5,183 docs), nDCG@10"
if [ -f "$scifact/corpus.jsonl.gz" ]; then
  for mode in bm25 semantic hybrid; do
    out=$("$bin" eval retrieval --corpus "$scifact/corpus.jsonl.gz" --queries "$scifact/queries.jsonl" \
      --qrels "$scifact/qrels/train.tsv" --mode "$mode")
    echo "scifact $mode: $(echo "$out" | grep -E '^(Recall@100|MRR@10|nDCG@10):' | tr '\n' ' ')"
    ndcg=$(echo "$out" | sed -n 's/^nDCG@10: //p')
    case "$mode" in
      bm25) name="SciFact train nDCG@10 BM25"; goal="ours > 0.68" ;;
      semantic) name="SciFact train nDCG@10 semantic alone"; goal="ours > 0.60" ;;
      hybrid) name="SciFact train nDCG@10 hybrid"; goal="ours > 0.72" ;;
    esac
    [ -n "$ndcg" ] && record_figure "$name" "$ndcg" "BM25 (BEIR published)" 0.665 nDCG higher "$goal"
  done
  echo "(published BM25 baseline, BEIR/Elasticsearch: nDCG@10 0.665)"
else
  echo "scifact: skipped ($scifact not found)"
fi

echo "--- search: 1,000,000 documents (74,728 real papers replicated with new ids r<k>.<id>)"
avail_gb=$(df -Pk "$work" | awk 'NR==2 {print int($4 / 1048576)}')
elapsed=$(( $(date +%s) - t0 ))
cached=0
[ -f "$work/1m/index/CURRENT" ] && [ -f "$work/1m/fts5.db" ] && cached=1
if [ "${COOLPAPERS_BENCH_1M:-}" = "0" ]; then
  echo "1M: skipped (COOLPAPERS_BENCH_1M=0)"
elif [ "$cached" = 0 ] && [ "${COOLPAPERS_BENCH_1M:-}" != "1" ] && [ "$avail_gb" -lt 20 ]; then
  echo "1M: skipped: only ${avail_gb} GB free in $work (needs ~20 GB); COOLPAPERS_BENCH_1M=1 forces it"
elif [ "$cached" = 0 ] && [ "${COOLPAPERS_BENCH_1M:-}" != "1" ] && [ "$elapsed" -gt 300 ]; then
  echo "1M: skipped: the first parts took ${elapsed} s and the 1M build would exceed the time budget; COOLPAPERS_BENCH_1M=1 forces it"
else
  [ "$cached" = 1 ] || echo "(building the 1M indexes once; later runs reuse $work/1m)"
  "$driver" corpus --papers "$bulk" --docs 1000000 --work "$work/1m" \
    --label "1M docs (replicated)" 2> >(grep -v '^index:' >&2)
  http_goals="--p50-goal 5 --p99-goal 20" rss_goal="ours <= 2048" \
    http_bench "1M docs (replicated)" "$work/1m/index" bm25
fi
echo "search bench: $(( $(date +%s) - t0 )) s"
