#!/usr/bin/env python3
"""`coolpapers harvest arxiv --once` against the fake arXiv (tests/fakes/fake_arxiv.py).

Checks: memberships of a joined cs.CL+cs.LG feed (cross-lists in both categories, each paper
once), day completeness, a resumptionToken chain followed to its end, a replacement updating
the version without a new row, a rerun fetching nothing but the feed and OAI, spacing of
request starts, Retry-After obeyed and transient faults retried, kill -9 mid-harvest then
rerun ending with the same store as an uninterrupted run, an empty weekend feed creating no
day, and malformed XML giving a clear error and no day.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

INTERVAL = 0.05
DAY1, DAY2, WEEKEND = "2026-06-29", "2026-06-30", "2026-06-27"
REPLACED = ["2606.27378", "2606.27499"]


class FakeArxiv(cpserver.FakeUpstream):
    """The fake arXiv serving the recorded fixtures."""

    def __init__(self, tmp):
        super().__init__("fake_arxiv.py", ["--fixtures", cpserver.fixture_path("arxiv")],
                         os.path.join(tmp, "arxiv_log.jsonl"), "fake arXiv")


def harvest_cmd(db, base, interval=INTERVAL):
    return [cpserver.find_binary(), "harvest", "arxiv", "--db", "sqlite:" + db, "--categories",
            "cs.CL,cs.LG", "--once", "--base-url", base, "--interval", str(interval)]


def harvest(db, base, check=True):
    proc = subprocess.run(harvest_cmd(db, base), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError("harvest exited %d\nstdout:\n%s\nstderr:\n%s" % (
            proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    return proc


def query(db, sql, *args):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def dump(db):
    """The store's content, without change sequence numbers and harvest bookkeeping."""
    return {
        "papers": query(db, "SELECT id, version, title, abstract, authors, categories, comments, "
                            "journal_ref, doi, published, updated FROM papers ORDER BY id"),
        "memberships": query(db, "SELECT category, day, paper_id, type, position FROM memberships "
                                 "ORDER BY category, day, paper_id"),
        "day_status": query(db, "SELECT category, day, expected, stored FROM day_status "
                                "ORDER BY category, day"),
    }


def targets(entries):
    return [e["target"] for e in entries]


class HarvestTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.fake = FakeArxiv(self.tmp.name)
        self.db = os.path.join(self.tmp.name, "h.db")

    def tearDown(self):
        self.fake.stop()
        self.tmp.cleanup()

    def test_day_chain_replacement_and_rerun(self):
        self.fake.scenario(day=DAY1, oai_page_size=7)
        out = harvest(self.db, self.fake.base)
        self.assertIn("days 2 complete / 0 incomplete", out.stdout)
        reqs = self.fake.requests()
        # One joined feed, an OAI chain of several pages, nothing fetched twice.
        self.assertEqual([t for t in targets(reqs) if t.startswith("/rss/")], ["/rss/cs.CL+cs.LG"])
        tokens = [t for t in targets(reqs) if "resumptionToken" in t]
        self.assertGreaterEqual(len(tokens), 5, targets(reqs))
        self.assertEqual(len(targets(reqs)), len(set(targets(reqs))), targets(reqs))
        # Request starts as the fake saw them: each gap carries its scheduling jitter (a late
        # arrival shortens the next gap), so allow 20 ms each; unspaced they would be ~1 ms.
        starts = [e["t"] for e in reqs]
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        self.assertGreaterEqual(min(gaps), INTERVAL - 0.02, gaps)
        self.assertGreaterEqual(starts[-1] - starts[0], INTERVAL * len(gaps) - 0.02, gaps)

        counts = dict(((c, d), n) for c, d, n in query(
            self.db, "SELECT category, day, count(*) FROM memberships GROUP BY 1, 2"))
        self.assertEqual(counts, {("cs.CL", DAY1): 46, ("cs.LG", DAY1): 25})
        both = query(self.db, "SELECT paper_id FROM memberships GROUP BY paper_id "
                              "HAVING count(DISTINCT category) = 2")
        self.assertGreater(len(both), 5)
        cross = both[0][0]
        self.assertEqual(query(self.db, "SELECT count(*) FROM papers WHERE id = ?", cross), [(1,)])
        types = dict(query(self.db, "SELECT category, type FROM memberships WHERE paper_id = ?",
                           cross))
        self.assertEqual(sorted(types.values()), [0, 1])  # new in one, cross in the other
        self.assertEqual(query(self.db, "SELECT count(*) FROM papers"), [(58,)])
        self.assertEqual(query(self.db, "SELECT count(*) FROM papers WHERE published = ''"), [(0,)])
        self.assertEqual(query(self.db, "SELECT category, expected, stored FROM day_status "
                                        "ORDER BY 1"), [("cs.CL", 46, 46), ("cs.LG", 25, 25)])

        # A rerun changes nothing and asks only the feed, conditionally (304).
        before, seen = dump(self.db), len(reqs)
        harvest(self.db, self.fake.base)
        self.assertEqual(dump(self.db), before)
        again = targets(self.fake.requests()[seen:])
        self.assertEqual(again, ["/rss/cs.CL+cs.LG"])
        self.assertEqual(self.fake.requests()[-1]["status"], 304)

        # The next day: a replacement updates the paper's version, no new row.
        self.fake.scenario(day=DAY2, oai_page_size=7)
        harvest(self.db, self.fake.base)
        self.assertEqual(query(self.db, "SELECT id, version FROM papers WHERE id IN (?, ?) "
                                        "ORDER BY id", *REPLACED),
                         [(REPLACED[0], 2), (REPLACED[1], 2)])
        self.assertEqual(query(self.db, "SELECT count(*) FROM papers WHERE id = ?", REPLACED[0]),
                         [(1,)])
        new_day2 = query(self.db, "SELECT count(DISTINCT paper_id) FROM memberships "
                                  "WHERE day = ? AND type IN (0, 1)", DAY2)[0][0]
        self.assertEqual(query(self.db, "SELECT count(*) FROM papers"), [(58 + new_day2,)])
        self.assertEqual(query(self.db, "SELECT count(*) FROM day_status WHERE stored < expected"),
                         [(0,)])

    def test_faults_are_retried_and_retry_after_obeyed(self):
        self.fake.scenario(day=DAY1, oai_page_size=10, faults=[
            {"path": "/rss/", "kind": "503", "retry_after": "1"},
            {"path": "/oai", "query": "resumptionToken", "kind": "429", "retry_after": "date"},
            {"path": "/oai", "query": "resumptionToken", "kind": "reset", "after": 1},
            {"path": "/oai", "query": "resumptionToken", "kind": "truncate", "after": 2},
        ])
        out = harvest(self.db, self.fake.base)
        self.assertIn("days 2 complete / 0 incomplete", out.stdout)
        reqs = self.fake.requests()
        faulted = [i for i, e in enumerate(reqs) if e["fault"]]
        self.assertEqual(len(faulted), 4, reqs)
        first = faulted[0]
        self.assertEqual(reqs[first]["fault"], "503")
        self.assertEqual(reqs[first]["target"], reqs[first + 1]["target"])  # retried
        self.assertGreaterEqual(reqs[first + 1]["t"] - reqs[first]["t"], 0.95)  # Retry-After
        for i in faulted:
            self.assertEqual(reqs[i]["target"], reqs[i + 1]["target"])
        self.assertEqual(query(self.db, "SELECT count(*) FROM papers"), [(58,)])

    def test_reset_every_7th_request_keeps_the_interval_for_retries(self):
        # Every 7th request is reset: its retry (and every other request) must start at least
        # the interval after the previous one ended; a reset used to be re-sent 5 ms later.
        interval = 0.3
        self.fake.scenario(day=DAY1, oai_page_size=5, faults=[
            {"path": "/", "kind": "reset", "every": 7}])
        proc = subprocess.run(harvest_cmd(self.db, self.fake.base, interval=interval),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        reqs = self.fake.requests()
        distinct = set(targets(reqs))
        resets = [i for i, e in enumerate(reqs) if e["fault"] == "reset"]
        # 1 feed + 12 OAI pages (58 records, 5 a page), and each reset one sent once more.
        self.assertEqual(len(distinct), 13, targets(reqs))
        self.assertEqual(len(resets), 2, targets(reqs))
        self.assertEqual(len(resets), len(reqs) // 7, targets(reqs))
        self.assertEqual(len(reqs), len(distinct) + len(resets), targets(reqs))
        for i in resets:
            self.assertEqual(reqs[i]["target"], reqs[i + 1]["target"])  # retried
        starts = [e["t"] for e in reqs]
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        self.assertEqual(len(gaps), len(reqs) - 1)
        for i, gap in enumerate(gaps):
            self.assertGreaterEqual(gap, interval, "requests %d and %d: %r" % (i, i + 1, gaps))
        self.assertIn("%d failed attempts" % len(resets), proc.stdout)
        self.assertIn("days 2 complete / 0 incomplete", proc.stdout)

    def test_repeated_resumption_token_fails_the_harvest_clearly(self):
        self.fake.scenario(day=DAY1, oai_page_size=7, faults=[
            {"path": "/oai", "query": "resumptionToken", "kind": "repeat_token", "after": 1}])
        proc = harvest(self.db, self.fake.base, check=False)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        last = proc.stderr.strip().splitlines()[-1]
        self.assertIn("resumptionToken", last)
        self.assertIn("again", last)
        self.assertIn("restarts the list", last)
        oai = [t for t in targets(self.fake.requests()) if t.startswith("/oai")]
        self.assertEqual(len(oai), 3, oai)  # first page, page 2, page 3 repeating its token
        # The API filled in what the stopped list did not bring: the days still complete.
        self.assertEqual(query(self.db, "SELECT count(*) FROM papers"), [(58,)])
        self.assertEqual(query(self.db, "SELECT count(*) FROM day_status "
                                        "WHERE stored = expected"), [(2,)])

    def test_endless_empty_pages_fail_the_harvest_after_three(self):
        self.fake.scenario(day=DAY1, oai_page_size=7, faults=[
            {"path": "/oai", "kind": "empty_page", "count": 1000}])
        proc = harvest(self.db, self.fake.base, check=False)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        oai = [t for t in targets(self.fake.requests()) if t.startswith("/oai")]
        self.assertEqual(len(oai), 3, oai)
        self.assertIn("3 pages in a row had no records", proc.stderr)

    def test_kill_9_then_rerun_equals_an_uninterrupted_run(self):
        # The uninterrupted reference.
        ref = os.path.join(self.tmp.name, "ref.db")
        self.fake.scenario(day=DAY1, oai_page_size=5)
        harvest(ref, self.fake.base)
        self.fake.scenario(day=DAY2, oai_page_size=5)
        harvest(ref, self.fake.base)

        # Killed in the middle of an OAI resumptionToken chain, then right after the feed.
        for day, marker, hits in ((DAY1, "resumptionToken", 3), (DAY2, "/oai?", 1)):
            self.fake.scenario(day=day, oai_page_size=5)
            start = len(self.fake.requests())
            proc = subprocess.Popen(harvest_cmd(self.db, self.fake.base, interval=0.2),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    stdin=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    new = targets(self.fake.requests()[start:])
                    if sum(marker in t for t in new) >= hits:
                        break
                    time.sleep(0.02)
                os.kill(proc.pid, signal.SIGKILL)
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait(timeout=10)
            self.assertEqual(proc.returncode, -signal.SIGKILL)
            harvest(self.db, self.fake.base)
        self.assertEqual(dump(self.db), dump(ref))

    def test_weekend_feed_creates_no_day(self):
        self.fake.scenario(day=WEEKEND)
        out = harvest(self.db, self.fake.base)
        self.assertIn("days 0 complete / 0 incomplete", out.stdout)
        self.assertEqual(query(self.db, "SELECT count(*) FROM memberships"), [(0,)])
        self.assertEqual(query(self.db, "SELECT count(*) FROM day_status"), [(0,)])
        self.assertFalse([t for t in targets(self.fake.requests()) if t.startswith("/oai")])

    def test_malformed_feed_is_a_clear_error_and_no_day(self):
        self.fake.scenario(day=DAY1, faults=[{"path": "/rss/", "kind": "malformed"}])
        out = harvest(self.db, self.fake.base, check=False)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        last = out.stderr.strip().splitlines()[-1]
        self.assertIn("/rss/cs.CL+cs.LG", last)
        self.assertIn("malformed XML", last)
        self.assertEqual(query(self.db, "SELECT count(*) FROM day_status"), [(0,)])
        self.assertEqual(query(self.db, "SELECT count(*) FROM memberships"), [(0,)])
        # Fixed upstream: the rerun completes the day.
        self.fake.scenario(day=DAY1)
        harvest(self.db, self.fake.base)
        self.assertEqual(query(self.db, "SELECT count(*) FROM day_status WHERE stored = expected"),
                         [(2,)])

    def test_serve_fetches_a_missing_paper_by_default_and_never_offline(self):
        # No follow list, no --harvest: a reader asking for a paper not stored still gets it
        # (one API lookup through the polite queue); with --offline arXiv is never asked.
        self.fake.scenario(day=DAY1, oai_page_size=20)
        env = {"COOLPAPERS_ARXIV_BASE_URL": self.fake.base, "COOLPAPERS_OFFLINE": "0"}
        with cpserver.CoolpapersServer("sqlite:" + self.db, env=env) as srv:
            page = cpserver.fetch(srv.url("/arxiv/2606.27527"))
            self.assertIn(page.status, (200, 202), page.body[:300])
            if page.status == 202:
                self.assertIn(b'http-equiv="refresh"', page.body)
            deadline = time.monotonic() + 60
            status = None
            while time.monotonic() < deadline and status != 200:
                status = cpserver.fetch(srv.url("/api/papers/2606.27527")).status
                time.sleep(0.05)
            self.assertEqual(status, 200)
            # Comma lists too: the stored one is shown, the missing one is fetched meanwhile.
            listed = cpserver.fetch(srv.url("/arxiv/2606.27527,%s" % REPLACED[0]))
            self.assertEqual(listed.status, 200, listed.body[:300])
            if b"being-fetched" in listed.body:
                self.assertIn(b'http-equiv="refresh"', listed.body)
            both = listed  # only the list page asks for it: refreshing shows it once stored
            while time.monotonic() < deadline and both.body.count(b'class="panel paper"') < 2:
                time.sleep(0.1)
                both = cpserver.fetch(srv.url("/arxiv/2606.27527,%s" % REPLACED[0]))
            self.assertEqual(both.body.count(b'class="panel paper"'), 2, both.body[:500])
            self.assertNotIn(b"being-fetched", both.body)
            asked = targets(self.fake.requests())
            self.assertTrue(asked)
            self.assertFalse([t for t in asked if "/rss/" in t or "/oai" in t], asked)
        self.fake.stop()
        fresh = os.path.join(self.tmp.name, "offline")
        os.mkdir(fresh)
        self.fake = FakeArxiv(fresh)  # its own request log
        self.fake.scenario(day=DAY1, oai_page_size=20)
        env["COOLPAPERS_ARXIV_BASE_URL"] = self.fake.base
        offline_db = "sqlite:" + os.path.join(self.tmp.name, "offline.db")
        with cpserver.CoolpapersServer(offline_db, ["--offline"], env=env) as srv:
            page = cpserver.fetch(srv.url("/arxiv/2606.27527"))
            self.assertEqual(page.status, 404, page.body[:300])
            self.assertEqual(cpserver.fetch(srv.url("/api/papers/2606.27527")).status, 404)
            listed = cpserver.fetch(srv.url("/arxiv/2606.27527,%s" % REPLACED[0]))
            self.assertEqual(listed.status, 404, listed.body[:300])
            time.sleep(0.3)
        self.assertEqual(self.fake.requests(), [])

    def test_serve_follows_arxiv_and_fetches_a_missing_paper(self):
        self.fake.scenario(day=DAY1, oai_page_size=20)
        cfg = os.path.join(self.tmp.name, "serve.toml")
        with open(cfg, "w", encoding="utf-8") as f:
            f.write('[harvest]\nfollow = ["cs.CL"]\ninterval = 0.05\n')
        env = {"COOLPAPERS_ARXIV_BASE_URL": self.fake.base, "COOLPAPERS_ADMIN_TOKEN": "harvest-admin",
               "COOLPAPERS_OFFLINE": "0"}
        with cpserver.CoolpapersServer("sqlite:" + self.db, ["--config", cfg], env=env) as srv:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # the daemon's first harvest
                done = query(self.db, "SELECT count(*) FROM day_status WHERE stored = expected")
                if done == [(1,)]:
                    break
                time.sleep(0.1)
            self.assertEqual(query(self.db, "SELECT category, day, expected FROM day_status"),
                             [("cs.CL", DAY1, 46)])
            # A cs.LG-only paper is not stored: a reader asking for it queues an API lookup.
            lg_only = query(self.db, "SELECT count(*) FROM papers WHERE id = '2606.27527'")
            self.assertEqual(lg_only, [(0,)])
            first = cpserver.fetch(srv.url("/api/papers/2606.27527"))
            self.assertEqual(first.status, 202, first.body)
            self.assertEqual(json.loads(first.body)["error"], "not stored yet")
            self.assertIn(json.loads(first.body)["state"], ("queued", "fetching"))
            page = cpserver.fetch(srv.url("/arxiv/2606.27527"))
            if page.status == 202:
                self.assertIn(b'http-equiv="refresh"', page.body)
            status = None
            while time.monotonic() < deadline and status != 200:
                status = cpserver.fetch(srv.url("/api/papers/2606.27527")).status
                time.sleep(0.05)
            self.assertEqual(status, 200)
            missing = cpserver.fetch(srv.url("/api/papers/2606.99999"))
            self.assertIn(missing.status, (202, 404))
            # An id from a month that has not come yet is refused without asking arXiv.
            before = len(self.fake.requests())
            future = cpserver.fetch(srv.url("/api/papers/9912.00001"))
            self.assertEqual(future.status, 400, future.body)
            self.assertIn("after the current month", json.loads(future.body)["error"])
            page = cpserver.fetch(srv.url("/arxiv/9912.00001"))
            self.assertEqual(page.status, 404)
            self.assertIn(b"after the current month", page.body)
            time.sleep(0.3)
            self.assertFalse([t for t in targets(self.fake.requests()[before:])
                              if "9912.00001" in t])
            metrics = cpserver.fetch(srv.url("/metrics"),
                                     headers={"X-Admin-Token": "harvest-admin"}).body.decode()
            self.assertIn('coolpapers_arxiv_requests_total{outcome="ok"}', metrics)
            self.assertIn("coolpapers_harvest_seconds_since_last_complete_day", metrics)
            self.assertIn("coolpapers_arxiv_queue_depth", metrics)


if __name__ == "__main__":
    unittest.main()
