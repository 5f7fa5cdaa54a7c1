#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for tests and benchmarks.
#
#   scripts/pg-cluster.sh start STATE_DIR   initdb into a fresh temporary directory, start the
#                                           server on a free loopback port, write its URL to
#                                           STATE_DIR/url (and print it)
#   scripts/pg-cluster.sh stop STATE_DIR    stop the server and remove its data directory
#
# The server runs as an unprivileged user (PostgreSQL refuses root): the caller when not root,
# else the `postgres` user of Debian's package. Authentication is `trust` on loopback only; the
# superuser is `coolpapers`. Nothing outside STATE_DIR and the temporary data directory changes.
set -euo pipefail

cmd="${1:-}"
state="${2:-}"
if [ -z "$cmd" ] || [ -z "$state" ]; then
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
fi

pgbin=""
for d in /usr/lib/postgresql/*/bin; do
  if [ -x "$d/initdb" ]; then pgbin="$d"; fi
done
if [ -z "$pgbin" ]; then
  echo "pg-cluster: initdb not found under /usr/lib/postgresql/*/bin; run scripts/install-deps.sh (Debian package postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  if [ -f "$state/datadir" ]; then
    data="$(cat "$state/datadir")"
    if [ -d "$data" ]; then
      as_owner "$pgbin/pg_ctl" -D "$data/db" -m immediate -w stop >/dev/null 2>&1 || true
      rm -rf "$data"
    fi
  fi
  rm -f "$state/url" "$state/datadir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
  stop)
    stop
    ;;
  start)
    mkdir -p "$state"
    stop
    data="$(mktemp -d /tmp/coolpapers-pg.XXXXXX)"
    echo "$data" > "$state/datadir"
    chmod 755 "$data"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$data"; fi
    if ! as_owner "$pgbin/initdb" -D "$data/db" -U coolpapers --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$data/initdb.log" 2>&1; then
      cat "$data/initdb.log" >&2
      echo "pg-cluster: initdb failed (log above)" >&2
      exit 1
    fi
    for attempt in 1 2 3 4 5; do
      port="$(free_port)"
      # Small and fast: no fsync (test data), loopback only, the socket inside the data dir.
      if as_owner "$pgbin/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 \
          -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB" \
          start >/dev/null 2>&1; then
        url="postgresql://coolpapers@127.0.0.1:$port/postgres"
        echo "$url" > "$state/url"
        echo "$url"
        exit 0
      fi
      sleep 0.2
    done
    cat "$data/server.log" >&2 || true
    echo "pg-cluster: the server did not start (log above)" >&2
    exit 1
    ;;
  *)
    echo "usage: $0 start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
