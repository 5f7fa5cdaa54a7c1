"""GET /redirect of the real `coolpapers serve`: paper URLs and ids map to local pages.

Runs as `python3 tests/integration/test_redirect.py` (needs $COOLPAPERS_BIN or build/coolpapers).
"""

import os
import re
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402


class RedirectTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp, _, cls.server = cpserver.start_server_in_tmp("cp_redirect_")

    @classmethod
    def tearDownClass(cls):
        cpserver.stop_server_in_tmp(cls.tmp, cls.server)

    def location(self, value):
        r = cpserver.fetch(self.server.url("/redirect?url=" + urllib.parse.quote(value, safe="")))
        self.assertEqual(r.status, 302, value)
        return r.header("Location")

    def test_arxiv_urls_and_ids(self):
        self.assertEqual(self.location("https://arxiv.org/abs/2402.12354v2"), "/arxiv/2402.12354v2")
        self.assertEqual(self.location("https://arxiv.org/pdf/1406.02661"), "/arxiv/1406.2661")
        self.assertEqual(self.location("arXiv:hep-th/9901001"), "/arxiv/hep-th/9901001")

    def test_several_ids_in_text_become_one_list(self):
        self.assertEqual(self.location("see 2402.12354 and 1706.03762, also 2402.12354"),
                         "/arxiv/2402.12354,1706.03762")

    def test_the_shared_paper_url_vectors_redirect_to_their_routes(self):
        # tests/fixtures/paper_urls.json: the same vectors the browser extension is tested with.
        import json
        with open(cpserver.fixture_path("paper_urls.json")) as f:
            vectors = [v for v in json.load(f)["vectors"] if v["route"]]
        self.assertGreaterEqual(len(vectors), 30)
        for v in vectors:
            # The server keeps a version the URL names (/arxiv/2402.12354v2: that version's
            # page) and writes old ids canonically (math/0309136 for math.GT/0309136); the
            # extension opens the paper as written. Both are the same paper's page.
            def same_paper(route):
                route = re.sub(r"^(/arxiv/.+?)v\d+$", r"\1", route)
                return re.sub(r"^/arxiv/([a-z-]+)\.[A-Z]{2}/", r"/arxiv/\1/", route)
            self.assertEqual(same_paper(self.location(v["url"])), same_paper(v["route"]), v["url"])

    def test_other_text_becomes_a_search(self):
        loc = self.location("diffusion <models> & more")
        self.assertTrue(loc.startswith("/arxiv/search?query="), loc)
        self.assertIn("diffusion", urllib.parse.unquote(loc))
        self.assertNotIn("<", loc)

    def test_empty_and_oversized_input_is_400(self):
        self.assertEqual(cpserver.fetch(self.server.url("/redirect?url=")).status, 400)
        big = cpserver.fetch(self.server.url("/redirect?url=" + "a" * 5000))
        self.assertEqual(big.status, 400)


if __name__ == "__main__":
    unittest.main(verbosity=2)
