#!/usr/bin/env python3
"""FAQs on two `serve` nodes sharing one PostgreSQL database (the throwaway cluster that ctest
starts; its URL is in the file named by COOLPAPERS_TEST_PG_URL_FILE). tests/fakes/fake_llm.py is
the model, a tiny PDF server stands in for arXiv; everything listens on 127.0.0.1.

Checks: 50 readers split over the two nodes cause exactly one upstream conversation and all get
the complete FAQ; node A killed with SIGKILL mid-FAQ, node B (whose reader follows it) completes
it after A's lease expires, and the fake model saw each question A had answered only once.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402
from test_faq import FakeLlm, KEY, arxiv_pdf_route, final, read_sse  # noqa: E402

LEASE_SECONDS = 3
ADMIN_TOKEN = "cluster-admin-token"


class ClusterFaqTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cp_cluster_faq_")
        cls.admin = cpserver.pg_cluster_url()
        cls.dbname = "cp_cluster_faq_%d" % os.getpid()
        cpserver.psql(cls.admin, "DROP DATABASE IF EXISTS %s" % cls.dbname)
        cpserver.psql(cls.admin, "CREATE DATABASE %s TEMPLATE template0" % cls.dbname)
        cls.db = cpserver.with_database(cls.admin, cls.dbname)
        cls.pdf = None
        cls.llm = None
        try:
            cpserver.import_jsonl(cls.db, cpserver.fixture_path("llm", "papers.jsonl"))
            cls.pdf = cpserver.PdfServer(arxiv_pdf_route)
            cls.llm = FakeLlm(cls.tmp)
        except BaseException:
            cls.tearDownClass()
            raise
        cls.servers = []

    def tearDown(self):
        # Each test's nodes stop with it: a node left running from an earlier test would sweep
        # the expired lease of a later test's killed node and take its FAQ over.
        while self.servers:
            self.servers.pop().cleanup()

    @classmethod
    def tearDownClass(cls):
        for s in getattr(cls, "servers", []):
            s.cleanup()
        if cls.llm:
            cls.llm.close()
        if cls.pdf:
            cls.pdf.close()
        try:
            cpserver.psql(cls.admin, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % cls.dbname)
        except Exception:
            pass
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def node(self):
        env = {
            "COOLPAPERS_LLM_BASE_URL": self.llm.base + "/v1",
            "COOLPAPERS_LLM_API_KEY": KEY,
            "COOLPAPERS_LLM_MODEL": "fake-model",
            "COOLPAPERS_ARXIV_BASE_URL": self.pdf.base,
            "COOLPAPERS_FAQ_RATE_PER_HOUR": "1000",
            "COOLPAPERS_FAQ_LEASE_SECONDS": str(LEASE_SECONDS),
            "COOLPAPERS_ADMIN_TOKEN": ADMIN_TOKEN,
        }
        srv = cpserver.CoolpapersServer(self.db, env=env)
        self.servers.append(srv)
        return srv.start()

    def kimi(self, srv, paper):
        return cpserver.fetch(srv.url("/arxiv/kimi?paper=%s&lang=en" % paper), method="POST",
                              data=b"", timeout=60)

    def gauge(self, srv, name):
        r = cpserver.fetch(srv.url("/metrics"), headers={"X-Admin-Token": ADMIN_TOKEN})
        self.assertEqual(r.status, 200, r)
        for line in r.text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        self.fail("no %s in /metrics:\n%s" % (name, r.text))

    def stream(self, srv, paper):
        return read_sse(srv.url("/api/faq/%s/stream?lang=en" % paper), timeout=60)

    def test_1_fifty_readers_over_two_nodes_one_conversation(self):
        a, b = self.node(), self.node()
        self.llm.reset([{"fault": "slow", "delay_ms": 30, "count": 10}])
        n = 50
        posts, results = [None] * n, [None] * n
        start = threading.Barrier(n)

        def reader(i):
            start.wait(timeout=30)
            srv = a if i % 2 == 0 else b
            posts[i] = self.kimi(srv, "2304.02623")
            results[i] = self.stream(srv, "2304.02623")

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        stats = self.llm.stats()
        self.assertEqual(stats["conversations"], 1, a.logs() + b.logs())
        self.assertEqual(stats["requests"], 6)
        self.assertEqual(len(results), n)
        for i in range(n):
            self.assertIsNotNone(posts[i], i)
            self.assertEqual(posts[i].status, 200, posts[i])
            status, events = results[i]
            self.assertEqual(status, 200)
            kind, data = final(events)
            self.assertEqual(kind, "done", (i, events[-3:]))
            html = json.loads(data)["html"]
            self.assertEqual(html.count('class="faq-q"'), 6, i)
            self.assertIn("Answer 6", html)
        for srv in (a, b):
            doc = json.loads(cpserver.fetch(srv.url("/api/faq/2304.02623?lang=en")).body)
            self.assertEqual(len(doc["faq"]), 6)
        self.assertEqual(self.llm.stats()["requests"], 6)  # served from the store after

    def test_2_node_killed_mid_faq_the_other_completes_it(self):
        a, b = self.node(), self.node()
        # Slow answers (6 chunks 400 ms apart): A is mid-FAQ for several seconds.
        self.llm.reset([{"fault": "slow", "delay_ms": 400, "count": 20}])
        self.assertEqual(self.kimi(a, "1903.10676").status, 200)
        deadline = time.time() + 60
        while self.llm.stats()["requests"] < 3 and time.time() < deadline:
            time.sleep(0.05)
        asked_by_a = self.llm.stats()["questions"]
        self.assertGreaterEqual(len(asked_by_a), 3, a.logs())
        # B's reader joins A's job (nothing is started on B) and follows it.
        self.assertEqual(self.kimi(b, "1903.10676").status, 200)
        self.assertEqual(self.gauge(b, "coolpapers_faq_followed"), 1)
        self.assertEqual(self.gauge(b, "coolpapers_faq_running"), 0)
        result = {}
        follower = threading.Thread(
            target=lambda: result.update(r=self.stream(b, "1903.10676")))
        follower.start()
        time.sleep(0.3)
        a.proc.send_signal(signal.SIGKILL)  # a crash: no shutdown, the lease is not released
        a.proc.wait(timeout=10)
        a.proc = None
        asked_by_a = self.llm.stats()["questions"]
        follower.join(timeout=90)
        self.assertIn("r", result, b.logs())
        status, events = result["r"]
        self.assertEqual(status, 200)
        kind, data = final(events)
        self.assertEqual(kind, "done", (events[-3:], b.logs()))
        self.assertEqual(json.loads(data)["html"].count('class="faq-q"'), 6)
        stats = self.llm.stats()
        self.assertEqual(stats["conversations"], 1, b.logs())  # resumed, not started over
        counts = Counter(stats["questions"])
        self.assertEqual(len(counts), 6, stats["questions"])
        # Questions A had answered (all it was asked but the last) were asked once; at most the
        # one A was answering when it died was asked again.
        answered_by_a = asked_by_a[:-1]
        self.assertGreaterEqual(len(answered_by_a), 2)
        for q in answered_by_a:
            self.assertEqual(counts[q], 1, (q, stats["questions"]))
        self.assertLessEqual(len(stats["questions"]), 7, stats["questions"])
        doc = json.loads(cpserver.fetch(b.url("/api/faq/1903.10676?lang=en")).body)
        self.assertEqual(len(doc["faq"]), 6)
        self.assertEqual(self.gauge(b, "coolpapers_faq_resumed"), 1, b.logs())
        self.assertEqual(self.gauge(b, "coolpapers_faq_followed"), 0, b.logs())


if __name__ == "__main__":
    unittest.main(verbosity=2)
