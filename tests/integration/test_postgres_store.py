#!/usr/bin/env python3
"""The PostgreSQL store end to end: the bundled sample (arXiv and venues) imported with the real
binary into a fresh database on the test cluster and into SQLite, then `coolpapers serve` on each
must answer the same: a day's list page, a paper page, /api/papers, a search, a venue edition,
and `coolpapers stats`. The cluster's URL is in the file named by COOLPAPERS_TEST_PG_URL_FILE
(ctest fixture pg, scripts/pg-cluster.sh); without one the test fails saying how to start it."""

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402
from cpserver import fetch, run_cli  # noqa: E402

SAMPLE = os.path.join(cpserver.source_dir(), "data", "sample")
ARXIV = os.path.join(SAMPLE, "arxiv-cs-sample.jsonl.gz")
VENUES = [("acl", os.path.join(SAMPLE, "venues", "2024.acl.xml.gz")),
          ("pmlr", os.path.join(SAMPLE, "venues", "icml24.excerpt.bib.gz"))]
DAY = "2026-06-02"  # the sample's largest day (README.md)
IMPORTED = re.compile(r"imported (\d+) papers \((\d+) new, (\d+) updated, (\d+) unchanged\), "
                      r"(\d+) memberships")
TITLE_LINK = re.compile(r'<a class="title-link notranslate" href="/(?:arxiv|venue)/([^"]+)">')


class PostgresStoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.admin = cpserver.pg_cluster_url()
        cls.dbname = "cp_it_%d_%d" % (os.getpid(), random.randrange(10 ** 6))
        cpserver.psql(cls.admin, "CREATE DATABASE %s TEMPLATE template0" % cls.dbname)
        cls.tmp = tempfile.mkdtemp(prefix="cp_pg_store_")
        cls.urls = {"pg": cls.admin.rsplit("/", 1)[0] + "/" + cls.dbname,
                    "sqlite": "sqlite:" + os.path.join(cls.tmp, "store.db")}
        cls.servers = {}
        try:
            cls.imports = {}
            for name, url in cls.urls.items():
                out = run_cli("import", "arxiv-jsonl", "--db", url, ARXIV, timeout=300).stderr
                cls.imports[name] = [out] + [
                    run_cli("import", "venue", "--source", source, "--db", url, path,
                            timeout=300).stderr
                    for source, path in VENUES]
                index_dir = os.path.join(cls.tmp, "index-" + name)
                run_cli("index", "--db", url, "--index-dir", index_dir, "--no-semantic",
                        timeout=300)
                cls.servers[name] = cpserver.CoolpapersServer(
                    url, env={"COOLPAPERS_INDEX_DIR": index_dir}).start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers.values():
            s.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        try:
            cpserver.psql(cls.admin, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % cls.dbname)
        except (subprocess.SubprocessError, OSError):
            pass  # best effort: the cluster is thrown away at the end of the run

    def get_both(self, path):
        bodies = {}
        for name, server in self.servers.items():
            r = fetch(server.url(path))
            self.assertEqual(r.status, 200, "%s %s: %s" % (name, path, r.body[:300]))
            bodies[name] = r.body.decode("utf-8")
        return bodies

    def test_imports_report_the_same_counts(self):
        m = {name: IMPORTED.search(out[0]) for name, out in self.imports.items()}
        self.assertTrue(m["pg"] and m["sqlite"], self.imports)
        self.assertEqual(m["pg"].groups(), m["sqlite"].groups())
        self.assertEqual(m["pg"].group(1), "6634")
        self.assertEqual(m["pg"].group(5), "10763")
        def counts(out):  # the report without timings
            return re.sub(r"[0-9.,]+ papers/s| in [0-9.]+ s", "", out)
        for i in (1, 2):  # the venue imports
            self.assertIn("933 papers" if i == 1 else "papers", self.imports["pg"][i])
            self.assertEqual(counts(self.imports["pg"][i]), counts(self.imports["sqlite"][i]))

    def test_stats_agree(self):
        stats = {}
        for name, url in self.urls.items():
            j = json.loads(run_cli("stats", "--db", url, "--json").stdout)
            for key in ("database", "bytes", "change_seq"):  # where, and numbering gaps
                j.pop(key)
            stats[name] = j
        self.assertGreaterEqual(stats["pg"]["papers"], 6634 + 933)  # arXiv + ACL 2024 at least
        self.assertGreaterEqual(len(stats["pg"]["top_categories"]), 5)
        self.assertEqual(stats["pg"], stats["sqlite"])

    def test_stats_never_print_the_password(self):
        # The test cluster trusts loopback clients, so a password in the URL is simply unused.
        url = self.urls["pg"].replace("://coolpapers@", "://coolpapers:s3cret@")
        self.assertIn(":s3cret@", url)
        out = run_cli("stats", "--db", url).stdout
        self.assertIn("database     " + url.replace("s3cret", "***"), out)
        self.assertNotIn("s3cret", out)

    def test_a_days_list_page_has_the_same_papers_in_the_same_order(self):
        bodies = self.get_both("/arxiv/cs.CV?date=" + DAY)
        ids = {name: TITLE_LINK.findall(body) for name, body in bodies.items()}
        self.assertGreaterEqual(len(ids["sqlite"]), 100)  # 313 new in cs.CV that day, plus crosses
        self.assertEqual(ids["pg"], ids["sqlite"])

    def test_a_paper_page_and_the_api_agree(self):
        listed = TITLE_LINK.findall(self.get_both("/arxiv/cs.CL?date=" + DAY)["sqlite"])
        self.assertGreaterEqual(len(listed), 10)
        for pid in (listed[0], listed[-1]):
            pages = self.get_both("/arxiv/" + pid)
            titles = {n: re.search(r"<title>(.*?)</title>", b, re.S).group(1)
                      for n, b in pages.items()}
            self.assertEqual(titles["pg"], titles["sqlite"])
            self.assertIn(pid, pages["pg"])
            api = {n: json.loads(b) for n, b in self.get_both("/api/papers/" + pid).items()}
            for key in ("id", "title", "authors", "categories", "abstract"):
                self.assertEqual(api["pg"][key], api["sqlite"][key], key)

    def test_a_search_finds_the_same_papers(self):
        results = {n: json.loads(b) for n, b in
                   self.get_both("/api/search?q=diffusion%20segmentation").items()}
        ids = {n: [p["id"] for p in (r.get("results") or r.get("papers") or [])]
               for n, r in results.items()}
        self.assertGreaterEqual(len(ids["sqlite"]), 5, results["sqlite"])
        self.assertEqual(ids["pg"], ids["sqlite"])

    def test_a_venue_edition_lists_the_same_papers(self):
        bodies = self.get_both("/venue/ACL.2024")
        ids = {name: TITLE_LINK.findall(body) for name, body in bodies.items()}
        self.assertGreaterEqual(len(ids["sqlite"]), 100)
        self.assertEqual(ids["pg"], ids["sqlite"])


if __name__ == "__main__":
    unittest.main()
