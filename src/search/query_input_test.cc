#include "search/query_input.h"

#include <gtest/gtest.h>

namespace coolpapers::search {
namespace {

TEST(QueryInput, PlainWordsAreFreeText) {
  auto q = PrepareQuery("graph neural networks");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->text, "graph neural networks");
  EXPECT_TRUE(q->free_text);
  EXPECT_EQ(q->term_count, 3);
}

TEST(QueryInput, OperatorsPrefixesAndPhrasesAreNotFreeText) {
  for (const char* s : {"\"neural network\"", "-survey graph", "ti:graph", "au:Turing",
                        "graph OR tree", "abs:learning"}) {
    auto q = PrepareQuery(s);
    ASSERT_TRUE(q) << s;
    EXPECT_FALSE(q->free_text) << s;
  }
}

TEST(QueryInput, ExtractsDateAndCategoryFilters) {
  auto q = PrepareQuery("transformers cat:cs.CL,cs.LG date:2026-06-01..2026-06-30");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->text, "transformers");
  EXPECT_EQ(q->categories, (std::vector<std::string>{"cs.cl", "cs.lg"}));
  EXPECT_EQ(q->date_from, "2026-06-01");
  EXPECT_EQ(q->date_to, "2026-06-30");
}

TEST(QueryInput, DateShorthandsCoverWholeMonthsAndYears) {
  auto month = PrepareQuery("date:2024-02");
  ASSERT_TRUE(month);
  EXPECT_EQ(month->date_from, "2024-02-01");
  EXPECT_EQ(month->date_to, "2024-02-29");
  auto open = PrepareQuery("x date:2025..");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->date_from, "2025-01-01");
  EXPECT_EQ(open->date_to, "");
}

TEST(QueryInput, MalformedDateIsAnErrorWithAnExample) {
  for (const char* s : {"date:yesterday", "date:2026-13-01", "date:2026-02-30", "date:..",
                        "date:"}) {
    auto q = PrepareQuery(s);
    ASSERT_FALSE(q) << s;
    EXPECT_EQ(q.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(q.error().message().find("2026-06-01..2026-06-30"), std::string::npos);
  }
}

TEST(QueryInput, ExtractsVenueFiltersAsTyped) {
  auto q = PrepareQuery("venue:ICLR.2024 diffusion Venue:acl,EMNLP.2023");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->text, "diffusion");
  EXPECT_TRUE(q->free_text);
  EXPECT_EQ(q->venues, (std::vector<std::string>{"ICLR.2024", "acl", "EMNLP.2023"}));
}

TEST(QueryInput, MalformedVenueIsAnErrorNamingTheValueAndTheFix) {
  for (const char* s : {"venue:", "venue:,", "venue:\"ICLR 2024\"", "x venue:a/b"}) {
    auto q = PrepareQuery(s);
    ASSERT_FALSE(q) << s;
    EXPECT_EQ(q.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(q.error().message().find("venue:"), std::string::npos) << s;
    EXPECT_NE(q.error().message().find("venue:ICLR.2024"), std::string::npos) << s;
  }
}

TEST(QueryInput, OverLongQueryIsRejectedWithAHint) {
  auto q = PrepareQuery(std::string(1001, 'a'));
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(q.error().message().find("similar"), std::string::npos);
}

TEST(QueryInput, ManyTermsAreCappedNotRejected) {
  std::string s;
  for (int i = 0; i < 400; ++i) s += "w" + std::to_string(i % 10) + " ";
  QueryLimits limits;
  limits.max_bytes = 100000;
  auto q = PrepareQuery(s, limits);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->term_count, 64);
  EXPECT_TRUE(q->truncated);
}

TEST(QueryInput, HostileInputIsCleaned) {
  auto q = PrepareQuery(std::string("a\x01\x02 b\tc\nd\x7f \xff\xfe"));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->text.find('\x01'), std::string::npos);
  EXPECT_EQ(q->text.find('\t'), std::string::npos);
  auto quote = PrepareQuery("\"unbalanced phrase");
  ASSERT_TRUE(quote);
  EXPECT_EQ(quote->text, "\"unbalanced phrase\"");
  for (const char* s : {"-", "ti:", "'; DROP TABLE papers; --", "<script>alert(1)</script>",
                        "\"", "AND", "OR OR", "cat:", "cat:<>"}) {
    EXPECT_TRUE(PrepareQuery(s)) << s;
  }
}

TEST(QueryInput, ParseDateBound) {
  std::string out;
  EXPECT_TRUE(ParseDateBound("2026", true, out));
  EXPECT_EQ(out, "2026-12-31");
  EXPECT_TRUE(ParseDateBound("2026-06-15", false, out));
  EXPECT_EQ(out, "2026-06-15");
  EXPECT_FALSE(ParseDateBound("26-06-15", false, out));
  EXPECT_FALSE(ParseDateBound("2026-6-15", false, out));
}

}  // namespace
}  // namespace coolpapers::search
