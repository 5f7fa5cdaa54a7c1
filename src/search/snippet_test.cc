#include "search/snippet.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/text.h"

namespace coolpapers::search {
namespace {

// Index terms with weight 1 each.
HighlightTerms Terms(const std::vector<std::string>& terms, StemCache& stems) {
  HighlightTerms t;
  for (const std::string& term : terms) t.AddTerm(term, 1.0, stems);
  return t;
}

// The text a snippet shows: marks and ellipses removed, entities decoded.
std::string PlainText(std::string html) {
  for (const char* drop : {"<mark>", "</mark>", "\u2026"}) {
    for (size_t at; (at = html.find(drop)) != std::string::npos;) html.erase(at, strlen(drop));
  }
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (size_t at = 0; (at = html.find(from, at)) != std::string::npos; ++at) {
      html.replace(at, strlen(from), to);
    }
  }
  return html;
}

// Filler words that match nothing: "w0 w1 w2 ...".
std::string Filler(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) out += (out.empty() ? "w" : " w") + std::to_string(i);
  return out;
}

class SnippetTest : public ::testing::Test {
 protected:
  std::string Snip(const std::vector<std::string>& terms, std::string_view text, size_t bytes) {
    HighlightTerms t = Terms(terms, stems_);
    return MarkedText(text, t, stems_).Snippet(bytes);
  }
  std::string Highlight(const std::vector<std::string>& terms, std::string_view text) {
    HighlightTerms t = Terms(terms, stems_);
    return MarkedText(text, t, stems_).Highlighted();
  }
  StemCache stems_;
};

TEST_F(SnippetTest, MarksWordsWithTheQueryStem) {
  ASSERT_EQ(stems_.Stem("modeling"), "model");  // Xapian's English stemmer
  ASSERT_EQ(stems_.Stem("models"), "model");
  EXPECT_EQ(Highlight({"Zmodel"}, "Modeling models, a model and modems."),
            "<mark>Modeling</mark> <mark>models</mark>, a <mark>model</mark> and modems.");
}

TEST_F(SnippetTest, WordsWhoseStemRewritesTheirEndAreMarked) {
  // Stems that are not a prefix of their word: the prefilter in Match must let them through.
  for (const char* word : {"possibly", "ability", "dying", "lying", "skies", "relational",
                           "organization", "hopping", "hoping", "cried", "generously", "ugly"}) {
    SCOPED_TRACE(word);
    const std::string stem = "Z" + stems_.Stem(word);
    EXPECT_EQ(Highlight({stem}, word), std::string("<mark>") + word + "</mark>");
  }
}

TEST_F(SnippetTest, UnstemmedTermsMarkOnlyTheirExactWord) {
  // A phrase's words and capitalised query words are searched unstemmed.
  EXPECT_EQ(Highlight({"models"}, "Models of a model"), "<mark>Models</mark> of a model");
}

TEST_F(SnippetTest, FieldPrefixesAreStrippedAndOtherPrefixesIgnored) {
  EXPECT_EQ(Highlight({"ZSspeech", "Bnoisy", "Asmith", "XCcs.cl", "Q2601.00001", ""},
                      "Smith: speeches in noisy rooms, cs.cl"),
            "<mark>Smith</mark>: <mark>speeches</mark> in <mark>noisy</mark> rooms, cs.cl");
}

TEST_F(SnippetTest, EscapesTextAndMarksInsideIt) {
  EXPECT_EQ(Highlight({"alert"}, "<script>alert(1)</script> & \"q\" 'a'"),
            "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39;");
  EXPECT_EQ(Snip({"alert"}, "<b>alert</b> & co", 300),
            "&lt;b&gt;<mark>alert</mark>&lt;/b&gt; &amp; co");
}

