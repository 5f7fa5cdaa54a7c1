#!/usr/bin/env bash
# FAQ benchmark: latency of a cached FAQ (wrk on the JSON API, the POST fragment and the progress
# poll), and time to first answer byte through coolpapers versus the upstream's own, against
# tests/fakes/fake_llm.py (20 ms between deltas) and a local PDF server, all on 127.0.0.1.
# Also reports how many upstream conversations 100 concurrent readers of one new paper cause.
set -euo pipefail
bin="${COOLPAPERS_BIN:?}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/coolpapers-faq-bench.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

db="sqlite:$work/faq.db"
"$bin" import arxiv-jsonl --db "$db" "$root/tests/fixtures/llm/papers.jsonl" >/dev/null 2>&1

# arXiv stand-in: /pdf/2304.02623v1 and /pdf/1903.10676v1; every other PDF is a 404.
mkdir -p "$work/www/pdf"
cp "$root/tests/fixtures/pdfs/2304.02623v1.pdf" "$work/www/pdf/2304.02623v1"
cp "$root/tests/fixtures/pdfs/1903.10676.pdf" "$work/www/pdf/1903.10676v1"
pport=$(freeport)
python3 -m http.server "$pport" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
pids+=($!)

python3 "$root/tests/fakes/fake_llm.py" --key bench-key --delay-ms 20 --chunks 8 \
  --port-file "$work/llm.port" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/llm.port" ] && break; sleep 0.1; done
lport=$(cat "$work/llm.port")

port=$(freeport)
COOLPAPERS_LLM_BASE_URL="http://127.0.0.1:$lport/v1" COOLPAPERS_LLM_API_KEY=bench-key \
COOLPAPERS_LLM_MODEL=fake-model COOLPAPERS_ARXIV_BASE_URL="http://127.0.0.1:$pport" \
COOLPAPERS_FAQ_RATE_PER_HOUR=100000 \
  "$bin" serve --offline --db "$db" --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

python3 - "$port" "$lport" <<'PY'
import json, statistics, sys, threading, time, urllib.request
port, lport = sys.argv[1], sys.argv[2]
srv, llm = "http://127.0.0.1:%s" % port, "http://127.0.0.1:%s" % lport

def upstream_answer():
    """(first delta, whole answer) seconds for one answer asked directly."""
    body = json.dumps({"model": "fake-model", "stream": True, "messages": [
        {"role": "system", "content": "x"}, {"role": "user", "content": "q"}]}).encode()
    req = urllib.request.Request(llm + "/v1/chat/completions", data=body, method="POST",
                                 headers={"Authorization": "Bearer bench-key",
                                          "Content-Type": "application/json"})
    t0 = time.perf_counter()
    first = None
    with urllib.request.urlopen(req) as r:
        for line in r:
            if first is None and line.startswith(b"data:") and b'"content"' in line:
                first = time.perf_counter() - t0
            if line.startswith(b"data: [DONE]"):
                return first, time.perf_counter() - t0

def stream(paper, lang):
    t0 = time.perf_counter()
    first = None
    # Only a POST starts a FAQ; the stream joins it.
    urllib.request.urlopen(urllib.request.Request(
        "%s/arxiv/kimi?paper=%s&lang=%s" % (srv, paper, lang), data=b"", method="POST")).read()
    with urllib.request.urlopen("%s/api/faq/%s/stream?lang=%s" % (srv, paper, lang)) as r:
        for line in r:
            if line.startswith(b"event: delta") and first is None:
                first = time.perf_counter() - t0
            if line.startswith(b"event: done") or line.startswith(b"event: error"):
                return first, time.perf_counter() - t0, line.strip().decode()

def ms(x): return "%.1f ms" % (x * 1000)

up = [upstream_answer() for _ in range(7)]
up_first = statistics.median(u[0] for u in up)
up_whole = statistics.median(u[1] for u in up)
print("upstream alone (fake_llm, 8 deltas 20 ms apart): first delta p50 %s, whole answer p50 %s"
      % (ms(up_first), ms(up_whole)))
# New FAQs from the abstract (the fake arXiv has no PDF for these: one 404 through the polite
# fetcher). Spaced 3.2 s apart so no request waits for the fetcher's 3 s slot.
firsts, wholes = [], []
for i, paper in enumerate(("2606.28354", "2606.28457", "2606.28524", "2606.29734")):
    if i:
        time.sleep(3.2)
    first, total, end = stream(paper, "en")
    firsts.append(first)
    wholes.append(total)
print("coolpapers, new FAQ (abstract): first delta p50 %s -> TTFB overhead over the upstream's "
      "own %s; six answers p50 %s vs 6 x %s upstream (relay overhead %s per answer)"
      % (ms(statistics.median(firsts)), ms(statistics.median(firsts) - up_first),
         ms(statistics.median(wholes)), ms(up_whole),
         ms((statistics.median(wholes) - 6 * up_whole) / 6)))
time.sleep(3.2)
first, total, end = stream("1903.10676", "en")
print("coolpapers, new FAQ with PDF download + pdftotext (1903.10676): first delta %s, "
      "all six answers %s (%s)" % (ms(first), ms(total), end))
time.sleep(3.2)

# 100 concurrent readers of one new paper.
urllib.request.urlopen(urllib.request.Request(llm + "/admin/reset", data=b"", method="POST"))
results = []
def reader():
    urllib.request.urlopen(urllib.request.Request(
        srv + "/arxiv/kimi?paper=2304.02623&lang=en", data=b"", method="POST")).read()
    results.append(stream("2304.02623", "en"))
t0 = time.perf_counter()
ts = [threading.Thread(target=reader) for _ in range(100)]
for t in ts: t.start()
for t in ts: t.join()
stats = json.load(urllib.request.urlopen(llm + "/stats"))
done = sum(1 for r in results if r[2] == "event: done")
print("100 concurrent readers of one new paper: %d upstream conversation(s), %d requests, "
      "%d/100 got the complete FAQ, in %s" % (stats["conversations"], stats["requests"], done,
                                              ms(time.perf_counter() - t0)))
PY

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = ""
LUA
run_wrk() {  # name url [script]
  local res
  res=$(wrk -t2 -c32 -d5s --latency ${3:+-s "$3"} "$2" 2>&1)
  printf '%-40s %10s req/s  p50 %8s  p99 %8s  %s\n' "$1" \
    "$(echo "$res" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$res" | awk '$1=="50%" {print $2}')" "$(echo "$res" | awk '$1=="99%" {print $2}')" \
    "$(echo "$res" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')"
}
echo "--- cached FAQ (wrk -t2 -c32 -d5s, keep-alive)"
run_wrk "GET /api/faq/<id> (JSON)" "http://127.0.0.1:$port/api/faq/2304.02623?lang=en"
run_wrk "POST /arxiv/kimi (HTML fragment)" "http://127.0.0.1:$port/arxiv/kimi?paper=2304.02623&lang=en" "$work/post.lua"
run_wrk "GET /arxiv/progress" "http://127.0.0.1:$port/arxiv/progress?paper=2304.02623&lang=en"
for p in 1 2 3; do
  curl -s -o /dev/null -w "single cached GET /api/faq: total %{time_total}s (ttfb %{time_starttransfer}s)\n" \
    "http://127.0.0.1:$port/api/faq/2304.02623?lang=en"
done
