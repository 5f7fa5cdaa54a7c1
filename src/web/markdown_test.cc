#include "web/markdown.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>

namespace coolpapers::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The renderer's only tags; anything else in the output is a sanitising failure.
void ExpectOnlyKnownTags(const std::string& html) {
  static const char* kAllowed[] = {"p", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em",
                                   "del", "code", "pre", "blockquote", "hr", "table", "thead",
                                   "tbody", "tr", "th", "td", "a", "div"};
  for (size_t i = html.find('<'); i != std::string::npos; i = html.find('<', i + 1)) {
    size_t j = i + 1;
    if (j < html.size() && html[j] == '/') ++j;
    size_t k = j;
    while (k < html.size() && std::isalnum(static_cast<unsigned char>(html[k]))) ++k;
    std::string tag = html.substr(j, k - j);
    bool ok = false;
    for (const char* a : kAllowed) ok = ok || tag == a;
    EXPECT_TRUE(ok) << "unexpected tag <" << tag << "> in: " << html;
  }
}

TEST(MarkdownTest, ParagraphsBoldItalicCodeAndStrike) {
  std::string h = RenderMarkdown("A **bold** and *italic* and `x<y` and ~~old~~.\n\nSecond para.");
  EXPECT_EQ(h,
            "<p>A <strong>bold</strong> and <em>italic</em> and <code>x&lt;y</code> and "
            "<del>old</del>.</p>\n<p>Second para.</p>\n");
}

TEST(MarkdownTest, HeadingsAreShiftedBelowThePageHeadings) {
  EXPECT_EQ(RenderMarkdown("# Top\n### Three"), "<h3>Top</h3>\n<h5>Three</h5>\n");
}

TEST(MarkdownTest, BulletAndNumberedListsNest) {
  std::string h = RenderMarkdown(
      "1. **First**: point\n"
      "   - sub a\n"
      "   - sub b\n"
      "2. Second\n"
      "\n"
      "After.");
  EXPECT_EQ(h,
            "<ol>\n<li><strong>First</strong>: point<ul>\n<li>sub a</li>\n<li>sub b</li>\n"
            "</ul>\n</li>\n<li>Second</li>\n</ol>\n<p>After.</p>\n");
}

TEST(MarkdownTest, OrderedListKeepsItsStartNumber) {
  EXPECT_THAT(RenderMarkdown("3. three\n4. four"), HasSubstr("<ol start=\"3\">"));
}

TEST(MarkdownTest, ListItemContinuationLinesJoinTheItem) {
  EXPECT_EQ(RenderMarkdown("- one\n  continues here\n- two"),
            "<ul>\n<li>one\ncontinues here</li>\n<li>two</li>\n</ul>\n");
}

TEST(MarkdownTest, FencedCodeIsEscapedVerbatim) {
  std::string h = RenderMarkdown("```python\nif a < b and *x*:\n    pass\n```");
  EXPECT_EQ(h, "<pre><code class=\"language-python\">if a &lt; b and *x*:\n    pass\n</code></pre>\n");
}

TEST(MarkdownTest, FenceLanguageWithQuotesIsDropped) {
  std::string h = RenderMarkdown("```\" onmouseover=\"alert(1)\ncode\n```");
  EXPECT_THAT(h, Not(HasSubstr("onmouseover")));
  EXPECT_THAT(h, HasSubstr("<pre><code>code\n</code></pre>"));
}

TEST(MarkdownTest, LatexIsLeftIntactForKatex) {
  std::string h = RenderMarkdown("Loss $L = \\sum_i a_i * b_i$ and \\(x_1 < y_2\\).");
  EXPECT_THAT(h, HasSubstr("$L = \\sum_i a_i * b_i$"));  // no <em> from * or _
  EXPECT_THAT(h, HasSubstr("\\(x_1 &lt; y_2\\)"));
  EXPECT_THAT(h, Not(HasSubstr("<em>")));
}

