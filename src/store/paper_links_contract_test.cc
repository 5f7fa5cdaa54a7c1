// Venue paper <-> arXiv links through the Store interface, on every backend.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "store/testing/backend_store.h"
#include "store/testing/sample_rows.h"

namespace coolpapers::store {
namespace {

using testing::AclPaper;
using testing::ArxivPaper;

class PaperLinksTest : public testing::LinkTestBase<::testing::TestWithParam<testing::Backend>,
                                                    testing::BackendStore> {
 protected:
  PaperLinksTest() : LinkTestBase(GetParam()) {}
  void SetUp() override { ASSERT_TRUE(store_.Open()); }
};

TEST_P(PaperLinksTest, LinksByTheArxivIdTheVenueNames) {
  core::VenuePaper v = AclPaper("2024.acl-long.3@ACL", "A Title Nobody Else Has", {"Ada Lovelace"});
  v.other_ids = {"arXiv:2402.12354v2"};
  PutVenue({v});  // the arXiv paper is not stored yet: linked, version unknown
  EXPECT_EQ(last_linked_, 1);
  EXPECT_EQ(Links(), "2024.acl-long.3@ACL->2402.12354(id,v0) ");
  // Once stored, the link records its version; a different title does not matter for an id.
  PutArxiv({ArxivPaper("2402.12354", "Another Title", {"Someone Else"}, 3)});
  EXPECT_EQ(Links(), "2024.acl-long.3@ACL->2402.12354(id,v3) ");
}

TEST_P(PaperLinksTest, LinksByTitleAndFirstSurnameEitherOrder) {
  // arXiv first, then the venue (TeX and case differ).
  PutArxiv(
      {ArxivPaper("2402.00001", "Bl\\\"{a}ser's {LLM}s: Fast!", {"Markus Bl\\\"{a}ser", "B C"}, 2),
       ArxivPaper("2402.00002", "Unrelated", {"Markus Bläser"})});
  PutVenue({AclPaper("2024.acl-long.1@ACL", "Bläser’s LLMs — fast", {"Markus Bläser", "X Y"})});
  EXPECT_EQ(last_linked_, 1);
  EXPECT_EQ(Links(), "2024.acl-long.1@ACL->2402.00001(title,v2) ");
  // Venue first, then arXiv: the arXiv write links it.
  PutVenue({AclPaper("2024.acl-long.2@ACL", "Second Paper", {"Alan Turing"}, 1)});
  EXPECT_EQ(last_linked_, 0);
  PutArxiv({ArxivPaper("2402.00003", "SECOND paper.", {"A. M. Turing"})});
  EXPECT_EQ(Links(),
            "2024.acl-long.1@ACL->2402.00001(title,v2) 2024.acl-long.2@ACL->2402.00003(title,v1) ");
  // Both sides see the link.
  auto of_arxiv = store_->LinksOf(std::vector<std::string>{"2402.00003"});
  ASSERT_TRUE(of_arxiv);
  ASSERT_EQ(of_arxiv->size(), 1u);
  EXPECT_EQ((*of_arxiv)[0].venue_id, "2024.acl-long.2@ACL");
  EXPECT_EQ((*of_arxiv)[0].edition, "ACL.2024");
  EXPECT_EQ((*of_arxiv)[0].group, "Long");
  auto of_venue = store_->LinksOf(std::vector<std::string>{"2024.acl-long.2@ACL", "2402.00003"});
  ASSERT_TRUE(of_venue);
  ASSERT_EQ(of_venue->size(), 1u);
  EXPECT_EQ((*of_venue)[0].arxiv_id, "2402.00003");
}

TEST_P(PaperLinksTest, DifferentSurnameIsNoLink) {
  PutArxiv({ArxivPaper("2402.00001", "Deep Learning for Everything", {"Ada Lovelace"})});
  PutVenue({AclPaper("2024.acl-long.1@ACL", "Deep Learning for Everything", {"Alan Turing"})});
  EXPECT_EQ(last_linked_, 0);
  EXPECT_EQ(Links(), "");
}

TEST_P(PaperLinksTest, AmbiguousTitleIsNoLinkAndALaterDuplicateUnlinks) {
  PutArxiv({ArxivPaper("2402.00001", "A Survey", {"Wei Zhang"}),
            ArxivPaper("2402.00002", "A survey.", {"Li Zhang"})});
  PutVenue({AclPaper("2024.acl-long.1@ACL", "A Survey", {"Min Zhang"})});
  EXPECT_EQ(last_linked_, 0);
  EXPECT_EQ(Links(), "");
  // One candidate: linked; a second arXiv paper with the same key makes it ambiguous again.
  PutVenue({AclPaper("2024.acl-long.2@ACL", "Quiet Title", {"Ada Lovelace"}, 1)});
  PutArxiv({ArxivPaper("2402.00003", "Quiet Title", {"Ada Lovelace"})});
  EXPECT_EQ(Links(), "2024.acl-long.2@ACL->2402.00003(title,v1) ");
  PutArxiv({ArxivPaper("2402.00004", "Quiet title!", {"Augusta Ada Lovelace"})});
  EXPECT_EQ(Links(), "");
  // A title change of one of them makes the other the only candidate.
  PutArxiv({ArxivPaper("2402.00004", "Loud Title", {"Augusta Ada Lovelace"}, 2)});
  EXPECT_EQ(Links(), "2024.acl-long.2@ACL->2402.00003(title,v1) ");
}

TEST_P(PaperLinksTest, SameDoiLinksBeforeTitle) {
  Paper a = ArxivPaper("2402.00001", "Preprint Title", {"Ada Lovelace"});
  a.doi = "10.18653/V1/2024.ACL-LONG.1";
  PutArxiv({a, ArxivPaper("2402.00002", "Camera Ready Title", {"Ada Lovelace"})});
  core::VenuePaper v = AclPaper("2024.acl-long.1@ACL", "Camera Ready Title", {"Ada Lovelace"});
  v.doi = "10.18653/v1/2024.acl-long.1";
  PutVenue({v});
  EXPECT_EQ(Links(), "2024.acl-long.1@ACL->2402.00001(doi,v1) ");
}

TEST_P(PaperLinksTest, RelinkingIsIdempotent) {
  PutArxiv({ArxivPaper("2402.00001", "Quiet Title", {"Ada Lovelace"}, 2)});
  std::vector<core::VenuePaper> venue = {
      AclPaper("2024.acl-long.1@ACL", "Quiet Title", {"Ada Lovelace"}),
      AclPaper("2024.acl-long.2@ACL", "Other", {"Ada Lovelace"}, 1)};
  PutVenue(venue);
  std::string before = Links();
  EXPECT_EQ(before, "2024.acl-long.1@ACL->2402.00001(title,v2) ");
  int64_t seq = *store_->ChangeSeq();
  PutVenue(venue);  // a re-import
  EXPECT_EQ(last_linked_, 1);
  PutArxiv({ArxivPaper("2402.00001", "Quiet Title", {"Ada Lovelace"}, 2)});  // the same paper again
  auto relinked = store_->Relink();
  ASSERT_TRUE(relinked) << relinked.error().ToString();
  EXPECT_EQ(relinked->venue_papers, 2);
  EXPECT_EQ(relinked->linked, 1);
  EXPECT_EQ(relinked->added + relinked->changed + relinked->removed, 0);
  EXPECT_EQ(Links(), before);
  EXPECT_EQ(*store_->ChangeSeq(), seq);
  // A new arXiv version keeps the version recorded when the link was made.
  PutArxiv({ArxivPaper("2402.00001", "Quiet Title", {"Ada Lovelace"}, 3)});
  ASSERT_TRUE(store_->Relink());
  EXPECT_EQ(Links(), before);
}

TEST_P(PaperLinksTest, FaqStandInsFollowTheLinkVersion) {
  PutArxiv({ArxivPaper("2402.00001", "Quiet Title", {"Ada Lovelace"}, 2)});
  PutVenue({AclPaper("2024.acl-long.1@ACL", "Quiet Title", {"Ada Lovelace"})});
  auto venue_side = store_->FaqStandIns("2024.acl-long.1@ACL", 1);
  ASSERT_TRUE(venue_side);
  EXPECT_EQ(*venue_side, (std::vector<std::pair<std::string, int>>{{"2402.00001", 2}}));
  auto arxiv_side = store_->FaqStandIns("2402.00001", 2);
  ASSERT_TRUE(arxiv_side);
  EXPECT_EQ(*arxiv_side, (std::vector<std::pair<std::string, int>>{{"2024.acl-long.1@ACL", 1}}));
  // Another arXiv version: no stand-in.
  EXPECT_TRUE(store_->FaqStandIns("2402.00001", 3)->empty());
  EXPECT_TRUE(store_->FaqStandIns("2402.09999", 1)->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, PaperLinksTest, testing::AllBackends(), testing::BackendName);

}  // namespace
}  // namespace coolpapers::store
