#!/usr/bin/env python3
"""The nginx configuration of docs/deploy.md (docs/deploy/nginx.conf) passes `nginx -t`.

The file is checked as committed, with only what must differ on a test machine replaced: its
listen addresses become free ports on 127.0.0.1 (loopback only; the IPv6 ones are dropped),
the certificate becomes a self-signed one made here, and the pid, log and mime.types paths
point into a temporary prefix. Each replacement must match, so the file cannot drift away
from what is tested. The same file must also be the one docs/deploy.md shows.

Runs as `python3 tests/integration/test_deploy_nginx.py`.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

CONF = os.path.join(cpserver.source_dir(), "docs", "deploy", "nginx.conf")
DOC = os.path.join(cpserver.source_dir(), "docs", "deploy.md")


def nginx_binary():
    for path in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if path and os.path.exists(path):
            return path
    raise AssertionError("nginx not found: install it (scripts/install-deps.sh installs nginx)")


class DeployNginxTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cp_deploy_nginx_")
        os.makedirs(os.path.join(self.tmp, "logs"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def replace(self, text, pattern, repl, count):
        out, n = re.subn(pattern, repl, text, flags=re.M)
        self.assertEqual(n, count, "%r matched %d times in %s, expected %d" % (
            pattern, n, CONF, count))
        return out

    def self_signed(self):
        cert, key = os.path.join(self.tmp, "fullchain.pem"), os.path.join(self.tmp, "privkey.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=papers.example.org", "-keyout", key, "-out", cert],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=60)
        return cert, key

    def local_copy(self):
        with open(CONF, encoding="utf-8") as f:
            conf = f.read()
        cert, key = self.self_signed()
        conf = self.replace(conf, r"^user .*;\n", "", 1)
        conf = self.replace(conf, r"^(\s*)listen \[::\]:\d+[^;]*;\n", "", 2)
        conf = self.replace(conf, r"^(\s*)listen 80;", r"\1listen 127.0.0.1:%d;"
                            % cpserver.free_port(), 1)
        conf = self.replace(conf, r"^(\s*)listen 443 ssl http2;", r"\1listen 127.0.0.1:%d ssl http2;"
                            % cpserver.free_port(), 1)
        conf = self.replace(conf, r"/etc/letsencrypt/live/papers\.example\.org/fullchain\.pem",
                            cert, 1)
        conf = self.replace(conf, r"/etc/letsencrypt/live/papers\.example\.org/privkey\.pem",
                            key, 1)
        conf = self.replace(conf, r"/run/nginx\.pid", os.path.join(self.tmp, "nginx.pid"), 1)
        conf = self.replace(conf, r"/var/log/nginx/", os.path.join(self.tmp, "logs") + "/", 2)
        mime = os.path.join(self.tmp, "mime.types")
        with open(mime, "w") as f:
            f.write("types { text/html html; text/css css; application/javascript js; }\n")
        conf = self.replace(conf, r"/etc/nginx/mime\.types", mime, 1)
        listens = re.findall(r"^\s*listen ([^;]*);", conf, flags=re.M)
        self.assertEqual(len(listens), 2)
        for listen in listens:
            self.assertTrue(listen.startswith("127.0.0.1:"), listen)
        path = os.path.join(self.tmp, "nginx.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(conf)
        return path

    def test_nginx_accepts_the_deploy_config(self):
        conf = self.local_copy()
        proc = subprocess.run([nginx_binary(), "-t", "-c", conf, "-p", self.tmp + "/",
                               "-g", "error_log %s/logs/test.log;" % self.tmp],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("test is successful", proc.stdout)

    def test_the_guide_shows_this_file(self):
        with open(CONF, encoding="utf-8") as f:
            conf = f.read()
        with open(DOC, encoding="utf-8") as f:
            doc = f.read()
        self.assertIn("```nginx\n" + conf + "```", doc,
                      "docs/deploy.md must show docs/deploy/nginx.conf verbatim in a ```nginx block")


if __name__ == "__main__":
    unittest.main(verbosity=2)
