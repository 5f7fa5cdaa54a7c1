#include "web/render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace coolpapers::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

core::Paper SamplePaper() {
  core::Paper p;
  p.id = "2402.12354";
  p.version = 2;
  p.title = "Attention <script>alert(1)</script> & $O(n^2)$";
  p.abstract = "We show $a<b$ & \"quotes\" 'single'.";
  p.authors = {"Ada Lovelace", "Jean-Luc O'Brien & Co"};
  p.categories = {"cs.CL", "cs.LG"};
  p.comments = "12 pages <b>bold</b>";
  p.published = "2024-02-19 18:00:01";
  p.updated = "2024-02-21 09:30:00";
  return p;
}

std::string Panel(const core::Paper& p, const PanelOptions& opts = {}) {
  std::string out;
  RenderPaperPanel(out, p, opts);
  return out;
}

TEST(RenderPaperPanelTest, FollowsTheHtmlContract) {
  PanelOptions opts;
  opts.index = 3;
  opts.clicks.pdf = 7;
  opts.clicks.kimi = 2;
  opts.clicks.copy = 1;
  opts.clicks.rel = 5;
  std::string html = Panel(SamplePaper(), opts);
  EXPECT_THAT(html, HasSubstr("<div class=\"panel paper\" id=\"2402.12354\""));
  EXPECT_THAT(html, HasSubstr("<h2 class=\"title\"><span class=\"index notranslate\">#3</span>"));
  EXPECT_THAT(html, HasSubstr("<a class=\"title-link notranslate\" href=\"/arxiv/2402.12354\">"));
  EXPECT_THAT(html, HasSubstr("data=\"https://arxiv.org/pdf/2402.12354v2\" "
                              "onclick=\"togglePdf('2402.12354', "
                              "'https://arxiv.org/pdf/2402.12354v2', this)\""));
  // Each button is followed directly by its counter.
  EXPECT_THAT(html, HasSubstr("[PDF]</a><sup class=\"pdf-counter\">7</sup>"));
  EXPECT_THAT(html, HasSubstr("[Kimi]</a><sup class=\"kimi-counter\">2</sup>"));
  EXPECT_THAT(html, HasSubstr("[Copy]</a><sup class=\"copy-counter\">1</sup>"));
  EXPECT_THAT(html, HasSubstr("[REL]</a><sup class=\"rel-counter\">5</sup>"));
  EXPECT_THAT(html, HasSubstr("<a class=\"title-kimi notranslate\" data-id=\"2402.12354\""));
  EXPECT_THAT(html, HasSubstr("<a class=\"title-star\" data-id=\"2402.12354\""));
  EXPECT_THAT(html, HasSubstr("<a class=\"author notranslate\" "
                              "href=\"/arxiv/search?query=au:%22Ada%20Lovelace%22\">Ada Lovelace</a>"));
  EXPECT_THAT(html, HasSubstr("<p class=\"subjects\"><strong>Subjects</strong>: "
                              "<a href=\"/arxiv/cs.CL\">cs.CL</a>, <a href=\"/arxiv/cs.LG\">cs.LG</a></p>"));
  EXPECT_THAT(html, HasSubstr("<span class=\"date-data\">2024-02-19 18:00:01</span></p>"));
}

TEST(RenderPaperPanelTest, NoInlineScriptForIdsThatCouldLeaveTheScriptString) {
  // HTML escaping turns ' into &#39;, which the browser unescapes before running an onclick:
  // such an id would break out of togglePdf('...'). The panel is bound from data-id instead.
  core::Paper p = SamplePaper();
  p.id = "x');alert(document.cookie);('";
  std::string html = Panel(p);
  EXPECT_THAT(html, Not(HasSubstr("onclick")));
  EXPECT_THAT(html, HasSubstr("<a class=\"title-pdf notranslate\" data=\""));
  EXPECT_THAT(html, HasSubstr("data-id=\"x&#39;);alert(document.cookie);(&#39;\""));
  p.id = "a\\b";
  EXPECT_THAT(Panel(p), Not(HasSubstr("onclick")));
  // A plain arXiv id keeps the attribute third-party clients parse (SPEC §3).
  EXPECT_THAT(Panel(SamplePaper()), HasSubstr("onclick=\"togglePdf('2402.12354', "));
}

