// Venue papers through the Store interface, on every backend.
#include <gtest/gtest.h>

#include "store/store.h"
#include "store/testing/backend_store.h"

namespace coolpapers::store {
namespace {

core::VenuePaper V(const std::string& id, const std::string& edition, const std::string& group,
                   int position) {
  core::VenuePaper v;
  v.id = id;
  v.venue = edition;
  v.group = group;
  v.position = position;
  v.title = "Title of " + id;
  v.abstract = "Abstract of " + id;
  v.authors = {"Ada Lovelace", "Alan Turing"};
  v.pdf_url = "https://example.org/" + id + ".pdf";
  v.page_url = "https://example.org/" + id;
  v.pages = "1-10";
  return v;
}

std::vector<std::string> Ids(const std::vector<core::VenuePaper>& papers) {
  std::vector<std::string> out;
  for (const auto& p : papers) out.push_back(p.id);
  return out;
}

class VenueRowsTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.Open()); }
  void Reopen() { ASSERT_TRUE(store_.Open()); }
  // ACL 2024: two long papers and a short one; ICML 2024 and ACL 2023: one paper each.
  std::vector<core::VenuePaper> Papers() {
    std::vector<core::VenuePaper> v = {V("2024.acl-long.1@ACL", "ACL.2024", "Long", 0),
                                       V("2024.acl-long.2@ACL", "ACL.2024", "Long", 1),
                                       V("2024.acl-short.1@ACL", "ACL.2024", "Short", 2),
                                       V("2023.acl-long.1@ACL", "ACL.2023", "Long", 0),
                                       V("abe24a@v235@PMLR", "ICML.2024", "Main", 0)};
    v[4].other_ids = {"9U29U3cDKq@OpenReview"};
    return v;
  }

  testing::BackendStore store_{GetParam()};
};

TEST_P(VenueRowsTest, ImportedPapersAreListedByEditionAndGroup) {
  auto papers = Papers();
  auto c = store_->UpsertVenuePapers(papers);
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->inserted, 5);
  EXPECT_EQ(c->aliases_added, 1);

  auto acl = store_->ListVenue("ACL.2024", "");
  ASSERT_TRUE(acl);
  EXPECT_EQ(Ids(*acl), (std::vector<std::string>{"2024.acl-long.1@ACL", "2024.acl-long.2@ACL",
                                                  "2024.acl-short.1@ACL"}));
  const core::VenuePaper& first = (*acl)[0];
  EXPECT_EQ(first.title, "Title of 2024.acl-long.1@ACL");
  EXPECT_EQ(first.authors, (std::vector<std::string>{"Ada Lovelace", "Alan Turing"}));
  EXPECT_EQ(first.group, "Long");
  EXPECT_EQ(first.pdf_url, "https://example.org/2024.acl-long.1@ACL.pdf");
  EXPECT_EQ(first.pages, "1-10");

  auto shorts = store_->ListVenue("ACL.2024", "short");  // group names match in any case
  ASSERT_TRUE(shorts);
  EXPECT_EQ(Ids(*shorts), (std::vector<std::string>{"2024.acl-short.1@ACL"}));
  auto none = store_->ListVenue("EMNLP.2024", "");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  // Every venue paper is a paper too: FAQs, clicks and search see it.
  auto row = store_->GetPaper("abe24a@v235@PMLR");
  ASSERT_TRUE(row && row->has_value());
  EXPECT_EQ((*row)->title, "Title of abe24a@v235@PMLR");
  EXPECT_TRUE((*row)->categories.empty());
}

TEST_P(VenueRowsTest, EditionsAreCountedPerGroupNewestYearFirst) {
  ASSERT_TRUE(store_->UpsertVenuePapers(Papers()));
  auto e = store_->VenueEditions();
  ASSERT_TRUE(e);
  ASSERT_EQ(e->size(), 3u);
  EXPECT_EQ((*e)[0].edition, "ACL.2024");
  EXPECT_EQ((*e)[0].papers, 3);
  EXPECT_EQ((*e)[0].groups,
            (std::vector<std::pair<std::string, int64_t>>{{"Long", 2}, {"Short", 1}}));
  EXPECT_EQ((*e)[1].edition, "ACL.2023");
  EXPECT_EQ((*e)[2].edition, "ICML.2024");
}

TEST_P(VenueRowsTest, ReimportingTheSameFileChangesNothing) {
  ASSERT_TRUE(store_->UpsertVenuePapers(Papers()));
  auto seq = store_->ChangeSeq();
  ASSERT_TRUE(seq);
  auto again = store_->UpsertVenuePapers(Papers());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(again->updated, 0);
  EXPECT_EQ(again->unchanged, 5);
  EXPECT_EQ(again->aliases_added, 0);
  EXPECT_EQ(*store_->ChangeSeq(), *seq);
  auto stats = store_->Stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->papers, 5);
}

TEST_P(VenueRowsTest, AChangedGroupIsAnUpdateThatDerivedIndexesSee) {
  ASSERT_TRUE(store_->UpsertVenuePapers(Papers()));
  int64_t seq = *store_->ChangeSeq();
  auto papers = Papers();
  papers[2].group = "Findings";  // only the venue row changes
  auto c = store_->UpsertVenuePapers(papers);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->updated, 1);
  EXPECT_EQ(c->unchanged, 4);
  auto changed = store_->ChangedSince(seq, 10);
  ASSERT_TRUE(changed);
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_EQ((*changed)[0].second.id, "2024.acl-short.1@ACL");
  auto findings = store_->ListVenue("ACL.2024", "Findings");
  ASSERT_TRUE(findings);
  EXPECT_EQ(Ids(*findings), (std::vector<std::string>{"2024.acl-short.1@ACL"}));
}

TEST_P(VenueRowsTest, APaperAnswersAtEachOfItsIdsOnce) {
  ASSERT_TRUE(store_->UpsertVenuePapers(Papers()));
  std::vector<std::string> ids = {"9U29U3cDKq@OpenReview", "abe24a@v235@PMLR", "nope@ACL",
                                  "2023.acl-long.1@ACL"};
  auto got = store_->GetVenuePapers(ids);
  ASSERT_TRUE(got);
  EXPECT_EQ(Ids(*got), (std::vector<std::string>{"abe24a@v235@PMLR", "2023.acl-long.1@ACL"}));
  EXPECT_EQ((*got)[0].other_ids, (std::vector<std::string>{"9U29U3cDKq@OpenReview"}));
  EXPECT_EQ((*got)[0].venue, "ICML.2024");
}

TEST_P(VenueRowsTest, VenuePapersSurviveReopeningAndBadOnesAreRefused) {
  ASSERT_TRUE(store_->UpsertVenuePapers(Papers()));
  Reopen();
  auto acl = store_->ListVenue("ACL.2023", "");
  ASSERT_TRUE(acl);
  EXPECT_EQ(acl->size(), 1u);

  auto bad = Papers();
  bad[1].id = "2024.acl-long.2";  // no "@<Source>"
  auto r = store_->UpsertVenuePapers(bad);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find("venue paper \"2024.acl-long.2\" needs an id"),
            std::string::npos);
  EXPECT_EQ(store_->Stats()->papers, 5);  // nothing of the refused batch was written
}

INSTANTIATE_TEST_SUITE_P(Backends, VenueRowsTest, testing::AllBackends(), testing::BackendName);

}  // namespace
}  // namespace coolpapers::store
