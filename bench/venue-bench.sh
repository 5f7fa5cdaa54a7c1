#!/usr/bin/env bash
# Venue benchmark (`make bench`): import rate per source (papers/s, wall time, peak RSS) into a
# fresh store, then the same files again (the idempotent re-import path); then requests/s and
# latency of the largest venue edition page, of ACL 2024's page and of the largest edition's
# /api/list?venue=, served by coolpapers and by nginx serving the same bytes (static files),
# with wrk: keep-alive, 64 connections, 2 threads, WRK_SECONDS (5) a run, WRK_ROUNDS (2) times
# nginx, coolpapers, coolpapers, nginx per page, with the CPU time each server spent per request.
# Goal: coolpapers ≥ 0.7× nginx's requests/s.
#
# Data: acl = every ACL Anthology XML in the shared data folder (the repo's 2024.acl sample when
# it is absent). pmlr and openreview have only small real fixtures here (10 ICML 2024 BibTeX
# entries, 9 ICLR 2023 notes), so each is replicated into a larger file derived from it: every
# copy k gets distinct keys/forums ("<key>-r<k>", "<forum>-r<k>") and otherwise the same text,
# sized like the real proceedings (ICML 2024: 2,610 papers; ICLR 2023: 1,574 accepted). The
# output labels these rows as derived.
#
#   bench/venue-bench.sh BUILD_DIR
# Env: COOLPAPERS_BIN (default BUILD_DIR/coolpapers), COOLPAPERS_SHARED_DATA (default
#      ../shared/data next to the repo), WRK_SECONDS (default 5), WRK_ROUNDS (default 2).
set -euo pipefail
build="${1:-build}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
bin="${COOLPAPERS_BIN:-$build/coolpapers}"
shared="${COOLPAPERS_SHARED_DATA:-$repo/../shared/data}"
secs="${WRK_SECONDS:-5}"
rounds="${WRK_ROUNDS:-2}"
if [ ! -x "$bin" ]; then
  echo "venue-bench: $bin is missing; build first (make build)"
  exit 1
fi
for tool in wrk nginx sqlite3 /usr/bin/time; do
  if ! command -v "$tool" >/dev/null; then
    echo "venue-bench: skipped: $tool is not installed"
    exit 0
  fi
