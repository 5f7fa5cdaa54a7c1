#include "sources/arxiv/oai_records.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sources/arxiv/author_list.h"
#include "sources/arxiv/category_list.h"
#include "sources/upstream_dates.h"

namespace coolpapers::sources::arxiv {
namespace {

using ::testing::ElementsAre;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(COOLPAPERS_SOURCE_DIR) + "/tests/fixtures/import/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(OaiParseTest, ListRecordsArxivFormat) {
  std::string xml = Fixture("arxiv-physics-hep-th.xml");
  Result<OaiPage> page = ParseOaiListRecords(xml);
  ASSERT_TRUE(page) << page.error().ToString();
  ASSERT_EQ(page->records.size(), 3u);
  EXPECT_TRUE(page->rejected.empty());
  EXPECT_EQ(page->resumption_token, "");
  EXPECT_EQ(page->error_code, "");
  const OaiRecord& r = page->records[1];
  EXPECT_EQ(r.identifier, "oai:arXiv.org:1507.07790");
  EXPECT_EQ(r.datestamp, "2017-12-14");
  EXPECT_THAT(r.sets, ElementsAre("physics:hep-th"));
  EXPECT_FALSE(r.deleted);
  const core::Paper& p = r.paper;
  EXPECT_EQ(p.id, "1507.07790");
  EXPECT_EQ(p.version, 0);
  EXPECT_EQ(p.title,
            "Relativistic quantum dynamics of vector bosons in an Aharonov-Bohm potential");
  EXPECT_THAT(p.authors, ElementsAre("Luis B. Castro", "Edilberto O. Silva"));
  // math.MP is an alias of math-ph.
  EXPECT_THAT(p.categories, ElementsAre("hep-th", "math-ph", "quant-ph"));
  EXPECT_EQ(p.comments, "7 pages");
  EXPECT_EQ(p.journal_ref, "J. Phys. A: Math. Theor. 51 (2018) 035201");
  EXPECT_EQ(p.doi, "10.1088/1751-8121/aa9c53");
  EXPECT_EQ(p.published, "2015-07-28 00:00:00");
  EXPECT_EQ(p.updated, "2016-03-04 00:00:00");
  EXPECT_THAT(p.abstract, ::testing::StartsWith("The Aharonov-Bohm (AB) problem for vector"));
  EXPECT_THAT(p.abstract, ::testing::EndsWith("to the spin-$1/2$ AB problem. By using the "
                                              "self-adjoint extension approach, we examine the "
                                              "bound state scenario. The energy spectra are "
                                              "explicitly computed as well as their dependencies "
                                              "on the magnetic flux parameter and also the "
                                              "conditions for the occurrence of bound states."));
  EXPECT_EQ(LineAt(xml, r.offset), 46u);
}

TEST(OaiParseTest, GetRecordWithoutMetadataNamespace) {
  Result<OaiPage> page = ParseOaiListRecords(Fixture("sample_arxiv_record0.xml"));
  ASSERT_TRUE(page) << page.error().ToString();
  ASSERT_EQ(page->records.size(), 1u);
  const core::Paper& p = page->records[0].paper;
  EXPECT_EQ(p.id, "1601.03238");
  EXPECT_THAT(p.authors, ElementsAre("Planck Collaboration", "Jieci Wang", "Zehua Tian",
                                     "Jiliang Jing", "Heng Fan"));
  EXPECT_EQ(p.published, "2016-01-13 00:00:00");
  EXPECT_EQ(p.updated, "2016-01-13 00:00:00");
  EXPECT_THAT(page->records[0].sets,
              ElementsAre("physics:gr-qc", "physics:hep-th", "physics:quant-ph"));
}

TEST(OaiParseTest, ManyGetRecords) {
  Result<OaiPage> page = ParseOaiListRecords(Fixture("sample_arxiv_record.xml"));
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(page->records.size(), 12u);
  for (const OaiRecord& r : page->records) {
    EXPECT_FALSE(r.paper.title.empty()) << r.identifier;
    EXPECT_FALSE(r.paper.categories.empty()) << r.identifier;
  }
}

TEST(OaiParseTest, RawFormatDeletedRejectedAndToken) {
  std::string xml = Fixture("oai_raw_paged.xml");
  Result<OaiPage> page = ParseOaiListRecords(xml);
  ASSERT_TRUE(page) << page.error().ToString();
  ASSERT_EQ(page->records.size(), 2u);
  const core::Paper& p = page->records[0].paper;
  EXPECT_EQ(p.id, "1507.07790");
  EXPECT_EQ(p.version, 2);
  EXPECT_EQ(p.published, "2015-07-28 14:36:41");
  EXPECT_EQ(p.updated, "2016-03-04 10:02:13");
  EXPECT_THAT(p.authors, ElementsAre("Luis B. Castro", "Edilberto O. Silva"));
  EXPECT_TRUE(page->records[1].deleted);
  EXPECT_EQ(page->records[1].paper.id, "hep-th/9901001");
  ASSERT_EQ(page->rejected.size(), 1u);
  EXPECT_THAT(page->rejected[0].why, ::testing::HasSubstr("not-an-id"));
  EXPECT_EQ(LineAt(xml, page->rejected[0].offset), 29u);
  EXPECT_EQ(page->resumption_token, "6960524|1001");
  EXPECT_EQ(page->complete_list_size, 2304);
  EXPECT_EQ(page->cursor, 0);
}

TEST(OaiParseTest, ErrorResponse) {
  Result<OaiPage> page = ParseOaiListRecords(Fixture("oai_no_records.xml"));
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(page->error_code, "noRecordsMatch");
  EXPECT_EQ(page->error_message, "No records match the request");
  EXPECT_TRUE(page->records.empty());
}

TEST(OaiParseTest, MalformedXmlAndWrongRoot) {
  Result<OaiPage> bad = ParseOaiListRecords("<OAI-PMH><ListRecords><record>");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), StatusCode::kCorruption);
  Result<OaiPage> html = ParseOaiListRecords("<html><body>503</body></html>");
  ASSERT_FALSE(html);
  EXPECT_THAT(html.error().message(), ::testing::HasSubstr("<html>"));
  EXPECT_FALSE(ParseOaiListRecords(""));
}

