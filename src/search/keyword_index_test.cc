#include "search/keyword_index.h"

#include <gtest/gtest.h>

#include "search/test_util.h"

namespace coolpapers::search {
namespace {

using testing::Doc;
using testing::FixtureCorpus;
using testing::TempDir;

class KeywordIndexTest : public ::testing::Test {
 protected:
  void SetUp() override { Index(FixtureCorpus()); }

  void Index(const std::vector<IndexDoc>& docs) {
    auto w = KeywordIndexWriter::Open(dir_.path() + "/x", true);
    ASSERT_TRUE(w) << w.error().ToString();
    for (const IndexDoc& d : docs) ASSERT_TRUE((*w)->Put(d));
    ASSERT_TRUE((*w)->Commit({{"store_seq", "7"}}).ok());
  }

  KeywordResults Run(const std::string& text, KeywordQuery q = {}) {
    auto input = PrepareQuery(text);
    EXPECT_TRUE(input) << text;
    if (input) q.input = *input;
    auto s = KeywordIndexSearcher::Open(dir_.path() + "/x");
    EXPECT_TRUE(s);
    auto r = (*s)->Search(q);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().ToString());
    return r ? *r : KeywordResults{};
  }

  static std::vector<std::string> Ids(const KeywordResults& r) {
    std::vector<std::string> ids;
    for (const auto& h : r.hits) ids.push_back(h.doc.id);
    return ids;
  }

  TempDir dir_;
};

TEST_F(KeywordIndexTest, RanksTheObviousPaperFirst) {
  EXPECT_EQ(Ids(Run("graph neural networks")).front(), "2601.00001");
  EXPECT_EQ(Ids(Run("diffusion image synthesis")).front(), "2601.00003");
  EXPECT_EQ(Ids(Run("speech recognition")).front(), "2601.00008");
}

// Indexes built before documents were stored in binary kept JSON as the document data: their
// results still load (no rebuild needed after an upgrade).
TEST_F(KeywordIndexTest, DocumentsStoredAsJsonByEarlierIndexesStillLoad) {
  {
    Xapian::WritableDatabase db(dir_.path() + "/x", Xapian::DB_OPEN);
    Xapian::PostingIterator it = db.postlist_begin(std::string(kPrefixId) + "2601.00001");
    ASSERT_NE(it, db.postlist_end(std::string(kPrefixId) + "2601.00001"));
    Xapian::Document doc = db.get_document(*it);
    doc.set_data(R"({"id":"2601.00001","v":2,"t":"Old stored title","a":"Old abstract about )"
                 R"(graph neural networks.","au":["Old Author"],"c":["cs.LG"],)"
                 R"("d":"2026-01-01","s":3,"k":[]})");
    db.replace_document(*it, doc);
    db.commit();
  }
  KeywordQuery q;
  q.snippet_bytes = 200;
  KeywordResults r = Run("graph neural networks", q);
  ASSERT_FALSE(r.hits.empty());
  EXPECT_EQ(r.hits[0].doc.id, "2601.00001");
  EXPECT_EQ(r.hits[0].doc.title, "Old stored title");
  EXPECT_EQ(r.hits[0].doc.version, 2);
  EXPECT_EQ(r.hits[0].doc.authors, std::vector<std::string>{"Old Author"});
  EXPECT_NE(r.hits[0].snippet_html.find("graph"), std::string::npos);
}

