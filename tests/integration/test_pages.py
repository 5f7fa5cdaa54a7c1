"""HTML pages of the real `coolpapers serve` on a fixture database: the SPEC §3 HTML contract,
category expressions, canonical redirects, escaping, feeds, bad input and response headers.

Runs as `python3 tests/integration/test_pages.py` (needs $COOLPAPERS_BIN or build/coolpapers).
"""

import json
import os
import re
import sys
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpserver  # noqa: E402

FIXTURE = cpserver.fixture_path("pages", "arxiv_pages.jsonl")
ATOM = "{http://www.w3.org/2005/Atom}"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def load_fixture():
    with open(FIXTURE, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


RECORDS = load_fixture()
BY_ID = {r["id"]: r for r in RECORDS}
LATEST = max(r["listing_date"] for r in RECORDS)


def expected_list(day, include, exclude=()):
    """Ids listed on `day` for a filter: new (primary in include) first, then cross-lists."""
    new, cross = [], []
    for r in RECORDS:
        if r["listing_date"] != day:
            continue
        cats = r["categories"]
        if not any(c in include for c in cats) or any(c in exclude for c in cats):
            continue
        (new if cats[0] in include else cross).append(r["id"])
    return new, cross


class PagesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp, cls.db, cls.server = cpserver.start_server_in_tmp("cp_pages_", [FIXTURE])

    @classmethod
    def tearDownClass(cls):
        cpserver.stop_server_in_tmp(cls.tmp, cls.server)

    # ---- helpers ---------------------------------------------------------------------------

    def get(self, path, **kw):
        r = cpserver.fetch(self.server.url(path), **kw)
        self.assertLess(r.status, 500, "%s -> %d\n%s" % (path, r.status, r.body[:500]))
        return r

    def page(self, path, status=200):
        r = self.get(path)
        self.assertEqual(r.status, status, "%s: %s" % (path, r.body[:800]))
        self.assertTrue(r.header("content-type", "").startswith("text/html"), r.headers)
        doc = cpserver.parse_html(r.text)
        return r, doc

    def assert_page_frame(self, doc, body_id="arxiv"):
        html = doc.find("html")
        self.assertIsNotNone(html)
        self.assertTrue(html.attr("lang"), "html lang missing")
        title = doc.find("title")
        self.assertIsNotNone(title)
        self.assertTrue(title.text().strip())
        desc = doc.find("meta", name="description")
        self.assertIsNotNone(desc, "meta description missing")
        self.assertTrue(desc.attr("content", "").strip())
        self.assertEqual(doc.find("body").attr("id"), body_id)
        self.assertIsNotNone(doc.find("meta", name="viewport"))
        self.assertIsNotNone(doc.find("div", cls="items"), "star list div.items missing")
        for s in doc.find_all("script"):
            self.assertTrue(s.attr("src"), "inline script found (CSP script-src 'self')")

    def panels(self, doc):
        return [d for d in doc.find_all("div", cls="paper") if d.attr("class") == "panel paper"]

    def assert_panel_contract(self, panel):
        pid = panel.attr("id")
        self.assertTrue(pid)
        h2 = panel.find("h2", cls="title")
        self.assertIsNotNone(h2, pid)
        link = h2.find("a", cls="title-link")
        self.assertEqual(link.attr("href"), "/arxiv/" + pid)
        rec = BY_ID.get(pid)
        if rec is not None:
            self.assertEqual(link.text(), " ".join(rec["title"].split()))
        pdf = h2.find("a", cls="title-pdf")
        self.assertIsNotNone(pdf, pid)
        pdf_url = pdf.attr("data")
        self.assertRegex(pdf_url, r"^https://arxiv\.org/pdf/" + re.escape(pid) + r"v\d+$")
        self.assertEqual(pdf.attr("onclick"), "togglePdf('%s', '%s', this)" % (pid, pdf_url))
        for kind in ("pdf", "kimi", "copy", "rel"):
            btn = h2.find("a", cls="title-" + kind)
            self.assertIsNotNone(btn, "%s: a.title-%s" % (pid, kind))
            counter = btn.next_element_sibling()
            self.assertIsNotNone(counter)
            self.assertEqual(counter.tag, "sup")
            self.assertIn(kind + "-counter", counter.classes())
            self.assertRegex(counter.text(), r"^\d+$")
        self.assertIsNotNone(h2.find("a", cls="title-star"), pid)
        authors = panel.find("p", cls="authors")
        links = authors.find_all("a", cls="author")
        if rec is not None:
            self.assertEqual([a.text() for a in links], rec["authors"])
        for a in links:
            self.assertTrue(a.attr("href").startswith("/arxiv/search?query="), a.attr("href"))
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(a.attr("href")).query)["query"][0]
            self.assertEqual(q, 'au:"%s"' % a.text())
        summary = panel.find("p", cls="summary")
        self.assertIsNotNone(summary, pid)
        self.assertTrue(summary.text().strip())
        subjects = panel.find("p", cls="subjects")
        cats = subjects.find_all("a")
        self.assertTrue(cats)
        for a in cats:
            self.assertEqual(a.attr("href"), "/arxiv/" + a.text())
        if rec is not None:
            self.assertEqual([a.text() for a in cats], rec["categories"])
        date = panel.find("p", cls="date")
        span = date.find("span", cls="date-data")
        self.assertRegex(span.text(), DATE_RE)
        texts = [t for t in date.children if not (isinstance(t, str) and not t.strip())]
        self.assertIs(texts[-1], span, "the date must be the last text of p.date")

    def ids(self, doc):
        return [p.attr("id") for p in self.panels(doc)]

    # ---- pages -----------------------------------------------------------------------------

    def test_home_lists_categories_with_feeds_and_pickers(self):
        r, doc = self.page("/")
        self.assert_page_frame(doc)
        hrefs = {a.attr("href") for a in doc.find_all("a")}
        for cat in ("cs.CL", "cs.LG", "math.AG", "astro-ph.CO", "hep-th", "q-bio.NC"):
            self.assertIn("/arxiv/" + cat, hrefs)
            self.assertIn("/arxiv/%s/feed" % cat, hrefs)
        forms = [f for f in doc.find_all("form") if f.attr("action") == "/arxiv/cs.CL"]
        self.assertTrue(forms, "date picker form for cs.CL")
        self.assertIsNotNone(forms[0].find("input", type="date", name="date"))
        self.assertIsNotNone(doc.find(id="venues"))
        search = [f for f in doc.find_all("form") if f.attr("action") == "/arxiv/search"]
        self.assertTrue(search and search[0].find("input", name="query"))

    def test_category_latest_day_contract(self):
        r, doc = self.page("/arxiv/cs.CL")
        self.assert_page_frame(doc)
        new, cross = expected_list(LATEST, {"cs.CL"})
        self.assertEqual(self.ids(doc), new + cross)
        for p in self.panels(doc):
            self.assert_panel_contract(p)
        heading = doc.find("h1").text()
        self.assertIn(LATEST, heading)
        self.assertIn("%d new, %d cross-lists" % (len(new), len(cross)), heading)
        feed = doc.find("link", rel="alternate")
        self.assertEqual(feed.attr("type"), "application/atom+xml")
        self.assertEqual(feed.attr("href"), "/arxiv/cs.CL/feed")

    def test_day_navigation_and_picker(self):
        days = sorted({r["listing_date"] for r in RECORDS
                       if "cs.CL" in r["categories"]}, reverse=True)
        r, doc = self.page("/arxiv/cs.CL?date=" + days[1])
        new, cross = expected_list(days[1], {"cs.CL"})
        self.assertEqual(self.ids(doc), new + cross)
        prev = doc.find("a", rel="prev")
        nxt = doc.find("a", rel="next")
        self.assertEqual(prev.attr("href"), "/arxiv/cs.CL?date=" + days[2])
        self.assertEqual(nxt.attr("href"), "/arxiv/cs.CL?date=" + days[0])
        select = doc.find("select", name="date")
        self.assertEqual([o.attr("value") for o in select.find_all("option")], days)

    def test_union_lists_each_paper_once(self):
        r, doc = self.page("/arxiv/cs.CL,cs.LG")
        ids = self.ids(doc)
        self.assertEqual(len(ids), len(set(ids)), "duplicate panels in a union")
        new, cross = expected_list(LATEST, {"cs.CL", "cs.LG"})
        self.assertEqual(set(ids), set(new + cross))
        both = [i for i in ids if {"cs.CL", "cs.LG"} <= set(BY_ID[i]["categories"])]
        self.assertTrue(both, "fixture needs a paper in both cs.CL and cs.LG")
        for p in self.panels(doc):
            self.assert_panel_contract(p)

    def test_include_exclude_expression(self):
        r, doc = self.page("/arxiv/cs.CL+cs.LG-cs.AI")
        new, cross = expected_list(LATEST, {"cs.CL", "cs.LG"}, {"cs.AI"})
        self.assertEqual(set(self.ids(doc)), set(new + cross))
        for i in self.ids(doc):
            self.assertNotIn("cs.AI", BY_ID[i]["categories"])

    def test_archive_page(self):
        r, doc = self.page("/arxiv/cs")
        cs = {c for r in RECORDS for c in r["categories"] if c.startswith("cs.")}
        new, cross = expected_list(LATEST, cs)
        self.assertEqual(set(self.ids(doc)), set(new + cross))
        self.assertIn("Computer Science", doc.find("h1").text())

    def test_show_renders_first_n_and_defers_the_rest(self):
        r, doc = self.page("/arxiv/cs.CL?show=3")
        panels = self.panels(doc)
        visible = [p for p in panels if "hidden" not in p.attrs]
        self.assertEqual(len(visible), 3)
        self.assertEqual(len(panels), sum(len(x) for x in expected_list(LATEST, {"cs.CL"})))
        self.assertTrue(all(p.attr("data-deferred") == "1" for p in panels[3:]))

    def test_single_paper_page_with_highwire_meta(self):
        pid = "2606.30814"
        r, doc = self.page("/arxiv/" + pid)
        self.assert_page_frame(doc)
        rec = BY_ID[pid]
        meta = {}
        for m in doc.find_all("meta"):
            if m.attr("name", "").startswith("citation_"):
                meta.setdefault(m.attr("name"), []).append(m.attr("content"))
        self.assertEqual(meta["citation_title"], [rec["title"]])
        self.assertEqual(meta["citation_author"], rec["authors"])
        self.assertEqual(meta["citation_date"], [rec["listing_date"].replace("-", "/")])
        self.assertRegex(meta["citation_pdf_url"][0], r"^https://arxiv\.org/pdf/2606\.30814v\d+$")
        self.assertEqual(meta["citation_arxiv_id"], [pid])
        panels = self.panels(doc)
        self.assertEqual([p.attr("id") for p in panels], [pid])
        self.assert_panel_contract(panels[0])
        items = [li.text() for li in doc.find_all("li", cls="membership")]
        self.assertIn("listed in cs.CL on %s (new)" % rec["listing_date"], items)

    def test_comma_list_of_ids(self):
        r, doc = self.page("/arxiv/2606.30814,2509.08358,2601.99999")
        self.assertEqual(self.ids(doc), ["2606.30814", "2509.08358"])
        self.assertIn("2601.99999", doc.find("p", cls="missing").text())

    def test_old_style_and_four_digit_ids(self):
        for pid in ("astro-ph/0601001", "cs/0503050", "1408.2674"):
            r, doc = self.page("/arxiv/" + pid)
            self.assertEqual(self.ids(doc), [pid])
            self.assert_panel_contract(self.panels(doc)[0])

    def test_escaping_of_titles_with_markup(self):
        for pid in ("2509.08358", "2504.07128", "2505.10118", "2511.21367"):
            r, doc = self.page("/arxiv/" + pid)
            self.assertNotIn("<think>", r.text)
            self.assertNotIn("</think>", r.text)
            link = self.panels(doc)[0].find("a", cls="title-link")
            self.assertEqual(link.text(), " ".join(BY_ID[pid]["title"].split()))
        r = self.get("/arxiv/2511.21367")
        self.assertIn("Endo-G$^{2}$T: Geometry-Guided &amp; Temporally", r.text)

    def test_search_box_value_is_escaped(self):
        # The search page belongs to the search routes; the frame escapes whatever it shows.
        # Without a search index the route may answer 503; the page must be escaped either way.
        r = cpserver.fetch(self.server.url(
            "/arxiv/search?query=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"))
        self.assertIn(r.status, (200, 404, 503))
        self.assertNotIn("<script>alert(1)</script>", r.text)

    # ---- redirects -------------------------------------------------------------------------

    def test_canonical_redirects(self):
        cases = {
            "/arxiv/1408.02674": "/arxiv/1408.2674",
            "/arxiv/arXiv:2606.30814": "/arxiv/2606.30814",
            "/arxiv/cs.cl?date=" + LATEST: "/arxiv/cs.CL?date=" + LATEST,
            "/arxiv/2606.30814,2606.30814": "/arxiv/2606.30814",
            "/arxiv/CS.CL/feed": "/arxiv/cs.CL/feed",
        }
        for path, location in cases.items():
            r = self.get(path)
            self.assertEqual(r.status, 301, path)
            self.assertEqual(r.header("location"), location, path)
        self.page("/arxiv/1408.2674")

    # ---- errors ----------------------------------------------------------------------------

    def test_malformed_ids_and_dates_are_400(self):
        for path in ("/arxiv/2606.123456", "/arxiv/2606.30814,cs.CL", "/arxiv/arXiv:nonsense",
                     "/arxiv/cs.CL?date=2026-02-30", "/arxiv/cs.CL?date=30-06-2026",
                     "/arxiv/cs.CL?show=-1"):
            r, doc = self.page(path, status=400)
            self.assertTrue(doc.find("p", cls="error-message").text().strip())

    def test_date_format_named_in_400(self):
        r, doc = self.page("/arxiv/cs.CL?date=tomorrow", status=400)
        self.assertIn("YYYY-MM-DD", r.text)

    def test_unknown_category_404_with_hint(self):
        r, doc = self.page("/arxiv/cs.CLL", status=404)
        self.assertIn("cs.CL", doc.find("p", cls="error-message").text())
        self.page("/arxiv/cs.CL,not.acategory", status=404)

    def test_day_without_listing_links_nearest_days(self):
        days = sorted({r["listing_date"] for r in RECORDS if "cs.CL" in r["categories"]})
        # A day strictly between two stored cs.CL days (the fixture jumps 2025-09 -> 2026-06).
        gap = next(i for i in range(len(days) - 1) if days[i][:7] < "2026-01" <= days[i + 1][:7])
        r, doc = self.page("/arxiv/cs.CL?date=2026-01-15", status=404)
        hrefs = [a.attr("href") for a in doc.find_all("a", cls="nearest-day")]
        self.assertEqual(hrefs, ["/arxiv/cs.CL?date=" + days[gap],
                                 "/arxiv/cs.CL?date=" + days[gap + 1]])

    def test_missing_paper_404(self):
        r, doc = self.page("/arxiv/2601.99999", status=404)
        self.assertIn("not in the database yet", r.text)

    def test_dot_dot_paths_rejected(self):
        for target in ("/arxiv/../etc/passwd", "/static/../../etc/passwd",
                       "/arxiv/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fetc%2fpasswd"):
            status, headers, body = cpserver.raw_http(
                self.server.port,
                ("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % target).encode())
            self.assertIn(status, (400, 404), target)
            self.assertNotIn(b"root:", body)

    def test_huge_url_is_414(self):
        path = "/arxiv/cs.CL?q=" + "a" * 100_000
        status, _, _ = cpserver.raw_http(
            self.server.port,
            ("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        self.assertEqual(status, 414)

    def test_huge_header_is_431(self):
        req = ("GET /arxiv/cs.CL HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\nConnection: close\r\n\r\n"
               % ("b" * 100_000)).encode()
        status, _, _ = cpserver.raw_http(self.server.port, req)
        self.assertEqual(status, 431)

    def test_server_survives_bad_input(self):
        self.assertEqual(self.get("/healthz").status, 200)

    # ---- feeds and headers -----------------------------------------------------------------

    def test_category_feed_is_atom(self):
        r = self.get("/arxiv/cs.CL/feed")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("content-type").startswith("application/atom+xml"))
        root = ET.fromstring(r.body)
        self.assertEqual(root.tag, ATOM + "feed")
        for tag in ("id", "title", "updated", "author"):
            self.assertIsNotNone(root.find(ATOM + tag), tag)
        rels = {l.get("rel"): l.get("href") for l in root.findall(ATOM + "link")}
        self.assertTrue(rels["self"].endswith("/arxiv/cs.CL/feed"))
        self.assertIn("alternate", rels)
        new, cross = expected_list(LATEST, {"cs.CL"})
        entries = root.findall(ATOM + "entry")
        self.assertEqual(len(entries), len(new) + len(cross))
        for e in entries:
            for tag in ("id", "title", "updated", "link", "summary"):
                self.assertIsNotNone(e.find(ATOM + tag), tag)
            self.assertTrue(e.findall(ATOM + "category"))
        titles = {e.find(ATOM + "title").text for e in entries}
        self.assertIn(BY_ID[new[0]]["title"], titles)
        union = ET.fromstring(self.get("/arxiv/cs.CL,cs.LG/feed").body)
        self.assertEqual(union.tag, ATOM + "feed")

    def test_security_headers(self):
        for path in ("/", "/arxiv/cs.CL", "/arxiv/2606.30814", "/arxiv/cs.XX"):
            r = self.get(path)
            csp = r.header("content-security-policy", "")
            self.assertIn("script-src 'self'", csp, path)
            self.assertIn("frame-ancestors", csp, path)
            self.assertEqual(r.header("x-content-type-options"), "nosniff", path)

    def test_gzip_when_accepted(self):
        plain = self.get("/arxiv/cs.CL")
        zipped = self.get("/arxiv/cs.CL", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(zipped.header("content-encoding"), "gzip")
        self.assertEqual(cpserver.gunzip(zipped.body), plain.body)
        self.assertIsNone(plain.header("content-encoding"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