TEST(MarkdownTest, DisplayMathBlockBecomesMathDiv) {
  std::string h = RenderMarkdown("Text:\n\n$$\n\\mathcal{L} = -\\sum_{t} \\log p(x_t)\n$$\n\nEnd.");
  EXPECT_THAT(h, HasSubstr("<div class=\"faq-math\">$$\n\\mathcal{L} = -\\sum_{t} \\log p(x_t)\n$$</div>"));
}

TEST(MarkdownTest, DollarAmountsAreNotMath) {
  std::string h = RenderMarkdown("It costs $5 and $10 in total, *cheap*.");
  EXPECT_THAT(h, HasSubstr("<em>cheap</em>"));
}

TEST(MarkdownTest, SnakeCaseIsNotItalic) {
  EXPECT_EQ(RenderMarkdown("use snake_case_names here"), "<p>use snake_case_names here</p>\n");
}

TEST(MarkdownTest, HttpLinksAreKeptWithSafeRel) {
  EXPECT_EQ(RenderMarkdown("See [the code](https://github.com/allenai/scibert)."),
            "<p>See <a href=\"https://github.com/allenai/scibert\" rel=\"nofollow noopener "
            "noreferrer\" target=\"_blank\">the code</a>.</p>\n");
}

TEST(MarkdownTest, PipeTables) {
  std::string h = RenderMarkdown("| Model | F1 |\n|---|---:|\n| SciBERT | **88.6** |\n| BERT | 86.7 |");
  EXPECT_EQ(h,
            "<table>\n<thead><tr><th>Model</th><th>F1</th></tr></thead>\n<tbody>\n"
            "<tr><td>SciBERT</td><td><strong>88.6</strong></td></tr>\n"
            "<tr><td>BERT</td><td>86.7</td></tr>\n</tbody>\n</table>\n");
}

TEST(MarkdownTest, BlockquoteAndRule) {
  EXPECT_EQ(RenderMarkdown("> quoted *text*\n\n---"),
            "<blockquote>\n<p>quoted <em>text</em></p>\n</blockquote>\n<hr>\n");
}

// ---- XSS attempts ----

TEST(MarkdownXssTest, ScriptTagsAreEscaped) {
  std::string h = RenderMarkdown("<script>alert('x')</script>\n\nHi <b onmouseover=alert(1)>x</b>");
  EXPECT_THAT(h, Not(HasSubstr("<script")));
  EXPECT_THAT(h, HasSubstr("&lt;script&gt;"));
  EXPECT_THAT(h, Not(HasSubstr("<b ")));
  ExpectOnlyKnownTags(h);
}

TEST(MarkdownXssTest, JavascriptAndDataLinksLoseTheirHref) {
  for (const char* md : {"[click](javascript:alert(1))", "[click](JaVaScRiPt:alert(1))",
                         "[click]( javascript:alert(1))", "[click](data:text/html;base64,xx)",
                         "[click](vbscript:msgbox)", "[click](<javascript:alert(1)>)",
                         "[click](//evil.example/x)"}) {
    std::string h = RenderMarkdown(md);
    EXPECT_THAT(h, Not(HasSubstr("href"))) << md;
    EXPECT_THAT(h, HasSubstr("click")) << md;
    ExpectOnlyKnownTags(h);
  }
}

TEST(MarkdownXssTest, AttributeBreakoutInUrlIsRefused) {
  std::string h = RenderMarkdown("[x](https://a.example/\"onmouseover=\"alert(1))");
  EXPECT_THAT(h, Not(HasSubstr("onmouseover=\"")));
  ExpectOnlyKnownTags(h);
}

