#!/usr/bin/env python3
"""Title and abstract translation end to end: the real binary with tests/fakes/fake_llm.py as
the LLM (it answers a translation request with its own text prefixed "[xx] "), on 127.0.0.1.

Checks: two readers asking at once for an untranslated paper cause exactly one upstream request
and both get the same translation, with the math spans intact; the batch form serves made ones
and queues the rest; a cross-site request never starts a job; a model answer that loses the math
falls back to the original text (and says so in the log); bad language / id / unknown paper
errors; COOLPAPERS_TRANSLATE=0 turns it off; no key is a 503 naming the key variable.
"""

import json
import os
import shutil
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402
from test_faq import FakeLlm, KEY  # noqa: E402

DAY = "2026-07-01"


def paper(pid, title, summary):
    return {"id": pid, "pdf": "https://arxiv.org/pdf/" + pid, "abs": "https://arxiv.org/abs/" + pid,
            "authors": ["Ada Lovelace"], "title": title, "categories": ["cs.CL"], "comment": None,
            "summary": summary, "listing_date": DAY}


PAPERS = [
    paper("2607.00101", "Attention in $\\mathcal{O}(n \\log n)$ Time",
          "We show that $$\\sum_{i=1}^{n} \\alpha_i = 1$$ and \\(a < b\\) for every layer."),
    paper("2607.00102", "Speech Recognition for Low-Resource Languages",
          "A speech recognizer trained with self-supervised learning."),
    paper("2607.00103", "Machine Translation Evaluation with $k$ References",
          "We survey metrics with $k \\ge 2$ references."),
    paper("2607.00104", "A Fourth Paper", "Plain text."),
]


class TranslateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cp_translate_it_")
        jsonl = os.path.join(cls.tmp, "papers.jsonl")
        with open(jsonl, "w") as f:
            for p in PAPERS:
                f.write(json.dumps(p) + "\n")
        cls.db = "sqlite:" + os.path.join(cls.tmp, "t.db")
        cpserver.import_jsonl(cls.db, jsonl)
        cls.llm = FakeLlm(cls.tmp)
        cls.srv = cpserver.CoolpapersServer(cls.db, env={
            "COOLPAPERS_LLM_BASE_URL": cls.llm.base + "/v1",
            "COOLPAPERS_LLM_API_KEY": KEY,
            "COOLPAPERS_LLM_MODEL": "fake-model",
            "COOLPAPERS_FAQ_RATE_PER_HOUR": "1000",
        }).start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        cls.llm.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def get(self, path, headers=None):
        return cpserver.fetch(self.srv.url(path), headers=headers)

    def wait_done(self, path, timeout=30):
        deadline = time.time() + timeout
        r = None
        while time.time() < deadline:
            r = self.get(path)
            if r.status != 202:
                return r
            time.sleep(0.1)
        self.fail("%s still 202 after %ss" % (path, timeout))

    def test_two_concurrent_readers_cause_one_upstream_request(self):
        self.llm.reset([{"fault": "slow", "delay_ms": 100}])
        path = "/api/translate/2607.00101?lang=zh"
        first = []
        barrier = threading.Barrier(2)

        def reader():
            barrier.wait()
            first.append(self.get(path))

        threads = [threading.Thread(target=reader) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(len(first), 2)
        for r in first:
            self.assertIn(r.status, (200, 202), r.text)
            if r.status == 202:
                self.assertIn(json.loads(r.body)["state"], ("queued", "running"))
                self.assertEqual(r.header("Retry-After"), "3")
        done = [self.wait_done(path), self.wait_done(path)]
        self.assertEqual(len(done), 2)
        bodies = [json.loads(r.body) for r in done]
        for r, j in zip(done, bodies):
            self.assertEqual(r.status, 200, r.text)
            self.assertEqual(j["lang"], "zh")
            self.assertEqual(j["version"], 1)
        self.assertEqual(bodies[0], bodies[1])
        self.assertEqual(bodies[0]["title"], "[zh] Attention in $\\mathcal{O}(n \\log n)$ Time")
        self.assertIn("$$\\sum_{i=1}^{n} \\alpha_i = 1$$", bodies[0]["abstract"])
        self.assertIn("\\(a < b\\)", bodies[0]["abstract"])
        self.assertEqual(self.llm.stats()["requests"], 1)
        # Asked again: served from the store.
        self.assertEqual(self.get(path).status, 200)
        self.assertEqual(self.llm.stats()["requests"], 1)

    def test_cross_site_never_starts_and_batch_queues_the_rest(self):
        self.llm.reset()
        cross = {"Sec-Fetch-Site": "cross-site"}
        r = self.get("/api/translate/2607.00102?lang=ja", headers=cross)
        self.assertEqual(r.status, 403, r.text)
        self.assertIn("another site", json.loads(r.body)["error"])
        r = self.get("/api/translate?ids=2607.00102,2607.00103&lang=ja",
                     headers={"Origin": "https://evil.example"})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(len(json.loads(r.body)["errors"]), 2)
        time.sleep(0.3)
        self.assertEqual(self.llm.stats()["requests"], 0)
        # The site's own page asks for a screenful: both queued, then both made.
        r = self.get("/api/translate?ids=2607.00102,2607.00103,2612.99999&lang=ja")
        self.assertEqual(r.status, 200, r.text)
        j = json.loads(r.body)
        self.assertEqual(sorted(j["pending"]), ["2607.00102", "2607.00103"])
        self.assertEqual(list(j["errors"]), ["2612.99999"])
        deadline = time.time() + 30
        while time.time() < deadline and j["pending"]:
            time.sleep(0.1)
            j = json.loads(self.get("/api/translate?ids=2607.00102,2607.00103&lang=ja").body)
        self.assertEqual(len(j["translations"]), 2)
        self.assertEqual(j["translations"]["2607.00103"]["title"],
                         "[ja] Machine Translation Evaluation with $k$ References")
        self.assertEqual(self.llm.stats()["requests"], 2)
        # Now readable cross-site.
        self.assertEqual(self.get("/api/translate/2607.00102?lang=ja", headers=cross).status, 200)

    def test_lost_math_falls_back_to_the_original(self):
        self.llm.reset([{"fault": "text", "text": "[TITLE]\nSans formule\n[ABSTRACT]\nRien"}])
        r = self.wait_done("/api/translate/2607.00101?lang=fr")
        self.assertEqual(r.status, 200, r.text)
        j = json.loads(r.body)
        self.assertEqual(j["title"], PAPERS[0]["title"])
        self.assertEqual(j["abstract"], PAPERS[0]["summary"])
        self.assertEqual(j["kept_original"], ["title", "abstract"])
        self.assertIn("math spans did not survive", self.srv.logs())

    def test_errors(self):
        r = self.get("/api/translate/2607.00104?lang=xx")
        self.assertEqual(r.status, 400)
        self.assertIn("zh, ja, ko, fr, de, es", json.loads(r.body)["error"])
        self.assertEqual(self.get("/api/translate/nonsense?lang=zh").status, 400)
        r = self.get("/api/translate/2612.99999?lang=zh")
        self.assertEqual(r.status, 404)
        self.assertTrue(json.loads(r.body)["hint"])

    def test_turned_off_and_no_key(self):
        with cpserver.CoolpapersServer(self.db, env={"COOLPAPERS_TRANSLATE": "0",
                                                     "COOLPAPERS_LLM_API_KEY": KEY}) as off:
            r = cpserver.fetch(off.url("/api/translate/2607.00104?lang=zh"))
            self.assertEqual(r.status, 503)
            self.assertIn("COOLPAPERS_TRANSLATE", json.loads(r.body)["error"])
        env = {"COOLPAPERS_LLM_API_KEY": "", "COOLPAPERS_LLM_MODEL": "fake-model"}
        with cpserver.CoolpapersServer(self.db, env=env) as keyless:
            r = cpserver.fetch(keyless.url("/api/translate/2607.00104?lang=zh"))
            self.assertEqual(r.status, 503)
            self.assertIn("COOLPAPERS_LLM_API_KEY", json.loads(r.body)["error"])


if __name__ == "__main__":
    unittest.main()
