#include "sources/arxiv/oai.h"

#include <gtest/gtest.h>

#include "core/fixture_path.h"

namespace coolpapers::sources::arxiv {
namespace {

TEST(ArxivOaiTest, ListRecordsUrls) {
  ArxivEndpoints e{"http://h"};
  EXPECT_EQ(OaiListRecordsUrl(e, {"cs", "2026-06-28", "", "arXiv"}),
            "http://h/oai?verb=ListRecords&metadataPrefix=arXiv&from=2026-06-28&set=cs");
  EXPECT_EQ(OaiResumeUrl(e, "abc|1001"), "http://h/oai?verb=ListRecords&resumptionToken=abc%7C1001");
}

TEST(ArxivOaiTest, SetsOfArchives) {
  EXPECT_EQ(OaiSetForArchive("cs"), "cs");
  EXPECT_EQ(OaiSetForArchive("math"), "math");
  EXPECT_EQ(OaiSetForArchive("hep-th"), "physics:hep-th");
  EXPECT_EQ(OaiSetForArchive("astro-ph"), "physics:astro-ph");
}

TEST(ArxivOaiTest, ParsesARecordedListRecordsPage) {
  auto page = ParseOaiResponse(testing::ReadFixture("arxiv/oai/arxiv-physics-hep-th.xml"), "u");
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  EXPECT_EQ(page->records.size(), 3u);
  EXPECT_TRUE(page->resumption_token.empty());
  EXPECT_FALSE(page->records[0].paper.title.empty());
}

TEST(ArxivOaiTest, NoRecordsMatchIsAnEmptyPage) {
  const char* xml = R"(<?xml version="1.0"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-07-01T00:00:00Z</responseDate>
<request verb="ListRecords">http://h/oai</request>
<error code="noRecordsMatch">No records</error></OAI-PMH>)";
  auto page = ParseOaiResponse(xml, "u");
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  EXPECT_TRUE(page->records.empty());
}

TEST(ArxivOaiTest, OtherOaiErrorsFail) {
  const char* xml = R"(<?xml version="1.0"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-07-01T00:00:00Z</responseDate>
<request verb="ListRecords">http://h/oai</request>
<error code="badResumptionToken">expired</error></OAI-PMH>)";
  auto page = ParseOaiResponse(xml, "http://h/oai?x");
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(page.error().message().find("badResumptionToken"), std::string::npos);
}

TEST(ArxivOaiTest, MalformedXmlIsCorruptionNamingTheUrl) {
  auto page = ParseOaiResponse("<OAI-PMH><ListRecords><record>", "http://h/oai?verb=ListRecords");
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code(), StatusCode::kCorruption);
  EXPECT_NE(page.error().message().find("http://h/oai?verb=ListRecords"), std::string::npos);
}

}  // namespace
}  // namespace coolpapers::sources::arxiv