TEST(RenderPaperPanelTest, EscapesEverythingUpstreamSupplied) {
  std::string html = Panel(SamplePaper());
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_THAT(html, HasSubstr("Attention &lt;script&gt;alert(1)&lt;/script&gt; &amp; $O(n^2)$"));
  EXPECT_THAT(html, HasSubstr("<p class=\"summary\">We show $a&lt;b$ &amp; &quot;quotes&quot; "
                              "&#39;single&#39;.</p>"));
  EXPECT_THAT(html, HasSubstr(">Jean-Luc O&#39;Brien &amp; Co</a>"));
  EXPECT_THAT(html, HasSubstr("href=\"/arxiv/search?query=au:%22Jean-Luc%20O%27Brien%20%26%20Co%22\""));
  EXPECT_THAT(html, HasSubstr("<p class=\"comments\"><strong>Comments</strong>: 12 pages "
                              "&lt;b&gt;bold&lt;/b&gt;</p>"));
}

TEST(RenderPaperPanelTest, DateFallsBackToUpdatedThenDay) {
  core::Paper p = SamplePaper();
  p.published = "2024-02-19T18:00:01Z";
  EXPECT_THAT(Panel(p), HasSubstr(">2024-02-19 18:00:01</span>"));
  p.published = "2024-02-19";
  EXPECT_THAT(Panel(p), HasSubstr(">2024-02-19 00:00:00</span>"));
  p.published = "";
  EXPECT_THAT(Panel(p), HasSubstr(">2024-02-21 09:30:00</span>"));
  p.updated = "garbage";
  PanelOptions opts;
  opts.fallback_day = "2024-02-22";
  EXPECT_THAT(Panel(p, opts), HasSubstr(">2024-02-22 00:00:00</span>"));
  EXPECT_THAT(Panel(p), Not(HasSubstr("date-data")));
}

TEST(RenderPaperPanelTest, TrustedOverridesAndDeferredPanels) {
  PanelOptions opts;
  opts.title_html = Html::Trusted("<mark>Attention</mark>");
  opts.summary_html = Html::Trusted("We <mark>show</mark>");
  opts.deferred = true;
  opts.keywords = {"llm", "a\"b"};
  opts.announce_label = "cross-list from cs.LG";
  std::string html = Panel(SamplePaper(), opts);
  EXPECT_THAT(html, HasSubstr("href=\"/arxiv/2402.12354\"><mark>Attention</mark></a>"));
  EXPECT_THAT(html, HasSubstr("<p class=\"summary\">We <mark>show</mark></p>"));
  EXPECT_THAT(html, HasSubstr("<div class=\"panel paper\" id=\"2402.12354\" data-version=\"2\" "
                              "data-keywords=\"llm,a&quot;b\" data-deferred=\"1\" hidden>"));
  EXPECT_THAT(html, HasSubstr("<p class=\"announce\"><strong>Listed</strong>: cross-list from cs.LG"));
  EXPECT_THAT(html, Not(HasSubstr("class=\"index")));  // index 0 = hidden
}