// A fused result page is loaded by docid without a match: the documents come back in the
// given order (unmatched ones too, removed ones left out), with the query's words marked and
// fresher stars applied.
TEST_F(KeywordIndexTest, LoadReturnsTheGivenDocumentsInOrderWithMarks) {
  auto s = KeywordIndexSearcher::Open(dir_.path() + "/x");
  ASSERT_TRUE(s);
  auto first = (*s)->DocidOf("2601.00001");  // graph neural networks
  auto third = (*s)->DocidOf("2601.00003");  // diffusion: no word of the query
  ASSERT_TRUE(first && *first && third && *third);
  KeywordQuery q;
  q.input = *PrepareQuery("graph networks cat:cs.CV");  // the filter is not applied
  q.snippet_bytes = 200;
  q.highlight = true;
  auto stars = std::make_shared<StarOverrides>();
  (*stars)[**first] = 42;
  q.star_overrides = stars;
  const Xapian::docid gone = (*s)->db().get_lastdocid() + 100;
  auto r = (*s)->Load({**third, gone, **first}, q);
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->hits.size(), 2u);
  EXPECT_EQ(r->hits[0].doc.id, "2601.00003");
  EXPECT_EQ(r->hits[0].docid, **third);
  EXPECT_EQ(r->hits[1].doc.id, "2601.00001");
  EXPECT_EQ(r->hits[1].doc.stars, 42);
  EXPECT_NE(r->hits[1].snippet_html.find("<mark>"), std::string::npos) << r->hits[1].snippet_html;
  EXPECT_NE(r->hits[1].title_html.find("<mark>Graph</mark>"), std::string::npos)
      << r->hits[1].title_html;
  EXPECT_EQ(r->hits[0].title_html.find("<mark>"), std::string::npos) << r->hits[0].title_html;
  EXPECT_FALSE(r->hits[0].snippet_html.empty());  // the abstract's start
  auto none = (*s)->Load({}, q);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->hits.empty());
}

TEST_F(KeywordIndexTest, TitleMatchesOutrankAbstractMatches) {
  // Both mention graph neural networks; only 00001 has it in the title.
  auto ids = Ids(Run("graph neural networks"));
  ASSERT_GE(ids.size(), 2u);
  EXPECT_EQ(ids[0], "2601.00001");
  EXPECT_EQ(ids[1], "2601.00004");
}

TEST_F(KeywordIndexTest, StemmingFindsOtherFormsAndRanksExactFirst) {
  // "learned" stems like "learning": both 00005 (learned) and 00006 (learning) match.
  auto ids = Ids(Run("learning"));
  EXPECT_NE(std::find(ids.begin(), ids.end(), "2601.00005"), ids.end());
  auto six = std::find(ids.begin(), ids.end(), "2601.00006");
  auto five = std::find(ids.begin(), ids.end(), "2601.00005");
  ASSERT_NE(six, ids.end());
  EXPECT_LT(six - ids.begin(), five - ids.begin());
  auto learned = Ids(Run("learned"));
  ASSERT_FALSE(learned.empty());
  EXPECT_EQ(learned.front(), "2601.00005");
}

TEST_F(KeywordIndexTest, PhrasesExclusionsAndFieldPrefixes) {
  EXPECT_EQ(Ids(Run("\"language models\"")).front(), "2601.00002");
  auto no_survey = Ids(Run("graph -survey"));
  EXPECT_EQ(no_survey, std::vector<std::string>{"2601.00001"});
  auto turing = Ids(Run("au:Turing"));
  std::sort(turing.begin(), turing.end());
  EXPECT_EQ(turing, (std::vector<std::string>{"2601.00004", "2601.00008"}));
  EXPECT_EQ(Ids(Run("au:\"Grace Hopper\"")), std::vector<std::string>{"2601.00008"});
  EXPECT_EQ(Ids(Run("ti:survey")), std::vector<std::string>{"2601.00004"});
  EXPECT_TRUE(Ids(Run("ti:molecular")).empty());  // only in the abstract
  EXPECT_EQ(Ids(Run("abs:molecular")), std::vector<std::string>{"2601.00001"});
  // abs: is the abstract alone: "structures" is only in 00005's title.
  EXPECT_EQ(Ids(Run("structures")), std::vector<std::string>{"2601.00005"});
  EXPECT_TRUE(Ids(Run("abs:structures")).empty());
  EXPECT_EQ(Ids(Run("abs:\"molecular graphs\"")), std::vector<std::string>{"2601.00001"});
  EXPECT_TRUE(Ids(Run("abs:\"graphs molecular\"")).empty());
  EXPECT_TRUE(Ids(Run("ti:\"molecular graphs\"")).empty());
  // Free text covers authors too.
  EXPECT_EQ(Ids(Run("Pauling")), std::vector<std::string>{"2601.00001"});
  auto either = Ids(Run("diffusion OR speech"));
  EXPECT_EQ(either.size(), 2u);
}

