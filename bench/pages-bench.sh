#!/usr/bin/env bash
# Import rate of the 74,728-paper shared bulk file, then requests/s and latency of the largest
# day page and of one paper page, served by coolpapers and by nginx (same bytes, static file),
# with wrk: keep-alive, 64 connections, 2 threads, 2 x 5 s each (alternating with nginx); records
# the figures beside nginx's (bench/figures.sh).
set -euo pipefail
bin="${COOLPAPERS_BIN:?}"
shared="${COOLPAPERS_SHARED_DATA:?}"
bulk="$shared/arxiv_bulk/daily_arxiv_cs_2025-03_2026-07.jsonl.gz"
if [ ! -f "$bulk" ]; then
  echo "pages-bench: skipped: $bulk not found (set COOLPAPERS_SHARED_DATA to the shared data folder)"
  exit 0
fi
work="$(mktemp -d /tmp/coolpapers-bench.XXXXXX)"
chmod 755 "$work"  # nginx workers run as www-data
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# Import: coolpapers and the Python peer (bench/import_peer.py: sqlite3 + FTS5, executemany,
# one transaction) load the same file in the same run; rates are papers over process wall time.
echo "--- import: $(basename "$bulk") (load average $(cut -d' ' -f1-3 /proc/loadavg))"
start=$(date +%s.%N)
ours_line=$("$bin" import arxiv-jsonl --db "sqlite:$work/bench.db" "$bulk" 2>&1 | tail -1)
end=$(date +%s.%N)
echo "$ours_line"
papers=$(echo "$ours_line" | sed -n 's/.*imported \([0-9]*\) papers.*/\1/p')
ours_s=$(echo "$end - $start" | bc)
start=$(date +%s.%N)
python3 "$(dirname "$0")/import_peer.py" "$bulk" "$work/peer.db"
end=$(date +%s.%N)
peer_s=$(echo "$end - $start" | bc)
rm -f "$work"/peer.db*
ours_rate=$(echo "$papers / $ours_s" | bc)
peer_rate=$(echo "$papers / $peer_s" | bc)
echo "import wall time: coolpapers $ours_s s ($ours_rate papers/s), Python peer $peer_s s ($peer_rate papers/s)"
source "$(dirname "$0")/figures.sh"
record_figure "import arxiv-jsonl, $(echo "$papers" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') papers" "$ours_rate" \
  "Python sqlite3 + FTS5" "$peer_rate" papers/s higher "ratio >= 4"

port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$bin" serve --offline --db "sqlite:$work/bench.db" --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# The largest (category, day) list in the data.
read -r cat day n < <(sqlite3 "$work/bench.db" \
  "SELECT category, day, COUNT(*) c FROM memberships GROUP BY category, day ORDER BY c DESC LIMIT 1;" | tr '|' ' ')
paper=$(sqlite3 "$work/bench.db" "SELECT paper_id FROM memberships WHERE category='$cat' AND day='$day' LIMIT 1;")
list_path="/arxiv/$cat?date=$day"
paper_path="/arxiv/$paper"
echo "largest day: $cat $day ($n papers)"

mkdir -p "$work/www/list" "$work/www/paper"; chmod -R a+rX "$work/www"
curl -fs "http://127.0.0.1:$port$list_path" -o "$work/www/list/index.html"
curl -fs "http://127.0.0.1:$port$paper_path" -o "$work/www/paper/index.html"
chmod a+r "$work"/www/*/index.html
echo "list page: $(stat -c %s "$work/www/list/index.html") bytes; paper page: $(stat -c %s "$work/www/paper/index.html") bytes"

source "$(dirname "$0")/static-nginx.sh"
start_static_nginx "$work" "$work/www"
nport=$NGINX_PORT

# run_wrk NAME URL: prints requests/s and latency over 5 s (keep-alive, 64 connections, 2 threads)
# and sets WRK_RPS.
run_wrk() {
  local res
  res=$(wrk -t2 -c64 -d5s --latency "$2" 2>&1)
  local rps p50 p99 errs
  rps=$(echo "$res" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$res" | awk '$1=="50%" {print $2}')
  p99=$(echo "$res" | awk '$1=="99%" {print $2}')
  errs=$(echo "$res" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  printf '%-34s %10s req/s  p50 %8s  p99 %8s  %s\n' "$1" "$rps" "$p50" "$p99" "$errs"
  WRK_RPS=${rps:-0}
}
# compare NAME NGINX_URL OURS_URL GOAL: wrk and both servers share the cores, so nginx and
# coolpapers alternate twice (5 s each) and each figure is the mean of its two runs.
compare() {
  local name="$1" n=0 c=0
  for round in 1 2; do
    run_wrk "nginx $name (static) #$round" "$2"; n=$(echo "$n + $WRK_RPS" | bc)
    run_wrk "coolpapers $name #$round" "$3"; c=$(echo "$c + $WRK_RPS" | bc)
  done
  n=$(echo "scale=0; $n / 2" | bc); c=$(echo "scale=0; $c / 2" | bc)
  echo "$name: coolpapers $c req/s, nginx $n req/s, ratio $(echo "scale=2; $c / $n" | bc) (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  record_figure "$name req/s" "$c" "nginx, same bytes" "$n" "req/s" higher "$4"
}
source "$(dirname "$0")/figures.sh"
echo "--- wrk -t2 -c64 (keep-alive), same bytes, 2 x 5 s each, alternating"
compare "day page" "http://127.0.0.1:$nport/list/" "http://127.0.0.1:$port$list_path" "ratio >= 0.7"
compare "paper page" "http://127.0.0.1:$nport/paper/" "http://127.0.0.1:$port$paper_path" "ratio >= 0.8"
echo "coolpapers RSS after load: $(ps -o rss= -p "${pids[0]}") KB"

# Render time of a list page on a page-cache miss (templates; budget 50 ms for the largest day).
renderer="$(dirname "$bin")/list_page_bench"
if [ -x "$renderer" ]; then
  echo "--- list page render on a cache miss (Google Benchmark, CPU time; budget 50 ms)"
  "$renderer" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>&1 |
    grep -E "_mean|_median" || echo "pages-bench: list_page_bench failed"
fi
