# Sourced by the page benchmarks: nginx serving the files under a folder on 127.0.0.1, the peer
# coolpapers is measured against (the same bytes as static files).
#
#   start_static_nginx WORK_DIR ROOT_DIR
# writes WORK_DIR/nginx.conf, starts nginx in the foreground as a child (its pid is appended to
# the caller's `pids` array, so the caller's cleanup stops it), sets NGINX_PORT, and waits (up to
# 5 s) until it answers.
start_static_nginx() {
  local work="$1" root="$2"
  NGINX_PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  cat >"$work/nginx.conf" <<NGX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  keepalive_requests 1000000;
  types { text/html html; }
  server { listen 127.0.0.1:$NGINX_PORT; root $root; index index.html; }
}
NGX
  nginx -c "$work/nginx.conf" -p "$work" -g 'daemon off;' &
  pids+=($!)
  for _ in $(seq 1 50); do
    curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && return 0
    sleep 0.1
  done
  echo "static-nginx: nginx did not answer on 127.0.0.1:$NGINX_PORT (see $work/nginx-error.log)" >&2
}
