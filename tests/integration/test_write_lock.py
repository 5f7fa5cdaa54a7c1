"""No request waits on SQLite's write lock: while another process holds `BEGIN IMMEDIATE` on the
database, /healthz, a list page and the paper API answer (within a generous client timeout,
the lock being held far longer), clicks posted meanwhile are acknowledged at once and are
counted once the lock is released. Clicks count once per (client, paper, kind) per day.

Runs as `python3 tests/integration/test_write_lock.py` (needs $COOLPAPERS_BIN or build/coolpapers).
"""

import http.client
import json
import os
import sqlite3
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

FIXTURE = cpserver.fixture_path("pages", "arxiv_pages.jsonl")
HOLD_SECONDS = 15      # longer than SQLite's 10 s busy timeout would let a request wait
CLIENT_TIMEOUT = 4.0   # each request must answer well within this (and within the busy
                       # timeout) while the lock is held; slack for a loaded machine


def post_from(port, path, source_ip):
    """POST from a chosen loopback source address (127.0.0.x are all local on Linux)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT,
                                      source_address=(source_ip, 0))
    try:
        conn.request("POST", path, body=b"")
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


class WriteLockTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp, cls.db, cls.server = cpserver.start_server_in_tmp("cp_lock_", [FIXTURE])
        cls.path = cls.db[len("sqlite:"):]

    @classmethod
    def tearDownClass(cls):
        cpserver.stop_server_in_tmp(cls.tmp, cls.server)

    def get(self, path):
        return cpserver.fetch(self.server.url(path), timeout=CLIENT_TIMEOUT)

    def clicks(self, pid):
        r = self.get("/api/papers/" + pid)
        self.assertEqual(r.status, 200, r.body[:300])
        return json.loads(r.body)["clicks"]

    def test_requests_answer_and_clicks_land_while_another_process_holds_the_write_lock(self):
        pid = "2509.08358"
        before = self.clicks(pid)
        holder = sqlite3.connect(self.path, timeout=1, isolation_level=None,
                                 check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        released = threading.Event()
        timer = threading.Timer(HOLD_SECONDS, lambda: (holder.execute("COMMIT"), released.set()))
        start = time.monotonic()
        timer.start()
        try:
            statuses = []
            for i in range(5):
                statuses.append(post_from(self.server.port, "/api/click/%s?kind=pdf" % pid,
                                          "127.0.0.%d" % (10 + i)))
            statuses.append(post_from(self.server.port, "/api/click/%s?kind=copy" % pid,
                                      "127.0.0.10"))
            self.assertEqual(statuses, [204] * 6)
            for path in ("/healthz", "/arxiv/cs.CL", "/api/papers/" + pid, "/arxiv/" + pid):
                r = self.get(path)  # raises on timeout
                self.assertEqual(r.status, 200, "%s: %r" % (path, r))
            # Queued clicks are already visible to readers.
            during = self.clicks(pid)
            self.assertEqual(during["pdf"], before["pdf"] + 5)
            # All of the above happened while the lock was still held.
            self.assertFalse(released.is_set(), "the lock was released too early to prove it")
            self.assertLess(time.monotonic() - start, HOLD_SECONDS)
        finally:
            timer.join()
            holder.close()
        # Durable after the release: read by a separate connection once the writer got through.
        deadline = time.monotonic() + 30
        while True:
            con = sqlite3.connect(self.path, timeout=5)
            rows = dict(con.execute("SELECT kind, n FROM clicks WHERE paper_id = ?", (pid,)))
            con.close()
            if rows.get("pdf", 0) >= before["pdf"] + 5 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(rows.get("pdf", 0), before["pdf"] + 5)
        self.assertEqual(rows.get("copy", 0), before["copy"] + 1)
        self.assertEqual(self.clicks(pid)["pdf"], before["pdf"] + 5)

    def test_one_click_per_client_paper_and_kind_per_day(self):
        pid = "2606.30814"
        before = self.clicks(pid)
        for _ in range(5):
            self.assertEqual(post_from(self.server.port, "/api/click/%s?kind=rel" % pid,
                                       "127.0.0.2"), 204)
        self.assertEqual(self.clicks(pid)["rel"], before["rel"] + 1)
        self.assertEqual(post_from(self.server.port, "/api/click/%s?kind=rel" % pid,
                                   "127.0.0.3"), 204)
        self.assertEqual(self.clicks(pid)["rel"], before["rel"] + 2)


if __name__ == "__main__":
    unittest.main()
