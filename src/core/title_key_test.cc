#include "core/title_key.h"

#include <gtest/gtest.h>

namespace coolpapers::core {
namespace {

TEST(NormaliseTitleTest, LowerCasesAndDropsPunctuation) {
  EXPECT_EQ(NormaliseTitle("  BERT: Pre-training of Deep   Bidirectional\nTransformers! "),
            "bert pre training of deep bidirectional transformers");
  EXPECT_EQ(NormaliseTitle("What’s in a “Name”? — A Study"), "what s in a name a study");
  EXPECT_EQ(NormaliseTitle(""), "");
  EXPECT_EQ(NormaliseTitle("?!"), "");
}

TEST(NormaliseTitleTest, FoldsAccents) {
  EXPECT_EQ(NormaliseTitle("Über Straße: Ça Façon à Łódź"), "uber strasse ca facon a lodz");
  // Decomposed (NFD) accents: the combining mark goes, the letter stays.
  EXPECT_EQ(NormaliseTitle("Cafe\u0301 Ma\u0308dchen"), "cafe madchen");
  EXPECT_EQ(NormaliseTitle("Ștefan Țară Œuvre ﬁnd"), "stefan tara oeuvre find");
  // Other scripts are kept.
  EXPECT_EQ(NormaliseTitle("中文 Tokens αβ"), "中文 tokens αβ");
}

TEST(NormaliseTitleTest, DropsTex) {
  EXPECT_EQ(NormaliseTitle("Bl\\\"{a}ser's \\'Etude \\c{c}a \\v{S}koda \\ss{}"),
            "blaser s etude ca skoda ss");
  EXPECT_EQ(NormaliseTitle("{BERT} and {T}5 Go \\emph{Fast}"), "bert and t5 go fast");
  EXPECT_EQ(NormaliseTitle("$\\alpha$-Entmax in $O(n^2)$ Time"), "entmax in o n 2 time");
  EXPECT_EQ(NormaliseTitle("Q\\&A at 50\\%"), "q a at 50");
  // The same title as the venue decodes it and as arXiv carries it in TeX.
  EXPECT_EQ(NormaliseTitle("Bläser's Étude"), NormaliseTitle("Bl\\\"{a}ser's \\'{E}tude"));
}

TEST(NormaliseTitleTest, DropsMarkupAndFixedCase) {
  EXPECT_EQ(NormaliseTitle("<fixed-case>LLM</fixed-case>s Can <i>Reason</i>"), "llms can reason");
  EXPECT_EQ(NormaliseTitle("A &amp; B"), "a b");
  EXPECT_EQ(NormaliseTitle("x < y > z"), "x y z");
  EXPECT_EQ(NormaliseTitle("{F}ixed-{C}ase {LLM}s"), NormaliseTitle("Fixed-Case LLMs"));
}

TEST(NormalisedSurnameTest, LastWordOrBeforeTheComma) {
  EXPECT_EQ(NormalisedSurname("Markus Bläser"), "blaser");
  EXPECT_EQ(NormalisedSurname("Bl\\\"{a}ser, Markus"), "blaser");
  EXPECT_EQ(NormalisedSurname("John Smith Jr."), "smith");
  EXPECT_EQ(NormalisedSurname("John Smith, Jr."), "smith");
  EXPECT_EQ(NormalisedSurname("Aina Garí Soler"), "soler");
  EXPECT_EQ(NormalisedSurname("Jean-Luc Picard-Smith"), "smith");
  EXPECT_EQ(NormalisedSurname("Jr"), "jr");
  EXPECT_EQ(NormalisedSurname(" . "), "");
}

TEST(TitleKeyTest, TitleAndFirstSurname) {
  EXPECT_EQ(TitleKey("Attention Is All You Need", {"Ashish Vaswani", "Noam Shazeer"}),
            "attention is all you need|vaswani");
  EXPECT_EQ(TitleKey("Attention Is All You Need", {}), "");
  EXPECT_EQ(TitleKey("", {"Ashish Vaswani"}), "");
  EXPECT_EQ(TitleKey("Attention", {"-"}), "");
}

}  // namespace
}  // namespace coolpapers::core
