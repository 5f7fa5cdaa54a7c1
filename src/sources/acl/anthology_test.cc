#include "sources/acl/anthology.h"

#include <gtest/gtest.h>

#include <map>

#include "core/fixture_path.h"

namespace coolpapers::sources::acl {
namespace {

TEST(AnthologyTest, ReadsEveryPaperOfEveryVolumeButFrontMatter) {
  std::string xml = testing::ReadFixture("venues/acl/2024.acl.excerpt.xml");
  ASSERT_FALSE(xml.empty());
  auto c = ParseAnthologyXml(xml, "2024.acl.xml");
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  EXPECT_EQ(c->collection, "2024.acl");
  EXPECT_EQ(c->edition, "ACL.2024");
  ASSERT_EQ(c->papers.size(), 20u);  // 5 volumes x 4 papers; the 5 front matters are not papers
  EXPECT_TRUE(c->skipped.empty());
  std::map<std::string, int> per_group;
  for (const auto& p : c->papers) per_group[p.group]++;
  EXPECT_EQ(per_group, (std::map<std::string, int>{
                           {"Long", 4}, {"Short", 4}, {"Demo", 4}, {"SRW", 4}, {"Tutorial", 4}}));
  for (size_t i = 0; i < c->papers.size(); ++i) EXPECT_EQ(c->papers[i].position, int(i));

  const core::VenuePaper& first = c->papers[0];
  EXPECT_EQ(first.id, "2024.acl-long.1@ACL");
  EXPECT_EQ(first.venue, "ACL.2024");
  EXPECT_EQ(first.title,
            "Quantized Side Tuning: Fast and Memory-Efficient Tuning of Quantized Large Language "
            "Models");
  ASSERT_EQ(first.authors.size(), 8u);
  EXPECT_EQ(first.authors[0], "Zhengxin Zhang");
  EXPECT_EQ(first.authors[7], "Zhihao Jia");
  EXPECT_EQ(first.pages, "1-17");
  EXPECT_EQ(first.pdf_url, "https://aclanthology.org/2024.acl-long.1.pdf");
  EXPECT_EQ(first.page_url, "https://aclanthology.org/2024.acl-long.1/");
  EXPECT_NE(first.abstract.find("up to 3$\\times$ while"), std::string::npos) << first.abstract;
}

TEST(AnthologyTest, FixedCaseMarkupIsDroppedWithoutSpaces) {
  auto c = ParseAnthologyXml(testing::ReadFixture("venues/acl/2024.acl.excerpt.xml"), "f");
  ASSERT_TRUE(c.has_value());
  ASSERT_GE(c->papers.size(), 4u);
  EXPECT_EQ(c->papers[2].title, "MAGE: Machine-generated Text Detection in the Wild");
  EXPECT_EQ(c->papers[3].title,
            "PrivLM-Bench: A Multi-level Privacy Evaluation Benchmark for Language Models");
  EXPECT_NE(c->papers[1].abstract.find("the top-$K$ parameter"), std::string::npos);
}

TEST(AnthologyTest, PapersWithoutUrlOrTitleAreSkippedWithTheReason) {
  auto c = ParseAnthologyXml(R"(<collection id="2023.emnlp"><volume id="main">
      <paper id="1"><title>Kept</title><url>2023.emnlp-main.1</url></paper>
      <paper id="2"><title>No url</title></paper>
      <paper id="3"><title></title><url>2023.emnlp-main.3</url></paper>
      <paper id="4"><title>Bad</title><url>../../etc/passwd</url></paper>
    </volume></collection>)",
                             "emnlp.xml");
  ASSERT_TRUE(c.has_value());
  ASSERT_EQ(c->papers.size(), 1u);
  EXPECT_EQ(c->papers[0].id, "2023.emnlp-main.1@ACL");
  EXPECT_EQ(c->papers[0].venue, "EMNLP.2023");
  EXPECT_EQ(c->papers[0].group, "Main");
  ASSERT_EQ(c->skipped.size(), 3u);
  EXPECT_EQ(c->skipped[0], "emnlp.xml: volume main, paper 2: no <url>");
  EXPECT_EQ(c->skipped[1], "emnlp.xml: volume main, paper 3: no <title>");
  EXPECT_NE(c->skipped[2].find("unusable <url>"), std::string::npos);
}

TEST(AnthologyTest, MalformedInputIsAnErrorNamingTheFile) {
  auto cut = ParseAnthologyXml("<collection id=\"2024.acl\"><volume id=\"long\"><paper", "a.xml");
  ASSERT_FALSE(cut.has_value());
  EXPECT_NE(cut.error().ToString().find("a.xml: malformed XML at byte"), std::string::npos);

  auto other = ParseAnthologyXml("<rss><channel/></rss>", "feed.xml");
  ASSERT_FALSE(other.has_value());
  EXPECT_NE(other.error().ToString().find("feed.xml: not an ACL Anthology collection"),
            std::string::npos);

  auto bib = ParseAnthologyXml("@InProceedings{x, abstract = {an <em>emphasis</em>}}", "v.bib");
  ASSERT_FALSE(bib.has_value());
  EXPECT_NE(bib.error().ToString().find("v.bib: not XML"), std::string::npos);

  auto no_year = ParseAnthologyXml("<collection id=\"acl\"/>", "b.xml");
  ASSERT_FALSE(no_year.has_value());
  EXPECT_NE(no_year.error().ToString().find("is not \"YYYY.name\""), std::string::npos);
}

TEST(AnthologyTest, EditionsAndGroupsAreNamedAsReadersKnowThem) {
  EXPECT_EQ(EditionOfCollection("2024.acl"), "ACL.2024");
  EXPECT_EQ(EditionOfCollection("2024.naacl"), "NAACL.2024");
  EXPECT_EQ(EditionOfCollection("2023.findings"), "Findings.2023");
  EXPECT_EQ(EditionOfCollection("W19.acl"), "");
  EXPECT_EQ(EditionOfCollection("2024."), "");
  EXPECT_EQ(EditionOfCollection("2024.a/b"), "");
  EXPECT_EQ(GroupOfVolume("long"), "Long");
  EXPECT_EQ(GroupOfVolume("srw"), "SRW");
  EXPECT_EQ(GroupOfVolume("demos"), "Demo");
  EXPECT_EQ(GroupOfVolume("acl"), "Acl");
  EXPECT_EQ(GroupOfVolume(""), "");
}

}  // namespace
}  // namespace coolpapers::sources::acl
