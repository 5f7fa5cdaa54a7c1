"""The HTTP server of the real binary: limits, security headers, compression, static files,
metrics, config handling and graceful shutdown. Runnable as `python3 tests/integration/test_server.py`."""

import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cpserver import CoolpapersServer, fetch, raw_http, find_binary, free_port, source_dir  # noqa: E402


ADMIN_TOKEN = "server-test-admin-token"


class ServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cp_server_test_")
        cls.db = "sqlite:" + os.path.join(cls.tmp, "t.db")
        cls.srv = CoolpapersServer(cls.db, env={
            "COOLPAPERS_ADMIN_TOKEN": ADMIN_TOKEN,
            "COOLPAPERS_LLM_BASE_URL": "http://llm-secret.invalid:9/v1"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assert_security_headers(self, headers):
        csp = headers.get("content-security-policy", "")
        self.assertIn("default-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertIn("object-src 'none'", csp)
        self.assertEqual(headers.get("x-content-type-options"), "nosniff")
        self.assertEqual(headers.get("x-frame-options"), "DENY")
        self.assertEqual(headers.get("referrer-policy"), "strict-origin-when-cross-origin")

    def test_healthz_and_security_headers(self):
        r = fetch(self.srv.url("/healthz"))
        self.assertEqual(r.status, 200)
        self.assertIn(b'"status":"ok"', r.body)
        self.assert_security_headers(r.headers)
        self.assertEqual(r.header("server"), "coolpapers")

    def test_unknown_path_is_404_with_security_headers(self):
        r = fetch(self.srv.url("/no/such/page"))
        self.assertEqual(r.status, 404)
        self.assert_security_headers(r.headers)

    def test_traversal_and_bad_escapes_are_400(self):
        for path in ("/static/../CMakeLists.txt", "/static/%2e%2e/CMakeLists.txt",
                     "/static/%zz", "/../etc/passwd"):
            status, headers, _ = raw_http(self.srv.port,
                                          b"GET " + path.encode() + b" HTTP/1.1\r\nHost: t\r\n\r\n")
            self.assertEqual(status, 400, path)
            self.assert_security_headers(headers)

    def test_oversized_requests(self):
        status, _, _ = raw_http(self.srv.port, b"GET /" + b"a" * 100_000 +
                                b" HTTP/1.1\r\nHost: t\r\n\r\n")
        self.assertEqual(status, 414)
        status, _, _ = raw_http(self.srv.port, b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " +
                                b"h" * 40_000 + b"\r\n\r\n")
        self.assertEqual(status, 431)
        status, _, _ = raw_http(self.srv.port, b"POST /api/click/2401.00001?kind=pdf HTTP/1.1\r\n"
                                b"Host: t\r\nContent-Length: 5000000\r\n\r\n" + b"x" * 10_000)
        self.assertEqual(status, 413)
        status, _, _ = raw_http(self.srv.port, b"NOT AN HTTP REQUEST\r\n\r\n")
        self.assertEqual(status, 400)

    def test_static_file_caching_and_compression(self):
        name = sorted(f for f in os.listdir(os.path.join(source_dir(), "static"))
                      if f.endswith(".css") or f.endswith(".js"))[0]
        with open(os.path.join(source_dir(), "static", name), "rb") as f:
            expected = f.read()
        r = fetch(self.srv.url("/static/" + name))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, expected)
        self.assertEqual(r.header("cache-control"), "public, max-age=3600")
        etag = r.header("etag")
        self.assertTrue(etag)
        r304 = fetch(self.srv.url("/static/" + name), headers={"If-None-Match": etag})
        self.assertEqual(r304.status, 304)
        self.assertEqual(r304.body, b"")
        versioned = fetch(self.srv.url("/static/" + name + "?v=abc"))
        self.assertIn("immutable", versioned.header("cache-control"))
        if len(expected) >= 1024:
            gz = fetch(self.srv.url("/static/" + name), headers={"Accept-Encoding": "gzip"})
            self.assertEqual(gz.header("content-encoding"), "gzip")
            self.assertEqual(gzip.decompress(gz.body), expected)
        self.assertEqual(fetch(self.srv.url("/static/does-not-exist.js")).status, 404)

    def test_vendor_katex_is_served(self):
        katex = os.path.join(source_dir(), "node_modules", "katex", "dist", "katex.min.js")
        if not os.path.exists(katex):
            self.fail("node_modules/katex is missing: run `make vendor` (scripts/install-npm.sh)")
        r = fetch(self.srv.url("/vendor/katex/katex.min.js"))
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("content-type").startswith("text/javascript"))
        with open(katex, "rb") as f:
            self.assertEqual(r.body, f.read())

    def test_vendor_serves_what_pages_load_and_nothing_else(self):
        nm = os.path.join(source_dir(), "node_modules")
        katex_css = open(os.path.join(nm, "katex", "dist", "katex.min.css"), encoding="utf-8").read()
        fonts = sorted(set(re.findall(r"url\((fonts/[^)]+)\)", katex_css)))
        self.assertTrue(fonts)
        loaded = ["/vendor/katex/katex.min.css", "/vendor/katex/katex.min.js",
                  "/vendor/katex/contrib/auto-render.min.js",
                  "/vendor/pdfjs/build/pdf.min.mjs", "/vendor/pdfjs/build/pdf.worker.min.mjs"]
        loaded += ["/vendor/katex/" + f for f in fonts]
        cmaps = sorted(f for f in os.listdir(os.path.join(nm, "pdfjs-dist", "cmaps"))
                       if f.endswith(".bcmap"))
        fonts_std = sorted(os.listdir(os.path.join(nm, "pdfjs-dist", "standard_fonts")))
        loaded += ["/vendor/pdfjs/cmaps/" + cmaps[0]]
        loaded += ["/vendor/pdfjs/standard_fonts/" + f for f in fonts_std
                   if f.endswith((".pfb", ".ttf"))][:2]
        for path in loaded:
            self.assertEqual(fetch(self.srv.url(path)).status, 200, path)
        for path in ("/vendor/pdfjs/build/pdf.mjs.map", "/vendor/pdfjs/build/pdf.worker.mjs.map",
                     "/vendor/pdfjs/build/pdf.mjs", "/vendor/pdfjs/package.json",
                     "/vendor/pdfjs/web/pdf_viewer.mjs", "/vendor/katex/katex.js",
                     "/vendor/katex/README.md", "/vendor/katex/katex.mjs"):
            self.assertEqual(fetch(self.srv.url(path)).status, 404, path)

    def test_head_has_length_but_no_body(self):
        status, headers, body = raw_http(self.srv.port,
                                         b"HEAD /robots.txt HTTP/1.1\r\nHost: t\r\n"
                                         b"Connection: close\r\n\r\n")
        self.assertEqual(status, 200)
        self.assertGreater(int(headers["content-length"]), 0)
        self.assertEqual(body, b"")

    def test_metrics_count_requests_by_route(self):
        fetch(self.srv.url("/healthz"))
        fetch(self.srv.url("/healthz"))
        r = fetch(self.srv.url("/metrics"), headers={"X-Admin-Token": ADMIN_TOKEN})
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("content-type").startswith("text/plain"))
        text = r.text
        self.assertNotIn("llm-secret.invalid", text)  # never the LLM endpoint
        self.assertIn("# TYPE coolpapers_http_requests_total counter", text)
        self.assertIn('coolpapers_http_requests_total{route="/healthz",status="200"}', text)
        self.assertIn("coolpapers_http_request_duration_seconds_bucket", text)
        self.assertIn("coolpapers_http_open_connections", text)

    def test_metrics_need_the_admin_token(self):
        # Regression (issue 11 item 18): /metrics was public and exposed internals.
        r = fetch(self.srv.url("/metrics"))
        self.assertEqual(r.status, 401)
        self.assertIn("X-Admin-Token", r.text)
        self.assertTrue(r.header("www-authenticate", "").startswith("Bearer"))
        self.assertNotIn("coolpapers_http_requests_total", r.text)
        r = fetch(self.srv.url("/metrics"), headers={"X-Admin-Token": "wrong"})
        self.assertEqual(r.status, 403)
        r = fetch(self.srv.url("/metrics"), headers={"Authorization": "Bearer " + ADMIN_TOKEN})
        self.assertEqual(r.status, 200)
        self.assertIn("coolpapers_http_requests_total", r.text)

    def test_metrics_listen_serves_metrics_without_a_token(self):
        port = free_port()
        with tempfile.TemporaryDirectory(prefix="cp_metrics_listen_") as tmp:
            srv = CoolpapersServer("sqlite:" + os.path.join(tmp, "m.db"), env={
                "COOLPAPERS_METRICS_LISTEN": "127.0.0.1:%d" % port,
                "COOLPAPERS_ADMIN_TOKEN": ""}).start()
            try:
                self.assertEqual(fetch(srv.url("/metrics")).status, 403)  # public side: refused
                r = fetch("http://127.0.0.1:%d/metrics" % port)
                self.assertEqual(r.status, 200)
                self.assertIn("coolpapers_http_open_connections", r.text)
                self.assertEqual(fetch("http://127.0.0.1:%d/arxiv" % port).status, 404)
            finally:
                srv.cleanup()

    def test_per_ip_cap_setting_refuses_extra_busy_connections(self):
        # COOLPAPERS_MAX_CONNECTIONS_PER_IP: the third connection from one address gets a quick
        # 503 while two others are mid-request (none idle to make room). A connection counts as
        # idle until the server has read its first bytes, and the client cannot see when that
        # happened: on a loaded machine the server may not have read them yet and rightly
        # evicts the "idle" one. So each attempt runs on a fresh server and waits longer; the
        # refusal must be seen within three attempts.
        outcomes = []
        for settle in (0.3, 1.5, 4.0):
            outcome = self._busy_cap_attempt(settle)
            outcomes.append(outcome)
            if outcome == "refused":
                break
        self.assertEqual(outcomes[-1], "refused", outcomes)

    def _busy_cap_attempt(self, settle_seconds):
        """Two half-sent requests, then a third connection: "refused" when it got the 503 and a
        busy one could still finish its request, else what happened instead."""
        with tempfile.TemporaryDirectory(prefix="cp_caps_") as tmp:
            srv = CoolpapersServer("sqlite:" + os.path.join(tmp, "c.db"),
                                   env={"COOLPAPERS_MAX_CONNECTIONS_PER_IP": "2"}).start()
            busy = []
            try:
                for _ in range(2):
                    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")  # header unfinished
                    busy.append(s)
                time.sleep(settle_seconds)
                # The refusal is immediate on an idle machine; the generous timeout only covers
                # a server whose accept loop is slowed by a loaded machine.
                with socket.create_connection(("127.0.0.1", srv.port), timeout=15) as extra:
                    try:
                        data = extra.recv(4096)
                    except socket.timeout:
                        return "accepted (no answer within 15 s)"
                if data == b"":
                    return "closed without an answer"
                if not data.startswith(b"HTTP/1.1 503"):
                    return "answered %r" % data[:40]
                busy[0].sendall(b"\r\n")
                reply = busy[0].recv(4096)
                if not reply.startswith(b"HTTP/1.1 200"):
                    return "busy connection lost: %r" % reply[:40]
                return "refused"
            finally:
                for s in busy:
                    s.close()
                srv.cleanup()

    def test_malformed_trusted_proxies_stop_the_server_with_a_clear_message(self):
        with tempfile.TemporaryDirectory(prefix="cp_proxies_") as tmp:
            env = dict(os.environ, COOLPAPERS_TRUSTED_PROXIES="10.0.0.0/8,proxy.example")
            p = subprocess.run([find_binary(), "serve", "--db", "sqlite:" + os.path.join(tmp, "p.db"),
                                "--listen", "127.0.0.1:%d" % free_port()],
                               env=env, capture_output=True, timeout=60, cwd=source_dir())
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(b"proxy.example", p.stderr)

    def test_favicon_and_robots(self):
        self.assertEqual(fetch(self.srv.url("/favicon.ico")).status, 200)
        robots = fetch(self.srv.url("/robots.txt"))
        self.assertEqual(robots.status, 200)
        self.assertIn(b"User-agent", robots.body)
        # Crawlers never start (or poll) FAQ generation on either branch.
        self.assertIn(b"Disallow: /arxiv/kimi\n", robots.body)
        self.assertIn(b"Disallow: /venue/kimi\n", robots.body)


