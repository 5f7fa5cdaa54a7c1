#include "sources/bibtex.h"

#include <gtest/gtest.h>

namespace coolpapers::sources::bibtex {
namespace {

TEST(BibtexTest, ReadsEntriesFieldsMacrosAndConcatenation) {
  File f = Parse(R"(Text before entries is ignored.
@string{acl = "Association for {C}omputational Linguistics"}
@comment{ @article{ignored, title={no}} }
@InProceedings{key1,
  Title = {A {B} c},
  author = "Doe, Jane and Roe, R.",
  publisher = acl # ", Online",
  year = 2024,
  month = jun,
}
@article(key2, title = {Parens} )
)",
                 "refs.bib");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_TRUE(f.skipped.empty());
  const Entry& e = f.entries[0];
  EXPECT_EQ(e.type, "inproceedings");
  EXPECT_EQ(e.key, "key1");
  EXPECT_EQ(e.line, 4u);
  EXPECT_EQ(e.Get("title"), "A {B} c");
  EXPECT_EQ(e.Get("author"), "Doe, Jane and Roe, R.");
  EXPECT_EQ(e.Get("publisher"), "Association for {C}omputational Linguistics, Online");
  EXPECT_EQ(e.Get("year"), "2024");
  EXPECT_EQ(e.Get("month"), "June");
  EXPECT_EQ(e.Get("missing"), "");
  EXPECT_EQ(f.entries[1].type, "article");
  EXPECT_EQ(f.entries[1].Get("title"), "Parens");
}

TEST(BibtexTest, ABrokenEntryIsSkippedWithItsLineAndTheNextOneIsRead) {
  File f = Parse("@inproceedings{bad,\n  title = {never closed,\n  year = 2024\n"
                 "@inproceedings{good, title={Fine}}\n"
                 "@misc{, title={no key}}\n"
                 "@inproceedings{noeq, title {x}}\n",
                 "v.bib");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].key, "good");
  ASSERT_EQ(f.skipped.size(), 3u);
  EXPECT_EQ(f.skipped[0], "v.bib:1: entry @inproceedings{bad: unbalanced braces in a value");
  EXPECT_EQ(f.skipped[1], "v.bib:5: entry @misc has no key");
  EXPECT_EQ(f.skipped[2], "v.bib:6: entry @inproceedings{noeq: no '=' after field title");
}

TEST(BibtexTest, DecodesAccentsBracesAndEscapesButKeepsMath) {
  EXPECT_EQ(DecodeTex(R"(Bl\"{a}ser)"), "Bläser");
  EXPECT_EQ(DecodeTex(R"({\"o}ffentlich \'{e}t\'e \c{c}a \v{S}imon \ss{} {\o}re)"),
            "öffentlich été ça Šimon ß øre");
  EXPECT_EQ(DecodeTex(R"(Gon{\c c}alves Erd\H{o}s Ni\~{n}o na\"{\i}ve)"),
            "Gonçalves Erdős Niño naïve");
  EXPECT_EQ(DecodeTex("{CHAI}: Clustered {LLM}s"), "CHAI: Clustered LLMs");
  EXPECT_EQ(DecodeTex(R"(R\&D 50\% a\_b)"), "R&D 50% a_b");
  EXPECT_EQ(DecodeTex(R"(The $F$-Design of $\tilde{\Theta}\left(n^{-1}\right)$)"),
            R"(The $F$-Design of $\tilde{\Theta}\left(n^{-1}\right)$)");
  EXPECT_EQ(DecodeTex(R"(\emph{very} \textbf{bold} pp.~1--30 --- yes)"),
            "very bold pp. 1–30 — yes");
  EXPECT_EQ(DecodeTex(R"(costs \$5 or $5)"), "costs $5 or $5");
  EXPECT_EQ(DecodeTex(R"(\k{a}\r{u}\={o}\u{g}\.{z}\`{e}\^{o}\'{\i})"), "ąůōğżèôí");
  EXPECT_EQ(DecodeTex(R"(\"{w})"), "w\u0308");  // no precomposed form: combining mark
  EXPECT_EQ(DecodeTex("\\"), "");
  EXPECT_EQ(DecodeTex("{{{"), "");
}

TEST(BibtexTest, SplitsAuthorsIntoNaturalOrder) {
  auto a = SplitAuthors(R"(Agarwal, Sanyam and Bl\"{a}ser, Markus and Jane {and} Doe and
      Guha Thakurta, Abhradeep and King, Jr, Martin AND others)");
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0], "Sanyam Agarwal");
  EXPECT_EQ(a[1], "Markus Bläser");
  EXPECT_EQ(a[2], "Jane and Doe");
  EXPECT_EQ(a[3], "Abhradeep Guha Thakurta");
  EXPECT_EQ(a[4], "Martin King Jr");
  EXPECT_TRUE(SplitAuthors("").empty());
}

}  // namespace
}  // namespace coolpapers::sources::bibtex
