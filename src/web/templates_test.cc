#include "web/templates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "web/html.h"
#include "web/render.h"

namespace coolpapers::web {
namespace {

using ::testing::HasSubstr;

std::string Render(const std::shared_ptr<const TemplateSet>& set, std::string_view name,
                   const View& v) {
  std::string out;
  set->RenderTo(out, name, v);
  return out;
}

Result<std::shared_ptr<const TemplateSet>> CompileOne(std::string_view name,
                                                      std::string_view text) {
  const TemplateSource sources[] = {{name, text}};
  return TemplateSet::Compile(sources, {});
}

TEST(TemplatesTest, BuiltInTemplatesCompile) {
  Status st = CheckTemplates();
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_NE(BuiltinTemplates(), nullptr);
  EXPECT_GE(BuiltinTemplateSources().size(), 20u);
}

TEST(TemplatesTest, ABrokenTemplateFailsNamingItsFile) {
  auto set = CompileOne("list_page", "<section>{{#entries}}unclosed");
  ASSERT_FALSE(set);
  EXPECT_THAT(set.error().message(), HasSubstr("templates/list_page.mustache"));
  EXPECT_THAT(set.error().message(), HasSubstr("Unclosed section"));
}

TEST(TemplatesTest, AMissingTemplateFailsNamingItsFile) {
  const TemplateSource sources[] = {{"page", "<html>"}};
  const std::string_view required[] = {"page", "paper_panel"};
  auto set = TemplateSet::Compile(sources, required);
  ASSERT_FALSE(set);
  EXPECT_THAT(set.error().message(), HasSubstr("templates/paper_panel.mustache is missing"));
}

TEST(TemplatesTest, OnlyHtmlNamedValuesAreInsertedUnescaped) {
  auto triple = CompileOne("t", "<h1>{{{title}}}</h1>");
  ASSERT_FALSE(triple);
  EXPECT_THAT(triple.error().message(), HasSubstr("templates/t.mustache: {{{title}}}"));
  EXPECT_FALSE(CompileOne("t", "<h1>{{& title}}</h1>"));
  // An Html value in an escaping tag would be escaped twice.
  EXPECT_FALSE(CompileOne("t", "<h1>{{title_html}}</h1>"));
  EXPECT_FALSE(CompileOne("t", "{{=<% %>=}}<%title%>"));
  EXPECT_FALSE(CompileOne("t", "{{> nowhere}}"));
  EXPECT_TRUE(CompileOne("t", "{{#title_html}}{{{title_html}}}{{/title_html}}{{! ok }}"));
}

TEST(TemplatesTest, TextIsEscapedHtmlIsNot) {
  auto set = CompileOne("t", "<p title=\"{{a}}\">{{a}}|{{{b_html}}}</p>\n");
  ASSERT_TRUE(set) << set.error().ToString();
  View v;
  v.Text("a", "<script>'x' & \"y\"").Markup("b_html", Html::Trusted("<i>ok</i>"));
  EXPECT_EQ(Render(*set, "t", v),
            "<p title=\"&lt;script&gt;&#39;x&#39; &amp; &quot;y&quot;\">"
            "&lt;script&gt;&#39;x&#39; &amp; &quot;y&quot;|<i>ok</i></p>\n");
}

TEST(TemplatesTest, TextUnderAnHtmlNameIsRefused) {
  // A plain string cannot be slipped into an unescaped slot by naming it *_html.
  EXPECT_DEBUG_DEATH(View().Text("title_html", "<script>"), "Markup");
  EXPECT_DEBUG_DEATH(View().Markup("title", Html::Escape("x")), "_html");
}

TEST(TemplatesTest, PartialsAreNotHiddenByViewValuesOfTheSameName) {
  const TemplateSource sources[] = {{"t", "{{#more}}{{> more}}\n{{/more}}end\n"},
                                    {"partials/more", "<p>{{n}} more</p>\n"}};
  auto set = TemplateSet::Compile(sources, {});
  ASSERT_TRUE(set) << set.error().ToString();
  EXPECT_EQ(Render(*set, "t", View().Flag("more", true).Text("n", 3)), "<p>3 more</p>\nend\n");
  EXPECT_EQ(Render(*set, "t", View().Flag("more", false)), "end\n");
  // Rendered by name, a partial gives its whole text.
  EXPECT_EQ(Render(*set, "partials/more", View().Text("n", 2)), "<p>2 more</p>\n");
}

TEST(TemplatesTest, BodyIsWrittenStraightBetweenTheHalves) {
  auto set = CompileOne("t", "<main class=\"{{c}}\">\n{{{body_html}}}</main>\n");
  ASSERT_TRUE(set) << set.error().ToString();
  std::string out = "<!doctype html>\n";
  (*set)->RenderAround(out, "t", View().Text("c", "a<b"),
                       [](std::string& body) { body += "<p>body</p>\n"; });
  EXPECT_EQ(out, "<!doctype html>\n<main class=\"a&lt;b\">\n<p>body</p>\n</main>\n");
  EXPECT_FALSE(CompileOne("t", "{{#x}}{{{body_html}}}{{/x}}"));  // inside a section
  EXPECT_FALSE(CompileOne("t", "{{{body_html}}}{{{body_html}}}"));
}

TEST(TemplatesTest, AReusedViewClearsWhatTheNextRenderLeavesOut) {
  core::Paper full;
  full.id = "2402.00001";
  full.title = "Full";
  full.abstract = "A";
  full.authors = {"Ada", "Bob", "Cy"};
  full.categories = {"cs.CL", "cs.LG"};
  full.comments = "12 pages";
  full.journal_ref = "JMLR";
  full.published = "2024-02-19";
  PanelOptions rich;
  rich.index = 4;
  rich.keywords = {"llm"};
  rich.announce_label = "cross-list from cs.LG";
  rich.title_html = Html::Trusted("<mark>Full</mark>");
  rich.summary_html = Html::Trusted("<mark>A</mark>");
  rich.deferred = true;
  core::Paper bare;
  bare.id = "2402.00002";
  bare.title = "Bare";
  bare.abstract = "B";
  bare.authors = {"Dee"};
  PanelRenderer panels;
  std::string first, second;
  panels.Render(first, full, rich);
  panels.Render(second, bare, PanelOptions{});
  std::string fresh;
  RenderPaperPanel(fresh, bare, PanelOptions{});
  EXPECT_EQ(second, fresh);
  EXPECT_THAT(first, HasSubstr("<mark>Full</mark>"));
  EXPECT_THAT(second, ::testing::Not(HasSubstr("Full")));
}

TEST(HtmlTest, EscapeAndTrusted) {
  EXPECT_EQ(Html::Escape("<a href='x'>&\"").str(), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
  EXPECT_EQ(Html::Trusted("<b>").str(), "<b>");
  Html h = Html::Escape("a<");
  h += Html::Trusted("<br>");
  EXPECT_EQ(h.str(), "a&lt;<br>");
  EXPECT_TRUE(Html().empty());
}

}  // namespace
}  // namespace coolpapers::web
