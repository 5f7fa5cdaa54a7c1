#!/usr/bin/env python3
"""Venue pages of the real `coolpapers serve` after `coolpapers import venue` of the ACL, PMLR and
OpenReview fixtures: /venue/, an edition grouped by volume (?group=), /venue/<Conf> (302), venue
paper pages (Highwire tags, an alias), /api/list?venue= and the home page's venues section.

Runs as `python3 tests/integration/test_venue_pages.py` (needs $COOLPAPERS_BIN or build/coolpapers).
"""

import json
import os
import re
import shutil
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

ACL = cpserver.fixture_path("venues", "acl", "2024.acl.excerpt.xml")
PMLR = cpserver.fixture_path("venues", "pmlr", "icml24.excerpt.bib")
OPENREVIEW = cpserver.fixture_path("venues", "openreview", "iclr2023.notes.json")
PANEL = re.compile(r'<div class="panel paper" id="([^"]+)"')
GROUP = re.compile(r'<h2 class="group" id="group-([^"]+)">([^<]+) \((\d+)\)</h2>')


def acl_ids_by_volume():
    """[(volume id, [paper id, ...])] in the file's order, front matter (paper 0) left out."""
    out = []
    for volume in ET.parse(ACL).getroot().iter("volume"):
        ids = [p.findtext("url") + "@ACL" for p in volume.iter("paper") if p.get("id") != "0"]
        out.append((volume.get("id"), ids))
    return out


def accepted_forums():
    with open(OPENREVIEW, encoding="utf-8") as f:
        data = json.load(f)
    notes = data["notes"] if isinstance(data, dict) else data
    return [n["forum"] for n in notes
            if n["content"]["venueid"]["value"] == "ICLR.cc/2023/Conference"]


class VenuePagesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cp_venue_pages_")
        db = "sqlite:" + os.path.join(cls.tmp, "store.db")
        cls.server = None
        try:
            for args in (["--source", "acl", ACL], ["--source", "pmlr", PMLR],
                         ["--source", "openreview", "--venue", "ICLR.cc/2023/Conference",
                          OPENREVIEW]):
                cpserver.run_cli("import", "venue", "--db", db, *args)
            cls.server = cpserver.CoolpapersServer(db)
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
        r = cpserver.fetch(self.server.url(path))
        self.assertEqual(r.status, status, "%s -> %d\n%s" % (path, r.status, r.body[:500]))
        return r

    def test_index_lists_each_edition_with_its_count(self):
        body = self.get("/venue/").text
        self.assertIn('<body id="venue">', body)
        editions = re.findall(r'<li class="edition" data-edition="([^"]+)">.*?'
                              r'<span class="edition-count">(\d+) papers</span>', body)
        self.assertEqual(len(editions), 3, body)
        self.assertEqual(dict((e, int(n)) for e, n in editions),
                         {"ACL.2024": 20, "ICML.2024": 10, "ICLR.2023": 6})
        groups = re.findall(r'<a class="edition-group" href="/venue/ACL\.2024\?group=([^"]+)">', body)
        self.assertEqual(len(groups), len(acl_ids_by_volume()))
        self.assertEqual(self.get("/venue").text, body)

    def test_home_page_links_each_edition(self):
        body = self.get("/").text
        links = re.findall(r'<li class="venue-edition" data-edition="[^"]+"><a class="edition-link" '
                           r'href="(/venue/[^"]+)">[^<]+</a> \((\d+)\)', body)
        self.assertEqual(len(links), 3)
        self.assertIn(("/venue/ACL.2024", "20"), links)
        self.assertNotIn("No venue proceedings imported yet", body)

    def test_edition_page_lists_every_paper_under_its_volume(self):
        body = self.get("/venue/ACL.2024").text
        volumes = acl_ids_by_volume()
        expected = [i for _, ids in volumes for i in ids]
        panels = PANEL.findall(body)
        self.assertEqual(len(panels), 20)
        self.assertEqual(panels, expected)
        groups = GROUP.findall(body)
        self.assertEqual(len(groups), len(volumes))
        self.assertEqual([int(n) for _, _, n in groups], [len(ids) for _, ids in volumes])
        for pid in panels:
            self.assertIn('<a class="title-link notranslate" href="/venue/%s">' % pid, body)
            pdf = "https://aclanthology.org/%s.pdf" % pid[:-len("@ACL")]
            self.assertIn('<a class="title-pdf notranslate" data="%s"' % pdf, body)
        self.assertEqual(body.count('<p class="subjects"><strong>Subjects</strong>: '
                                    '<a href="/venue/ACL.2024">ACL.2024</a>, '), 20)

    def test_group_filter_is_case_insensitive(self):
        body = self.get("/venue/ACL.2024?group=short").text
        expected = dict(acl_ids_by_volume())["short"]
        panels = PANEL.findall(body)
        self.assertEqual(len(panels), len(expected))
        self.assertEqual(panels, expected)
        groups = GROUP.findall(body)
        self.assertEqual(len(groups), 1)
        self.assertEqual(groups[0][1], "Short")

    def test_conference_redirects_to_its_newest_edition(self):
        r = self.get("/venue/ICML", status=302)
        self.assertEqual(r.header("Location"), "/venue/ICML.2024")
        r = self.get("/venue/EMNLP.2023", status=404)
        self.assertIn("EMNLP.2023", r.text)

    def test_paper_page_has_highwire_tags(self):
        body = self.get("/venue/2024.acl-long.3@ACL").text
        self.assertEqual(len(PANEL.findall(body)), 1)
        self.assertIn('<meta name="citation_title" content="MAGE: Machine-generated Text '
                      'Detection in the Wild">', body)
        authors = re.findall(r'<meta name="citation_author" content="([^"]+)">', body)
        self.assertEqual(len(authors), 9)
        self.assertEqual(authors[0], "Yafu Li")
        self.assertIn('<meta name="citation_conference_title" content="ACL 2024">', body)
        self.assertIn('<meta name="citation_publication_date" content="2024">', body)
        self.assertIn('<meta name="citation_pdf_url" '
                      'content="https://aclanthology.org/2024.acl-long.3.pdf">', body)
        self.assertIn('<li class="pages">Pages 36-53</li>', body)
        self.get("/venue/2099.acl-long.1@ACL", status=404)

    def test_alias_answers_with_the_stored_paper(self):
        body = self.get("/venue/AZWqXfM6z9@OpenReview").text
        self.assertEqual(PANEL.findall(body), ["abadrocamora24a@v235@PMLR"])
        self.assertIn('<link rel="canonical" href="/venue/abadrocamora24a@v235@PMLR">', body)
        self.assertIn("Revisiting Character-level Adversarial Attacks for Language Models", body)
        self.assertIn('<meta name="citation_conference_title" content="ICML 2024">', body)

    def test_api_list_venue(self):
        j = json.loads(self.get("/api/list?venue=ICLR.2023").text)
        forums = accepted_forums()
        self.assertEqual(j["count"], len(forums))
        self.assertEqual(len(j["papers"]), 6)
        self.assertEqual([p["id"] for p in j["papers"]], [f + "@OpenReview" for f in forums])
        for p in j["papers"]:
            self.assertEqual(p["edition"], "ICLR.2023")
            self.assertTrue(p["group"])
            self.assertTrue(p["authors"])
            self.assertEqual(p["pdf_url"], "https://openreview.net/pdf?id=" + p["id"].split("@")[0])
        err = json.loads(self.get("/api/list?venue=NeurIPS.2023", status=404).text)
        self.assertIn("NeurIPS.2023", err["error"])
        self.assertIn("ICLR.2023", err["hint"])


if __name__ == "__main__":
    unittest.main()
