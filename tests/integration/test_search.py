"""Search end to end: import a real-paper fixture, build the index with `coolpapers index`,
then the CLI (`search`, `eval retrieval`), the pages (/arxiv/search, feed, related, similar,
/venue/search), the JSON API, bad queries (400, never 500), incremental indexing while serving,
crash safety of `index --rebuild`, and the OpenAI-compatible embedder against a local fake."""

import gzip
import hashlib
import http.server
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402
from cpserver import fetch, fixture_path, parse_html, run_cli  # noqa: E402

FIXTURE = fixture_path("search", "arxiv-300.jsonl.gz")
ATOM = "{http://www.w3.org/2005/Atom}"


def load_fixture():
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def q(s):
    return urllib.parse.quote(s, safe="")


class FakeEmbeddings(http.server.BaseHTTPRequestHandler):
    """POST /v1/embeddings: deterministic 256-dim bag-of-words hash vectors."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        data = []
        for i, text in enumerate(body["input"]):
            v = [0.0] * 256
            for w in re.findall(r"[a-z]+", text.lower()):
                v[int(hashlib.md5(w.encode()).hexdigest(), 16) % 256] += 1.0
            data.append({"object": "embedding", "index": i, "embedding": v})
        out = json.dumps({"object": "list", "data": data, "model": body["model"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


class SearchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cp_search_it_")
        cls.db = "sqlite:" + os.path.join(cls.tmp, "t.db")
        cls.papers = load_fixture()
        cpserver.import_jsonl(cls.db, FIXTURE)
        out = run_cli("index", "--db", cls.db, "--dims", "64", timeout=300).stdout
        assert "300 papers" in out, out
        cls.server = cpserver.CoolpapersServer(cls.db)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def get(self, path, **kw):
        return fetch(self.server.url(path), **kw)

    def api(self, path):
        r = self.get(path)
        self.assertEqual(r.header("Content-Type").split(";")[0], "application/json", path)
        return r.status, json.loads(r.text)

    # ---- CLI ----

    def test_cli_search_finds_a_paper_by_its_title(self):
        p = self.papers[0]
        out = run_cli("search", "--db", self.db, "--json", "--limit", "5", p["title"]).stdout
        res = json.loads(out)
        self.assertEqual(res["results"][0]["id"], p["id"])
        text = run_cli("search", "--db", self.db, p["title"]).stdout
        self.assertIn(p["id"], text)
        bad = run_cli("search", "--db", self.db, "x", "date:never", check=False)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("date", bad.stderr)

    def test_eval_retrieval_last_line(self):
        d = fixture_path("search")
        run = os.path.join(self.tmp, "bm25.run")
        proc = run_cli("eval", "retrieval", "--corpus", os.path.join(d, "scifact-200-corpus.jsonl.gz"),
                       "--queries", os.path.join(d, "scifact-200-queries.jsonl"),
                       "--qrels", os.path.join(d, "scifact-200-qrels.tsv"), "--run", run,
                       timeout=300)
        # --run: a TREC run of every evaluated query (60 in the sample), ranks from 1.
        with open(run) as f:
            rows = [line.split() for line in f]
        self.assertGreater(len(rows), 60 * 10)
        self.assertTrue(all(len(r) == 6 and r[1] == "Q0" and r[5] == "coolpapers-bm25"
                            for r in rows))
        self.assertEqual(len({r[0] for r in rows}), 60)
        self.assertEqual(sum(1 for r in rows if r[3] == "1"), 60)
        lines = proc.stdout.strip().splitlines()
        self.assertRegex(lines[-1], r"^nDCG@10: \d\.\d+$")
        self.assertGreater(float(lines[-1].split(": ")[1]), 0.6)
        self.assertTrue(any(l.startswith("Recall@100: ") for l in lines))
        self.assertTrue(any(l.startswith("MRR@10: ") for l in lines))
        missing = run_cli("eval", "retrieval", "--corpus", "/nonexistent", "--queries",
                          "/nonexistent", "--qrels", "/nonexistent", check=False)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("/nonexistent", missing.stderr)

    def test_eval_semantic_model_word_vectors_beat_lsa(self):
        # The default corpus model (PPMI word vectors, SIF-averaged) ranks semantic search
        # better than the older LSA model on the SciFact sample; the flag picks either.
        d = fixture_path("search")
        args = ["--corpus", os.path.join(d, "scifact-200-corpus.jsonl.gz"),
                "--queries", os.path.join(d, "scifact-200-queries.jsonl"),
                "--qrels", os.path.join(d, "scifact-200-qrels.tsv"), "--mode", "semantic"]

        def ndcg(*extra):
            proc = run_cli("eval", "retrieval", *args, *extra, timeout=300)
            return float(proc.stdout.strip().splitlines()[-1].split(": ")[1])

        default, lsa = ndcg(), ndcg("--semantic-model", "lsa")
        self.assertEqual(ndcg("--semantic-model", "ppmi-sif"), default)
        self.assertGreater(default, lsa + 0.03)
        bad = run_cli("eval", "retrieval", *args, "--semantic-model", "glove", check=False)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--semantic-model glove", bad.stderr)

    # ---- JSON API ----

    def test_api_search_contract(self):
        p = self.papers[1]
        status, res = self.api("/api/search?q=%s&limit=5" % q(p["title"]))
        self.assertEqual(status, 200)
        for key in ("query", "total", "offset", "results", "suggestion"):
            self.assertIn(key, res)
        self.assertEqual(res["results"][0]["id"], p["id"])
        hit = res["results"][0]
        for key in ("id", "title", "score", "snippet", "authors", "categories", "date"):
            self.assertIn(key, hit)
        self.assertLessEqual(len(res["results"]), 5)
        # Modes, paging, sorting.
        for mode in ("bm25", "semantic", "hybrid"):
            status, r = self.api("/api/search?q=%s&mode=%s" % (q("neural networks"), mode))
            self.assertEqual(status, 200, mode)
            self.assertTrue(r["results"], mode)
        status, page2 = self.api("/api/search?q=model&limit=3&offset=3&mode=bm25")
        status, page1 = self.api("/api/search?q=model&limit=6&mode=bm25")
        self.assertEqual([h["id"] for h in page2["results"]], [h["id"] for h in page1["results"][3:6]])
        status, by_time = self.api("/api/search?q=model&sort=time&limit=20")
        dates = [h["date"] for h in by_time["results"]]
        self.assertEqual(dates, sorted(dates, reverse=True))

    def test_api_bad_queries_are_400_json(self):
        for params in ("q=", "q=%s" % ("x" * 1500), "q=x&sort=sideways", "q=x&date=2026-99-01",
                       "q=x&mode=psychic", "q=%s" % q("date:someday")):
            status, body = self.api("/api/search?" + params)
            self.assertEqual(status, 400, params)
            self.assertIn("error", body)
            self.assertIn("hint", body)

    def test_semantic_depth_is_bounded_with_a_clear_400(self):
        # Regression (issue 11 item 8): a huge offset walked the whole vector index.
        status, body = self.api("/api/search?q=transformer&mode=semantic&offset=100000000")
        self.assertEqual(status, 400)
        self.assertIn("offset+limit", body["error"])
        self.assertIn("1000", body["error"])
        self.assertIn("offset", body["hint"])
        status, body = self.api("/api/search?similar=%s&offset=995&limit=10" % q("neural networks"))
        self.assertEqual(status, 400)
        self.assertIn("similar-text search", body["error"])
        status, _ = self.api("/api/search?q=transformer&mode=semantic&offset=990&limit=10")
        self.assertEqual(status, 200)
        r = self.get("/arxiv/search?query=transformer&mode=semantic&page=1000")
        self.assertEqual(r.status, 400)
        self.assertIn(b"offset+limit", r.body)

    def test_api_related_and_keywords(self):
        p = self.papers[2]
        status, rel = self.api("/api/related/" + p["id"])
        self.assertEqual(status, 200)
        ids = [h["id"] for h in rel["results"]]
        self.assertEqual(len(ids), 10)
        self.assertNotIn(p["id"], ids)
        self.assertEqual(len(set(ids)), 10)
        status, kw = self.api("/api/keywords/" + p["id"])
        self.assertEqual(status, 200)
        self.assertTrue(1 <= len(kw["keywords"]) <= 8)
        status, missing = self.api("/api/related/9999.99999")
        self.assertEqual(status, 404)
        self.assertIn("hint", missing)

    # ---- pages ----

    def test_search_page_contract(self):
        p = self.papers[3]
        words = " ".join(p["title"].split()[:4])
        r = self.get("/arxiv/search?query=%s&highlight=1" % q(words))
        self.assertEqual(r.status, 200)
        doc = parse_html(r.text)
        self.assertEqual(doc.find("body").attr("id"), "arxiv")
        panels = doc.find_all("div", cls="panel")
        self.assertTrue(panels)
        ids = [n.attr("id") for n in panels]
        self.assertIn(p["id"], ids)
        first = panels[0]
        self.assertTrue(first.find("a", cls="title-link"))
        self.assertTrue(first.find("p", cls="summary"))
        self.assertTrue(doc.find_all("mark"), "highlight=1 marks the matches")
        self.assertTrue(doc.find(cls="search-count"))
        self.assertEqual(len(doc.find_all("a", cls="sort-link")), 3)
        self.assertIn('rel="alternate"', r.text)  # the search feed is linked
        plain = self.get("/arxiv/search?query=%s" % q(words))
        self.assertNotIn("<mark>", plain.text)
        form = self.get("/arxiv/search")
        self.assertEqual(form.status, 200)
        self.assertIn("How to search", form.text)

    def test_papers_cool_search_url_forms_answer_like_their_named_sorts(self):
        # Links and bookmarks made on papers.cool work by changing only the host: its numeric
        # sorts (0 time, 1 stars, 2 relevance), and an unknown sort is relevance, not an error.
        def ids(path):
            r = self.get(path)
            self.assertEqual(r.status, 200, path)
            return [n.attr("id") for n in parse_html(r.text).find_all("div", cls="panel")]
        base = "/arxiv/search?highlight=1&query=model"
        by_relevance = ids(base)
        self.assertGreater(len(by_relevance), 5)
        by_time = ids(base + "&sort=time")
        self.assertNotEqual(by_time, by_relevance)
        self.assertEqual(ids(base + "&sort=0"), by_time)
        self.assertEqual(ids(base + "&sort=1"), ids(base + "&sort=stars"))
        self.assertEqual(ids(base + "&sort=2"), by_relevance)
        self.assertEqual(ids(base + "&sort=sideways"), by_relevance)
        feed = self.get("/arxiv/search/feed?query=model&sort=sideways")
        self.assertEqual(feed.status, 200)

    def test_bad_queries_get_a_helpful_400_page(self):
        for query in ("%20", q("date:yesterday"), "x" * 1200):
            r = self.get("/arxiv/search?query=" + query)
            self.assertEqual(r.status, 400, query[:40])
            self.assertIn("error-hint", r.text)
            self.assertIn("search-form", r.text)
        for query in ('"', "-", "ti:", q("'; DROP TABLE papers; --"), q("<script>x</script>"),
                      q("\x01\x02"), q("AND OR NOT"), q(" ".join("w%d" % i for i in range(150)))):
            r = self.get("/arxiv/search?query=" + query)
            self.assertIn(r.status, (200, 400), query[:40])
            self.assertNotIn("<script>x", r.text)

    def test_search_feed_is_atom(self):
        r = self.get("/arxiv/search/feed?query=learning")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("application/atom+xml"))
        root = ET.fromstring(r.body)
        self.assertEqual(root.tag, ATOM + "feed")
        entries = root.findall(ATOM + "entry")
        self.assertTrue(entries)
        self.assertTrue(entries[0].find(ATOM + "title").text)

    def test_related_page_and_similar_form(self):
        p = self.papers[4]
        r = self.get("/arxiv/related/" + p["id"])
        self.assertEqual(r.status, 200)
        panels = parse_html(r.text).find_all("div", cls="panel")
        self.assertEqual(len(panels), 10)
        self.assertEqual(self.get("/arxiv/search?rel=" + p["id"]).status, 200)
        self.assertEqual(self.get("/arxiv/related/9999.99999").status, 404)
        body = "similar=" + q(p["summary"])
        r = self.get("/arxiv/search", method="POST", data=body.encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200)
        ids = [n.attr("id") for n in parse_html(r.text).find_all("div", cls="panel")]
        self.assertEqual(ids[0], p["id"])

    def test_venue_search_page(self):
        # The venue branch: this store has arXiv papers only, so nothing is found there.
        r = self.get("/venue/search?query=parsing")
        self.assertEqual(r.status, 200)
        doc = parse_html(r.text)
        self.assertEqual(doc.find("body").attr("id"), "venue")
        self.assertEqual(doc.find_all("div", cls="panel"), [])
        self.assertTrue(doc.find(cls="no-results"))
        self.assertTrue(parse_html(self.get("/arxiv/search?query=parsing").text)
                        .find_all("div", cls="panel"))

    # ---- index maintenance ----

    def test_new_papers_are_indexed_while_serving(self):
        paper = dict(self.papers[0])
        paper["id"] = "2607.99999"
        paper["title"] = "Zyxwvut quasiparticle tomography of frobnicated lattices"
        path = os.path.join(self.tmp, "new.jsonl")
        with open(path, "w") as f:
            f.write(json.dumps(paper) + "\n")
        cpserver.import_jsonl(self.db, path)
        deadline = time.time() + 60
        while time.time() < deadline:
            status, res = self.api("/api/search?q=frobnicated&mode=bm25")
            if res["results"]:
                break
            time.sleep(0.5)
        self.assertEqual([h["id"] for h in res["results"]], ["2607.99999"])

    def test_killed_rebuild_leaves_a_working_index(self):
        db2 = "sqlite:" + os.path.join(self.tmp, "crash.db")
        cpserver.import_jsonl(db2, FIXTURE)
        run_cli("index", "--db", db2, "--no-semantic")
        proc = subprocess.Popen([cpserver.find_binary(), "index", "--db", db2, "--rebuild"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.3)
            proc.kill()
        finally:
            proc.wait(timeout=30)
        p = self.papers[5]
        res = json.loads(run_cli("search", "--db", db2, "--json", p["title"]).stdout)
        self.assertEqual(res["results"][0]["id"], p["id"])
        out = run_cli("index", "--db", db2, "--rebuild", "--dims", "32", timeout=300).stdout
        self.assertIn("300 papers", out)
        index_dir = os.path.join(self.tmp, "index")
        leftovers = [n for n in os.listdir(os.path.join(self.tmp, "index")) if n.endswith(".tmp")]
        self.assertEqual(leftovers, [], index_dir)

    def test_openai_compatible_embedder(self):
        fake = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeEmbeddings)
        thread = threading.Thread(target=fake.serve_forever, daemon=True)
        thread.start()
        try:
            env = dict(os.environ)
            env["COOLPAPERS_EMBED_BASE_URL"] = "http://127.0.0.1:%d/v1" % fake.server_port
            env["COOLPAPERS_EMBED_MODEL"] = "fake-embed"
            index_dir = os.path.join(self.tmp, "openai-index")
            out = run_cli("index", "--db", self.db, "--index-dir", index_dir, env=env,
                          timeout=300).stdout
            self.assertIn("embedder openai:fake-embed", out)
            p = self.papers[6]
            text = (p["title"] + " " + p["summary"])[:900].rsplit(" ", 1)[0]
            res = json.loads(run_cli("search", "--db", self.db, "--index-dir", index_dir,
                                     "--json", "--mode", "semantic", text, env=env).stdout)
            self.assertEqual(res["mode"], "semantic")
            self.assertIn(p["id"], [h["id"] for h in res["results"]])
        finally:
            fake.shutdown()
            fake.server_close()


if __name__ == "__main__":
    unittest.main()
