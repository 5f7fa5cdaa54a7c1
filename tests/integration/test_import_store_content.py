#!/usr/bin/env python3
"""The store an import writes, compared table by table with a known-good store: a fixed sequence
of imports (venue papers first, so arXiv writes relink them; the bundled sample in small batches;
the Kaggle and two-day bulk fixtures; the linked arXiv records; the sample again) must leave
exactly the rows recorded in tests/fixtures/import/store_golden.json (a digest per table over
every column, change sequence numbers included). Any speed-up of the import path must keep it.

COOLPAPERS_WRITE_GOLDEN=1 rewrites the golden file from the current binary (only after checking
that the store content is meant to change)."""

import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

GOLDEN = cpserver.fixture_path("import", "store_golden.json")
SAMPLE = os.path.join(cpserver.source_dir(), "data", "sample", "arxiv-cs-sample.jsonl.gz")
TABLES = {
    "papers": "SELECT * FROM papers ORDER BY id",
    "memberships": "SELECT * FROM memberships ORDER BY category, day, paper_id",
    "link_keys": "SELECT * FROM link_keys ORDER BY paper_id",
    "paper_links": "SELECT * FROM paper_links ORDER BY venue_id",
    "venue_papers": "SELECT * FROM venue_papers ORDER BY paper_id",
    "change_seq": "SELECT * FROM change_seq",
}


def digest(con, sql):
    h = hashlib.sha256()
    n = 0
    for row in con.execute(sql):
        h.update(json.dumps(row, ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
        n += 1
    return {"rows": n, "sha256": h.hexdigest()}


class ImportStoreContentTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cp_import_golden_")
        self.db = os.path.join(self.tmp, "test.db")
        self.url = "sqlite:" + self.db

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def imp(self, *args):
        cpserver.run_cli("import", *args, timeout=300)

    def test_import_sequence_leaves_the_known_good_store(self):
        self.imp("venue", "--source", "acl", "--db", self.url,
                 cpserver.fixture_path("venues", "links", "2024.acl.linked.excerpt.xml"))
        self.imp("arxiv-jsonl", "--db", self.url, "--batch-size", "997", SAMPLE)
        self.imp("arxiv-jsonl", "--db", self.url,
                 cpserver.fixture_path("import", "kaggle_snapshot.jsonl"),
                 cpserver.fixture_path("import", "bulk_two_days.jsonl"))
        self.imp("arxiv-jsonl", "--db", self.url, "--batch-size", "1",
                 cpserver.fixture_path("venues", "links", "arxiv.linked.jsonl"))
        self.imp("arxiv-jsonl", "--db", self.url, SAMPLE)
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)
        try:
            got = {name: digest(con, sql) for name, sql in TABLES.items()}
        finally:
            con.close()
        if os.environ.get("COOLPAPERS_WRITE_GOLDEN") == "1":
            with open(GOLDEN, "w", encoding="utf-8") as f:
                json.dump(got, f, indent=2, sort_keys=True)
                f.write("\n")
        with open(GOLDEN, encoding="utf-8") as f:
            want = json.load(f)
        self.assertEqual(sorted(got), sorted(want))
        self.assertGreater(want["papers"]["rows"], 6000)
        self.assertEqual(want["paper_links"]["rows"], 2)
        for name in TABLES:
            self.assertEqual(got[name], want[name], "table %s differs from the known-good store"
                             % name)


if __name__ == "__main__":
    unittest.main()
