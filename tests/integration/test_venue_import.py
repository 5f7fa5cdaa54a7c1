#!/usr/bin/env python3
"""`coolpapers import venue` against the real binary and a temporary SQLite database: the ACL
Anthology, PMLR, OpenReview and CVF open access sources (real fixtures), .gz input, idempotent
re-import, and clear errors for a wrong source, a wrong file or a missing --venue."""

import gzip
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

LINE = re.compile(r": (\S+), (\d+) papers \((\d+) new, (\d+) updated, (\d+) unchanged\), (\d+) skipped")


def venue_fixture(*parts):
    return cpserver.fixture_path("venues", *parts)


class VenueImportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cp_venue_import_")
        self.url = "sqlite:" + os.path.join(self.tmp, "test.db")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def venue(self, *args):
        return cpserver.run_cli("import", "venue", "--db", self.url, *args, check=False)

    def lines(self, stderr):
        found = [(m.group(1),) + tuple(int(x) for x in m.groups()[1:]) for m in LINE.finditer(stderr)]
        self.assertTrue(found, stderr)
        return found

    def rows(self, sql):
        with sqlite3.connect(os.path.join(self.tmp, "test.db")) as c:
            return c.execute(sql).fetchall()

    def test_each_source_imports_and_a_reimport_changes_nothing(self):
        gz = os.path.join(self.tmp, "2024.acl.xml.gz")
        with open(venue_fixture("acl", "2024.acl.excerpt.xml"), "rb") as f, gzip.open(gz, "wb") as g:
            g.write(f.read())
        runs = [("acl", gz, []), ("pmlr", venue_fixture("pmlr", "icml24.excerpt.bib"), []),
                ("openreview", venue_fixture("openreview", "iclr2023.notes.json"),
                 ["--venue", "ICLR.cc/2023/Conference"])]
        expected = {"acl": ("ACL.2024", 20), "pmlr": ("ICML.2024", 10), "openreview": ("ICLR.2023", 6)}
        for source, path, extra in runs:
            p = self.venue("--source", source, *extra, path)
            self.assertEqual(p.returncode, 0, p.stderr)
            [(edition, papers, new, updated, unchanged, skipped)] = self.lines(p.stderr)
            self.assertEqual((edition, papers), expected[source])
            self.assertEqual((new, updated, unchanged, skipped), (papers, 0, 0, 0))
        self.assertIn("3 not accepted left out", p.stderr)
        editions = dict(self.rows("SELECT edition, COUNT(*) FROM venue_papers GROUP BY edition"))
        self.assertEqual(editions, {"ACL.2024": 20, "ICML.2024": 10, "ICLR.2023": 6})
        self.assertEqual(self.rows("SELECT COUNT(*) FROM papers"), [(36,)])
        self.assertEqual(self.rows("SELECT paper_id FROM paper_aliases WHERE alias = "
                                   "'AZWqXfM6z9@OpenReview'"), [("abadrocamora24a@v235@PMLR",)])
        title = self.rows("SELECT title FROM papers WHERE id = '2024.acl-long.3@ACL'")
        self.assertEqual(title, [("MAGE: Machine-generated Text Detection in the Wild",)])

        seq = self.rows("SELECT value FROM change_seq")
        for source, path, extra in runs:
            p = self.venue("--source", source, *extra, path)
            self.assertEqual(p.returncode, 0, p.stderr)
            [(_, papers, new, updated, unchanged, _)] = self.lines(p.stderr)
            self.assertEqual((new, updated, unchanged), (0, 0, papers))
        self.assertEqual(self.rows("SELECT value FROM change_seq"), seq)

    def test_errors_name_the_input_and_the_fix(self):
        p = self.venue("--source", "nips", venue_fixture("acl", "2024.acl.excerpt.xml"))
        self.assertEqual(p.returncode, 2)
        self.assertIn('--source "nips" is not one of acl, cvf, openreview, pmlr', p.stderr)

        bib = venue_fixture("pmlr", "icml24.excerpt.bib")
        p = self.venue("--source", "acl", bib, venue_fixture("acl", "2024.acl.excerpt.xml"))
        self.assertEqual(p.returncode, 1)  # one bad file of two: the other is still imported
        self.assertIn(bib + ": not XML", p.stderr)
        self.assertEqual(self.rows("SELECT COUNT(*) FROM venue_papers"), [(20,)])

        p = self.venue("--source", "openreview", venue_fixture("openreview", "iclr2023.notes.json"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("--source openreview needs --venue", p.stderr)

        p = self.venue("--source", "pmlr", "--venue", "COLT.2023", bib)
        self.assertEqual(p.returncode, 1)
        self.assertIn("holds ICML.2024, not COLT.2023", p.stderr)

        cut = os.path.join(self.tmp, "cut.xml.gz")
        with open(venue_fixture("acl", "2024.acl.excerpt.xml"), "rb") as f:
            data = gzip.compress(f.read())
        with open(cut, "wb") as g:
            g.write(data[: len(data) // 2])
        p = self.venue("--source", "acl", cut)
        self.assertEqual(p.returncode, 1)
        self.assertIn(cut + ":", p.stderr)
        self.assertNotIn("Traceback", p.stderr)

        p = self.venue("--source", "acl", os.path.join(self.tmp, "missing.xml"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("missing.xml: cannot open", p.stderr)

    def test_cvf_listing_imports_idempotently_with_clear_errors(self):
        page = venue_fixture("cvf", "CVPR2024.excerpt.html")
        gz = os.path.join(self.tmp, "CVPR2024.html.gz")
        with open(page, "rb") as f, gzip.open(gz, "wb") as g:
            g.write(f.read())
        for path, fresh in ((gz, True), (page, False)):  # the same page, packed and plain
            p = self.venue("--source", "cvf", "--venue", "CVPR.2024", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            [(edition, papers, new, updated, unchanged, skipped)] = self.lines(p.stderr)
            self.assertEqual((edition, papers, skipped), ("CVPR.2024", 21, 0))
            self.assertEqual((new, updated, unchanged), (21, 0, 0) if fresh else (0, 0, 21))
        self.assertEqual(self.rows("SELECT edition, COUNT(*) FROM venue_papers GROUP BY edition"),
                         [("CVPR.2024", 21)])
        stem = "Alzayer_Seeing_the_World_through_Your_Eyes_CVPR_2024_paper"
        self.assertEqual(self.rows("SELECT title FROM papers WHERE id = '%s@CVPR2024@CVF'" % stem),
                         [("Seeing the World through Your Eyes",)])
        self.assertEqual(self.rows("SELECT paper_id FROM paper_aliases WHERE alias = "
                                   "'arXiv:2306.09348'"), [(stem + "@CVPR2024@CVF",)])

        p = self.venue("--source", "cvf", "--venue", "ICCV.2023", page)
        self.assertEqual(p.returncode, 1)
        self.assertIn("holds CVPR.2024, not ICCV.2023", p.stderr)
        acl = venue_fixture("acl", "2024.acl.excerpt.xml")
        p = self.venue("--source", "cvf", acl)
        self.assertEqual(p.returncode, 1)
        self.assertIn(acl + ": no paper entries", p.stderr)
        self.assertIn("CVPR2024?day=all", p.stderr)
        self.assertNotIn("Traceback", p.stderr)

    def test_cvf_urls_redirect_to_the_imported_papers(self):
        p = self.venue("--source", "cvf", venue_fixture("cvf", "CVPR2024.excerpt.html"))
        self.assertEqual(p.returncode, 0, p.stderr)
        server = cpserver.CoolpapersServer(self.url)
        server.start()
        try:
            def get(path, status):
                r = cpserver.fetch(server.url(path))
                self.assertEqual(r.status, status, "%s -> %d\n%s" % (path, r.status, r.body[:300]))
                return r

            stem = "Alzayer_Seeing_the_World_through_Your_Eyes_CVPR_2024_paper"
            for kind, ext in (("html", "html"), ("papers", "pdf")):
                url = "https://openaccess.thecvf.com/content/CVPR2024/%s/%s.%s" % (kind, stem, ext)
                r = get("/redirect?url=" + urllib.parse.quote(url, safe=""), 302)
                self.assertEqual(r.header("Location"), "/venue/%s@CVPR2024@CVF" % stem)
            body = get("/venue/%s@CVPR2024@CVF" % stem, 200).text
            self.assertIn('<meta name="citation_title" content="Seeing the World through Your '
                          'Eyes">', body)
            self.assertIn('<meta name="citation_conference_title" content="CVPR 2024">', body)
            self.assertIn('<meta name="citation_pdf_url" content="https://openaccess.thecvf.com/'
                          'content/CVPR2024/papers/%s.pdf">' % stem, body)
            listing = "https://openaccess.thecvf.com/CVPR2024?day=all"
            r = get("/redirect?url=" + urllib.parse.quote(listing, safe=""), 302)
            self.assertEqual(r.header("Location"), "/venue/CVPR.2024")
            edition = get("/venue/CVPR.2024", 200).text
            self.assertEqual(len(re.findall(r'<div class="panel paper" id="[^"]+@CVPR2024@CVF"',
                                            edition)), 21)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