TEST(AuthorListTest, SplitsCommasAndAnd) {
  EXPECT_THAT(SplitAuthorList("C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, and C.-P. Yuan"),
              ElementsAre("C. Bal\\'azs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"));
  EXPECT_THAT(SplitAuthorList("A. Smith (MIT, USA) and B.\n Jones"),
              ElementsAre("A. Smith", "B. Jones"));
  EXPECT_THAT(SplitAuthorList("Alexandra Anderson"), ElementsAre("Alexandra Anderson"));
  EXPECT_TRUE(SplitAuthorList("  ,  ").empty());
}

TEST(CategoryListTest, CanonicalDedupedAndCleaned) {
  EXPECT_THAT(CanonicalCategories({"cs.IT", "math.IT", "cs.LG"}), ElementsAre("cs.IT", "cs.LG"));
  EXPECT_THAT(CanonicalCategories({"math.IT", "cs.IT"}), ElementsAre("cs.IT"));
  EXPECT_THAT(CanonicalCategories({"cs.CL", "68T05", "I.2.7", "2020:", "00A69,", "cs.CL"}),
              ElementsAre("cs.CL"));
  EXPECT_THAT(CanonicalCategories({"cs.XY", "nonsense.AB", "hep-th"}),
              ElementsAre("cs.XY", "hep-th"));
  EXPECT_TRUE(CanonicalCategories({}).empty());
}

TEST(UpstreamDatesTest, Gmt) {
  EXPECT_EQ(GmtDateToUtc("Mon, 2 Apr 2007 19:18:42 GMT"), "2007-04-02 19:18:42");
  EXPECT_EQ(GmtDateToUtc("2 Apr 2007 19:18:42 GMT"), "2007-04-02 19:18:42");
  EXPECT_EQ(GmtDateToUtc("Mon, 2 Foo 2007 19:18:42 GMT"), std::nullopt);
  EXPECT_EQ(GmtDateToUtc("2007-04-02"), std::nullopt);
}

TEST(UpstreamDatesTest, Iso) {
  EXPECT_EQ(IsoDateToUtc("2014-12-29"), "2014-12-29 00:00:00");
  EXPECT_EQ(IsoDateToUtc("2014-12-29T10:11:12Z"), "2014-12-29 10:11:12");
  EXPECT_EQ(IsoDateToUtc("29-12-2014"), std::nullopt);
  EXPECT_EQ(IsoDateToUtc(""), std::nullopt);
}

}  // namespace
}  // namespace coolpapers::sources::arxiv
