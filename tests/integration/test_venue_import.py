#!/usr/bin/env python3
"""`coolpapers import venue` against the real binary and a temporary SQLite database: the ACL
Anthology, PMLR and OpenReview sources (real fixtures), .gz input, idempotent re-import, and
clear errors for a wrong source, a wrong file or a missing --venue."""

import gzip
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import unittest

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
        p = self.venue("--source", "cvf", venue_fixture("acl", "2024.acl.excerpt.xml"))
        self.assertEqual(p.returncode, 2)
        self.assertIn('--source "cvf" is not one of acl, openreview, pmlr', p.stderr)

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


if __name__ == "__main__":
    unittest.main()
