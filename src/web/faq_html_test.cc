#include "web/faq_html.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "llm/faq_job.h"

namespace coolpapers::web {
namespace {

using llm::FaqItem;
using llm::FaqKey;
using llm::FaqState;
using llm::FaqView;
using ::testing::HasSubstr;
using ::testing::Not;

FaqView CompleteView(const std::string& source, const std::string& lang = "en") {
  FaqKey key{"2401.00002", 1, lang, "fake-model", 1};
  auto job = llm::FaqJob::Completed(key, {{"Q <1>?", "A **b** and $x_i^2$."}, {"Q2", "Two"}},
                                    source, 120, "2025-03-18 12:00:00");
  return job->View();
}

TEST(FaqHtmlTest, CompleteFragmentHasQuestionsAndRenderedAnswers) {
  std::string h = RenderFaqFragment(CompleteView("pdf"));
  EXPECT_THAT(h, HasSubstr("<div class=\"faq\" data-paper=\"2401.00002\" data-version=\"1\" "
                           "data-lang=\"en\" data-state=\"1\" data-source=\"pdf\">\n"));
  EXPECT_THAT(h, HasSubstr("<p class=\"faq-q\" data-i=\"0\">Q &lt;1&gt;?</p>\n"
                           "<div class=\"faq-a\" data-i=\"0\"><p>A <strong>b</strong> and "
                           "$x_i^2$.</p>\n</div>\n"));
  EXPECT_THAT(h, HasSubstr("<p class=\"faq-q\" data-i=\"1\">Q2</p>"));
  EXPECT_THAT(h, Not(HasSubstr("faq-note")));
}

TEST(FaqHtmlTest, AFaqOfAnEarlierVersionSaysSoAndOffersTheLatest) {
  FaqView v = CompleteView("pdf");
  EXPECT_EQ(RenderNewerVersionNote(v), "");  // of the latest version: no note
  EXPECT_EQ(nlohmann::json::parse(FaqJson(v)).count("latest_version"), 0u);
  v.newer_version = 3;
  std::string h = RenderNewerVersionNote(v);
  EXPECT_THAT(h, HasSubstr("<div class=\"faq-newer\" data-version=\"3\">"));
  EXPECT_THAT(h, HasSubstr("This FAQ was written for v1; the paper is now at v3."));
  EXPECT_THAT(h, HasSubstr("<button type=\"button\" class=\"faq-regenerate\" "
                           "data-version=\"3\">Regenerate for v3</button>"));
  EXPECT_EQ(nlohmann::json::parse(FaqJson(v))["latest_version"], 3);
  EXPECT_EQ(nlohmann::json::parse(FaqJson(v))["version"], 1);
  EXPECT_EQ(nlohmann::json::parse(*RenderComplete(v)->json)["latest_version"], 3);
  FaqView zh = CompleteView("pdf", "zh");
  zh.newer_version = 2;
  EXPECT_THAT(RenderNewerVersionNote(zh), HasSubstr("为 v2 重新生成"));
}

TEST(FaqHtmlTest, AbstractOnlyFaqIsLabelled) {
  std::string h = RenderFaqFragment(CompleteView("abstract"));
  EXPECT_THAT(h, HasSubstr("data-source=\"abstract\""));
  EXPECT_THAT(h, HasSubstr("<p class=\"faq-note\">Generated from the abstract only"));
  EXPECT_THAT(RenderFaqFragment(CompleteView("abstract", "zh")), HasSubstr("仅根据摘要生成"));
  std::string j = FaqJson(CompleteView("abstract"));
  EXPECT_THAT(j, HasSubstr("\"source\":\"abstract\""));
  EXPECT_THAT(j, HasSubstr("\"full_text\":false"));
  EXPECT_THAT(FaqJson(CompleteView("pdf")), HasSubstr("\"full_text\":true"));
}

TEST(FaqHtmlTest, JsonCarriesMarkdownAndHtmlOfEachAnswer) {
  std::string j = FaqJson(CompleteView("pdf"));
  EXPECT_THAT(j, HasSubstr("\"a\":\"A **b** and $x_i^2$.\""));
  EXPECT_THAT(j, HasSubstr("\"html\":\"<p>A <strong>b</strong> and $x_i^2$.</p>\\n\""));
  EXPECT_THAT(j, HasSubstr("\"state\":\"1\""));
  EXPECT_THAT(j, HasSubstr("\"tokens\":120"));
}

TEST(FaqHtmlTest, NotesSayWhereTheFaqStands) {
  FaqView v;
  v.key = {"2401.00002", 1, "en", "m", 1};
  v.state = FaqState::kPending;
  v.ahead = 3;
  EXPECT_THAT(RenderFaqFragment(v), HasSubstr("Queued: 3 FAQ(s) ahead of this one."));
  EXPECT_THAT(RenderFaqFragment(v), HasSubstr("data-state=\"pending:3\""));
  v.state = FaqState::kFailed;
  v.error = "the model <said> no";
  EXPECT_THAT(RenderFaqFragment(v),
              HasSubstr("FAQ generation failed: the model &lt;said&gt; no Try again later."));
  EXPECT_EQ(RenderFaqNote("2401.00002\"", "error", "<b>busy</b>"),
            "<div class=\"faq\" data-paper=\"2401.00002&quot;\" data-state=\"error\">\n"
            "<p class=\"faq-note\">&lt;b&gt;busy&lt;/b&gt;</p>\n</div>\n");
}

TEST(FaqHtmlTest, CompleteFaqIsRenderedOnceAndShared) {
  FaqView v = CompleteView("pdf");
  ASSERT_TRUE(v.derived);
  std::shared_ptr<const RenderedFaq> first = RenderComplete(v);
  std::shared_ptr<const RenderedFaq> second = RenderComplete(v);
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(*first->fragment, RenderFaqFragment(v));
  EXPECT_EQ(*first->json, FaqJson(v));
  FaqView loose = v;
  loose.derived = nullptr;  // no slot: rendered afresh, same bytes
  EXPECT_NE(RenderComplete(loose).get(), first.get());
  EXPECT_EQ(*RenderComplete(loose)->fragment, *first->fragment);
}

}  // namespace
}  // namespace coolpapers::web
