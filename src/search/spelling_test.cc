#include "search/spelling.h"

#include <gtest/gtest.h>

#include "search/test_util.h"

namespace coolpapers::search {
namespace {

using testing::TempDir;

// An index whose documents each hold `words` (and whose spelling data are those words), with
// "diffusion" in 30 documents and "diffusions" in 12.
class SpellingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Xapian::WritableDatabase db(dir_.path() + "/x", Xapian::DB_CREATE_OR_OPEN);
    auto add = [&](const std::vector<std::string>& words, int copies) {
      for (int i = 0; i < copies; ++i) {
        Xapian::Document doc;
        for (const std::string& w : words) doc.add_term(w);
        db.add_document(doc);
        for (const std::string& w : words) db.add_spelling(w);
      }
    };
    add({"diffusion", "model", "graph"}, 30);
    add({"diffusions", "graph"}, 12);
    add({"grap"}, 1);
    db.commit();
    db_ = Xapian::Database(dir_.path() + "/x");
  }

  TempDir dir_;
  Xapian::Database db_;
};

TEST_F(SpellingTest, RareWordsAreCorrectedAndTheRestKeptAsTyped) {
  EXPECT_EQ(SuggestSpelling(db_, "difusion model"), "diffusion model");
  EXPECT_EQ(SuggestSpelling(db_, "Difusion, \"grap\" -modle"), "diffusion, \"graph\" -model");
  EXPECT_EQ(SuggestSpelling(db_, "diffusion model"), "");
  EXPECT_EQ(SuggestSpelling(db_, ""), "");
}

// KnownWordDocs(43 papers) is 10: "diffusions" (12 papers) is vocabulary even though
// "diffusion" is more frequent, and is not looked up.
TEST_F(SpellingTest, WordsInManyPapersAreNotTypos) {
  ASSERT_EQ(KnownWordDocs(db_.get_doccount()), 10u);
  EXPECT_EQ(db_.get_spelling_suggestion("diffusions"), "diffusion");  // what a lookup would say
  EXPECT_EQ(SuggestSpelling(db_, "diffusions"), "");
  EXPECT_EQ(KnownWordDocs(1000000), 100u);
}

TEST_F(SpellingTest, FiltersOperatorsAndNumbersAreKept) {
  EXPECT_EQ(SuggestSpelling(db_, "difusion cat:cs.grap venue:Modle.2024 date:2024"),
            "diffusion cat:cs.grap venue:Modle.2024 date:2024");
  EXPECT_EQ(SuggestSpelling(db_, "ti:difusion AND au:grap"), "ti:diffusion AND au:graph");
  EXPECT_EQ(SuggestSpelling(db_, "grap NEAR/3 modle 2024"), "graph NEAR/3 model 2024");
  EXPECT_EQ(SuggestSpelling(db_, "OR NOT XOR ADJ"), "");
}

// A long query of rare words costs at most kMaxSpellingLookups lookups: the words after them
// are kept as typed.
TEST_F(SpellingTest, AtMostSixteenWordsAreLookedUp) {
  std::string text, want;
  for (int i = 0; i < 40; ++i) {
    text += i ? " difusion" : "difusion";
    want += i ? " " : "";
    want += i < kMaxSpellingLookups ? "diffusion" : "difusion";
  }
  EXPECT_EQ(SuggestSpelling(db_, text), want);
}

}  // namespace
}  // namespace coolpapers::search
