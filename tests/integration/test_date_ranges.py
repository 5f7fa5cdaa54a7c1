#!/usr/bin/env python3
"""Date ranges and replacements on the real `coolpapers serve`.

Ranges (`?date=A..B`): on the page fixture (announcement days 2026-06-29, -30 and 07-01), a
range over two days lists the union of both days once, under two day headings, newest first,
each day in arXiv's order (new submissions, then cross-lists); unions, expressions and archives
take ranges; the feed and /api/list agree with the page; reversed, malformed and over-long ranges
are 400 with a hint; the list header links "this week" and "last 7 days".

Replacements (`?show_replacements=1`): a store harvested from the fake arXiv over two days (the
second announcing two replaced papers) lists them as a third section only when asked for.

Runs as `python3 tests/integration/test_date_ranges.py` (needs $COOLPAPERS_BIN or build/coolpapers).
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

FIXTURE = cpserver.fixture_path("pages", "arxiv_pages.jsonl")
ATOM = "{http://www.w3.org/2005/Atom}"
DAY1, DAY2, DAY3 = "2026-06-29", "2026-06-30", "2026-07-01"


def load_fixture():
    with open(FIXTURE, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


RECORDS = load_fixture()


def expected_day(day, include, exclude=()):
    """Ids listed on `day` for a filter, in page order: new (primary in include), then cross."""
    new, cross = [], []
    for r in RECORDS:
        if r["listing_date"] != day:
            continue
        cats = r["categories"]
        if not any(c in include for c in cats) or any(c in exclude for c in cats):
            continue
        (new if cats[0] in include else cross).append(r["id"])
    return new, cross


def panel_ids(doc):
    return [d.attr("id") for d in doc.find_all("div", cls="panel")
            if "paper" in d.classes()]


def ids_by_day(doc):
    """{day: [ids]} following the h2.day-heading elements of a range page, in document order."""
    out, day = {}, None
    for el in doc.iter():
        if el.tag == "h2" and "day-heading" in el.classes():
            day = el.attr("id")[len("day-"):]
            out[day] = []
        elif el.tag == "div" and "panel" in el.classes() and "paper" in el.classes():
            out.setdefault(day, []).append(el.attr("id"))
    return out


class DateRangeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp, cls.db, cls.server = cpserver.start_server_in_tmp("cp_ranges_", [FIXTURE])

    @classmethod
    def tearDownClass(cls):
        cpserver.stop_server_in_tmp(cls.tmp, cls.server)

    def get(self, path, status=200):
        r = cpserver.fetch(self.server.url(path))
        self.assertEqual(r.status, status, "%s: %s" % (path, r.body[:800]))
        return r

    def page(self, path, status=200):
        return cpserver.parse_html(self.get(path, status).text)

    def test_two_day_range_is_the_union_once_under_two_day_headings(self):
        new1, cross1 = expected_day(DAY1, ["cs.CL"])
        new2, cross2 = expected_day(DAY2, ["cs.CL"])
        self.assertGreater(len(new1 + cross1), 0)
        self.assertGreater(len(new2 + cross2), 0)
        doc = self.page("/arxiv/cs.CL?date=%s..%s" % (DAY1, DAY2))
        ids = panel_ids(doc)
        self.assertEqual(len(ids), len(new1 + cross1 + new2 + cross2))
        self.assertEqual(len(set(ids)), len(ids))
        headings = [h.attr("id") for h in doc.find_all("h2", cls="day-heading")]
        self.assertEqual(headings, ["day-" + DAY2, "day-" + DAY1])  # newest first
        by_day = ids_by_day(doc)
        self.assertEqual(by_day[DAY2], new2 + cross2)
        self.assertEqual(by_day[DAY1], new1 + cross1)
        title = doc.find("h1", cls="day-title").text()
        self.assertIn("%s to %s (2 days)" % (DAY1, DAY2), title)
        # The single-day pages together list the same papers.
        single = panel_ids(self.page("/arxiv/cs.CL?date=" + DAY1)) + \
            panel_ids(self.page("/arxiv/cs.CL?date=" + DAY2))
        self.assertEqual(sorted(single), sorted(ids))

    def test_unions_expressions_and_archives_take_ranges(self):
        cases = [("cs.CL,cs.LG", ["cs.CL", "cs.LG"], []),
                 ("cs.AI+cs.LG-cs.CV", ["cs.AI", "cs.LG"], ["cs.CV"]),
                 ("cs", None, [])]
        for expr, include, exclude in cases:
            with self.subTest(expr=expr):
                want = []
                for day in (DAY3, DAY2, DAY1):
                    inc = include or sorted({c for r in RECORDS for c in r["categories"]
                                             if c.startswith("cs.")})
                    n, c = expected_day(day, inc, exclude)
                    want += n + c
                doc = self.page("/arxiv/%s?date=%s..%s" % (expr, DAY1, DAY3))
                ids = panel_ids(doc)
                self.assertEqual(len(ids), len(want))
                self.assertEqual(len(set(ids)), len(ids))
                self.assertEqual(sorted(ids), sorted(want))

    def test_feed_and_api_take_the_same_range(self):
        rng = "%s..%s" % (DAY1, DAY2)
        page_ids = panel_ids(self.page("/arxiv/cs.CL?date=" + rng))
        feed = ET.fromstring(self.get("/arxiv/cs.CL/feed?date=" + rng).body)
        entries = feed.findall(ATOM + "entry")
        self.assertEqual(len(entries), len(page_ids))
        feed_ids = [e.find(ATOM + "id").text.rsplit("/abs/", 1)[-1] for e in entries]
        self.assertEqual(feed_ids, page_ids)
        api = json.loads(self.get("/api/list?cat=cs.CL&date=" + rng).text)
        self.assertEqual(api["count"], len(page_ids))
        self.assertEqual([p["id"] for p in api["papers"]], page_ids)
        self.assertEqual([d["day"] for d in api["days"]], [DAY2, DAY1])

    def test_bad_ranges_are_400_with_a_hint(self):
        for value, words in [("%s..%s" % (DAY2, DAY1), "ends before it starts"),
                             ("2026-05-01..%s" % DAY2, "at most 31 days"),
                             ("%s..soon" % DAY1, "does not end with a day"),
                             ("2026-02-30..%s" % DAY1, "does not start with a day")]:
            with self.subTest(value=value):
                r = self.get("/arxiv/cs.CL?date=" + value, 400)
                self.assertIn(words, r.text)
                self.assertIn("2026-06-29..2026-07-03", r.text)  # the hint's example
                api = self.get("/api/list?cat=cs.CL&date=" + value, 400)
                self.assertIn(words, json.loads(api.text)["error"])
                self.get("/arxiv/cs.CL/feed?date=" + value, 400)

    def test_list_header_links_this_week_and_last_seven_days(self):
        doc = self.page("/arxiv/cs.CL")
        week = doc.find("a", cls="range-week")
        last7 = doc.find("a", cls="range-last7")
        self.assertIsNotNone(week)
        self.assertIsNotNone(last7)
        self.assertEqual(week.attr("href"), "/arxiv/cs.CL?date=%s..%s" % (DAY1, DAY3))
        self.assertEqual(last7.attr("href"), "/arxiv/cs.CL?date=2026-06-25..%s" % DAY3)
        ids = panel_ids(self.page(week.attr("href")))
        self.assertEqual(len(ids), sum(len(a + b) for a, b in
                                       (expected_day(d, ["cs.CL"]) for d in (DAY1, DAY2, DAY3))))


class ReplacementsTest(unittest.TestCase):
    """A store harvested from the fake arXiv: day 2026-06-30 replaces 2606.27378 (cs.CL primary)
    and 2606.27499 (a cross-list into cs.CL), both new on 2026-06-29."""

    REPLACED = ["2606.27378", "2606.27499"]

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cp_replacements_")
        cls.fake = None
        cls.server = None
        try:
            cls.fake = subprocess.Popen(
                [sys.executable, os.path.join(cpserver.source_dir(), "tests", "fakes",
                                              "fake_arxiv.py"),
                 "--fixtures", cpserver.fixture_path("arxiv"), "--port", "0"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            line = cls.fake.stdout.readline()
            if not line.startswith("PORT "):
                raise AssertionError("fake arXiv did not start: %r" % line)
            base = "http://127.0.0.1:%d" % int(line.split()[1])
            db = os.path.join(cls.tmp, "h.db")
            for day in (DAY1, DAY2):
                cls.scenario(base, day)
                cpserver.run_cli("harvest", "arxiv", "--db", "sqlite:" + db, "--categories",
                                 "cs.CL,cs.LG", "--once", "--base-url", base, "--interval", "0.05")
            cls.server = cpserver.CoolpapersServer("sqlite:" + db)
            cls.server.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @staticmethod
    def scenario(base, day):
        import urllib.request
        req = urllib.request.Request(base + "/_admin/scenario",
                                     data=json.dumps({"day": day}).encode(), method="POST")
        urllib.request.urlopen(req, timeout=10).read()

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.cleanup()
        if cls.fake is not None:
            if cls.fake.poll() is None:
                cls.fake.kill()
            cls.fake.wait(timeout=10)
        import shutil
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def page(self, path):
        r = cpserver.fetch(self.server.url(path))
        self.assertEqual(r.status, 200, "%s: %s" % (path, r.body[:800]))
        return cpserver.parse_html(r.text)

    def test_replacements_are_a_third_section_only_when_asked(self):
        plain = panel_ids(self.page("/arxiv/cs.CL?date=" + DAY2))
        self.assertGreater(len(plain), 0)
        for pid in self.REPLACED:
            self.assertNotIn(pid, plain)
        doc = self.page("/arxiv/cs.CL?date=%s&show_replacements=1" % DAY2)
        ids = panel_ids(doc)
        self.assertEqual(len(ids), len(plain) + 2)
        self.assertEqual(ids[:len(plain)], plain)  # new and cross-lists first, unchanged
        self.assertEqual(sorted(ids[len(plain):]), sorted(self.REPLACED))
        sections = [h.attr("id") for h in doc.find_all("h2", cls="list-section")]
        self.assertEqual(sections[-1], "section-replace")
        toggle = doc.find("a", cls="replacements-toggle")
        self.assertEqual(toggle.attr("aria-pressed"), "true")
        self.assertEqual(toggle.attr("href"), "/arxiv/cs.CL?date=" + DAY2)

    def test_a_range_lists_a_replaced_paper_once_at_its_announcement(self):
        doc = self.page("/arxiv/cs.CL?date=%s..%s&show_replacements=1" % (DAY1, DAY2))
        ids = panel_ids(doc)
        self.assertEqual(len(ids), len(set(ids)))
        by_day = ids_by_day(doc)
        self.assertEqual(sorted(by_day), [DAY1, DAY2])
        for pid in self.REPLACED:
            self.assertIn(pid, by_day[DAY1])
            self.assertNotIn(pid, by_day[DAY2])


if __name__ == "__main__":
    unittest.main()
