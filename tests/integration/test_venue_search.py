#!/usr/bin/env python3
"""Venue search end to end (SPEC §11): the real `coolpapers serve` over a store holding arXiv
papers and the ACL, PMLR and OpenReview fixtures, indexed by `coolpapers index`.
/venue/search finds venue papers only and /arxiv/search arXiv papers only (their counts add up
to the unfiltered API's), venue hits link /venue/<id>, venue:<Edition> and venue:<Conf> (any
case) restrict the search, a bad venue is a 400 page naming the value and the fix, the venue
search feed, and the search boxes of the venue pages.

Runs as `python3 tests/integration/test_venue_search.py` (needs $COOLPAPERS_BIN or
build/coolpapers).
"""

import json
import os
import shutil
import sys
import tempfile
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402
from cpserver import fetch, fixture_path, parse_html, run_cli  # noqa: E402

ARXIV = fixture_path("search", "arxiv-300.jsonl.gz")
ACL = fixture_path("venues", "acl", "2024.acl.excerpt.xml")
PMLR = fixture_path("venues", "pmlr", "icml24.excerpt.bib")
OPENREVIEW = fixture_path("venues", "openreview", "iclr2023.notes.json")
ATOM = "{http://www.w3.org/2005/Atom}"
QUERY = "language models"


def q(s):
    return urllib.parse.quote(s, safe="")


class VenueSearchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cp_venue_search_")
        cls.db = "sqlite:" + os.path.join(cls.tmp, "store.db")
        cls.server = None
        try:
            cpserver.import_jsonl(cls.db, ARXIV)
            for args in (["--source", "acl", ACL], ["--source", "pmlr", PMLR],
                         ["--source", "openreview", "--venue", "ICLR.cc/2023/Conference",
                          OPENREVIEW]):
                run_cli("import", "venue", "--db", cls.db, *args)
            run_cli("index", "--db", cls.db, "--dims", "16", timeout=300)
            cls.server = cpserver.CoolpapersServer(cls.db)
            cls.server.start()
        except BaseException:
            if cls.server is not None:
                cls.server.cleanup()
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cpserver.stop_server_in_tmp(cls.tmp, cls.server)

    def get(self, path, status=200):
        r = fetch(self.server.url(path))
        self.assertEqual(r.status, status, "%s -> %d\n%s" % (path, r.status, r.text[:800]))
        return r

    def panels(self, path, status=200):
        """(ids of the result panels, the parsed page, the shown total) of a search page."""
        doc = parse_html(self.get(path, status).text)
        ids = [n.attr("id") for n in doc.find_all("div", cls="panel")]
        count = doc.find(cls="search-count")
        total = int(count.attr("data-total")) if count is not None else -1
        return ids, doc, total

    def test_each_branch_searches_only_its_papers_and_the_counts_add_up(self):
        venue_ids, doc, venue_total = self.panels(
            "/venue/search?query=%s&mode=bm25&limit=200" % q(QUERY))
        self.assertEqual(doc.find("body").attr("id"), "venue")
        self.assertGreater(len(venue_ids), 3)
        self.assertEqual(len(venue_ids), venue_total)
        self.assertEqual([i for i in venue_ids if "@" not in i], [])
        self.assertTrue(any(i.endswith("@ACL") for i in venue_ids), venue_ids)
        self.assertTrue(any(i.endswith("@PMLR") for i in venue_ids), venue_ids)
        arxiv_ids, doc, arxiv_total = self.panels(
            "/arxiv/search?query=%s&mode=bm25&limit=200" % q(QUERY))
        self.assertEqual(doc.find("body").attr("id"), "arxiv")
        self.assertGreater(len(arxiv_ids), 3)
        self.assertEqual(len(arxiv_ids), arxiv_total)
        self.assertEqual([i for i in arxiv_ids if "@" in i], [])
        # The unfiltered API finds both sets, each paper once.
        r = self.get("/api/search?q=%s&mode=bm25&limit=1000" % q(QUERY))
        body = json.loads(r.text)
        self.assertEqual(body["total"], venue_total + arxiv_total)
        self.assertEqual(sorted(h["id"] for h in body["results"]),
                         sorted(venue_ids + arxiv_ids))
        venue_hits = [h for h in body["results"] if "@" in h["id"]]
        self.assertEqual(len(venue_hits), len(venue_ids))
        for h in venue_hits:
            self.assertEqual(h["url"], "/venue/" + h["id"])
            self.assertIn(h["venue"], ("ACL.2024", "ICML.2024", "ICLR.2023"))

    def test_venue_hits_link_their_venue_pages(self):
        ids, doc, _ = self.panels("/venue/search?query=%s" % q(QUERY))
        self.assertTrue(ids)
        panels = doc.find_all("div", cls="panel")
        self.assertEqual(len(panels), len(ids))
        for panel in panels:
            pid = panel.attr("id")
            self.assertEqual(panel.find("a", cls="title-link").attr("href"), "/venue/" + pid)
            subjects = [a.attr("href") for a in panel.find("p", cls="subjects").find_all("a")]
            self.assertTrue(subjects and subjects[0].startswith("/venue/"), subjects)
            self.assertNotIn("arxiv.org", panel.find("a", cls="title-pdf").attr("data"))

    def test_venue_filter_takes_an_edition_or_a_conference_in_any_case(self):
        acl, _, acl_total = self.panels("/venue/search?query=%s&limit=200" % q("venue:ACL.2024 " + QUERY))
        self.assertTrue(acl)
        self.assertEqual(len(acl), acl_total)
        self.assertEqual([i for i in acl if not i.endswith("@ACL")], [])
        lower, _, _ = self.panels("/venue/search?query=%s&limit=200" % q("venue:acl " + QUERY))
        self.assertEqual(sorted(lower), sorted(acl))
        icml, _, _ = self.panels("/venue/search?query=%s&limit=200" % q("Venue:icml.2024 " + QUERY))
        self.assertTrue(icml)
        self.assertEqual([i for i in icml if not i.endswith("@PMLR")], [])
        # venue= does the same as venue:, and the result page's form keeps it.
        param, doc, _ = self.panels("/venue/search?venue=ACL.2024&query=%s&limit=200" % q(QUERY))
        self.assertEqual(sorted(param), sorted(acl))
        form = doc.find("main", cls="search").find("form", cls="search-form")
        hidden = form.find("input", name="venue")
        self.assertIsNotNone(hidden)
        self.assertEqual(hidden.attr("value"), "ACL.2024")
        # A filter alone lists the whole edition.
        whole, _, total = self.panels("/venue/search?query=venue:ICLR.2023&limit=200")
        self.assertEqual(total, 6)
        self.assertEqual(len(whole), 6)
        self.assertEqual([i for i in whole if not i.endswith("@OpenReview")], [])

    def test_unknown_venue_is_a_400_page_naming_it_and_the_known_editions(self):
        r = self.get("/venue/search?query=%s" % q("venue:NeurIPS.2031 diffusion"), 400)
        self.assertIn("NeurIPS.2031", r.text)
        for edition in ("ACL.2024", "ICML.2024", "ICLR.2023"):
            self.assertIn(edition, r.text)
        self.assertIn("venue:&lt;Conf&gt;.&lt;Year&gt;", r.text)
        self.get("/venue/search?venue=Nope&query=x", 400)
        malformed = self.get("/venue/search?query=%s" % q("venue: diffusion"), 400)
        self.assertIn("venue:ICLR.2024", malformed.text)
        self.get("/venue/search?venue=a%2Fb&query=x", 400)
        # The arXiv search says where venue papers are searched.
        arxiv = self.get("/arxiv/search?query=%s" % q("venue:ACL.2024 parsing"), 400)
        self.assertIn("/venue/search?query=", arxiv.text)
        feed = self.get("/venue/search/feed?query=%s" % q("venue:Nope.2020 x"), 400)
        self.assertIn("Nope.2020", feed.text)

    def test_venue_search_feed_links_venue_pages(self):
        r = self.get("/venue/search/feed?query=%s" % q(QUERY))
        self.assertTrue(r.header("Content-Type").startswith("application/atom+xml"))
        root = ET.fromstring(r.body)
        entries = root.findall(ATOM + "entry")
        self.assertTrue(entries)
        for e in entries:
            link = e.find(ATOM + "link").get("href")
            self.assertIn("/venue/", link)
            self.assertIn("@", link)
        page = self.get("/venue/search?query=%s" % q(QUERY)).text
        self.assertIn("/venue/search/feed?query=", page)
        arxiv = ET.fromstring(self.get("/arxiv/search/feed?query=%s" % q(QUERY)).body)
        arxiv_entries = arxiv.findall(ATOM + "entry")
        self.assertTrue(arxiv_entries)
        for e in arxiv_entries:
            self.assertIn("/arxiv/", e.find(ATOM + "link").get("href"))

    def test_venue_pages_search_the_venue_branch(self):
        for path in ("/venue/", "/venue/ACL.2024", "/venue/search"):
            doc = parse_html(self.get(path).text)
            top = doc.find("header", id="top-bar").find("form")
            self.assertEqual(top.attr("action"), "/venue/search", path)
        index = parse_html(self.get("/venue/").text)
        self.assertEqual(index.find("form", cls="venue-search").attr("action"), "/venue/search")
        edition = parse_html(self.get("/venue/ACL.2024").text)
        form = edition.find("form", cls="venue-search")
        self.assertEqual(form.attr("action"), "/venue/search")
        self.assertEqual(form.find("input", name="venue").attr("value"), "ACL.2024")
        arxiv = parse_html(self.get("/arxiv/search").text)
        self.assertEqual(arxiv.find("header", id="top-bar").find("form").attr("action"),
                         "/arxiv/search")


if __name__ == "__main__":
    unittest.main()
