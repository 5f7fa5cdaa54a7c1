// TL;DR extraction (web/tldr.h): the first sentence of the FAQ's summary answer, Markdown
// dropped, TeX kept and never cut.

#include "web/tldr.h"

#include <gtest/gtest.h>

namespace coolpapers::web {
namespace {

TEST(TldrOfAnswer, FirstSentenceOfThePlainParagraph) {
  EXPECT_EQ(TldrOfAnswer("The paper proposes X. It then shows Y.\n\nMore."),
            "The paper proposes X.");
  EXPECT_EQ(TldrOfAnswer("No full stop at all"), "No full stop at all");
  EXPECT_EQ(TldrOfAnswer("Is it good? Yes."), "Is it good?");
}

TEST(TldrOfAnswer, MarkdownIsDroppedTexIsKept) {
  EXPECT_EQ(TldrOfAnswer("### Summary\n\n**Graph transformers** with `code` and "
                         "[a link](https://x.org) cost $O(n \\log n)$. Next."),
            "Graph transformers with code and a link cost $O(n \\log n)$.");
  // Periods, stars and underscores inside math are not sentence ends or emphasis.
  EXPECT_EQ(TldrOfAnswer("It bounds $a_i. b**2$ and $$x = 1. y$$ well. Then more."),
            "It bounds $a_i. b**2$ and $$x = 1. y$$ well.");
  EXPECT_EQ(TldrOfAnswer("Uses \\(p. q\\) and \\[r. s\\] too. Rest."),
            "Uses \\(p. q\\) and \\[r. s\\] too.");
}

TEST(TldrOfAnswer, AbbreviationsDoNotEndASentence) {
  EXPECT_EQ(TldrOfAnswer("Models, e.g. BERT, i.e. encoders, by Smith et al. (Fig. 2), win. Yes."),
            "Models, e.g. BERT, i.e. encoders, by Smith et al. (Fig. 2), win.");
  EXPECT_EQ(TldrOfAnswer("Accuracy rises to 93.5 percent. Done."), "Accuracy rises to 93.5 percent.");
}

TEST(TldrOfAnswer, ChineseFullStopsEndASentence) {
  EXPECT_EQ(TldrOfAnswer("这篇论文提出了一种新的注意力机制。实验表明有效。"),
            "这篇论文提出了一种新的注意力机制。");
  EXPECT_EQ(TldrOfAnswer("**总结：**\n\n论文研究了 $O(n)$ 的方法！其余"), "论文研究了 $O(n)$ 的方法！");
}

TEST(TldrOfAnswer, LeadInWithAColonGivesWayToTheFirstPoint) {
  EXPECT_EQ(TldrOfAnswer("The main content can be summarized as follows:\n\n"
                         "1. **Problem**: the paper studies sparse attention. It also...\n"
                         "2. **Method**: kernels."),
            "Problem: the paper studies sparse attention.");
  EXPECT_EQ(TldrOfAnswer("论文的主要内容如下：\n- 提出了新方法。\n- 做了实验。"), "提出了新方法。");
  // A lead-in with nothing after it is still better than nothing.
  EXPECT_EQ(TldrOfAnswer("In short:"), "In short:");
}

TEST(TldrOfAnswer, EmptyOrOnlyHeadingsGiveNothing) {
  EXPECT_EQ(TldrOfAnswer(""), "");
  EXPECT_EQ(TldrOfAnswer("\n\n## Summary\n\n**Main points**\n"), "");
}

TEST(TldrOfAnswer, LongSentencesAreCutAtAWordOutsideMath) {
  std::string words;
  for (int i = 0; i < 80; ++i) words += "word" + std::to_string(i) + " ";
  std::string t = TldrOfAnswer(words + "end.", 100);
  ASSERT_LE(t.size(), 100u);
  EXPECT_EQ(t.substr(t.size() - 3), "…");
  EXPECT_EQ(t[t.size() - 4], '4') << t;  // "... word14…": a whole word before the ellipsis
  // A cut that would fall inside a formula falls before it.
  std::string math = "Intro " + std::string(70, 'a') + " $" + std::string(60, 'x') + "$ tail.";
  t = TldrOfAnswer(math, 100);
  EXPECT_EQ(t.find('$'), std::string::npos) << t;
  EXPECT_EQ(t, "Intro " + std::string(70, 'a') + "…");
  // CJK without spaces: cut at a character boundary (valid UTF-8).
  std::string zh;
  for (int i = 0; i < 60; ++i) zh += "长";
  t = TldrOfAnswer(zh + "。", 40);
  std::string twelve;
  for (int i = 0; i < 12; ++i) twelve += "长";
  EXPECT_EQ(t, twelve + "…");  // 12 characters of 3 bytes fit in 40 - 3 bytes
}

TEST(TldrOfFaq, UsesTheSummaryAnswerOnly) {
  std::vector<store::FaqItem> items;
  for (int i = 0; i < 6; ++i) {
    items.push_back({"Q" + std::to_string(i), "Answer " + std::to_string(i) + ". More."});
  }
  EXPECT_EQ(TldrOfFaq(items), "Answer 5.");
  items.pop_back();  // a FAQ without its summary answer has no TL;DR
  EXPECT_EQ(TldrOfFaq(items), "");
}

}  // namespace
}  // namespace coolpapers::web
