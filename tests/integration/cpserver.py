"""Shared helpers for coolpapers integration tests (stdlib only).

- find_binary() / source_dir(): the binary under test ($COOLPAPERS_BIN) and the repo root.
- free_port(): an unused TCP port on 127.0.0.1.
- import_jsonl(db_url, *files): runs `coolpapers import arxiv-jsonl` and fails loudly.
- CoolpapersServer: starts `coolpapers serve` on a free loopback port against a database, waits
  for /healthz, and always stops the process (use it as a context manager or call stop()).
- fetch(url, ...): one HTTP request; never follows redirects and never raises on 4xx/5xx;
  returns Resp(status, headers, body).
- raw_http(port, data): sends raw bytes, returns (status, headers, body) for oversize tests.
- parse_html(text) -> Node tree; Node.find_all(tag, cls=..., id=...), Node.text(), Node.attr().

Other test files may add helpers here (additively).
"""

import gzip
import html.parser
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def source_dir():
    return os.environ.get("COOLPAPERS_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))


def find_binary():
    """The coolpapers binary: $COOLPAPERS_BIN, else build/coolpapers in the source tree."""
    path = os.environ.get("COOLPAPERS_BIN") or os.path.join(source_dir(), "build", "coolpapers")
    if not os.path.exists(path):
        sys.stderr.write(
            "coolpapers binary not found at %s: build it (make build) or set COOLPAPERS_BIN\n"
            % path)
        sys.exit(1)
    return path


def fixture_path(*parts):
    return os.path.join(source_dir(), "tests", "fixtures", *parts)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args, timeout=120, check=True, env=None):
    """Runs the binary with `args`; returns CompletedProcess (text). Raises on failure if check."""
    proc = subprocess.run([find_binary(), *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env=env)
    if check and proc.returncode != 0:
        raise AssertionError("coolpapers %s exited %d\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(args), proc.returncode, proc.stdout[-4000:], proc.stderr[-4000:]))
    return proc


def import_jsonl(db_url, *files):
    return run_cli("import", "arxiv-jsonl", "--db", db_url, *files)


class CoolpapersServer:
    """`coolpapers serve` on a free loopback port. Use `with CoolpapersServer(db) as srv:`."""

    def __init__(self, db_url, extra_args=(), env=None, startup_timeout=60):
        self.db_url = db_url
        self.extra_args = list(extra_args)
        self.env = dict(os.environ)
        # Never reach arXiv from a test: serve fetches a reader's missing paper from arXiv by
        # default, so a test that wants it (against a fake) passes COOLPAPERS_OFFLINE="0".
        self.env["COOLPAPERS_OFFLINE"] = "1"
        if env:
            self.env.update(env)
        self.startup_timeout = startup_timeout
        self.port = None
        self.proc = None
        self._logdir = tempfile.mkdtemp(prefix="cp_server_log_")
        # A server database's index would default to var/ of the source tree: each test server
        # gets its own (two nodes of one test never share one, as on two machines).
        if not db_url.startswith("sqlite:") and not self.env.get("COOLPAPERS_INDEX_DIR"):
            self.env["COOLPAPERS_INDEX_DIR"] = os.path.join(self._logdir, "index")
        self.stdout_path = os.path.join(self._logdir, "stdout.txt")
        self.stderr_path = os.path.join(self._logdir, "stderr.txt")

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.port

    def url(self, path):
        return self.base + path

    def start(self):
        last_error = None
        for _ in range(3):  # a port taken between free_port() and bind: try another
            self.port = free_port()
            with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
                self.proc = subprocess.Popen(
                    [find_binary(), "serve", "--db", self.db_url, "--listen",
                     "127.0.0.1:%d" % self.port, *self.extra_args],
                    stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=self.env,
                    cwd=source_dir())
            try:
                self._wait_healthy()
                return self
            except AssertionError as e:
                last_error = e
                self.stop()
        raise last_error

    def _wait_healthy(self):
        deadline = time.time() + self.startup_timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("coolpapers serve exited with %s\n%s" % (
                    self.proc.returncode, self.logs()))
            try:
                r = fetch(self.url("/healthz"), timeout=2)
                if r.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("coolpapers serve did not answer /healthz within %ss\n%s" % (
            self.startup_timeout, self.logs()))

    def logs(self):
        out = []
        for p in (self.stdout_path, self.stderr_path):
            try:
                with open(p, "rb") as f:
                    out.append(f.read()[-6000:].decode("utf-8", "replace"))
            except OSError:
                pass
        return "\n".join(out)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self._logdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()
        return False


def start_server_in_tmp(prefix, fixtures=()):
    """A fresh temp dir holding a SQLite store (with `fixtures` imported) and a started server.
    Returns (tmp, db_url, server); on failure cleans everything up and re-raises."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    db = "sqlite:" + os.path.join(tmp, "store.db")
    server = None
    try:
        if fixtures:
            import_jsonl(db, *fixtures)
        server = CoolpapersServer(db)
        server.start()
    except BaseException:
        if server is not None:
            server.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp, db, server


def stop_server_in_tmp(tmp, server):
    """Stops a server from start_server_in_tmp and removes its temp dir."""
    server.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> value (last one wins)
        self.body = body        # bytes, as sent (compressed if the server compressed it)

    @property
    def text(self):
        return self.body.decode("utf-8")

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def __repr__(self):
        return "Resp(%d, %r, %r...)" % (self.status, self.headers, self.body[:200])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url, method="GET", headers=None, data=None, timeout=15):
    """One request; returns Resp for every status (3xx not followed, 4xx/5xx not raised)."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if "Accept-Encoding" not in (headers or {}):
        req.add_header("Accept-Encoding", "identity")
    try:
        with _OPENER.open(req, timeout=timeout) as r:
            return Resp(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        body = e.read() if e.fp is not None else b""
        return Resp(e.code, {k.lower(): v for k, v in e.headers.items()}, body)


def gunzip(data):
    return gzip.decompress(data)


def raw_http(port, data, timeout=15):
    """Sends raw request bytes; returns (status, headers, body) of the first response.

    Reads until the server closes or the Content-Length body has arrived. A server that closes
    the connection without answering gives status 0.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except OSError:
            pass  # the server may answer and close before reading everything
        buf = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
                head_end = buf.find(b"\r\n\r\n")
                if head_end >= 0:
                    head = buf[:head_end].decode("latin-1")
                    length = None
                    for line in head.split("\r\n")[1:]:
                        name, _, value = line.partition(":")
                        if name.strip().lower() == "content-length":
                            length = int(value.strip())
                    if length is not None and len(buf) - head_end - 4 >= length:
                        break
        except (ConnectionResetError, socket.timeout):
            pass
    head_end = buf.find(b"\r\n\r\n")
    if not buf.startswith(b"HTTP/") or head_end < 0:
        return 0, {}, buf
    lines = buf[:head_end].decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, buf[head_end + 4:]


# ---- HTML parsing ------------------------------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = attrs      # name -> value ("" for valueless attributes)
        self.parent = parent
        self.children = []      # Node or str

    def attr(self, name, default=None):
        return self.attrs.get(name, default)

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def text(self):
        """All text below this node, concatenated."""
        out = []
        for c in self.children:
            out.append(c if isinstance(c, str) else c.text())
        return "".join(out)

    def elements(self):
        return [c for c in self.children if isinstance(c, Node)]

    def iter(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def find_all(self, tag=None, cls=None, id=None, **attrs):
        """Descendants matching tag, class (one of the element's classes), id and attributes."""
        out = []
        for n in self.iter():
            if tag is not None and n.tag != tag:
                continue
            if cls is not None and cls not in n.classes():
                continue
            if id is not None and n.attrs.get("id") != id:
                continue
            if any(n.attrs.get(k) != v for k, v in attrs.items()):
                continue
            out.append(n)
        return out

    def find(self, tag=None, cls=None, id=None, **attrs):
        found = self.find_all(tag, cls, id, **attrs)
        return found[0] if found else None

    def next_element_sibling(self):
        if self.parent is None:
            return None
        sibs = self.parent.children
        i = next(k for k, c in enumerate(sibs) if c is self)
        for c in sibs[i + 1:]:
            if isinstance(c, Node):
                return c
        return None

    def __repr__(self):
        return "<%s %r>" % (self.tag, self.attrs)


class _TreeBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.cur = self.root
        self.doctype = None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.cur)
        self.cur.children.append(node)
        if tag not in _VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.cur)
        self.cur.children.append(node)

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse_html(text):
    """Parses an HTML document into a Node tree; returns the #document node (with .doctype)."""
    b = _TreeBuilder()
    b.feed(text)
    b.close()
    b.root.doctype = b.doctype
    return b.root


class FakeUpstream:
    """A fake upstream of tests/fakes (fake_arxiv.py, fake_openreview.py) as a child process on a
    free loopback port, logging each request it gets as a JSON line to `log`; always stopped by
    stop(). `args` are the fake's own arguments besides --port and --log."""

    def __init__(self, script, args, log, name):
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(source_dir(), "tests", "fakes", script), *args,
             "--port", "0", "--log", self.log],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise AssertionError("%s did not start: %r" % (name, line))
        self.base = "http://127.0.0.1:%d" % int(line.split()[1])

    def scenario(self, **s):
        req = urllib.request.Request(self.base + "/_admin/scenario", data=json.dumps(s).encode(),
                                     method="POST")
        urllib.request.urlopen(req, timeout=10).read()

    def requests(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


class PdfServer:
    """A fake PDF host on a free loopback port. `route(path)` gives (key, file): the request is
    counted under `key` (requests()) and answered with `file` as application/pdf, or 404 when
    `file` is None."""

    def __init__(self, route):
        self.hits = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                key, name = route(self.path)
                with outer.lock:
                    outer.hits[key] = outer.hits.get(key, 0) + 1
                if name is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with open(name, "rb") as f:
                    body = f.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def requests(self):
        with self.lock:
            return dict(self.hits)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# --- the throwaway PostgreSQL cluster ctest starts (fixture pg, scripts/pg-cluster.sh) ---------

def pg_cluster_url():
    """The test cluster's URL, read from the file COOLPAPERS_TEST_PG_URL_FILE names (default
    <build>/pg/url); fails, never skips, without one."""
    path = os.environ.get("COOLPAPERS_TEST_PG_URL_FILE", "")
    if not path:
        build = os.environ.get("COOLPAPERS_BUILD_DIR") or os.path.join(source_dir(), "build")
        path = os.path.join(build, "pg", "url")
    url = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            url = f.readline().strip()
    if not url:
        raise AssertionError(
            "no PostgreSQL test cluster (%s missing or empty): run through ctest (fixture pg) or "
            "`scripts/pg-cluster.sh start DIR` and set COOLPAPERS_TEST_PG_URL_FILE=DIR/url" % path)
    return url


def psql(url, sql):
    """Runs `sql` on the database `url`; raises on any error."""
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, timeout=60, env=env)


def with_database(url, db):
    """`url` with its database name replaced by `db`."""
    head, _, _ = url.rpartition("/")
    return head + "/" + db