TEST(MarkdownXssTest, ImagesWithOnerrorAreNotImages) {
  std::string h = RenderMarkdown("![x](https://a.example/i.png\" onerror=\"alert(1))\n\n"
                                 "<img src=x onerror=alert(1)>\n\n![ok](https://a.example/i.png)");
  EXPECT_THAT(h, Not(HasSubstr("<img")));
  EXPECT_THAT(h, Not(HasSubstr("onerror=\"")));
  EXPECT_THAT(h, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  ExpectOnlyKnownTags(h);
}

TEST(MarkdownXssTest, HtmlInsideEmphasisCodeLinksAndTablesStaysEscaped) {
  std::string h = RenderMarkdown(
      "**<iframe src=x>** `</code><script>` [<svg onload=alert(1)>](https://a.example)\n\n"
      "| <script> | b |\n|---|---|\n| <img src=x> | c |\n\n"
      "- <style>body{}</style>\n\n> <object data=x>\n\n# <h1>x</h1>");
  ExpectOnlyKnownTags(h);
  EXPECT_THAT(h, Not(HasSubstr("<script")));
  EXPECT_THAT(h, Not(HasSubstr("<svg")));
}

TEST(MarkdownXssTest, PathologicalInputStaysBoundedAndSafe) {
  std::string md(20000, '*');
  md += std::string(5000, '[') + std::string(5000, '_') + "<script>" + std::string(3000, '`');
  std::string h = RenderMarkdown(md);
  EXPECT_THAT(h, Not(HasSubstr("<script")));
  ExpectOnlyKnownTags(h);
}

// Renders on another thread and fails (instead of hanging the suite) when rendering takes more
// than a generous deadline: a hang guard for quadratic inputs, not a performance assertion
// (`make bench` and the fuzz targets measure speed).
std::string RenderWithin(const std::string& md, std::chrono::seconds deadline) {
  auto result = std::async(std::launch::async, [&md] { return RenderMarkdown(md); });
  if (result.wait_for(deadline) != std::future_status::ready) {
    ADD_FAILURE() << "rendering " << md.size() << " bytes starting with \"" << md.substr(0, 12)
                  << "\" did not finish within " << deadline.count() << " s";
    result.wait();  // the renderer cannot be interrupted; let it finish before `md` dies
  }
  return result.get();
}

TEST(MarkdownXssTest, LongRunsOfOpenersThatNeverCloseRenderInLinearTime) {
  // Each of these made every opener scan the rest of the text (200,000 openers: minutes).
  const std::string kRuns[] = {std::string(200000, '<'), [] {
                                 std::string s;
                                 for (int i = 0; i < 100000; ++i) s += "\\(";
                                 return s;
                               }(),
                               [] {
                                 std::string s;
                                 for (int i = 0; i < 100000; ++i) s += "\\[";
                                 return s;
                               }(),
                               [] {
                                 std::string s;
                                 for (int i = 0; i < 70000; ++i) s += "*a ";
                                 return s;
                               }(),
                               std::string(200000, '[')};
  for (const std::string& md : kRuns) {
    std::string h = RenderWithin(md, std::chrono::seconds(5));
    EXPECT_GE(h.size(), md.size()) << "every character is kept (escaped)";
    ExpectOnlyKnownTags(h);
  }
}

TEST(MarkdownXssTest, OpenersSharingOneCloserStillMatchIt) {
  // The remembered closer position is reused, not a reason to stop matching.
  std::string md = std::string(5000, '<') + "https://example.org/x>";
  std::string h = RenderWithin(md, std::chrono::seconds(5));
  EXPECT_THAT(h, HasSubstr("<a href=\"https://example.org/x\""));
  std::string math = "\\( a \\( b \\) c";
  EXPECT_THAT(RenderMarkdown(math), HasSubstr("\\( a \\( b \\)"));
}

TEST(MarkdownXssTest, InvalidUtf8AndNulAreCleaned) {
  std::string h = RenderMarkdown(std::string("a\0b \xff\xfe c", 9));
  EXPECT_EQ(h.find('\0'), std::string::npos);
  EXPECT_THAT(h, HasSubstr("\xEF\xBF\xBD"));  // U+FFFD
}

}  // namespace
}  // namespace coolpapers::web
