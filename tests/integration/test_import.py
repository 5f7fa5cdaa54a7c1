#!/usr/bin/env python3
"""`coolpapers import` and `coolpapers stats` against the real binary and a temporary SQLite
database: formats, idempotent re-import, malformed input, exit codes, and a kill -9 mid-import
followed by a rerun."""

import gzip
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

SUMMARY = re.compile(
    r"imported (\d+) papers \((\d+) new, (\d+) updated, (\d+) unchanged\), (\d+) memberships, "
    r"(\d+) skipped")


def fixture(name):
    return cpserver.fixture_path("import", name)


def summary(stderr):
    """(papers, new, updated, unchanged, memberships, skipped) from the summary line."""
    m = SUMMARY.search(stderr)
    if not m:
        raise AssertionError("no summary line in:\n" + stderr[-3000:])
    return tuple(int(x) for x in m.groups())


class ImportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cp_import_test_")
        self.db = os.path.join(self.tmp, "sub", "test.db")
        self.url = "sqlite:" + self.db

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def cli(self, *args, check=False, timeout=300):
        return cpserver.run_cli(*args, check=check, timeout=timeout)

    def query(self, sql, *params):
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def kill_when(self, args, ready, poll):
        """Runs the command `args`, polls `ready()` every `poll` seconds (up to 240 s) and kills
        the process with SIGKILL once it is true; the command must still be running then."""
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)
        try:
            deadline = time.time() + 240
            while time.time() < deadline and proc.poll() is None and not ready():
                time.sleep(poll)
            self.assertIsNone(proc.poll(), "import finished before it could be killed")
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stderr.close()

    def stats(self):
        p = self.cli("stats", "--db", self.url, "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_bulk_import_then_reimport_gz_changes_nothing(self):
        p = self.cli("import", "arxiv-jsonl", "--db", self.url, fixture("bulk_two_days.jsonl"))
        self.assertEqual(p.returncode, 0, p.stderr)
        papers, new, updated, unchanged, memberships, skipped = summary(p.stderr)
        self.assertEqual((papers, new, updated, unchanged, skipped), (40, 40, 0, 0, 0))
        self.assertEqual(memberships, 69)  # every category of every paper, once
        before = self.stats()
        self.assertEqual(before["papers"], 40)
        self.assertEqual(before["memberships"], 69)
        self.assertEqual(before["days"], 2)
        self.assertEqual((before["first_day"], before["last_day"]), ("2026-06-30", "2026-07-01"))

        # Primary category -> new, the others -> cross; positions follow file order.
        with open(fixture("bulk_two_days.jsonl"), encoding="utf-8") as f:
            first = json.loads(f.readline())
        rows = self.query("SELECT category, day, type, position FROM memberships "
                          "WHERE paper_id = ? ORDER BY type, category", first["id"])
        self.assertEqual(rows[0], (first["categories"][0], "2026-06-30", 0, 0))
        self.assertEqual(sorted(r[0] for r in rows[1:]), sorted(first["categories"][1:]))
        self.assertTrue(all(r[2] == 1 for r in rows[1:]))
        title, abstract = self.query("SELECT title, abstract FROM papers WHERE id = ?",
                                     first["id"])[0]
        self.assertNotIn("\n", abstract)  # whitespace collapsed
        self.assertEqual(title, " ".join(first["title"].split()))

        gz = os.path.join(self.tmp, "again.jsonl.gz")
        with open(fixture("bulk_two_days.jsonl"), "rb") as src, gzip.open(gz, "wb") as dst:
            dst.write(src.read())
        p = self.cli("import", "arxiv-jsonl", "--db", self.url, gz)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(summary(p.stderr), (40, 0, 0, 40, 0, 0))
        after = self.stats()
        for key in ("papers", "memberships", "days", "change_seq"):
            self.assertEqual(after[key], before[key], key)

    def test_malformed_lines_reported_and_skipped(self):
        name = fixture("bulk_malformed.jsonl")
        p = self.cli("import", "arxiv-jsonl", "--db", self.url, name)
        self.assertEqual(p.returncode, 0, p.stderr)
        papers, new, _, _, _, skipped = summary(p.stderr)
        self.assertEqual((papers, new, skipped), (3, 3, 6))
        for line, why in [(3, "not valid JSON"), (5, 'no "id" field'),
                          (6, "not an arXiv id"), (7, "unrecognised record"),
                          (8, "not a JSON object"), (9, "listing_date")]:
            self.assertRegex(p.stderr, r"%s:%d: [^\n]*%s[^\n]*, skipped" % (
                re.escape(name), line, re.escape(why)))
        self.assertNotIn(":4:", p.stderr)  # an empty line is not an error
        # MSC/ACM classes are dropped, aliases folded (math.IT -> cs.IT), version from the URL.
        cats = dict(self.query("SELECT id, categories FROM papers"))
        self.assertEqual(cats["2503.12780"], "cs.CV cs.AI cs.LG eess.IV stat.ML")
        self.assertEqual(cats["2503.22015"], "eess.IV cs.CV cs.IT")
        self.assertEqual(self.query("SELECT version FROM papers WHERE id = '2503.22015'"),
                         [(3,)])
        self.assertIn("2503.11750", cats)  # last line without a newline

    def test_line_over_16_mib_is_an_error_naming_file_and_line(self):
        # The first two records of a fixture, then a 17 MiB line (a JSON string of 'x'), then
        # the third record: the long line is an error (exit 1) naming the file, its line and
        # the limit; it is read past, not into memory, and the records around it are imported.
        with open(fixture("bulk_two_days.jsonl"), encoding="utf-8") as f:
            records = [line.rstrip("\n") for line in f if line.strip()][:3]
        self.assertEqual(len(records), 3)
        huge = '{"id": "2401.00001", "abstract": "' + "x" * (17 << 20) + '"}'
        for gz in (False, True):
            path = os.path.join(self.tmp, "long.jsonl" + (".gz" if gz else ""))
            opener = gzip.open if gz else open
            with opener(path, "wt", encoding="utf-8") as f:
                f.write(records[0] + "\n" + records[1] + "\n" + huge + "\n" + records[2] + "\n")
            p = self.cli("import", "arxiv-jsonl", "--db", self.url, path)
            self.assertEqual(p.returncode, 1, p.stderr[-2000:])
            self.assertIn("%s: line 3 is longer than 16 MiB" % path, p.stderr)
            papers = summary(p.stderr)[0]
            self.assertEqual(papers, 3, p.stderr[-2000:])
            self.assertEqual(self.query("SELECT count(*) FROM papers WHERE id = '2401.00001'"),
                             [(0,)])
        # The limit is a setting: with 32 MiB the line is read (and imported).
        p = self.cli("import", "arxiv-jsonl", "--db", self.url, "--max-line-mb", "32", path)
        self.assertNotIn("longer than", p.stderr)

    def test_kaggle_snapshot_format(self):
        p = self.cli("import", "arxiv-jsonl", "--db", self.url, fixture("kaggle_snapshot.jsonl"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(summary(p.stderr)[:2], (4, 4))
        row = self.query("SELECT version, authors, categories, journal_ref, doi, published, "
                         "updated FROM papers WHERE id = '0704.0001'")[0]
        self.assertEqual(row, (2, "C. Bal\\'azs\nE. L. Berger\nP. M. Nadolsky\nC.-P. Yuan",
                               "hep-ph", "Phys.Rev.D76:013009,2007", "10.1103/PhysRevD.76.013009",
                               "2007-04-02 19:18:42", "2007-07-24 20:10:27"))
        # The v1 submission date stands in for the announcement day.
        self.assertEqual(
            self.query("SELECT category, day, type FROM memberships WHERE paper_id = '0704.0002' "
                       "ORDER BY type"),
            [("math.CO", "2007-03-31", 0), ("cs.CG", "2007-03-31", 1)])

    def test_oai_import(self):
        files = [fixture(n) for n in ("arxiv-physics-hep-th.xml", "arxiv-physics-hep-ex.xml",
                                      "sample_arxiv_record.xml", "oai_raw_paged.xml",
                                      "oai_no_records.xml")]
        p = self.cli("import", "oai", "--db", self.url, *files)
        self.assertEqual(p.returncode, 0, p.stderr)
        papers, _, _, _, memberships, skipped = summary(p.stderr)
        self.assertEqual((papers, memberships, skipped), (19, 0, 1))
        self.assertIn("1 deleted records ignored", p.stderr)
        self.assertRegex(p.stderr, re.escape(fixture("oai_raw_paged.xml")) + r":29: .*not-an-id")
        self.assertEqual(self.stats()["papers"], 18)  # 1507.07790 is in two files
        # arXivRaw gave the version and the time of the latest version of 1507.07790; the
        # earliest `published` of the two sources is kept.
        self.assertEqual(self.query("SELECT version, published, updated FROM papers WHERE id = "
                                    "'1507.07790'"),
                         [(2, "2015-07-28 00:00:00", "2016-03-04 10:02:13")])
        self.assertEqual(self.query("SELECT COUNT(*) FROM papers WHERE id = 'hep-th/9901001'"),
                         [(0,)])
        p = self.cli("import", "oai", "--db", self.url, *files)
        self.assertEqual(summary(p.stderr)[1:3], (0, 0))

    def test_unreadable_input_exits_1_with_message(self):
        missing = os.path.join(self.tmp, "nope.jsonl.gz")
        p = self.cli("import", "arxiv-jsonl", "--db", self.url, missing,
                     fixture("bulk_two_days.jsonl"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot open " + missing, p.stderr)
        self.assertIn("check the path", p.stderr)
        self.assertEqual(summary(p.stderr)[:2], (40, 40))  # the other file was still imported

        truncated = os.path.join(self.tmp, "truncated.jsonl.gz")
        with open(fixture("bulk_two_days.jsonl"), "rb") as f:
            data = gzip.compress(f.read())
        with open(truncated, "wb") as f:
            f.write(data[: len(data) // 2])
        p = self.cli("import", "arxiv-jsonl", "--db", self.url, truncated)
        self.assertEqual(p.returncode, 1)
        self.assertIn(truncated, p.stderr)
        self.assertRegex(p.stderr, r"truncated or corrupt")

        notxml = os.path.join(self.tmp, "page.xml")
        with open(notxml, "w") as f:
            f.write("<html><body>503 Service Unavailable</body></html>")
        p = self.cli("import", "oai", "--db", self.url, notxml)
        self.assertEqual(p.returncode, 1)
        self.assertIn(notxml, p.stderr)
        self.assertIn("OAI-PMH", p.stderr)

    def test_bad_usage_exits_2(self):
        for args in (["import"], ["import", "arxiv-jsonl"], ["import", "nosuchformat", "x"],
                     ["import", "arxiv-jsonl", "--nosuchflag", "x"], ["stats", "--top", "x"]):
            p = self.cli(*args)
            self.assertEqual(p.returncode, 2, "%s: %s" % (args, p.stderr))

    def test_postgres_message(self):
        # An unreachable PostgreSQL server: the message names the URL (password hidden) and what
        # to check. (Importing into PostgreSQL: test_postgres_store.py.)
        p = self.cli("import", "arxiv-jsonl", "--db", "postgresql://cp:secret@127.0.0.1:1/cp",
                     fixture("bulk_two_days.jsonl"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot connect to PostgreSQL at postgresql://cp:***@127.0.0.1:1/cp",
                      p.stderr)
        self.assertIn("check that the server runs", p.stderr)
        self.assertNotIn("secret", p.stderr)

    def test_stats_text_and_missing_database(self):
        p = self.cli("stats", "--db", self.url)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no database at", p.stderr)
        self.assertFalse(os.path.exists(self.db))
        self.cli("import", "arxiv-jsonl", "--db", self.url, fixture("bulk_two_days.jsonl"),
                 check=True)
        p = self.cli("stats", "--db", self.url)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"papers\s+40\n")
        self.assertRegex(p.stdout, r"days\s+2 \(2026-06-30 \.\. 2026-07-01\)")
        self.assertIn("cs.IT", p.stdout)

    def test_kill_during_import_then_rerun_completes(self):
        # Into a database that already holds papers, each batch is its own transaction.
        self.cli("import", "arxiv-jsonl", "--db", self.url, fixture("bulk_two_days.jsonl"),
                 check=True)
        before = self.query("SELECT COUNT(*) FROM papers")[0][0]
        big = os.path.join(self.tmp, "big.jsonl")
        total = write_big_jsonl(big, copies=5)
        batch = 500
        args = [cpserver.find_binary(), "import", "arxiv-jsonl", "--db", self.url,
                "--batch-size", str(batch), big]
        def committed():
            if not os.path.exists(self.db + "-wal"):
                return False
            try:
                return self.query("SELECT COUNT(*) FROM papers")[0][0] > before
            except sqlite3.OperationalError:
                return False  # busy

        self.kill_when(args, committed, poll=0.005)

        self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])
        stored = self.query("SELECT COUNT(*) FROM papers")[0][0] - before
        self.assertGreater(stored, 0)
        self.assertLess(stored, total)
        self.assertEqual(stored % batch, 0, "only whole batches are committed")
        orphans = self.query("SELECT COUNT(*) FROM memberships m WHERE NOT EXISTS "
                             "(SELECT 1 FROM papers p WHERE p.id = m.paper_id)")[0][0]
        bare = self.query("SELECT COUNT(*) FROM papers p WHERE NOT EXISTS "
                          "(SELECT 1 FROM memberships m WHERE m.paper_id = p.id)")[0][0]
        self.assertEqual((orphans, bare), (0, 0))

        p = self.cli("import", "arxiv-jsonl", "--db", self.url, big)
        self.assertEqual(p.returncode, 0, p.stderr)
        papers, new, updated, unchanged, _, skipped = summary(p.stderr)
        self.assertEqual((papers, new, updated, unchanged, skipped),
                         (total, total - stored, 0, stored, 0))
        self.assertEqual(self.stats()["papers"], before + total)
        expected_memberships = self.query("SELECT COUNT(*) FROM memberships")[0][0]
        p = self.cli("import", "arxiv-jsonl", "--db", self.url, big)
        self.assertEqual(summary(p.stderr)[1:5], (0, 0, total, 0))
        self.assertEqual(self.stats()["memberships"], expected_memberships)

    def test_kill_during_bulk_load_into_empty_database_leaves_it_empty(self):
        # Into a new database the import is one transaction in the rollback journal: killed
        # midway, the next open rolls it back, and the database is empty, whole and indexed.
        big = os.path.join(self.tmp, "big.jsonl")
        total = write_big_jsonl(big, copies=5)
        os.makedirs(os.path.dirname(self.db), exist_ok=True)
        args = [cpserver.find_binary(), "import", "arxiv-jsonl", "--db", self.url, big]
        def loading():
            if not os.path.exists(self.db + "-journal"):
                return False
            time.sleep(0.2)  # some rows written
            return True

        self.kill_when(args, loading, poll=0.002)

        p = self.cli("stats", "--db", self.url, "--json")  # opens read-write: rolls back
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["papers"], 0)
        self.assertFalse(os.path.exists(self.db + "-journal"))
        self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])
        self.assertEqual(self.query("PRAGMA journal_mode"), [("wal",)])
        indexes = [r[0] for r in self.query(
            "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND "
            "tbl_name IN ('papers', 'memberships', 'link_keys') ORDER BY name")]
        self.assertEqual(indexes, ["link_keys_by_doi", "link_keys_by_title",
                                   "memberships_by_day", "memberships_by_paper",
                                   "papers_by_seq"])

        p = self.cli("import", "arxiv-jsonl", "--db", self.url, big)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(summary(p.stderr)[:4], (total, total, 0, 0))
        self.assertEqual(self.query("PRAGMA journal_mode"), [("wal",)])
        self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])


def write_big_jsonl(path, copies):
    """The bundled sample repeated `copies` times under fresh ids; returns the paper count."""
    sample = os.path.join(cpserver.source_dir(), "data", "sample", "arxiv-cs-sample.jsonl.gz")
    with gzip.open(sample, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        for k in range(copies):
            yymm = "%02d%02d" % (21 + k // 12, 1 + k % 12)
            for i, r in enumerate(records):
                r = dict(r, id="%s.%05d" % (yymm, i + 1))
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
                n += 1
    return n


if __name__ == "__main__":
    unittest.main()