TEST_F(SnippetTest, WordsAreSplitAsTheIndexSplitsThem) {
  EXPECT_EQ(Highlight({"at&t", "c++", "don't", "usa", "3.14", "c#"},
                      "AT&T, C++ and C# don\u2019t use U.S.A. pi 3.14 or 3"),
            "<mark>AT&amp;T</mark>, <mark>C++</mark> and <mark>C#</mark> <mark>don\u2019t</mark> "
            "use <mark>U.S.A</mark>. pi <mark>3.14</mark> or 3");
  // A hyphen splits words; "state-of-the-art" is four of them.
  EXPECT_EQ(Highlight({"Zart"}, "state-of-the-art"), "state-of-the-<mark>art</mark>");
}

TEST_F(SnippetTest, ShortTextIsWholeWithoutEllipsis) {
  EXPECT_EQ(Snip({"Zspeech"}, "  Speech recognition works.  ", 300),
            "<mark>Speech</mark> recognition works.");
}

TEST_F(SnippetTest, NoMatchGivesTheStartOfTheText) {
  const std::string text = Filler(0, 200);
  const std::string s = Snip({"Zspeech"}, text, 50);
  EXPECT_EQ(s.rfind("w0 w1 w2", 0), 0u) << s;
  EXPECT_EQ(s.substr(s.size() - 3), "\u2026");
  EXPECT_EQ(s.find("<mark>"), std::string::npos);
}

TEST_F(SnippetTest, NoTermsGivesTheStartOfTheText) {
  const std::string text = Filler(0, 200);
  const std::string s = Snip({}, text, 50);
  EXPECT_EQ(s.rfind("w0 w1", 0), 0u) << s;
  EXPECT_EQ(Highlight({}, "a <b> text"), "a &lt;b&gt; text");
}

TEST_F(SnippetTest, WindowHoldsTheMatchesWithEllipsesOnBothSides) {
  const std::string text = Filler(0, 100) + " speech recognition " + Filler(100, 200);
  const std::string s = Snip({"Zspeech", "Zrecognit"}, text, 120);
  EXPECT_NE(s.find("<mark>speech</mark> <mark>recognition</mark>"), std::string::npos) << s;
  EXPECT_EQ(s.rfind("\u2026", 0), 0u) << s;
  EXPECT_EQ(s.substr(s.size() - 3), "\u2026") << s;
  EXPECT_LE(PlainText(s).size(), 120u);
  // Context on both sides of the matches.
  EXPECT_GT(s.find("<mark>"), 20u) << s;
  EXPECT_NE(s.find("w100"), std::string::npos) << s;
}

TEST_F(SnippetTest, WindowAtTheEndHasNoTrailingEllipsis) {
  const std::string text = Filler(0, 100) + " ends with speech.";
  const std::string s = Snip({"Zspeech"}, text, 60);
  EXPECT_EQ(s.rfind("\u2026", 0), 0u) << s;
  EXPECT_EQ(s.substr(s.size() - 20), "<mark>speech</mark>.") << s;
}

TEST_F(SnippetTest, WindowStartsAtASentenceWhenOneIsNear) {
  const std::string text = Filler(0, 100) + ". Speech is here " + Filler(100, 200);
  const std::string s = Snip({"Zspeech"}, text, 80);
  EXPECT_EQ(s.rfind("\u2026<mark>Speech</mark> is here", 0), 0u) << s;
}

TEST_F(SnippetTest, WindowPrefersDistinctWordsOverRepeats) {
  const std::string text =
      "speech speech speech speech " + Filler(0, 60) + " speech and recognition " + Filler(60, 120);
  const std::string s = Snip({"Zspeech", "Zrecognit"}, text, 60);
  EXPECT_NE(s.find("<mark>speech</mark> and <mark>recognition</mark>"), std::string::npos) << s;
}

TEST_F(SnippetTest, WindowOfTheSameWordsPrefersMoreMatches) {
  const std::string text = "speech w recognition " + Filler(0, 60) +
                           " speech recognition speech recognition " + Filler(60, 120);
  const std::string s = Snip({"Zspeech", "Zrecognit"}, text, 60);
  EXPECT_NE(s.find("<mark>speech</mark> <mark>recognition</mark> <mark>speech</mark>"),
            std::string::npos)
      << s;
}