TEST_F(KeywordIndexTest, CategoryAndDateFilters) {
  EXPECT_EQ(Ids(Run("cat:cs.CV")), std::vector<std::string>{"2601.00003"});
  auto archive = Ids(Run("cat:eess"));
  EXPECT_EQ(archive, std::vector<std::string>{"2601.00008"});
  KeywordQuery q;
  q.categories = {"cs.LG"};
  EXPECT_EQ(Run("graph", q).hits.size(), 2u);
  auto june = Ids(Run("date:2026-06"));
  EXPECT_EQ(june.size(), 3u);
  KeywordQuery range;
  range.date_from = "2026-01-01";
  range.date_to = "2026-02-11";  // inclusive of the whole last day
  range.sort = SortOrder::kTime;
  EXPECT_EQ(Ids(Run("", range)), (std::vector<std::string>{"2601.00002", "2601.00001"}));
}

TEST_F(KeywordIndexTest, TimeSortIsNewestFirst) {
  KeywordQuery q;
  q.sort = SortOrder::kTime;
  auto ids = Ids(Run("cat:cs.CL", q));
  EXPECT_EQ(ids, (std::vector<std::string>{"2601.00008", "2601.00007", "2601.00002"}));
}

TEST(ParseSortOrderTest, ReadsNamesAndPapersCoolNumbers) {
  EXPECT_EQ(ParseSortOrder(""), SortOrder::kRelevance);
  EXPECT_EQ(ParseSortOrder("relevance"), SortOrder::kRelevance);
  EXPECT_EQ(ParseSortOrder("time"), SortOrder::kTime);
  EXPECT_EQ(ParseSortOrder("stars"), SortOrder::kStars);
  EXPECT_EQ(ParseSortOrder("0"), SortOrder::kTime);
  EXPECT_EQ(ParseSortOrder("1"), SortOrder::kStars);
  EXPECT_EQ(ParseSortOrder("2"), SortOrder::kRelevance);
  EXPECT_EQ(ParseSortOrder("3"), std::nullopt);
  EXPECT_EQ(ParseSortOrder("sideways"), std::nullopt);
}

TEST_F(KeywordIndexTest, CjkQueriesMatchByNgrams) {
  EXPECT_EQ(Ids(Run("语言模型")), std::vector<std::string>{"2601.00007"});
  EXPECT_EQ(Ids(Run("中文")), std::vector<std::string>{"2601.00007"});
}

TEST_F(KeywordIndexTest, SnippetsHighlightAndEscape) {
  KeywordQuery q;
  q.highlight = true;
  auto r = Run("speech", q);
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_NE(r.hits[0].snippet_html.find("<mark>speech</mark>"), std::string::npos);
  EXPECT_NE(r.hits[0].title_html.find("<mark>Speech</mark>"), std::string::npos);
  EXPECT_NE(r.hits[0].summary_html.find("&lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(r.hits[0].summary_html.find("<b>"), std::string::npos);
  EXPECT_NE(r.hits[0].summary_html.find("&amp;"), std::string::npos);
}

TEST_F(KeywordIndexTest, HighlightsMarkStemsFieldWordsAndCjk) {
  KeywordQuery q;
  q.highlight = true;
  auto graph = Run("graph -survey", q);
  ASSERT_EQ(graph.hits.size(), 1u);
  EXPECT_EQ(graph.hits[0].title_html,
            "<mark>Graph</mark> neural networks for molecule property prediction");
  EXPECT_NE(graph.hits[0].summary_html.find("molecular <mark>graphs</mark>"), std::string::npos)
      << graph.hits[0].summary_html;
  auto title_word = Run("ti:speech", q);  // a title-field word marks the abstract's too
  ASSERT_EQ(title_word.hits.size(), 1u);
  EXPECT_EQ(title_word.hits[0].title_html, "<mark>Speech</mark> recognition with transformers");
  EXPECT_NE(title_word.hits[0].snippet_html.find("automatic <mark>speech</mark> recognition"),
            std::string::npos);
  auto cjk = Run("语言模型", q);
  ASSERT_EQ(cjk.hits.size(), 1u);
  EXPECT_EQ(cjk.hits[0].title_html, "大<mark>语言模型</mark>的中文评测");
  EXPECT_NE(cjk.hits[0].snippet_html.find("评测大<mark>语言模型</mark>的推理"), std::string::npos)
      << cjk.hits[0].snippet_html;
}

TEST_F(KeywordIndexTest, SnippetKeepsToItsBytesAroundTheMatch) {
  KeywordQuery q;
  q.snippet_bytes = 30;
  auto r = Run("noisy audio", q);
  ASSERT_EQ(r.hits.size(), 1u);
  // "Transformer encoders improve automatic speech recognition on noisy audio <b>bold</b> ..."
  EXPECT_EQ(r.hits[0].snippet_html,
            "\u2026recognition on <mark>noisy</mark> <mark>audio</mark> &lt;b\u2026");
}

TEST_F(KeywordIndexTest, FilterOnlyQueryShowsTheAbstractsStart) {
  KeywordQuery q;
  q.highlight = true;
  q.snippet_bytes = 40;
  auto r = Run("cat:eess.AS", q);
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].snippet_html, "Transformer encoders improve automatic\u2026");
  EXPECT_EQ(r.hits[0].title_html, "Speech recognition with transformers");
}

