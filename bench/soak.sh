#!/usr/bin/env bash
# Soak test: one `coolpapers serve` on the bundled sample, for SOAK_SECONDS (default 60):
#   - 256 keep-alive clients (wrk) over list pages, paper pages, search and the JSON API,
#   - 100 Server-Sent Events readers following one long FAQ generation (fake LLM on loopback),
#   - 50 slowloris sockets that send a header byte every few seconds and reconnect when cut.
# Reports the well-behaved clients' errors and latency (p50/p99), the streams' events, and the
# server's resident memory after warm-up and at the end (goal: 0 errors, < 10 % growth).
# Everything listens on 127.0.0.1; every loop is bounded by SOAK_SECONDS. Not part of make test.
#   bench/soak.sh [BUILD_DIR]          (default build; `make build` first)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build}"
bin="${COOLPAPERS_BIN:-$root/$build/coolpapers}"
seconds="${SOAK_SECONDS:-60}"
warmup=$(( seconds / 6 > 5 ? seconds / 6 : 5 ))
[ -x "$bin" ] || { echo "soak: $bin not found: run 'make build' first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "soak: wrk is missing: run scripts/install-deps.sh" >&2; exit 1; }
work="$(mktemp -d /tmp/coolpapers-soak.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

db="sqlite:$work/soak.db"
echo "soak: loading the bundled sample and indexing it"
"$bin" import arxiv-jsonl --db "$db" "$root"/data/sample/*.jsonl.gz >/dev/null 2>&1
"$bin" index --db "$db" >/dev/null 2>&1

# A fake LLM slow enough that one FAQ is still being written when the soak ends.
python3 "$root/tests/fakes/fake_llm.py" --key soak-key --delay-ms 400 --chunks 400 \
  --port-file "$work/llm.port" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/llm.port" ] && break; sleep 0.1; done
lport=$(cat "$work/llm.port")
# arXiv stand-in with no PDFs: the FAQ is written from the abstract.
mkdir -p "$work/www"
aport=$(freeport)
python3 -m http.server "$aport" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
pids+=($!)

port=$(freeport)
COOLPAPERS_LLM_BASE_URL="http://127.0.0.1:$lport/v1" COOLPAPERS_LLM_API_KEY=soak-key \
COOLPAPERS_LLM_MODEL=fake-model COOLPAPERS_ARXIV_BASE_URL="http://127.0.0.1:$aport" \
  "$bin" serve --db "$db" --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
pids+=($server)
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"

# Paths for wrk: the day pages of the sample's main categories, paper pages, searches, API.
SAMPLE_DIR="$root/data/sample" python3 - "$work/paths.lua" <<'PY'
import gzip, json, sys, glob, os
ids = []
for f in sorted(glob.glob(os.path.join(os.environ["SAMPLE_DIR"], "*.jsonl.gz"))):
    with gzip.open(f, "rt") as fh:
        for line in fh:
            ids.append(json.loads(line)["id"])
            if len(ids) >= 200:
                break
paths = ["/arxiv/cs.CL", "/arxiv/cs.CV", "/arxiv/cs.AI", "/arxiv/cs.LG,cs.CL", "/"]
paths += ["/arxiv/%s" % i for i in ids[:100]]
paths += ["/api/papers/%s" % i for i in ids[100:200]]
for q in ["language models", "graph neural networks", "diffusion", "robot learning",
          "reinforcement learning", "vision transformer", "benchmark", "retrieval augmented"]:
    paths += ["/api/search?q=%s" % q.replace(" ", "+"), "/arxiv/search?query=%s" % q.replace(" ", "+")]
with open(sys.argv[1], "w") as out:
    out.write("paths = {%s}\n" % ",".join('"%s"' % p for p in paths))
    out.write("""
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
""")
PY
first_id=$(python3 -c "import gzip,json,sys;print(json.loads(gzip.open(sys.argv[1],'rt').readline())['id'])" "$root"/data/sample/*.jsonl.gz)

# Start the long FAQ (a POST starts it), then 100 readers follow its stream.
curl -fs -X POST "$base/arxiv/kimi?paper=$first_id&lang=en" >/dev/null || echo "soak: starting the FAQ failed"
python3 - "$base" "$first_id" "$seconds" "$work/streams.txt" <<'PY' &
import socket, sys, threading, time, urllib.request
base, paper, seconds, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
deadline = time.time() + seconds
events, errors = [0] * 100, [0] * 100
def reader(i):
    try:
        with urllib.request.urlopen("%s/api/faq/%s/stream?lang=en" % (base, paper),
                                    timeout=seconds + 30) as r:
            for line in r:
                if line.startswith(b"event:"):
                    events[i] += 1
                if time.time() > deadline:
                    return
    except Exception:
        errors[i] += 1
threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(100)]
for t in threads: t.start()
for t in threads: t.join(seconds + 40)
with open(out, "w") as f:
    f.write("%d %d %d\n" % (sum(1 for e in events if e > 0), sum(events), sum(errors)))
PY
pids+=($!)
streams_pid=$!

# 50 slowloris sockets: a partial request line, then one header byte every 5 s; reconnect when cut.
python3 - "$port" "$seconds" <<'PY' &
import socket, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
deadline = time.time() + seconds
socks = [None] * 50
def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    s.sendall(b"GET /arxiv/cs.CL HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    return s
while time.time() < deadline:
    for i in range(50):
        try:
            if socks[i] is None: socks[i] = connect()
            socks[i].sendall(b"a")
        except OSError:
            try: socks[i].close()
            except Exception: pass
            socks[i] = None
    time.sleep(5)
PY
pids+=($!)

sleep "$warmup"
rss_warm=$(rss_kb "$server")
echo "soak: ${seconds}s, 256 keep-alive clients + 100 SSE readers + 50 slowloris sockets (RSS after ${warmup}s warm-up: ${rss_warm} KB)"
cat > "$work/report.lua" <<'EOF2'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SOAKSTAT requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_ms=%.2f p99_ms=%.2f rps=%.0f\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
EOF2
cat "$work/paths.lua" "$work/report.lua" > "$work/soak.lua"
ulimit -n 4096 2>/dev/null || true
wrk -t2 -c256 -d"$((seconds - warmup))s" --timeout 10s -s "$work/soak.lua" "$base" > "$work/wrk.txt" 2>&1 || true
rss_end=$(rss_kb "$server")
wait "$streams_pid" 2>/dev/null || true
stat=$(grep SOAKSTAT "$work/wrk.txt" || echo "SOAKSTAT wrk failed: $(tail -3 "$work/wrk.txt")")
echo "soak: ${stat#SOAKSTAT }"
read -r streams_ok stream_events stream_errors < "$work/streams.txt" || true
echo "soak: SSE readers with events: ${streams_ok:-0}/100 (${stream_events:-0} events, ${stream_errors:-?} errors)"
healthz=$(curl -s -o /dev/null -w '%{http_code} in %{time_total}s' "$base/healthz" || echo "no answer")
echo "soak: /healthz after the soak: $healthz"
growth=$(awk -v a="$rss_warm" -v b="$rss_end" 'BEGIN { printf "%.1f", (b - a) * 100.0 / a }')
echo "soak: RSS ${rss_warm} KB after warm-up -> ${rss_end} KB at the end (${growth} %)"