TEST_F(SnippetTest, WindowPrefersTheRarerWord) {
  StemCache stems;
  HighlightTerms t;
  t.AddTerm("Zcommon", 1.0, stems);
  t.AddTerm("Zrare", 5.0, stems);
  const std::string text = "common " + Filler(0, 60) + " rare " + Filler(60, 120);
  const std::string s = MarkedText(text, t, stems).Snippet(40);
  EXPECT_NE(s.find("<mark>rare</mark>"), std::string::npos) << s;
}

TEST_F(SnippetTest, SnippetNeverExceedsTheByteLimitAndCutsBetweenWords) {
  const std::string text =
      "Über große Sprachmodelle: speech recognition für Ärzte, "
      "naïve Bayes et café au lait; speech again. " +
      Filler(0, 40);
  for (size_t bytes = 1; bytes <= text.size() + 5; ++bytes) {
    SCOPED_TRACE(bytes);
    const std::string s = Snip({"Zspeech", "Zbay"}, text, bytes);
    const std::string plain = PlainText(s);
    ASSERT_LE(plain.size(), bytes);
    ASSERT_TRUE(core::IsValidUtf8(s)) << s;
    // Every word shown whole, unless one word alone is longer than the limit.
    if (plain.find(' ') != std::string::npos) {
      ASSERT_NE(text.find(plain), std::string::npos) << plain;
    }
  }
}

TEST_F(SnippetTest, LongWordIsCutOnACharacterBoundary) {
  std::string word;
  for (int i = 0; i < 5000; ++i) word += "é";
  for (size_t bytes : {1u, 2u, 3u, 299u, 300u}) {
    const std::string s = Snip({"Zspeech"}, word + " speech", bytes);
    EXPECT_TRUE(core::IsValidUtf8(s)) << bytes;
    EXPECT_LE(PlainText(s).size(), bytes);
  }
  const std::string s = Snip({"Zspeech"}, word + " speech", 300);
  EXPECT_NE(s.find("<mark>speech</mark>"), std::string::npos);
}

TEST_F(SnippetTest, OddInputsGiveValidOutput) {
  EXPECT_EQ(Snip({"Zspeech"}, "", 300), "");
  EXPECT_EQ(Highlight({"Zspeech"}, ""), "");
  EXPECT_EQ(Snip({"Zspeech"}, "!!! ... ???", 300), "!!! ... ???");
  EXPECT_EQ(Snip({"Zspeech"}, "!!! ... ???", 5), "!!! .\u2026");
  EXPECT_EQ(Snip({"Zspeech"}, "speech", 0), "");
  // Invalid UTF-8 becomes U+FFFD; the words around it still match.
  const std::string bad = Snip({"Zspeech"}, "\xff\xfe speech \xc3", 300);
  EXPECT_EQ(bad, "\uFFFD\uFFFD <mark>speech</mark> \uFFFD");
  EXPECT_EQ(Highlight({"Zspeech"}, "a\xe2\x82speech"), "a\uFFFD\uFFFD<mark>speech</mark>");
}

TEST_F(SnippetTest, CjkCharactersAreMarkedOneByOneAndJoined) {
  // The parser's terms for 语言模型 (FLAG_CJK_NGRAM): characters and their bigrams.
  const std::vector<std::string> terms = {"语", "语言", "言", "言模", "模", "模型", "型"};
  EXPECT_EQ(Highlight(terms, "我们研究大语言模型的能力和语言。"),
            "我们研究大<mark>语言模型</mark>的能力和<mark>语言</mark>。");
  const std::string text = "本文" + std::string(300, ' ') + "提出大语言模型";
  const std::string s = Snip(terms, text, 30);
  EXPECT_NE(s.find("<mark>语言模型</mark>"), std::string::npos) << s;
  EXPECT_TRUE(core::IsValidUtf8(s));
  // Latin words next to CJK are words of their own.
  EXPECT_EQ(Highlight({"Zmodel"}, "大model模型"), "大<mark>model</mark>模型");
}