TEST_F(KeywordIndexTest, SpellingSuggestion) {
  KeywordQuery q;
  q.spelling = true;
  auto r = Run("difusion", q);
  EXPECT_EQ(r.suggestion, "diffusion");
}

TEST_F(KeywordIndexTest, HostileQueriesNeverFail) {
  std::string many;
  for (int i = 0; i < 10000; ++i) many += "t" + std::to_string(i) + " ";
  QueryLimits roomy;
  roomy.max_bytes = 1 << 20;
  auto s = KeywordIndexSearcher::Open(dir_.path() + "/x");
  ASSERT_TRUE(s);
  for (const std::string& text :
       {std::string("\"unbalanced graph"), many, std::string("-"), std::string("ti:"),
        std::string("au:"), std::string("'; DROP TABLE papers; --"),
        std::string("<script>alert('x')</script> & \" graph"), std::string("a\x01\x02graph"),
        std::string("AND OR NOT"), std::string("(((graph"), std::string("graph)))"),
        std::string("NOT graph"), std::string("+ - * ? ~ ^"), std::string("ti:\"\""),
        std::string("\xff\xfe\xfd"), std::string("graph NEAR/3 neural")}) {
    auto input = PrepareQuery(text, roomy);
    ASSERT_TRUE(input) << text;
    KeywordQuery q;
    q.input = *input;
    q.spelling = true;
    auto r = (*s)->Search(q);
    EXPECT_TRUE(r) << text.substr(0, 40) << ": " << (r ? "" : r.error().ToString());
  }
}

TEST_F(KeywordIndexTest, FindByIdAndMetadata) {
  auto s = KeywordIndexSearcher::Open(dir_.path() + "/x");
  ASSERT_TRUE(s);
  auto f = (*s)->Find("2601.00003");
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->has_value());
  EXPECT_EQ((*f)->second.title, "Diffusion models for image synthesis");
  auto missing = (*s)->Find("9999.99999");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ((*s)->GetMetadata("store_seq"), "7");
}

TEST_F(KeywordIndexTest, PutReplacesTheSameId) {
  Index({Doc("2601.00003", "Diffusion models revisited", "Updated abstract.")});
  auto r = Run("diffusion");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].doc.title, "Diffusion models revisited");
}

TEST(KeywordIndexPaging, ResultsPastOneThousandAreReachableWithRealCounts) {
  TempDir dir;
  {
    auto w = KeywordIndexWriter::Open(dir.path() + "/x", true, {.spelling = false});
    ASSERT_TRUE(w);
    for (int i = 0; i < 1500; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "2602.%05d", i);
      ASSERT_TRUE(
          (*w)->Put(Doc(id, "Common title number " + std::to_string(i),
                        "shared words in every abstract", {"cs.AI"}, "2026-02-01 00:00:00")));
    }
    ASSERT_TRUE((*w)->Commit().ok());
  }
  auto s = KeywordIndexSearcher::Open(dir.path() + "/x");
  ASSERT_TRUE(s);
  KeywordQuery q;
  q.input = *PrepareQuery("shared words");
  q.offset = 1490;
  q.limit = 20;
  q.check_at_least = 1000;
  auto r = (*s)->Search(q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->total, 1500);
  EXPECT_TRUE(r->total_exact);
  EXPECT_EQ(r->hits.size(), 10u);
}

}  // namespace
}  // namespace coolpapers::search
