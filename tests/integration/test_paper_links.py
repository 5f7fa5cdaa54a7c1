#!/usr/bin/env python3
"""Venue paper <-> arXiv links against the real binary: real ACL 2024 papers and the real arXiv
records of two of them (tests/fixtures/venues/links), linked whichever is imported first, the
same links after a re-import, and both paper pages and the API showing them. The third paper is
the Anthology's record with first and last name swapped: no link (different surname)."""

import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

ACL = cpserver.fixture_path("venues", "links", "2024.acl.linked.excerpt.xml")
ARXIV = cpserver.fixture_path("venues", "links", "arxiv.linked.jsonl")
EXPECTED = [("2024.acl-srw.11@ACL", "2506.03580", "title"),
            ("2024.acl-srw.50@ACL", "2504.04151", "title")]
LINKED = re.compile(r", (\d+) linked to arXiv")


class PaperLinksTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cp_paper_links_")
        self.path = os.path.join(self.tmp, "test.db")
        self.url = "sqlite:" + self.path

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def links(self):
        with sqlite3.connect(self.path) as c:
            return c.execute("SELECT venue_id, arxiv_id, method FROM paper_links "
                             "ORDER BY venue_id").fetchall()

    def import_venue(self):
        p = cpserver.run_cli("import", "venue", "--source", "acl", "--db", self.url, ACL)
        found = LINKED.findall(p.stderr)
        self.assertEqual(len(found), 1, p.stderr)
        return int(found[0])

    def test_links_whichever_side_comes_first_and_a_reimport_changes_nothing(self):
        self.assertEqual(self.import_venue(), 0)
        self.assertEqual(self.links(), [])
        cpserver.import_jsonl(self.url, ARXIV)
        self.assertEqual(self.links(), EXPECTED)
        self.assertEqual(self.import_venue(), 2)
        cpserver.import_jsonl(self.url, ARXIV)
        self.assertEqual(self.links(), EXPECTED)

    def test_pages_and_api_show_the_links(self):
        cpserver.import_jsonl(self.url, ARXIV)
        self.assertEqual(self.import_venue(), 2)
        with cpserver.CoolpapersServer(self.url) as server:
            body = cpserver.fetch(server.url("/arxiv/2504.04151")).text
            self.assertIn('Also at: <a class="venue-link" href="/venue/2024.acl-srw.50@ACL">'
                          'ACL 2024 (SRW)</a>', body)
            body = cpserver.fetch(server.url("/venue/2024.acl-srw.50@ACL")).text
            self.assertIn('arXiv: <a class="arxiv-link" href="/arxiv/2504.04151">2504.04151</a>',
                          body)
            body = cpserver.fetch(server.url("/venue/2024.acl-short.40@ACL")).text
            self.assertNotIn('class="arxiv-link"', body)
            paper = json.loads(cpserver.fetch(server.url("/api/papers/2506.03580")).text)
            self.assertEqual(len(paper["also_at"]), 1)
            self.assertEqual(paper["also_at"][0]["id"], "2024.acl-srw.11@ACL")
            listing = json.loads(cpserver.fetch(server.url("/api/list?venue=ACL.2024")).text)
            self.assertEqual(listing["count"], 3)
            self.assertEqual(sorted((p["id"], p["arxiv_id"]) for p in listing["papers"]),
                             [("2024.acl-short.40@ACL", None),
                              ("2024.acl-srw.11@ACL", "2506.03580"),
                              ("2024.acl-srw.50@ACL", "2504.04151")])


if __name__ == "__main__":
    unittest.main()