TEST_F(SnippetTest, HighlightedIsTheWholeTextWithEveryMatch) {
  const std::string text = "speech " + Filler(0, 300) + " speech.";
  const std::string h = Highlight({"Zspeech"}, text);
  EXPECT_EQ(PlainText(h), text);
  EXPECT_EQ(h.rfind("<mark>speech</mark> w0", 0), 0u);
  EXPECT_EQ(h.substr(h.size() - 20), "<mark>speech</mark>.");
  EXPECT_EQ(MarkedText(text, Terms({"Zspeech"}, stems_), stems_).matches(), 2u);
}

// Terms collected from a parsed query, as KeywordIndexSearcher does.
class HighlightTermsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("en"));
    tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
    for (const char* text :
         {"speech recognition in noise", "speech models", "graph learning", "语言模型"}) {
      Xapian::Document doc;
      tg.set_document(doc);
      tg.index_text(text);
      db_.add_document(doc);
    }
  }
  std::string Mark(const std::string& query, const std::string& text) {
    Xapian::QueryParser qp;
    qp.set_database(db_);
    qp.set_stemmer(Xapian::Stem("en"));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.add_prefix("ti", "S");
    const Xapian::Query q = qp.parse_query(
        query, Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
                   Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_CJK_NGRAM);
    // As the searcher runs it: a category filter around the query.
    const Xapian::Query filtered(Xapian::Query::OP_FILTER, q, Xapian::Query("XCcs.cl"));
    const HighlightTerms terms = HighlightTerms::FromQuery(filtered, db_, stems_);
    return MarkedText(text, terms, stems_).Highlighted();
  }
  Xapian::WritableDatabase db_{std::string(), Xapian::DB_BACKEND_INMEMORY};
  StemCache stems_;
};

TEST_F(HighlightTermsTest, NegatedWordsAreNotMarked) {
  EXPECT_EQ(Mark("speech -noise", "speech in noise"), "<mark>speech</mark> in noise");
}

TEST_F(HighlightTermsTest, FieldWordsAndPhraseWordsAreMarked) {
  EXPECT_EQ(Mark("ti:speech", "Speeches"), "<mark>Speeches</mark>");
  EXPECT_EQ(Mark("\"graph learning\"", "graph-based learning"),
            "<mark>graph</mark>-based <mark>learning</mark>");
}

TEST_F(HighlightTermsTest, WildcardSyntaxIsAPlainWord) {
  // The parser's flags enable no wildcards: "model*" is the word "model", unstemmed (the
  // parser stems no word followed by '*'), so the search and the marks match only "model".
  EXPECT_EQ(Mark("model*", "model, models, modelling"), "<mark>model</mark>, models, modelling");
}

TEST_F(HighlightTermsTest, CjkQueryMarksItsCharacters) {
  EXPECT_EQ(Mark("语言模型", "大语言模型"), "大<mark>语言模型</mark>");
}

TEST_F(HighlightTermsTest, RareTermsWeighMore) {
  const HighlightTerms terms = HighlightTerms::FromQuery(
      Xapian::Query(Xapian::Query::OP_OR, Xapian::Query("Zspeech"), Xapian::Query("Zgraph")), db_,
      stems_);
  ASSERT_EQ(terms.groups(), 2u);
  // "graph" is in one document, "speech" in two.
  EXPECT_GT(terms.weight(terms.Match("graph", stems_)),
            terms.weight(terms.Match("speech", stems_)));
}

TEST_F(HighlightTermsTest, QueryWithoutWordsMarksNothing) {
  const HighlightTerms terms = HighlightTerms::FromQuery(Xapian::Query(std::string()), db_, stems_);
  EXPECT_TRUE(terms.empty());
  EXPECT_EQ(MarkedText("speech", terms, stems_).Snippet(300), "speech");
}

}  // namespace
}  // namespace coolpapers::search
