#include "llm/faq_prompt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace coolpapers::llm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

core::Paper SciBert() {
  core::Paper p;
  p.id = "1903.10676";
  p.version = 3;
  p.title = "SciBERT: A Pretrained Language Model for Scientific Text";
  p.authors = {"Iz Beltagy", "Kyle Lo", "Arman Cohan"};
  p.abstract = "We release SciBERT, a pretrained language model based on BERT.";
  return p;
}

TEST(FaqPromptTest, SixQuestionsInBothLanguages) {
  ASSERT_EQ(FaqQuestions("zh").size(), 6u);
  ASSERT_EQ(FaqQuestions("en").size(), 6u);
  EXPECT_EQ(FaqQuestions("zh")[0], "这篇论文试图解决什么问题？");
  EXPECT_EQ(FaqQuestions("zh")[5], "总结一下论文的主要内容");
  EXPECT_EQ(FaqQuestions("en")[0], "What problem does this paper try to solve?");
  EXPECT_TRUE(IsFaqLang("zh"));
  EXPECT_TRUE(IsFaqLang("en"));
  EXPECT_FALSE(IsFaqLang("fr"));
}

TEST(FaqPromptTest, SystemPromptStatesTheRules) {
  for (const char* lang : {"zh", "en"}) {
    std::string p = FaqSystemPrompt(lang);
    EXPECT_THAT(p, HasSubstr("academic assistant"));
    EXPECT_THAT(p, HasSubstr("first person"));
    EXPECT_THAT(p, HasSubstr("Markdown"));
    EXPECT_THAT(p, HasSubstr("LaTeX"));
    EXPECT_THAT(p, HasSubstr("garbled"));
  }
  EXPECT_THAT(FaqSystemPrompt("zh"), HasSubstr("中文"));
  EXPECT_THAT(FaqSystemPrompt("en"), HasSubstr("English"));
}

TEST(FaqPromptTest, PaperMessageCarriesMetadataAndText) {
  std::string m = PaperMessage(SciBert(), "Full text here", "pdf");
  EXPECT_THAT(m, HasSubstr("Title: SciBERT: A Pretrained Language Model for Scientific Text"));
  EXPECT_THAT(m, HasSubstr("Authors: Iz Beltagy, Kyle Lo, Arman Cohan"));
  EXPECT_THAT(m, HasSubstr("arXiv: 1903.10676v3"));
  EXPECT_THAT(m, HasSubstr("Full text here"));
}

TEST(FaqPromptTest, AbstractFallbackSaysSo) {
  std::string m = PaperMessage(SciBert(), "", "abstract");
  EXPECT_THAT(m, HasSubstr("Only the title and abstract are available"));
  EXPECT_THAT(m, HasSubstr("We release SciBERT"));
}

TEST(FaqPromptTest, ConversationKeepsEarlierAnswersInOrder) {
  std::string paper = PaperMessage(SciBert(), "text", "pdf");
  auto first = FaqMessages("en", paper, {}, 0);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].role, "system");
  EXPECT_EQ(first[1].role, "system");
  EXPECT_EQ(first[1].content, paper);
  EXPECT_EQ(first[2].role, "user");
  EXPECT_EQ(first[2].content, FaqQuestions("en")[0]);

  auto third = FaqMessages("en", paper, {"answer one", "answer two"}, 2);
  ASSERT_EQ(third.size(), 7u);
  EXPECT_EQ(third[3].role, "assistant");
  EXPECT_EQ(third[3].content, "answer one");
  EXPECT_EQ(third[4].content, FaqQuestions("en")[1]);
  EXPECT_EQ(third[5].content, "answer two");
  EXPECT_EQ(third[6].content, FaqQuestions("en")[2]);
  EXPECT_EQ(third[6].role, "user");
}

TEST(FaqPromptTest, PromptVersionIsPartOfTheContract) { EXPECT_EQ(kPromptVersion, 1); }

}  // namespace
}  // namespace coolpapers::llm
