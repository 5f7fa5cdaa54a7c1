#!/usr/bin/env python3
"""Two `coolpapers serve --harvest` nodes on one PostgreSQL database, following the fake arXiv
(tests/fakes/fake_arxiv.py) at the default 3 s interval.

Checks: exactly one node harvests (coolpapers_harvest_leader in /metrics); both nodes list the
harvested papers; a paper a reader asks for on the node that does not harvest is fetched by the
harvesting one ("queued", then stored); FAQ PDF downloads on both nodes and the harvest make
one request stream, each request starting at least 3 s after the end of the previous one,
whichever node sent it; the harvesting node killed with SIGKILL, the other takes over within
30 s and the stream goes on, still spaced.

Needs the throwaway PostgreSQL cluster ctest starts (fixture pg; its URL is in the file named
by COOLPAPERS_TEST_PG_URL_FILE); makes its own database and drops it at the end.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

INTERVAL = 3.0  # the default: no [harvest] interval is set
DAY = "2026-06-29"
CL_PAPERS = 46  # cs.CL memberships on DAY in the fixtures (see test_harvest.py)
ON_DEMAND_ID = "1605.08386"  # known to the fake API, not in DAY's listing
ADMIN_TOKEN = "cluster-admin"  # /metrics needs it


class FakeArxiv(cpserver.FakeUpstream):
    def __init__(self, tmp):
        super().__init__("fake_arxiv.py",
                         ["--fixtures", cpserver.fixture_path("arxiv"), "--log-ends"],
                         os.path.join(tmp, "arxiv_log.jsonl"), "fake arXiv")


def metric(server, name):
    r = cpserver.fetch(server.url("/metrics"), headers={"X-Admin-Token": ADMIN_TOKEN}, timeout=5)
    m = re.search(r"^%s(?:\{\})? (\S+)$" % re.escape(name), r.text, re.M)
    return float(m.group(1)) if m else None


def wait_for(what, check, timeout, step=0.25):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("%s: not within %.0f s" % (what, timeout))
        time.sleep(step)


class ClusterHarvestTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.admin_url = cpserver.pg_cluster_url()
        self.dbname = "cp_cluster_harvest_%d" % os.getpid()
        cpserver.psql(self.admin_url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.dbname)
        cpserver.psql(self.admin_url, "CREATE DATABASE %s TEMPLATE template0" % self.dbname)
        self.db_url = cpserver.with_database(self.admin_url, self.dbname)
        self.fake = FakeArxiv(self.tmp.name)
        self.fake.scenario(day=DAY)
        # An LLM key makes a FAQ request download the paper's PDF from the (fake) arXiv; the
        # LLM itself is a closed loopback port, so the FAQ goes no further.
        env = {"COOLPAPERS_OFFLINE": "0", "COOLPAPERS_ARXIV_BASE_URL": self.fake.base,
               "COOLPAPERS_HARVEST_FOLLOW": "cs.CL,cs.LG", "COOLPAPERS_ADMIN_TOKEN": ADMIN_TOKEN,
               "COOLPAPERS_LLM_API_KEY": "test-key", "COOLPAPERS_LLM_MODEL": "none",
               "COOLPAPERS_LLM_BASE_URL": "http://127.0.0.1:%d/v1" % cpserver.free_port()}
        self.nodes = [cpserver.CoolpapersServer(self.db_url, ["--harvest"], env=env)
                      for _ in range(2)]

    def tearDown(self):
        for n in self.nodes:
            n.cleanup()
        self.fake.stop()
        try:
            cpserver.psql(self.admin_url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.dbname)
        finally:
            self.tmp.cleanup()

    def leaders(self):
        return [i for i, n in enumerate(self.nodes)
                if n.proc is not None and metric(n, "coolpapers_harvest_leader") == 1]

    def day_ids(self, node):
        r = cpserver.fetch(node.url("/api/list?cat=cs.CL&date=" + DAY), timeout=10)
        if r.status != 200:
            return []
        return [p["id"] for p in json.loads(r.body.decode("utf-8"))["papers"]]

    def lists_day(self, node):
        return len(self.day_ids(node)) == CL_PAPERS

    def assert_one_spaced_stream(self, reqs):
        """Returns the smallest gap from the end of one request to the start of the next."""
        reqs = sorted(reqs, key=lambda e: e["t"])
        gaps = [nxt["t"] - prev["t_end"] for prev, nxt in zip(reqs, reqs[1:])]
        for prev, nxt in zip(reqs, reqs[1:]):
            gap = nxt["t"] - prev["t_end"]
            self.assertGreaterEqual(
                gap, INTERVAL - 0.1,  # t_end is taken after the reply is written: late by the
                # fake's own scheduling on a loaded machine, never by 3 s
                "%s started %.3f s after the end of %s (overlap when negative)" % (
                    nxt["target"], gap, prev["target"]))
        return min(gaps) if gaps else None

    def test_one_harvester_one_polite_stream_and_takeover_after_kill(self):
        started = time.monotonic()
        for n in self.nodes:
            n.start()
        leader = wait_for("a node takes the harvester role", self.leaders, 30)
        self.assertEqual(len(leader), 1, "exactly one node harvests")
        leader = leader[0]
        other = 1 - leader
        # Both nodes list the day the harvesting node stored.
        for n in self.nodes:
            wait_for("the day's cs.CL list on %s" % n.base, lambda n=n: self.lists_day(n), 120,
                     step=1)
        self.assertEqual(self.leaders(), [leader])
        # At once: FAQs on both nodes (each downloads its paper's PDF) and a reader on the other
        # node asking for a missing paper (queued there, fetched by the harvesting node).
        faq_papers = self.day_ids(self.nodes[0])[:4]
        self.assertEqual(len(faq_papers), 4)
        for i, pid in enumerate(faq_papers):
            r = cpserver.fetch(self.nodes[i % 2].url("/arxiv/kimi?paper=%s&lang=en" % pid),
                               method="POST", data=b"", timeout=30)
            self.assertEqual(r.status, 200, r.body[:300])
        r = cpserver.fetch(self.nodes[other].url("/api/papers/" + ON_DEMAND_ID), timeout=10)
        self.assertEqual(r.status, 202, r.body[:300])
        self.assertIn(json.loads(r.body.decode("utf-8"))["state"], ("queued", "fetching"))
        wait_for("the paper asked for on the other node is stored",
                 lambda: cpserver.fetch(self.nodes[other].url("/api/papers/" + ON_DEMAND_ID),
                                        timeout=10).status == 200, 60, step=0.5)
        wait_for("the FAQs' PDFs are downloaded",
                 lambda: all(any(e["target"].startswith("/pdf/" + pid)
                                 for e in self.fake.requests()) for pid in faq_papers), 90,
                 step=0.5)
        before = self.fake.requests()
        self.assertGreaterEqual(len(before), 7, [e["target"] for e in before])
        self.assertTrue(any(ON_DEMAND_ID in e["target"] for e in before),
                        [e["target"] for e in before])
        self.assert_one_spaced_stream(before)

        # The harvesting node dies without a word; the other takes over and arXiv hears more.
        killed_at = time.monotonic()
        self.nodes[leader].proc.send_signal(signal.SIGKILL)
        self.nodes[leader].proc.wait(timeout=10)
        self.nodes[leader].proc = None
        wait_for("the other node takes the harvester role", lambda: self.leaders() == [other],
                 30)
        took = time.monotonic() - killed_at
        self.assertLess(took, 30)
        self.assertIn("this node now harvests", open(self.nodes[other].stderr_path,
                                                     encoding="utf-8", errors="replace").read()
                      + open(self.nodes[other].stdout_path, encoding="utf-8",
                             errors="replace").read())
        wait_for("arXiv hears from the new harvesting node",
                 lambda: len(self.fake.requests()) > len(before), 30, step=0.5)
        after = self.fake.requests()
        self.assertGreater(len(after), len(before))
        smallest = self.assert_one_spaced_stream(after)
        self.assertTrue(self.lists_day(self.nodes[other]))
        sys.stderr.write("cluster harvest: %d requests, %d after the kill, smallest gap %.3f s, "
                         "takeover after %.1f s\n" % (len(after), len(after) - len(before),
                                                       smallest, took))
        self.assertLess(time.monotonic() - started, 300)


class HarvestCommandTurnTest(unittest.TestCase):
    """`coolpapers harvest arxiv` on a PostgreSQL store takes the serve nodes' turns: each of its
    requests waits for the site's turn and records its end in the shared table, so a harvest
    run beside the nodes does not add a second stream."""

    def test_harvest_command_waits_for_the_shared_turn_and_records_it(self):
        tmp = tempfile.TemporaryDirectory()
        admin_url = cpserver.pg_cluster_url()
        dbname = "cp_cluster_harvest_cmd_%d" % os.getpid()
        cpserver.psql(admin_url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % dbname)
        cpserver.psql(admin_url, "CREATE DATABASE %s TEMPLATE template0" % dbname)
        db_url = cpserver.with_database(admin_url, dbname)
        fake = FakeArxiv(tmp.name)
        try:
            fake.scenario(day=DAY)
            cmd = [cpserver.find_binary(), "harvest", "arxiv", "--db", db_url, "--categories",
                   "cs.CL", "--once", "--base-url", fake.base, "--interval", "0.2"]
            # A first run creates the shared table and records the site's last request.
            first = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, text=True, timeout=120)
            self.assertEqual(first.returncode, 0, first.stderr[-3000:])
            rows = subprocess.run(["psql", "-X", "-At", db_url, "-c",
                                   "SELECT count(*) FROM cluster_site_requests"],
                                  stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                  timeout=60, check=True).stdout.strip()
            self.assertGreaterEqual(int(rows), 1, "the harvest's requests took no shared turn")
            # Another node's request "ends" 4 s from now: the next run must wait for it.
            cpserver.psql(db_url, "UPDATE cluster_site_requests SET last_end = clock_timestamp() + "
                         "interval '4 seconds'")
            n_before = len(fake.requests())
            started = time.time()
            second = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, text=True, timeout=120)
            self.assertEqual(second.returncode, 0, second.stderr[-3000:])
            reqs = fake.requests()[n_before:]
            self.assertGreaterEqual(len(reqs), 1)
            first_start = min(r["wall"] for r in reqs)
            self.assertGreaterEqual(first_start - started, 3.5,
                                    "the harvest did not wait for the other node's turn")
        finally:
            fake.stop()
            cpserver.psql(admin_url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % dbname)
            tmp.cleanup()

if __name__ == "__main__":
    unittest.main()