done
work="$(mktemp -d /tmp/coolpapers-venue-bench.XXXXXX)"
chmod 755 "$work"  # nginx workers run as www-data
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# --- input files --------------------------------------------------------------------------------
acl_files=()
acl_note="real: ACL Anthology XML"
for f in "$shared"/acl_anthology/*.xml.gz; do [ -f "$f" ] && acl_files+=("$f"); done
if [ ${#acl_files[@]} -eq 0 ]; then
  acl_files=("$repo/data/sample/venues/2024.acl.xml.gz")
  acl_note="real: repo sample only ($shared/acl_anthology not found)"
fi

pmlr_copies=261  # 10 entries × 261 = 2,610, the size of ICML 2024
or_copies=262    # 6 accepted of 9 notes × 262 = 1,572 accepted (ICLR 2023: 1,574)
pmlr_file="$work/icml24.derived.bib"
or_file="$work/iclr2023.derived.notes.json"
python3 - "$repo" "$pmlr_file" "$pmlr_copies" "$or_file" "$or_copies" <<'PY'
import gzip, json, re, sys
repo, pmlr_out, pmlr_n, or_out, or_n = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
bib = gzip.open(repo + "/data/sample/venues/icml24.excerpt.bib.gz", "rt", encoding="utf-8").read()
at = bib.index("@InProceedings")
header, entries = bib[:at], bib[at:]
with open(pmlr_out, "w", encoding="utf-8") as out:
    out.write(header)
    for k in range(pmlr_n):
        e = re.sub(r"@InProceedings\{([^,]+),", lambda m: "@InProceedings{%s-r%d," % (m.group(1), k), entries)
        e = re.sub(r"openreview = \{([^}]+)\}", lambda m: "openreview = {%s-r%d}" % (m.group(1), k), e)
        out.write(e)
notes = json.load(open(repo + "/tests/fixtures/venues/openreview/iclr2023.notes.json", encoding="utf-8"))["notes"]
copies = []
for k in range(or_n):
    for n in notes:
        c = json.loads(json.dumps(n))
        c["id"] = "%s-r%d" % (n["id"], k)
        c["forum"] = "%s-r%d" % (n["forum"], k)
        copies.append(c)
json.dump({"notes": copies, "count": len(copies)}, open(or_out, "w", encoding="utf-8"))
PY

# --- imports ------------------------------------------------------------------------------------
# import_run SOURCE DB LOG FILE...: runs one `import venue` under /usr/bin/time -v and prints
# "papers new unchanged wall_s rss_kb".
import_run() {
  local source="$1" db="$2" log="$3"; shift 3
  local extra=()
  [ "$source" = openreview ] && extra=(--venue ICLR.cc/2023/Conference)
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$log.time" "$bin" import venue --source "$source" "${extra[@]}" \
    --db "sqlite:$db" "$@" >"$log" 2>&1 || { echo "venue-bench: import $source failed:" >&2; tail -5 "$log" >&2; }
  t1=$(date +%s.%N)
  local papers new unchanged rss
  papers=$(grep -oE ', [0-9]+ papers \(' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  new=$(grep -oE '\(([0-9]+) new' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  unchanged=$(grep -oE '([0-9]+) unchanged' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log.time")
  echo "$papers $new $unchanged $(echo "$t1 - $t0" | bc) $rss"
}

declare -A row
echo "--- import venue into a fresh store, then the same files again (idempotent re-import)"
for source in acl pmlr openreview; do
  case "$source" in
    acl) files=("${acl_files[@]}"); note="$acl_note" ;;
    pmlr) files=("$pmlr_file"); note="derived: 10 real ICML 2024 entries ×$pmlr_copies, distinct keys" ;;
    openreview) files=("$or_file"); note="derived: 9 real ICLR 2023 notes ×$or_copies, distinct forums" ;;
  esac
  db="$work/$source.db"
  read -r p1 n1 u1 w1 r1 < <(import_run "$source" "$db" "$work/import-$source.log" "${files[@]}")
  read -r p2 n2 u2 w2 r2 < <(import_run "$source" "$db" "$work/reimport-$source.log" "${files[@]}")
  rate1=$(echo "scale=0; $p1 / $w1" | bc)
  rate2=$(echo "scale=0; $p2 / $w2" | bc)
  printf '%-11s %d file(s), %s\n' "$source" "${#files[@]}" "$note"
  printf '  first import: %6d papers (%d new) in %6.2f s = %7d papers/s, peak RSS %6d KB\n' \
    "$p1" "$n1" "$w1" "$rate1" "$r1"
  printf '  re-import:    %6d papers (%d unchanged) in %6.2f s = %7d papers/s, peak RSS %6d KB\n' \
    "$p2" "$u2" "$w2" "$rate2" "$r2"
  idem=$([ "$u2" = "$p2" ] && [ "$n2" = 0 ] && echo yes || echo NO)
  row[$source]=$(printf '%-11s %7d %8.2f %9d %8d %8.2f %9d %6s  %s' "$source" "$p1" "$w1" "$rate1" \
    "$((r1 / 1024))" "$w2" "$rate2" "$idem" "$note")
done

# --- pages --------------------------------------------------------------------------------------
db="$work/acl.db"  # real data only: the ACL Anthology editions
port=$(free_port)
"$bin" serve --db "sqlite:$db" --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
# serve fills its new search index from the store in the background: measure once it is done.
t0=$(date +%s)
for _ in $(seq 1 600); do grep -q "search: indexed" "$work/serve.log" && break; sleep 0.5; done
echo "serve: $(grep -o 'search: indexed.*' "$work/serve.log" || echo 'search index not filled after 300 s') ($(($(date +%s) - t0)) s)"

read -r largest largest_n < <(sqlite3 "$db" \
  "SELECT edition, COUNT(*) c FROM venue_papers GROUP BY edition ORDER BY c DESC LIMIT 1;" | tr '|' ' ')
acl24_n=$(sqlite3 "$db" "SELECT COUNT(*) FROM venue_papers WHERE edition='ACL.2024';")
echo "largest edition: $largest ($largest_n papers); ACL.2024: $acl24_n papers"

# name path: saved under www/<name>/index.html; prints the first (cache-miss) response time.
mkdir -p "$work/www"
pages=()
save_page() {
  mkdir -p "$work/www/$1"
  local t
  t=$(curl -fs -o "$work/www/$1/index.html" -w '%{time_total}' "http://127.0.0.1:$port$2")
  echo "$1: $2 $(stat -c %s "$work/www/$1/index.html") bytes; first request (cache miss) ${t} s"
  pages+=("$1|$2")
}
save_page largest "/venue/$largest"
[ "$largest" != ACL.2024 ] && [ "$acl24_n" -gt 0 ] && save_page acl2024 "/venue/ACL.2024"
save_page api "/api/list?venue=$largest"
chmod -R a+rX "$work/www"

source "$(dirname "$0")/static-nginx.sh"
source "$(dirname "$0")/figures.sh"
start_static_nginx "$work" "$work/www"
nport=$NGINX_PORT

# cpu_ticks PID...: user + system CPU time of the processes, in clock ticks.
cpu_ticks() { for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat"; done | awk '{s+=$1} END {print s+0}'; }
hz=$(getconf CLK_TCK)
# run_wrk URL PID...: prints "rps p50_ms p99_ms requests cpu_ms_per_request errors" for one wrk run;
# the CPU time is that of the serving processes PID... during the run.
run_wrk() {
  local url="$1"; shift
  local c0 c1 res
  c0=$(cpu_ticks "$@")
  res=$(wrk -t2 -c64 -d"${secs}s" --timeout 10s --latency "$url" 2>&1)
  c1=$(cpu_ticks "$@")
  echo "$res" | awk -v cpu=$((c1 - c0)) -v hz="$hz" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
                     if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ {rps = $2} $1 == "50%" {p50 = ms($2)} $1 == "99%" {p99 = ms($2)}
    / requests in / {n = $1} /Non-2xx|Socket errors/ {gsub(/ /, "_"); err = err $0}
    END {printf "%s %.1f %.1f %d %.2f %s\n", rps, p50, p99, n, n ? cpu * 1000 / hz / n : 0, err}'
}
# Each page: WRK_ROUNDS times nginx, coolpapers, coolpapers, nginx (so that a change of the
# machine's load during the runs weighs on both alike); the means of each server's runs are
# reported. CPU ms/request does not depend on how busy the machine is; requests/s does.
nginx_pids=("${pids[1]}" $(pgrep -P "${pids[1]}" | tr '\n' ' '))
echo "--- wrk -t2 -c64 -d${secs}s (keep-alive), same bytes; ${rounds}× nginx, coolpapers, coolpapers, nginx"
echo "machine load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
printf '%-34s %10s %10s %10s %10s  %s\n' "" "req/s" "p50 ms" "p99 ms" "CPU ms/req" "errors"
summary_pages=()
for entry in "${pages[@]}"; do
  name="${entry%%|*}" path="${entry#*|}"
  n_url="http://127.0.0.1:$nport/$name/" c_url="http://127.0.0.1:$port$path"
  runs=()
  for _ in $(seq 1 "$rounds"); do
    runs+=("nginx $(run_wrk "$n_url" "${nginx_pids[@]}")")
    runs+=("coolpapers $(run_wrk "$c_url" "${pids[0]}")")
    runs+=("coolpapers $(run_wrk "$c_url" "${pids[0]}")")
    runs+=("nginx $(run_wrk "$n_url" "${nginx_pids[@]}")")
  done
  for r in "${runs[@]}"; do
    read -r who rps p50 p99 n cpu err <<<"$r"
    label=$([ "$who" = nginx ] && echo "nginx $name (static)" || echo "coolpapers $path")
    printf '%-34s %10s %10s %10s %10s  %s\n' "$label" "$rps" "$p50" "$p99" "$cpu" "${err:-}"
  done
  mean() {  # WHO FIELD: mean of that field over WHO's runs
    printf '%s\n' "${runs[@]}" | awk -v who="$1" -v f="$2" '$1 == who {s += $f; k++} END {printf "%.1f", s / k}'
  }
  crps=$(mean coolpapers 2) nrps=$(mean nginx 2)
  ratio=$(echo "scale=2; $crps / $nrps" | bc)
  record_figure "venue page $path req/s" "$crps" "nginx, same bytes" "$nrps" req/s higher "ratio >= 0.7"
  goal=$([ "$(echo "$ratio >= 0.7" | bc)" = 1 ] && echo "yes" || echo "NO")
  summary_pages+=("$(printf '%-34s %9s %9s %6s  %-4s %8s %8s %9s %9s' "$path" "$crps" "$nrps" \
    "$ratio" "$goal" "$(mean coolpapers 3)" "$(mean coolpapers 4)" "$(mean coolpapers 6)" "$(mean nginx 6)")")
done
echo "coolpapers RSS after load: $(ps -o rss= -p "${pids[0]}") KB"

echo "--- venue-bench summary"
printf '%-11s %7s %8s %9s %8s %8s %9s %6s  %s\n' source papers "wall s" papers/s "RSS MB" \
  "re-imp s" "re-imp/s" idem data
for source in acl pmlr openreview; do echo "${row[$source]}"; done
printf '%-34s %9s %9s %6s  %-4s %8s %8s %9s %9s\n' page "req/s" "nginx" ratio ≥0.7 "p50 ms" "p99 ms" \
  "CPU ms/r" "nginx CPU"
for line in "${summary_pages[@]}"; do echo "$line"; done
