#!/usr/bin/env python3
"""FAQ ([Kimi]) of venue papers end to end: the real binary after `coolpapers import venue` of the
ACL and OpenReview fixtures, tests/fakes/fake_llm.py as the LLM, and a fake venue PDF server on
127.0.0.1 that COOLPAPERS_VENUE_PDF_BASE points the venues' hosts at.

Checks: two concurrent POST /venue/kimi of one venue paper cause one conversation and one PDF
download, at the venue's path (/<anthology id>.pdf, /pdf?id=<forum>); the FAQ is cached (no
upstream call when asked again, also after a restart) and served by /api/faq/<id>@<Source> and its
stream; a venue PDF the server lacks (404) yields the abstract-only FAQ; unknown and malformed venue
ids are refused naming the id and the fix; the venue paper page carries the [Kimi] button; a
venue PDF base that is not an http(s) URL stops `serve` with a message naming the setting.

Runs as `python3 tests/integration/test_venue_faq.py` (needs $COOLPAPERS_BIN or build/coolpapers).
"""

import json
import os
import shutil
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402
import test_faq  # noqa: E402  (its fake LLM and SSE reader; its tests are not run here)
from test_faq import KEY, final, read_sse  # noqa: E402

ACL = cpserver.fixture_path("venues", "acl", "2024.acl.excerpt.xml")
OPENREVIEW = cpserver.fixture_path("venues", "openreview", "iclr2023.notes.json")
PDF = cpserver.fixture_path("pdfs", "2304.02623v1.pdf")


def acl_ids():
    """Anthology ids of the fixture's papers in file order, front matter (paper 0) left out."""
    return [p.findtext("url") for v in ET.parse(ACL).getroot().iter("volume")
            for p in v.iter("paper") if p.get("id") != "0"]


def accepted_forum():
    with open(OPENREVIEW, encoding="utf-8") as f:
        data = json.load(f)
    notes = data["notes"] if isinstance(data, dict) else data
    return next(n["forum"] for n in notes
                if n["content"]["venueid"]["value"] == "ICLR.cc/2023/Conference")


def venue_pdf_server(served):
    """The venues' PDF paths (path and query) in `served` have a PDF; 404 for every other.
    Counts requests by path."""
    served = set(served)
    return cpserver.PdfServer(lambda path: (path, PDF if path in served else None))


class VenueFaqTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cp_venue_faq_")
        cls.db = "sqlite:" + os.path.join(cls.tmp, "venue_faq.db")
        cls.servers = []
        cls.pdf = cls.llm = None
        try:
            cpserver.run_cli("import", "venue", "--db", cls.db, "--source", "acl", ACL)
            cpserver.run_cli("import", "venue", "--db", cls.db, "--source", "openreview",
                             "--venue", "ICLR.cc/2023/Conference", OPENREVIEW)
            ids = acl_ids()
            cls.acl_id = ids[0] + "@ACL"          # the venue has its PDF
            cls.acl_pdf_path = "/" + ids[0] + ".pdf"
            cls.no_pdf_id = ids[1] + "@ACL"       # the venue answers 404
            cls.forum = accepted_forum()
            cls.forum_pdf_path = "/pdf?id=" + cls.forum
            cls.pdf = venue_pdf_server([cls.acl_pdf_path, cls.forum_pdf_path])
            cls.llm = test_faq.FakeLlm(cls.tmp)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers:
            s.cleanup()
        if cls.llm is not None:
            cls.llm.close()
        if cls.pdf is not None:
            cls.pdf.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def server(self):
        env = {
            "COOLPAPERS_LLM_BASE_URL": self.llm.base + "/v1",
            "COOLPAPERS_LLM_API_KEY": KEY,
            "COOLPAPERS_LLM_MODEL": "fake-model",
            "COOLPAPERS_VENUE_PDF_BASE": self.pdf.base,
            # arXiv is never asked here; a closed local port makes sure nothing leaves the host.
            "COOLPAPERS_ARXIV_BASE_URL": "http://127.0.0.1:9",
            "COOLPAPERS_FAQ_RATE_PER_HOUR": "1000",
        }
        srv = cpserver.CoolpapersServer(self.db, env=env)
        self.servers.append(srv)
        return srv.start()

    def kimi(self, srv, paper, lang="en"):
        q = urllib.parse.urlencode({"paper": paper, "lang": lang})
        return cpserver.fetch(srv.url("/venue/kimi?" + q), method="POST", data=b"", timeout=60)

    def progress(self, srv, paper, lang="en"):
        q = urllib.parse.urlencode({"paper": paper, "lang": lang})
        return cpserver.fetch(srv.url("/venue/progress?" + q)).text

    def wait_done(self, srv, paper, lang="en", timeout=90):
        deadline = time.time() + timeout
        got = None
        while time.time() < deadline:
            got = self.progress(srv, paper, lang)
            if got == "1" or got.startswith("failed:"):
                break
            time.sleep(0.2)
        self.assertEqual(got, "1", srv.logs())

    def api(self, srv, paper, lang="en"):
        r = cpserver.fetch(srv.url("/api/faq/%s?lang=%s" % (urllib.parse.quote(paper), lang)))
        return r.status, (json.loads(r.body) if r.body else None)

    def test_1_concurrent_posts_one_generation_from_the_venue_pdf_then_cached(self):
        srv = self.server()
        # Slow answers keep the job running while both readers ask.
        self.llm.reset([{"fault": "slow", "delay_ms": 150, "count": 6}])
        n = 2
        posts = [None] * n
        start = threading.Barrier(n)

        def reader(i):
            start.wait()
            posts[i] = self.kimi(srv, self.acl_id)

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)
        self.assertEqual(len(posts), n)
        for r in posts:
            self.assertIsNotNone(r)
            self.assertEqual(r.status, 200, r)
            self.assertIn('class="faq"', r.text)
            self.assertNotIn('data-state="1"', r.text)  # both joined the running job
        status, events = read_sse(srv.url("/api/faq/%s/stream?lang=en" % self.acl_id))
        self.assertEqual(status, 200)
        self.assertEqual(final(events)[0], "done", events[-3:])
        stats = self.llm.stats()
        self.assertEqual(stats["conversations"], 1, srv.logs())
        self.assertEqual(stats["requests"], 6)
        # The PDF came from the venue's path, once.
        hits = self.pdf.requests()
        self.assertEqual(hits.get(self.acl_pdf_path), 1, hits)
        self.assertEqual(sum(hits.values()), 1, hits)
        status, doc = self.api(srv, self.acl_id)
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["source"], "pdf")
        self.assertEqual(len(doc["faq"]), 6)
        # Asked again: from the cache, no upstream call.
        self.llm.reset()
        again = self.kimi(srv, self.acl_id)
        self.assertEqual(again.status, 200)
        self.assertIn('data-state="1"', again.text)
        self.assertEqual(again.text.count('<p class="faq-q"'), 6)
        self.assertEqual(self.llm.stats()["requests"], 0)
        srv.cleanup()
        # A new process serves the stored FAQ.
        fresh = self.server()
        self.assertEqual(self.progress(fresh, self.acl_id), "1")
        self.assertEqual(self.kimi(fresh, self.acl_id).status, 200)
        self.assertEqual(self.llm.stats()["requests"], 0)
        self.assertEqual(self.pdf.requests().get(self.acl_pdf_path), 1)
        VenueFaqTest.main_server = fresh

    def test_2_openreview_pdf_is_asked_at_its_query_path(self):
        srv = VenueFaqTest.main_server
        self.llm.reset()
        forum_id = self.forum + "@OpenReview"
        self.assertEqual(self.kimi(srv, forum_id).status, 200)
        self.wait_done(srv, forum_id)
        self.assertEqual(self.pdf.requests().get(self.forum_pdf_path), 1, self.pdf.requests())
        status, doc = self.api(srv, forum_id)
        self.assertEqual(status, 200)
        self.assertEqual(doc["source"], "pdf")

    def test_3_missing_venue_pdf_gives_the_abstract_only_faq(self):
        srv = VenueFaqTest.main_server
        self.llm.reset()
        self.assertEqual(self.kimi(srv, self.no_pdf_id).status, 200)
        self.wait_done(srv, self.no_pdf_id)
        status, doc = self.api(srv, self.no_pdf_id)
        self.assertEqual(status, 200)
        self.assertEqual(doc["source"], "abstract")
        self.assertIs(doc["full_text"], False)
        self.assertEqual(self.pdf.requests().get("/" + self.no_pdf_id[:-4] + ".pdf"), 1)
        self.assertIn("from the abstract only", self.kimi(srv, self.no_pdf_id).text)

    def test_4_unknown_and_malformed_ids_say_what_to_do(self):
        srv = VenueFaqTest.main_server
        self.llm.reset()
        r = self.kimi(srv, "2099.acl-long.1@ACL")
        self.assertEqual(r.status, 404, r)
        self.assertIn("2099.acl-long.1@ACL", r.text)
        self.assertIn("coolpapers import venue", r.text)
        self.assertIn("/venue/", r.text)
        bad = self.kimi(srv, "2024.acl-long.3@")
        self.assertEqual(bad.status, 400, bad)
        self.assertIn("not a venue paper id", bad.text)
        status, doc = self.api(srv, "2099.acl-long.1@ACL")
        self.assertEqual(status, 404)
        self.assertIn("/venue/kimi", doc["hint"])
        # A stream only joins: nothing to join, and it names the route that starts one.
        s = cpserver.fetch(srv.url("/api/faq/%s/stream?lang=zh" % self.acl_id))
        self.assertEqual(s.status, 404)
        self.assertIn("POST /venue/kimi?paper=%s&lang=zh" % self.acl_id,
                      json.loads(s.body)["error"])
        self.assertEqual(self.llm.stats()["requests"], 0)

    def test_5_cross_site_post_is_refused(self):
        srv = VenueFaqTest.main_server
        q = urllib.parse.urlencode({"paper": self.acl_id, "lang": "zh"})
        r = cpserver.fetch(srv.url("/venue/kimi?" + q), method="POST", data=b"",
                           headers={"Sec-Fetch-Site": "cross-site"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.progress(srv, self.acl_id, "zh"), "none")

    def test_6_paper_page_has_the_kimi_button(self):
        srv = VenueFaqTest.main_server
        page = cpserver.fetch(srv.url("/venue/" + self.acl_id))
        self.assertEqual(page.status, 200)
        self.assertIn('<body id="venue">', page.text)
        self.assertIn('<a class="title-kimi notranslate" data-id="%s"' % self.acl_id, page.text)
        # A link to the FAQ (GET) leads to that page, without starting anything.
        link = cpserver.fetch(srv.url("/venue/kimi?paper=%s&lang=zh" % self.acl_id))
        self.assertEqual(link.status, 302)
        self.assertEqual(link.header("location"), "/venue/" + self.acl_id)
        self.assertEqual(self.progress(srv, self.acl_id, "zh"), "none")

    def test_7_a_venue_pdf_base_that_is_not_http_stops_serve_saying_so(self):
        env = dict(os.environ)
        env.update({"COOLPAPERS_VENUE_PDF_BASE": "ftp://127.0.0.1:21",
                    "COOLPAPERS_ARXIV_BASE_URL": "http://127.0.0.1:9"})
        db = "sqlite:" + os.path.join(self.tmp, "bad_base.db")
        proc = cpserver.run_cli("serve", "--db", db, "--listen", "127.0.0.1:0", env=env,
                                check=False, timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("COOLPAPERS_VENUE_PDF_BASE", proc.stderr)
        self.assertIn("ftp://127.0.0.1:21", proc.stderr)
        # The same setting from the config file ([venue] pdf_base).
        del env["COOLPAPERS_VENUE_PDF_BASE"]
        config = os.path.join(self.tmp, "bad_base.toml")
        with open(config, "w") as f:
            f.write('[venue]\npdf_base = "gopher://127.0.0.1:70"\n')
        proc = cpserver.run_cli("serve", "--db", db, "--listen", "127.0.0.1:0", "--config",
                                config, env=env, check=False, timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("gopher://127.0.0.1:70", proc.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
