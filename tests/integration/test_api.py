"""JSON API of the real `coolpapers serve` on a fixture database: /api/papers, /api/list,
/api/days and POST /api/click — shapes, status codes and {"error", "hint"} errors.

Runs as `python3 tests/integration/test_api.py` (needs $COOLPAPERS_BIN or build/coolpapers).
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

FIXTURE = cpserver.fixture_path("pages", "arxiv_pages.jsonl")
with open(FIXTURE, encoding="utf-8") as _f:
    RECORDS = [json.loads(line) for line in _f if line.strip()]
BY_ID = {r["id"]: r for r in RECORDS}
LATEST = max(r["listing_date"] for r in RECORDS)
PAPER_FIELDS = {"id", "version", "title", "abstract", "authors", "categories", "comments",
                "journal_ref", "doi", "published", "updated", "pdf_url", "abs_url"}


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp, cls.db, cls.server = cpserver.start_server_in_tmp("cp_api_", [FIXTURE])

    @classmethod
    def tearDownClass(cls):
        cpserver.stop_server_in_tmp(cls.tmp, cls.server)

    def call(self, path, method="GET", status=200):
        r = cpserver.fetch(self.server.url(path), method=method,
                           data=b"" if method == "POST" else None)
        self.assertEqual(r.status, status, "%s %s: %s" % (method, path, r.body[:500]))
        if r.status == 204:
            self.assertEqual(r.body, b"")
            return None
        self.assertTrue(r.header("content-type", "").startswith("application/json"), r.headers)
        return json.loads(r.body.decode("utf-8"))

    def error(self, path, status, method="GET"):
        j = self.call(path, method=method, status=status)
        self.assertIsInstance(j, dict)
        self.assertIsInstance(j.get("error"), str)
        self.assertTrue(j["error"])
        self.assertIsInstance(j.get("hint"), str)
        self.assertTrue(j["hint"])
        return j

    def test_paper(self):
        pid = "2509.08358"
        j = self.call("/api/papers/" + pid)
        self.assertLessEqual(PAPER_FIELDS, set(j))
        rec = BY_ID[pid]
        self.assertEqual(j["id"], pid)
        self.assertEqual(j["title"], rec["title"])  # raw text in JSON (no HTML escaping)
        self.assertEqual(j["authors"], rec["authors"])
        self.assertEqual(j["categories"], rec["categories"])
        self.assertIsInstance(j["version"], int)
        self.assertEqual(j["abs_url"], "https://arxiv.org/abs/" + pid)
        self.assertTrue(j["pdf_url"].startswith("https://arxiv.org/pdf/" + pid))
        self.assertEqual(set(j["clicks"]), {"pdf", "kimi", "copy", "rel"})
        mships = {(m["category"], m["day"], m["type"]) for m in j["memberships"]}
        self.assertIn(("cs.CL", rec["listing_date"], "new"), mships)
        self.assertIn(("cs.AI", rec["listing_date"], "cross"), mships)

    def test_old_style_and_padded_ids(self):
        self.assertEqual(self.call("/api/papers/astro-ph/0601001")["id"], "astro-ph/0601001")
        self.assertEqual(self.call("/api/papers/1408.02674")["id"], "1408.2674")

    def test_paper_errors(self):
        self.error("/api/papers/garbage", 400)
        self.error("/api/papers/2601.99999", 404)

    def test_list(self):
        j = self.call("/api/list?cat=cs.CL")
        self.assertEqual(j["category"], "cs.CL")
        self.assertEqual(j["day"], LATEST)
        self.assertEqual(j["days_available"][0], LATEST)
        self.assertIn("complete", j)
        ids = [p["id"] for p in j["papers"]]
        expected = {r["id"] for r in RECORDS
                    if r["listing_date"] == LATEST and "cs.CL" in r["categories"]}
        self.assertEqual(set(ids), expected)
        self.assertEqual(len(ids), len(set(ids)))
        for p in j["papers"]:
            self.assertLessEqual(PAPER_FIELDS, set(p))
            self.assertIn(p["announce_type"], ("new", "cross"))
        types = [p["announce_type"] for p in j["papers"]]
        self.assertEqual(types, sorted(types, key=lambda t: t != "new"), "new before cross")

    def test_list_union_and_date(self):
        day = "2026-06-29"
        j = self.call("/api/list?cat=cs.CL,cs.LG&date=" + day)
        self.assertEqual(j["day"], day)
        expected = {r["id"] for r in RECORDS if r["listing_date"] == day
                    and {"cs.CL", "cs.LG"} & set(r["categories"])}
        ids = [p["id"] for p in j["papers"]]
        self.assertEqual(sorted(ids), sorted(expected))

    def test_list_errors(self):
        self.error("/api/list", 400)
        self.error("/api/list?cat=cs.NOPE", 404)
        self.error("/api/list?cat=cs.CL&date=2026-6-1", 400)

    def test_days(self):
        j = self.call("/api/days?cat=cs.CL")
        days = sorted({r["listing_date"] for r in RECORDS if "cs.CL" in r["categories"]},
                      reverse=True)
        self.assertEqual([d["day"] for d in j], days)
        counts = {d["day"]: d["count"] for d in j}
        self.assertEqual(counts[LATEST], sum(1 for r in RECORDS if r["listing_date"] == LATEST
                                             and "cs.CL" in r["categories"]))
        self.error("/api/days", 400)
        self.error("/api/days?cat=zz.ZZ", 404)

    def test_click(self):
        pid = "2606.30814"
        before = self.call("/api/papers/" + pid)["clicks"]
        self.call("/api/click/%s?kind=kimi" % pid, method="POST", status=204)
        self.call("/api/click/%s?kind=kimi" % pid, method="POST", status=204)
        self.call("/api/click/%s?kind=copy" % pid, method="POST", status=204)
        after = self.call("/api/papers/" + pid)["clicks"]
        # One click per (client, paper, kind) per day: the repeat is acknowledged, not counted.
        self.assertEqual(after["kimi"], before["kimi"] + 1)
        self.assertEqual(after["copy"], before["copy"] + 1)
        self.error("/api/click/%s?kind=like" % pid, 400, method="POST")
        self.error("/api/click/2601.99999?kind=pdf", 404, method="POST")
        self.error("/api/click/not-an-id?kind=pdf", 400, method="POST")

    def test_click_needs_post(self):
        r = cpserver.fetch(self.server.url("/api/click/2606.30814?kind=pdf"))
        self.assertEqual(r.status, 405)


if __name__ == "__main__":
    unittest.main(verbosity=2)
