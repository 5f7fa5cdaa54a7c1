#!/usr/bin/env bash
# PostgreSQL benchmark (`make bench`), each figure beside the SQLite one of the same run, on a
# throwaway cluster (scripts/pg-cluster.sh) on this machine:
#   - import rate of one file into SQLite and into PostgreSQL (papers/s, wall time);
#   - requests/s and latency of the largest day page and of a paper page: one node on SQLite,
#     one node on PostgreSQL, and two PostgreSQL nodes behind nginx (upstream, least_conn);
#   - FAQ-cache hit latency: a stored FAQ served by GET /api/faq/<id> and POST /arxiv/kimi (the
#     fragment a reader's click gets), on SQLite and on PostgreSQL, one connection at a time.
# Everything listens on 127.0.0.1; each wrk run lasts WRK_SECONDS (5).
#
#   bench/pg-bench.sh BUILD_DIR
# Env: COOLPAPERS_BIN (default BUILD_DIR/coolpapers), COOLPAPERS_SHARED_DATA (default
#      ../shared/data: its 74,728-paper bulk file; the repo's sample when absent), WRK_SECONDS.
set -euo pipefail
build="${1:-build}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
bin="${COOLPAPERS_BIN:-$build/coolpapers}"
shared="${COOLPAPERS_SHARED_DATA:-$repo/../shared/data}"
secs="${WRK_SECONDS:-5}"
if [ ! -x "$bin" ]; then
  echo "pg-bench: $bin is missing; build first (make build)"
  exit 1
fi
for tool in wrk nginx psql sqlite3 curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "pg-bench: skipped: $tool is not installed (scripts/install-deps.sh)"
    exit 0
  fi
done
work="$(mktemp -d /tmp/coolpapers-pg-bench.XXXXXX)"
chmod 755 "$work"  # nginx workers run as www-data
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  bash "$repo/scripts/pg-cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

file="$shared/arxiv_bulk/daily_arxiv_cs_2025-03_2026-07.jsonl.gz"
note="shared bulk file"
if [ ! -f "$file" ]; then
  file="$repo/data/sample/arxiv-cs-sample.jsonl.gz"
  note="repo sample ($shared/arxiv_bulk not found)"
fi

cluster=$(bash "$repo/scripts/pg-cluster.sh" start "$work/pg")
pg="${cluster%/*}/coolpapers_bench"
psql -X -q -d "$cluster" -c "CREATE DATABASE coolpapers_bench TEMPLATE template0" >/dev/null
lite="sqlite:$work/bench.db"
echo "PostgreSQL: $(psql -X -At -d "$cluster" -c 'SHOW server_version') on $cluster (fsync off: a test cluster)"

# --- import -------------------------------------------------------------------------------------
echo "--- import $(basename "$file") ($note)"
declare -A import_row import_rate
for target in sqlite postgresql; do
  db=$([ "$target" = sqlite ] && echo "$lite" || echo "$pg")
  t0=$(date +%s.%N)
  line=$("$bin" import arxiv-jsonl --db "$db" "$file" 2>&1 | tail -1)
  t1=$(date +%s.%N)
  papers=$(echo "$line" | grep -oE 'imported [0-9]+' | grep -oE '[0-9]+' || echo 0)
  wall=$(echo "$t1 - $t0" | bc)
  rate=$(echo "scale=0; $papers / $wall" | bc)
  import_row[$target]=$(printf '%-11s %8d papers %8.2f s %9d papers/s' "$target" "$papers" "$wall" "$rate")
  import_rate[$target]=$rate
  echo "$target: $line"
done

# --- a stored FAQ in both -----------------------------------------------------------------------
# read -r cat day n: the largest (category, day) list; its first paper gets a FAQ.
read -r cat day n < <(sqlite3 "$work/bench.db" \
  "SELECT category, day, COUNT(*) c FROM memberships GROUP BY category, day ORDER BY c DESC LIMIT 1;" | tr '|' ' ')
paper=$(sqlite3 "$work/bench.db" "SELECT paper_id FROM memberships WHERE category='$cat' AND day='$day' ORDER BY position LIMIT 1;")
mkdir -p "$work/empty"
pdf_port=$(free_port)  # an arXiv stand-in without PDFs: the FAQ is made from the abstract
python3 -m http.server "$pdf_port" --bind 127.0.0.1 --directory "$work/empty" >/dev/null 2>&1 &
pids+=($!)
python3 "$repo/tests/fakes/fake_llm.py" --key bench-key --delay-ms 1 --chunks 4 \
  --port-file "$work/llm.port" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/llm.port" ] && break; sleep 0.1; done
export COOLPAPERS_LLM_BASE_URL="http://127.0.0.1:$(cat "$work/llm.port")/v1"
export COOLPAPERS_LLM_API_KEY=bench-key COOLPAPERS_LLM_MODEL=fake-model
export COOLPAPERS_ARXIV_BASE_URL="http://127.0.0.1:$pdf_port"
for db in "$lite" "$pg"; do
  timeout 120 "$bin" faq "$paper" --lang en --db "$db" >/dev/null 2>"$work/faq.log" ||
    { echo "pg-bench: no FAQ stored in $db:"; tail -3 "$work/faq.log"; }
