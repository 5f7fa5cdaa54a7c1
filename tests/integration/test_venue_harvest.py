#!/usr/bin/env python3
"""`coolpapers harvest venue --source openreview` against the fake OpenReview API
(tests/fakes/fake_openreview.py serving the real ICLR 2023 notes fixture): full paging with
offset/limit, an idempotent re-run, at least 1 s between requests (retries included), faults
(429 with Retry-After, 500, connection reset, malformed JSON, 403, persistent 503) with clear
errors and nothing half-stored, a venue id without papers, the URL setting (flag, env, config
file), and acl/pmlr pointed to `coolpapers import venue`."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

VENUE = "ICLR.cc/2023/Conference"
FIXTURE = cpserver.fixture_path("venues", "openreview", "iclr2023.notes.json")
SUMMARY = re.compile(r"^(\S+): (\S+), (\d+) papers \((\d+) new, (\d+) updated, (\d+) unchanged\), "
                     r"(\d+) skipped", re.M)
MIN_GAP = 1.0  # OpenReview gets at most one request a second


def accepted_in_fixture():
    with open(FIXTURE, encoding="utf-8") as f:
        notes = json.load(f)["notes"]
    return [n["id"] for n in notes if n["content"]["venueid"]["value"] == VENUE]


class FakeOpenReview(cpserver.FakeUpstream):
    """The fake OpenReview API serving the fixture's notes."""

    def __init__(self, tmp):
        super().__init__("fake_openreview.py", ["--fixture", FIXTURE],
                         os.path.join(tmp, "openreview_log.jsonl"), "fake OpenReview")


class VenueHarvestTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cp_venue_harvest_")
        self.db = os.path.join(self.tmp, "test.db")
        self.fake = FakeOpenReview(self.tmp)

    def tearDown(self):
        self.fake.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def harvest(self, *extra, venue=VENUE, url=None, env=None, source="openreview"):
        e = dict(os.environ)
        e["COOLPAPERS_OPENREVIEW_URL"] = self.fake.base if url is None else url
        if env is not None:
            e.update(env)
            e = {k: v for k, v in e.items() if v is not None}
        args = [cpserver.find_binary(), "harvest", "venue", "--db", "sqlite:" + self.db,
                "--source", source, *extra]
        if venue is not None:
            args += ["--venue", venue]
        return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, timeout=120, env=e)

    def ok(self, proc):
        self.assertEqual(proc.returncode, 0, "stdout:\n%s\nstderr:\n%s" % (proc.stdout,
                                                                          proc.stderr))
        found = SUMMARY.findall(proc.stdout)
        self.assertEqual(len(found), 1, proc.stdout)
        venue, edition, *counts = found[0]
        self.assertEqual((venue, edition), (VENUE, "ICLR.2023"))
        return tuple(int(c) for c in counts)  # papers, new, updated, unchanged, skipped

    def rows(self, sql):
        if not os.path.exists(self.db):
            return []
        with sqlite3.connect(self.db) as c:
            return c.execute(sql).fetchall()

    def stored(self):
        return self.rows("SELECT v.paper_id, v.edition, v.grp, v.position, v.pdf_url, p.title, "
                         "p.authors FROM venue_papers v JOIN papers p ON p.id = v.paper_id "
                         "ORDER BY v.position")

    def assert_gaps(self, reqs, at_least=MIN_GAP):
        for a, b in zip(reqs, reqs[1:]):
            self.assertGreaterEqual(b["t"] - a["t"], at_least,
                                    "%s then %s too close" % (a["target"], b["target"]))

    def offsets(self, reqs):
        return [int(re.search(r"[?&]offset=(\d+)", r["target"]).group(1)) for r in reqs]

    def test_full_paging_stores_every_paper_and_a_rerun_changes_nothing(self):
        expected = accepted_in_fixture()
        self.assertEqual(len(expected), 6)
        first = self.harvest("--page-size", "2")
        self.assertEqual(self.ok(first), (6, 6, 0, 0, 0))
        reqs = self.fake.requests()
        self.assertEqual(len(reqs), 3)  # 2 + 2 + 2 = the count: no 4th request
        self.assertEqual(self.offsets(reqs), [0, 2, 4])
        for r in reqs:
            self.assertIn("content.venueid=ICLR.cc%2F2023%2FConference", r["target"])
            self.assertIn("limit=2", r["target"])
        self.assert_gaps(reqs)
        self.assertIn("page 3, 6 of 6 notes (100%), 6 papers, 3 requests", first.stderr)
        self.assertIn("ETA", first.stderr)
        rows = self.stored()
        self.assertEqual(len(rows), len(expected))
        self.assertEqual([r[0] for r in rows], [i + "@OpenReview" for i in expected])
        self.assertEqual({r[1] for r in rows}, {"ICLR.2023"})
        self.assertEqual(rows[0][4], "https://openreview.net/pdf?id=VWqiPBB_EM")

        again = self.harvest("--page-size", "4")
        self.assertEqual(self.ok(again), (6, 0, 0, 6, 0))
        self.assertEqual(self.offsets(self.fake.requests()[3:]), [0, 4])
        self.assertEqual(self.stored(), rows)

    def test_a_harvest_stores_what_importing_the_same_notes_stores(self):
        self.ok(self.harvest("--page-size", "4"))
        harvested = self.stored()
        self.assertEqual(len(harvested), 6)
        self.db = os.path.join(self.tmp, "imported.db")
        cpserver.run_cli("import", "venue", "--db", "sqlite:" + self.db, "--source", "openreview",
                         "--venue", VENUE, FIXTURE)
        self.assertEqual(self.stored(), harvested)

    def test_without_a_count_paging_stops_at_a_short_page(self):
        self.fake.scenario(with_count=False)
        self.assertEqual(self.ok(self.harvest("--page-size", "3")), (6, 6, 0, 0, 0))
        reqs = self.fake.requests()
        self.assertEqual(len(reqs), 3)
        self.assertEqual(self.offsets(reqs), [0, 3, 6])  # 3, 3, then an empty page
        self.assert_gaps(reqs)
        self.assertNotIn("ETA", self.harvest("--page-size", "3").stderr)

    def test_429_reset_and_500_are_retried_keeping_a_second_between_requests(self):
        # Requests: p1 ok, p2 429 (Retry-After 2), p2 reset, p2 ok, p3 500, p3 ok.
        self.fake.scenario(faults=[{"kind": "429", "after": 1, "retry_after": "2"},
                                   {"kind": "reset", "after": 2},
                                   {"kind": "500", "after": 4}])
        self.assertEqual(self.ok(self.harvest("--page-size", "2")), (6, 6, 0, 0, 0))
        reqs = self.fake.requests()
        self.assertEqual(len(reqs), 6)
        self.assertEqual([r["fault"] for r in reqs], [None, "429", "reset", None, "500", None])
        self.assertEqual(self.offsets(reqs), [0, 2, 2, 2, 4, 4])
        self.assert_gaps(reqs)
        self.assertGreaterEqual(reqs[2]["t"] - reqs[1]["t"], 2.0)  # Retry-After obeyed
        self.assertEqual(len(self.stored()), 6)

    def test_malformed_page_fails_clearly_stores_nothing_and_a_rerun_completes(self):
        self.fake.scenario(faults=[{"kind": "malformed", "after": 1}])
        p = self.harvest("--page-size", "2")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(len(self.fake.requests()), 2)
        err = p.stderr
        self.assertIn("harvest of OpenReview venue ICLR.cc/2023/Conference failed at page 2 "
                      "(offset 2)", err)
        self.assertIn(self.fake.base + "/notes?content.venueid=ICLR.cc%2F2023%2FConference"
                      "&offset=2&limit=2", err)
        self.assertIn("not an OpenReview notes response", err)
        self.assertIn("nothing was stored", err)
        self.assertNotIn("Traceback", err)
        self.assertEqual(p.stdout, "")
        self.assertEqual(self.stored(), [])

        self.fake.scenario()
        self.assertEqual(self.ok(self.harvest("--page-size", "2")), (6, 6, 0, 0, 0))
        self.assertEqual(len(self.stored()), 6)

    def test_client_error_fails_at_once_and_persistent_503_after_the_tries(self):
        self.fake.scenario(faults=[{"kind": "403", "count": 0}])
        p = self.harvest()
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(self.fake.requests()), 1)  # a 4xx is not retried
        self.assertIn("ICLR.cc/2023/Conference failed at page 1 (offset 0)", p.stderr)
        self.assertIn("HTTP 403", p.stderr)
        self.assertIn("check the venue id and the OpenReview API URL", p.stderr)

        self.fake.scenario(faults=[{"kind": "503", "count": 0}])
        p = self.harvest("--tries", "2")
        self.assertEqual(p.returncode, 1)
        reqs = self.fake.requests()[1:]
        self.assertEqual(len(reqs), 2)
        self.assert_gaps(reqs)
        self.assertIn("HTTP 503", p.stderr)
        self.assertIn("run the same command again later", p.stderr)
        self.assertEqual(self.stored(), [])

    def test_venue_id_without_papers_and_malformed_ids_are_clear_errors(self):
        p = self.harvest(venue="ICLR.cc/2042/Conference")
        self.assertEqual(p.returncode, 1)
        self.assertIn("OpenReview has no papers for venue id ICLR.cc/2042/Conference", p.stderr)
        self.assertIn(self.fake.base + "/notes?content.venueid=ICLR.cc%2F2042%2FConference",
                      p.stderr)
        self.assertIn("https://openreview.net/group?id=ICLR.cc/2042/Conference", p.stderr)
        self.assertEqual(self.stored(), [])
        self.assertEqual(len(self.fake.requests()), 1)

        for bad in ["ICLR 2024", "ICLR.cc/24/Conference"]:
            p = self.harvest(venue=bad)
            self.assertEqual(p.returncode, 2, bad)
            self.assertIn('--venue "%s" is not an OpenReview conference id' % bad, p.stderr)
        p = self.harvest(venue=None)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--venue is required", p.stderr)
        # OpenReview itself gets at most one request a second.
        p = self.harvest("--openreview-url", "https://api2.openreview.net/", "--interval", "0.5")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--interval below 1 s is only allowed with another --openreview-url",
                      p.stderr)
        self.assertEqual(len(self.fake.requests()), 1)  # none of these asked OpenReview

    def test_acl_pmlr_and_cvf_are_file_imports(self):
        for source, origin in (("acl", "collection XML"), ("pmlr", "BibTeX file"),
                               ("cvf", "openaccess.thecvf.com")):
            p = self.harvest(source=source, venue=None)
            self.assertEqual(p.returncode, 2, source)
            self.assertIn("--source %s is a file import" % source, p.stderr)
            self.assertIn(origin, p.stderr)
            self.assertIn("coolpapers import venue --source %s FILE" % source, p.stderr)
        p = self.harvest(source="nips")
        self.assertEqual(p.returncode, 2)
        self.assertIn("is not one of acl, cvf, openreview, pmlr", p.stderr)
        self.assertEqual(self.fake.requests(), [])

    def test_the_api_url_comes_from_the_flag_the_env_or_the_config_file(self):
        dead = "http://127.0.0.1:%d" % cpserver.free_port()
        cfg = os.path.join(self.tmp, "coolpapers.toml")
        with open(cfg, "w", encoding="utf-8") as f:
            f.write('[venues]\nopenreview_url = "%s"\n' % self.fake.base)
        # The config file when neither flag nor env is set.
        p = self.harvest("--config", cfg, env={"COOLPAPERS_OPENREVIEW_URL": None})
        self.assertEqual(self.ok(p)[:2], (6, 6))
        # The env over the config file; the flag over the env.
        p = self.harvest("--config", cfg, "--openreview-url", self.fake.base, url=dead)
        self.assertEqual(self.ok(p), (6, 0, 0, 6, 0))
        self.assertEqual(len(self.fake.requests()), 2)
        p = self.harvest("--config", cfg, "--tries", "1", url=dead)
        self.assertEqual(p.returncode, 1)
        self.assertIn(dead + "/notes?", p.stderr)
        self.assertEqual(len(self.fake.requests()), 2)


if __name__ == "__main__":
    unittest.main()