TEST(RenderPageTest, FrameHasHeadTopBarAndNoInlineScripts) {
  PageMeta meta;
  meta.title = "cs.CL <today> & more";
  meta.description = "New \"papers\"";
  meta.canonical_path = "/arxiv/cs.CL?date=2026-06-30&show=5";
  meta.feed_path = "/arxiv/cs.CL/feed";
  meta.search_query = "\"><script>";
  meta.extra_head = Html::Trusted("<meta name=\"citation_title\" content=\"x\">\n");
  std::string html = RenderPage(meta, Html::Trusted("<p id=\"body\">hello</p>"));
  EXPECT_EQ(html.rfind("<!doctype html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_THAT(html, HasSubstr("<title>cs.CL &lt;today&gt; &amp; more</title>"));
  EXPECT_THAT(html, HasSubstr("<meta name=\"description\" content=\"New &quot;papers&quot;\">"));
  EXPECT_THAT(html, HasSubstr("<meta name=\"viewport\" content=\"width=device-width, "
                              "initial-scale=1\">"));
  EXPECT_THAT(html, HasSubstr("<link rel=\"canonical\" "
                              "href=\"/arxiv/cs.CL?date=2026-06-30&amp;show=5\">"));
  EXPECT_THAT(html, HasSubstr("<link rel=\"alternate\" type=\"application/atom+xml\" "
                              "title=\"Atom feed\" href=\"/arxiv/cs.CL/feed\">"));
  EXPECT_THAT(html, HasSubstr("<meta name=\"citation_title\" content=\"x\">"));
  EXPECT_THAT(html, HasSubstr("<body id=\"arxiv\">"));
  EXPECT_THAT(html, HasSubstr("<a class=\"home\" href=\"/\">coolpapers</a>"));
  EXPECT_THAT(html, HasSubstr("action=\"/arxiv/search\""));
  EXPECT_THAT(html, HasSubstr("name=\"query\""));
  EXPECT_THAT(html, HasSubstr("value=\"&quot;&gt;&lt;script&gt;\""));
  EXPECT_THAT(html, HasSubstr("<main id=\"main\">\n<p id=\"body\">hello</p></main>"));
  EXPECT_THAT(html, HasSubstr("<div class=\"items\"></div>"));
  EXPECT_THAT(html, HasSubstr("<div id=\"bottom-bar\"></div>"));
  EXPECT_THAT(html, HasSubstr("href=\"/vendor/katex/katex.min.css\""));
  EXPECT_THAT(html, HasSubstr("<script defer src=\"/vendor/katex/katex.min.js\"></script>"));
  EXPECT_THAT(html, HasSubstr("<script defer src=\"/vendor/katex/contrib/auto-render.min.js\">"));
  EXPECT_THAT(html, HasSubstr("<script type=\"module\" src=\"/static/app.js?v="));
  EXPECT_THAT(html, HasSubstr("<link rel=\"stylesheet\" href=\"/static/style.css?v="));
  // CSP script-src 'self': every <script> loads a file.
  for (size_t pos = html.find("<script"); pos != std::string::npos;
       pos = html.find("<script", pos + 1)) {
    size_t end = html.find('>', pos);
    EXPECT_THAT(html.substr(pos, end - pos), HasSubstr(" src=\"")) << html.substr(pos, 80);
  }
}

TEST(RenderPageTest, VenueBodyIdAndLanguage) {
  PageMeta meta;
  meta.title = "ACL 2024";
  meta.body_id = "venue";
  meta.lang = "zh";
  std::string html = RenderPage(meta, Html());
  EXPECT_THAT(html, HasSubstr("<html lang=\"zh\">"));
  EXPECT_THAT(html, HasSubstr("<body id=\"venue\">"));
  EXPECT_THAT(html, Not(HasSubstr("rel=\"alternate\"")));
  EXPECT_THAT(html, Not(HasSubstr("rel=\"canonical\"")));
}

TEST(ErrorPageTest, StatusMessageAndHintEscaped) {
  Response r = ErrorPage(404, "Unknown category <x>", "Try cs.CL & friends");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(r.body, HasSubstr("<h1>404 Not Found</h1>"));
  EXPECT_THAT(r.body, HasSubstr("Unknown category &lt;x&gt;"));
  EXPECT_THAT(r.body, HasSubstr("Try cs.CL &amp; friends"));
  EXPECT_THAT(r.body, HasSubstr("<title>404 Not Found — coolpapers</title>"));
  EXPECT_EQ(ErrorPage(400, "bad", "").status, 400);
}

TEST(JsonErrorTest, ShapeAndInvalidUtf8) {
  Response r = JsonError(400, "bad id \"x\"", "use 2402.12354");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"], "bad id \"x\"");
  EXPECT_EQ(j["hint"], "use 2402.12354");
  Response bad = JsonError(400, std::string("bad \xff\xfe bytes"), "");
  auto jb = nlohmann::json::parse(bad.body);
  EXPECT_EQ(jb["error"], "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
}

TEST(JsonResponseTest, KeepsStatusAndBody) {
  Response r = JsonResponse(201, "{\"a\":1}");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "{\"a\":1}");
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
}

}  // namespace
}  // namespace coolpapers::web