def finish(proc):
    """Kills `proc` if it still runs and closes its pipes."""
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=30)


class LifecycleTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cp_server_life_")
        self.db = "sqlite:" + os.path.join(self.tmp, "t.db")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def start(self, *args):
        return subprocess.Popen([find_binary(), "serve", "--offline", "--db", self.db, *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, cwd=source_dir(), text=True)

    def test_prints_bound_address_for_port_zero_and_stops_on_sigterm(self):
        proc = self.start("--listen", "127.0.0.1:0")
        try:
            line = proc.stdout.readline()
            self.assertRegex(line, r"^listening on http://127\.0\.0\.1:\d+$")
            port = int(line.strip().rsplit(":", 1)[1])
            self.assertNotEqual(port, 0)
            self.assertEqual(fetch("http://127.0.0.1:%d/healthz" % port).status, 200)
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=30), 0)
        finally:
            finish(proc)

    def test_port_in_use_fails_clearly(self):
        proc = self.start("--listen", "127.0.0.1:0")
        try:
            port = int(proc.stdout.readline().strip().rsplit(":", 1)[1])
            second = self.start("--listen", "127.0.0.1:%d" % port)
            try:
                _, err = second.communicate(timeout=30)
                self.assertEqual(second.returncode, 1)
                self.assertIn(str(port), err)
            finally:
                finish(second)
        finally:
            finish(proc)

    def test_config_file_sets_listen_and_warns_about_unknown_keys(self):
        port = free_port()
        cfg = os.path.join(self.tmp, "c.toml")
        with open(cfg, "w") as f:
            f.write('listen = "127.0.0.1:%d"\nthreads = 2\nlisen_typo = 1\n' % port)
        proc = self.start("--config", cfg)
        try:
            line = proc.stdout.readline()
            self.assertEqual(line.strip(), "listening on http://127.0.0.1:%d" % port)
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=30)
            self.assertEqual(proc.returncode, 0)
            self.assertIn("lisen_typo", err)
        finally:
            finish(proc)

    def test_malformed_config_exits_1_naming_the_file(self):
        cfg = os.path.join(self.tmp, "bad.toml")
        with open(cfg, "w") as f:
            f.write("listen = \n")
        proc = self.start("--config", cfg)
        try:
            _, err = proc.communicate(timeout=30)
            self.assertEqual(proc.returncode, 1)
            self.assertIn("bad.toml", err)
        finally:
            finish(proc)


if __name__ == "__main__":
    unittest.main()
