#!/usr/bin/env python3
"""`coolpapers migrate --from URL --to URL` end to end: the bundled sample (arXiv papers and the
ACL 2024 proceedings), a FAQ made through tests/fakes/fake_llm.py and clicks made through
POST /api/click are imported into SQLite, then migrated into a fresh SQLite database and into a
fresh PostgreSQL database on the test cluster (its URL in the file named by
$COOLPAPERS_TEST_PG_URL_FILE; the test creates its own database and drops it).

Checks: the migration prints the counts of both stores and verifies them; `serve` on the source
and on each destination answers list pages, paper pages, paper JSON (clicks included), the
venue list and the FAQ with the same bytes; a second migrate into the same destination is
refused naming what the destination holds and --into-non-empty; with --into-non-empty it runs;
a missing source and the same URL twice are refused.

Runs as `python3 tests/integration/test_migrate.py` (needs $COOLPAPERS_BIN or build/coolpapers).
"""

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402
import test_faq  # noqa: E402  (its fake LLM; its tests are not run here)

SAMPLE = os.path.join(cpserver.source_dir(), "data", "sample", "arxiv-cs-sample.jsonl.gz")
ACL = os.path.join(cpserver.source_dir(), "data", "sample", "venues", "2024.acl.xml.gz")


def sample_records():
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def comparable(body):
    """A response body without what legitimately differs between two servers (their ports)."""
    return re.sub(rb"127\.0\.0\.1:\d+", b"127.0.0.1:PORT", body)


class MigrateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cp_migrate_")
        cls.src = "sqlite:" + os.path.join(cls.tmp, "source.db")
        cls.llm = cls.pdf = None
        try:
            cls.fill_source()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for fake in (cls.llm, cls.pdf):
            if fake is not None:
                fake.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def fill_source(cls):
        records = sample_records()
        cls.paper = records[0]["id"]
        cls.other = records[1]["id"]
        cpserver.import_jsonl(cls.src, SAMPLE)
        cpserver.run_cli("import", "venue", "--db", cls.src, "--source", "acl", ACL)
        # A FAQ from the fake LLM (no PDF anywhere: the abstract-only FAQ).
        cls.llm = test_faq.FakeLlm(cls.tmp)
        cls.pdf = cpserver.PdfServer(lambda path: (path, None))
        cls.llm_env = {"COOLPAPERS_LLM_BASE_URL": cls.llm.base + "/v1",
                       "COOLPAPERS_LLM_API_KEY": test_faq.KEY,
                       "COOLPAPERS_LLM_MODEL": "fake-model",
                       "COOLPAPERS_ARXIV_BASE_URL": cls.pdf.base}
        env = dict(os.environ)
        env.update(cls.llm_env)
        cpserver.run_cli("faq", cls.paper, "--lang", "en", "--db", cls.src, env=env)
        # Clicks through the API (one per paper and kind: repeats from one reader count once),
        # made durable by the server's shutdown; and a venue paper's id from the venue list.
        with cpserver.CoolpapersServer(cls.src) as srv:
            for pid, kind in ((cls.paper, "pdf"), (cls.paper, "kimi"), (cls.paper, "rel"),
                              (cls.other, "copy")):
                r = cpserver.fetch(srv.url("/api/click/%s?kind=%s" % (pid, kind)), method="POST",
                                   data=b"")
                assert r.status == 204, r
            page = cpserver.fetch(srv.url("/venue/ACL.2024")).text
        m = re.search(r'href="/venue/([^"?#/]+@ACL)"', page)
        assert m, "no ACL paper link on /venue/ACL.2024"
        cls.venue_id = m.group(1)

    def paths(self):
        return ["/arxiv/cs.AI", "/arxiv/cs.CL,cs.LG", "/arxiv/cs.CV+cs.LG-cs.AI",
                "/api/days?cat=cs.CL", "/api/list?cat=cs.CL", "/api/list?cat=cs.LG,cs.AI",
                "/arxiv/" + self.paper, "/api/papers/" + self.paper,
                "/api/papers/" + self.other, "/api/faq/%s?lang=en" % self.paper,
                "/venue/ACL.2024", "/venue/" + self.venue_id, "/venue/ACL.2024?group=Long"]

    def migrate(self, dst, *extra, check=True):
        return cpserver.run_cli("migrate", "--from", self.src, "--to", dst, *extra,
                                timeout=300, check=check)

    def assert_migrated(self, dst):
        proc = self.migrate(dst)
        self.assertIn("verified:", proc.stdout)
        for row in ("papers", "memberships", "venue papers", "FAQs"):
            m = re.search(r"^%s\s+([\d,]+)\s+([\d,]+)\s*$" % row, proc.stdout, re.M)
            self.assertIsNotNone(m, "no %s row in\n%s" % (row, proc.stdout))
            self.assertEqual(m.group(1), m.group(2), row)
            if row != "FAQs":
                self.assertGreater(int(m.group(1).replace(",", "")), 10, row)
        self.assertRegex(proc.stdout, r"(?m)^FAQs\s+1\s+1\s*$")
        self.assertIn("migrate clicks: 4 clicks over 4 counters", proc.stderr)
        self.assert_same_pages(dst)
        # Into the same destination again: refused, naming what is there and the way out.
        again = self.migrate(dst, check=False)
        self.assertEqual(again.returncode, 1, again.stderr)
        self.assertIn("is not empty", again.stderr)
        self.assertRegex(again.stderr, r"holds [\d,]+ papers, [\d,]+ memberships, 1 FAQs")
        self.assertIn("--into-non-empty", again.stderr)
        self.assertNotIn("verified", again.stdout)
        merged = self.migrate(dst, "--into-non-empty")
        self.assertIn("verified:", merged.stdout)

    def assert_same_pages(self, dst):
        # The FAQ is looked up under the model it was made with.
        with cpserver.CoolpapersServer(self.src, env=self.llm_env) as a, \
                cpserver.CoolpapersServer(dst, env=self.llm_env) as b:
            paths = self.paths()
            self.assertEqual(len(paths), 13)
            for path in paths:
                ra, rb = cpserver.fetch(a.url(path)), cpserver.fetch(b.url(path))
                self.assertEqual(ra.status, 200, path)
                self.assertEqual(rb.status, 200, "%s on the destination\n%s" % (path, b.logs()))
                self.assertEqual(comparable(ra.body), comparable(rb.body), path)
            paper = json.loads(cpserver.fetch(b.url("/api/papers/" + self.paper)).body)
            self.assertEqual(paper["clicks"], {"pdf": 1, "kimi": 1, "copy": 0, "rel": 1})

    def test_1_sqlite_to_sqlite(self):
        self.assert_migrated("sqlite:" + os.path.join(self.tmp, "copy.db"))

    def test_2_sqlite_to_postgresql(self):
        cluster = cpserver.pg_cluster_url()
        name = "cp_migrate_" + uuid.uuid4().hex[:12]
        cpserver.psql(cluster, "CREATE DATABASE %s TEMPLATE template0" % name)
        try:
            self.assert_migrated(cpserver.with_database(cluster, name))
        finally:
            cpserver.psql(cluster, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)

    def test_3_missing_source_and_same_database_are_refused(self):
        missing = "sqlite:" + os.path.join(self.tmp, "no-such.db")
        proc = cpserver.run_cli("migrate", "--from", missing, "--to",
                                "sqlite:" + os.path.join(self.tmp, "x.db"), check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("no database at --from " + missing, proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "no-such.db")))
        same = cpserver.run_cli("migrate", "--from", self.src, "--to", self.src, check=False)
        self.assertEqual(same.returncode, 2)
        self.assertIn("both name", same.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