done

# --- nodes and nginx ----------------------------------------------------------------------------
# start_node NAME DB: `serve --offline` on a free port with its own index directory; sets PORT.
start_node() {
  PORT=$(free_port)
  mkdir -p "$work/$1"
  (cd "$work/$1" && COOLPAPERS_INDEX_DIR="$work/$1/index" exec "$bin" serve --offline --db "$2" \
    --listen "127.0.0.1:$PORT" >"$work/$1/serve.log" 2>&1) &
  pids+=($!)
  node_pids+=($!)
  node_names+=("$1")
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "pg-bench: node $1 did not answer on $PORT:"; tail -5 "$work/$1/serve.log"
}
node_pids=()
node_names=()
start_node lite "$lite"; lite_port=$PORT
start_node pg1 "$pg"; pg1_port=$PORT
start_node pg2 "$pg"; pg2_port=$PORT
# Each node fills its search index in the background: measure once every node is idle (under
# 5% of a core for a second), or after 60 s in all, saying which node was still busy.
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
t0=$(date +%s)
busy=""
for i in "${!node_pids[@]}"; do
  while :; do
    a=$(ticks "${node_pids[$i]}"); sleep 1; b=$(ticks "${node_pids[$i]}")
    [ $((b - a)) -lt $((hz / 20 + 1)) ] && break
    if [ $(($(date +%s) - t0)) -ge 60 ]; then
      busy="$busy ${node_names[$i]} ($((100 * (b - a) / hz))% of a core)"
      break
    fi
  done
done
if [ -n "$busy" ]; then
  echo "nodes up after $(($(date +%s) - t0)) s; still filling their search index:$busy"
else
  echo "nodes up and idle after $(($(date +%s) - t0)) s"
fi

nginx_port=$(free_port)
cat >"$work/nginx.conf" <<NGX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream coolpapers {
    least_conn;
    server 127.0.0.1:$pg1_port;
    server 127.0.0.1:$pg2_port;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://coolpapers;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
NGX
nginx -c "$work/nginx.conf" -p "$work" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$nginx_port/healthz" && break; sleep 0.1; done

# --- requests -----------------------------------------------------------------------------------
cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = ""
LUA
# run_wrk LABEL CONNECTIONS URL [SCRIPT]: prints one row (requests/s, p50, p99, errors).
run_wrk() {
  local res
  res=$(wrk -t"$(($2 < 2 ? $2 : 2))" -c"$2" -d"${secs}s" --timeout 10s --latency ${4:+-s "$4"} "$3" 2>&1)
  printf '%-44s %10s %9s %9s  %s\n' "$1" \
    "$(echo "$res" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$res" | awk '$1=="50%" {print $2}')" "$(echo "$res" | awk '$1=="99%" {print $2}')" \
    "$(echo "$res" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')"
}
list_path="/arxiv/$cat?date=$day"
paper_path="/arxiv/$paper"
echo "largest day: $cat $day ($n papers); paper $paper"
echo "--- pages: wrk -t2 -c64 -d${secs}s (keep-alive); load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
printf '%-44s %10s %9s %9s  %s\n' "" "req/s" "p50" "p99" "errors"
for page in "$list_path" "$paper_path"; do
  run_wrk "sqlite, one node       $page" 64 "http://127.0.0.1:$lite_port$page"
  run_wrk "postgresql, one node   $page" 64 "http://127.0.0.1:$pg1_port$page"
  run_wrk "postgresql, 2 + nginx  $page" 64 "http://127.0.0.1:$nginx_port$page"
done
faq_q="paper=$paper&lang=en"
echo "--- FAQ-cache hit: wrk -t1 -c1 -d${secs}s (one request at a time: latency)"
for target in sqlite postgresql; do
  port=$([ "$target" = sqlite ] && echo "$lite_port" || echo "$pg1_port")
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/faq/$paper?lang=en")
  [ "$code" = 200 ] || echo "pg-bench: $target has no stored FAQ for $paper (GET /api/faq: $code)"
  run_wrk "$target GET /api/faq/<id>" 1 "http://127.0.0.1:$port/api/faq/$paper?lang=en"
  run_wrk "$target POST /arxiv/kimi (cached fragment)" 1 \
    "http://127.0.0.1:$port/arxiv/kimi?$faq_q" "$work/post.lua"
done

echo "--- pg-bench summary (import)"
for target in sqlite postgresql; do echo "${import_row[$target]}"; done
source "$repo/bench/figures.sh"
record_figure "import into PostgreSQL ($note)" "${import_rate[postgresql]}" "same file into SQLite" \
  "${import_rate[sqlite]}" papers/s higher "none (a server database, fsync off)"
