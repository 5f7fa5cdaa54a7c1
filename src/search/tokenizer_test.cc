#include "search/tokenizer.h"

#include <gtest/gtest.h>

#include "search/keywords.h"
#include "search/term_stats.h"
#include "search/test_util.h"

namespace coolpapers::search {
namespace {

// The memoized stemmer gives exactly Xapian's stems, for first and repeated words alike.
TEST(StemCache, SameStemsAsXapianForNewAndRepeatedWords) {
  Xapian::Stem plain("en");
  StemCache cache;
  Xapian::Stem cached = CachedEnglishStemmer();
  const std::vector<std::string> words = {"networks", "learning", "learned", "running", "ran",
                                          "generalization", "x", "", "données", "networks",
                                          "learning", "studies", "studying", "networks"};
  for (int round = 0; round < 2; ++round) {
    for (const std::string& w : words) {
      EXPECT_EQ(cache.Stem(w), plain(w)) << w;
      EXPECT_EQ(cached(w), plain(w)) << w;
    }
  }
}

// Xapian's term generator makes the same terms (and positions) with the memoized stemmer.
TEST(StemCache, TermGeneratorMakesTheSameTermsWithIt) {
  const std::string text =
      "Graph neural networks learn; learning graphs with networked learners. 大语言模型 "
      "Running runners ran C++ and U.S.A. studies";
  auto terms_with = [&](Xapian::Stem stem) {
    Xapian::Document doc;
    Xapian::TermGenerator tg;
    tg.set_stemmer(stem);
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
    tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
    tg.set_document(doc);
    tg.index_text(text, 2);
    tg.index_text(text, 1, "S");
    std::vector<std::string> out;
    for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
      std::string t = *it + "/" + std::to_string(it.get_wdf());
      for (auto p = it.positionlist_begin(); p != it.positionlist_end(); ++p) {
        t += "," + std::to_string(*p);
      }
      out.push_back(t);
    }
    return out;
  };
  const std::vector<std::string> plain = terms_with(Xapian::Stem("en"));
  ASSERT_GT(plain.size(), 20u);
  EXPECT_EQ(terms_with(CachedEnglishStemmer()), plain);
}

// Keywords from tokens computed once are the keywords from the texts.
TEST(TopKeywords, FromTokensEqualsFromTexts) {
  TermStats stats;
  Tokenizer tok;
  const auto corpus = testing::FixtureCorpus();
  for (const IndexDoc& d : corpus) stats.AddDocument(tok.Stems(DocText(d)));
  for (const IndexDoc& d : corpus) {
    const auto from_texts = TopKeywords(tok, stats, d.title, d.abstract, 8, 1);
    const auto from_tokens =
        TopKeywords(stats, tok.Tokenize(d.title), tok.Tokenize(d.abstract), 8, 1);
    EXPECT_EQ(from_tokens, from_texts) << d.id;
  }
}

// A stem written in several forms shows its most frequent one; equally frequent forms give the
// alphabetically first (as before: the first of a sorted map). "network" (title, tf 4) outranks
// "graph" (abstract, tf 3).
TEST(TopKeywords, MostFrequentFormThenAlphabeticallyFirst) {
  TermStats stats;
  stats.AddDocument({"network", "graph"});
  stats.AddDocument({"network", "graph"});
  stats.AddDocument({"other"});
  Tokenizer tok;
  EXPECT_EQ(TopKeywords(tok, stats, "networks network", "graphs graph graphs", 2, 1),
            (std::vector<std::string>{"network", "graphs"}));
}

}  // namespace
}  // namespace coolpapers::search
