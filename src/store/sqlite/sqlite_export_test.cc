// Export of everything a store holds, read in pages (Store::Export*), and AddClicks. Written
// against the Store interface, through store::OpenStore.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "store/store.h"
#include "store/testing/temp_store.h"

namespace coolpapers::store {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

Paper P(const std::string& id, int version = 1) {
  Paper p;
  p.id = id;
  p.version = version;
  p.title = "Title of " + id;
  p.abstract = "Abstract of " + id;
  p.authors = {"Ada Lovelace", "Alan Turing"};
  p.categories = {"cs.CL", "cs.LG"};
  p.comments = "12 pages";
  p.journal_ref = "J. Test 1";
  p.doi = "10.1/" + id;
  p.published = "2025-03-17 18:00:00";
  p.updated = "2025-03-18 18:00:00";
  return p;
}

Membership M(const std::string& id, const std::string& cat, const std::string& day,
             AnnounceType type = AnnounceType::kNew, int pos = 0) {
  return Membership{id, cat, day, type, pos};
}

core::VenuePaper V(const std::string& id, int position) {
  core::VenuePaper v;
  v.id = id;
  v.venue = "ACL.2024";
  v.group = "Long";
  v.position = position;
  v.title = "Venue title of " + id;
  v.abstract = "Venue abstract of " + id;
  v.authors = {"Grace Hopper"};
  v.pdf_url = "https://example.org/" + id + ".pdf";
  v.page_url = "https://example.org/" + id;
  v.pages = "1-10";
  return v;
}

FaqRecord F(const std::string& id, int version, const std::string& lang) {
  FaqRecord f;
  f.paper_id = id;
  f.version = version;
  f.lang = lang;
  f.model = "m";
  f.prompt_version = 2;
  f.content_json = R"([{"q":"What of )" + id + R"(?","a":"This."}])";
  f.source = "abstract";
  f.tokens = 42;
  f.created = "2025-03-18 10:00:00";
  return f;
}

auto Key(const Membership& m) {
  return std::make_tuple(m.paper_id, m.category, m.day, static_cast<int>(m.type), m.position);
}

class StoreExportTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.Open()); }

  // Every page of ExportPapers with `limit`, checking each page's contract on the way.
  Store::PaperPage AllPapers(int limit, int* pages) {
    Store::PaperPage all;
    std::string after;
    for (*pages = 1;; ++*pages) {
      Result<Store::PaperPage> page = store_->ExportPapers(after, limit);
      EXPECT_TRUE(page) << page.error().ToString();
      if (!page) return all;
      EXPECT_LE(page->papers.size(), static_cast<size_t>(limit));
      for (const Membership& m : page->memberships) {
        EXPECT_GT(m.paper_id, after);
        if (page->papers.size() == static_cast<size_t>(limit)) {
          EXPECT_LE(m.paper_id, page->papers.back().id);
        }
      }
      all.papers.insert(all.papers.end(), page->papers.begin(), page->papers.end());
      all.memberships.insert(all.memberships.end(), page->memberships.begin(),
                             page->memberships.end());
      if (page->papers.size() < static_cast<size_t>(limit)) return all;
      after = page->papers.back().id;
    }
  }

  testing::TempStore store_{"cp_export"};
};

TEST_F(StoreExportTest, PapersComeInPagesWithEveryMembershipOnceAndNoVenuePapers) {
  std::vector<Paper> papers = {P("2503.00003"), P("2503.00001", 3), P("2503.00002"),
                               P("2503.00005"), P("hep-th/9901001")};
  papers[4].categories = {"hep-th"};
  std::vector<Membership> ms = {
      M("2503.00001", "cs.CL", "2025-03-18"),
      M("2503.00001", "cs.LG", "2025-03-18", AnnounceType::kCross, 4),
      M("2503.00002", "cs.CL", "2025-03-18", AnnounceType::kNew, 1),
      M("2503.00003", "cs.CL", "2025-03-19", AnnounceType::kReplace, 2),
      // Listed, metadata not stored: between stored papers and after the last one.
      M("2503.00004", "cs.CL", "2025-03-19", AnnounceType::kNew, 3),
      M("2503.00009", "cs.CL", "2025-03-19", AnnounceType::kNew, 4),
      M("hep-th/9901001", "hep-th", "1999-01-04", AnnounceType::kNew, 0),
  };
  ASSERT_TRUE(store_->Upsert(papers, ms));
  std::vector<core::VenuePaper> venue = {V("2024.acl-long.1@ACL", 0)};
  ASSERT_TRUE(store_->UpsertVenuePapers(venue));

  for (int limit : {1, 2, 5, 100}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    int pages = 0;
    Store::PaperPage all = AllPapers(limit, &pages);
    ASSERT_EQ(all.papers.size(), 5u);
    EXPECT_EQ(pages, 5 / limit + 1);
    std::vector<std::string> ids;
    for (const Paper& p : all.papers) ids.push_back(p.id);
    EXPECT_THAT(ids, ElementsAre("2503.00001", "2503.00002", "2503.00003", "2503.00005",
                                 "hep-th/9901001"));
    // Every stored field comes back as written.
    const Paper& p1 = all.papers[0];
    EXPECT_EQ(p1.version, 3);
    EXPECT_EQ(p1.title, "Title of 2503.00001");
    EXPECT_EQ(p1.abstract, "Abstract of 2503.00001");
    EXPECT_THAT(p1.authors, ElementsAre("Ada Lovelace", "Alan Turing"));
    EXPECT_THAT(p1.categories, ElementsAre("cs.CL", "cs.LG"));
    EXPECT_EQ(p1.comments, "12 pages");
    EXPECT_EQ(p1.journal_ref, "J. Test 1");
    EXPECT_EQ(p1.doi, "10.1/2503.00001");
    EXPECT_EQ(p1.published, "2025-03-17 18:00:00");
    EXPECT_EQ(p1.updated, "2025-03-18 18:00:00");
    // Each membership exactly once, including those of papers not stored.
    ASSERT_EQ(all.memberships.size(), ms.size());
    std::set<decltype(Key(ms[0]))> want, got;
    for (const Membership& m : ms) want.insert(Key(m));
    for (const Membership& m : all.memberships) got.insert(Key(m));
    EXPECT_EQ(got, want);
  }
}

TEST_F(StoreExportTest, EmptyStoreExportsNothing) {
  Result<Store::PaperPage> page = store_->ExportPapers("", 10);
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_TRUE(page->papers.empty());
  EXPECT_TRUE(page->memberships.empty());
  for (auto n : {store_->ExportVenuePapers("", 10)->size(), store_->ExportDayStatuses("", 10)->size(),
                 store_->ExportState("", 10)->size(), store_->ExportFaqs("", 10)->size(),
                 store_->ExportClicks("", 10)->size()}) {
    EXPECT_EQ(n, 0u);
  }
}

TEST_F(StoreExportTest, PageSizeBelowOneIsRefused) {
  Result<Store::PaperPage> page = store_->ExportPapers("", 0);
  ASSERT_FALSE(page);
  EXPECT_THAT(page.error().message(), ::testing::HasSubstr("at least 1"));
  EXPECT_FALSE(store_->ExportFaqs("", -1));
}

TEST_F(StoreExportTest, VenuePapersComeWithTheirOtherIds) {
  std::vector<core::VenuePaper> venue = {V("2024.acl-long.2@ACL", 1), V("2024.acl-long.1@ACL", 0),
                                         V("2024.acl-long.3@ACL", 2)};
  venue[0].other_ids = {"arXiv:2402.12354", "AZWqXfM6z9@OpenReview"};
  venue[0].doi = "10.18653/v1/2024.acl-long.2";
  ASSERT_TRUE(store_->UpsertVenuePapers(venue));

  std::vector<core::VenuePaper> all;
  std::string after;
  for (;;) {
    Result<std::vector<core::VenuePaper>> page = store_->ExportVenuePapers(after, 2);
    ASSERT_TRUE(page) << page.error().ToString();
    all.insert(all.end(), page->begin(), page->end());
    if (page->size() < 2) break;
    after = page->back().id;
  }
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "2024.acl-long.1@ACL");
  const core::VenuePaper& v = all[1];
  EXPECT_EQ(v.id, "2024.acl-long.2@ACL");
  EXPECT_EQ(v.venue, "ACL.2024");
  EXPECT_EQ(v.group, "Long");
  EXPECT_EQ(v.position, 1);
  EXPECT_EQ(v.title, "Venue title of 2024.acl-long.2@ACL");
  EXPECT_EQ(v.abstract, "Venue abstract of 2024.acl-long.2@ACL");
  EXPECT_THAT(v.authors, ElementsAre("Grace Hopper"));
  EXPECT_EQ(v.doi, "10.18653/v1/2024.acl-long.2");
  EXPECT_EQ(v.pdf_url, "https://example.org/2024.acl-long.2@ACL.pdf");
  EXPECT_EQ(v.page_url, "https://example.org/2024.acl-long.2@ACL");
  EXPECT_EQ(v.pages, "1-10");
  EXPECT_THAT(v.other_ids, ElementsAre("AZWqXfM6z9@OpenReview", "arXiv:2402.12354"));
  EXPECT_EQ(all[2].id, "2024.acl-long.3@ACL");
}

TEST_F(StoreExportTest, DayStatusesComeInPagesOfWholeCategories) {
  for (const DayStatus& d : {DayStatus{"cs.CL", "2025-03-18", 10, 9},
                             DayStatus{"cs.CL", "2025-03-17", 5, 5},
                             DayStatus{"cs.AI", "2025-03-18", 3, 3},
                             DayStatus{"math.AG", "2025-03-18", 7, 1}}) {
    ASSERT_TRUE(store_->SetDayStatus(d).ok());
  }
  Result<std::vector<DayStatus>> first = store_->ExportDayStatuses("", 2);
  ASSERT_TRUE(first) << first.error().ToString();
  ASSERT_EQ(first->size(), 3u);  // cs.AI, then both days of cs.CL
  EXPECT_EQ((*first)[0].category, "cs.AI");
  EXPECT_EQ((*first)[1].category, "cs.CL");
  EXPECT_EQ((*first)[1].day, "2025-03-17");
  EXPECT_EQ((*first)[2].day, "2025-03-18");
  EXPECT_EQ((*first)[2].expected, 10);
  EXPECT_EQ((*first)[2].stored, 9);
  Result<std::vector<DayStatus>> second = store_->ExportDayStatuses("cs.CL", 2);
  ASSERT_TRUE(second) << second.error().ToString();
  ASSERT_EQ(second->size(), 1u);  // one category: the last page
  EXPECT_EQ((*second)[0].category, "math.AG");
  EXPECT_EQ((*second)[0].expected, 7);
  EXPECT_EQ((*second)[0].stored, 1);
}

TEST_F(StoreExportTest, StateComesInPagesWithoutTheStoresOwnBookkeeping) {
  ASSERT_TRUE(store_->SetState("harvest.open_days", "[]").ok());
  ASSERT_TRUE(store_->SetState("faq_tokens", "{\"day\":1}").ok());
  ASSERT_TRUE(store_->SetState("translate.2503.00001", "text").ok());
  // A committed click batch leaves the writer's marker in the state table.
  ASSERT_TRUE(store_->AddClick("2503.00001", "pdf").ok());
  ASSERT_TRUE(store_->Flush().ok());

  Result<std::vector<std::pair<std::string, std::string>>> first = store_->ExportState("", 2);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_THAT(*first, ElementsAre(Pair("faq_tokens", "{\"day\":1}"),
                                  Pair("harvest.open_days", "[]")));
  Result<std::vector<std::pair<std::string, std::string>>> second =
      store_->ExportState("harvest.open_days", 2);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_THAT(*second, ElementsAre(Pair("translate.2503.00001", "text")));
}

TEST_F(StoreExportTest, FaqsComeInPagesOfWholePapers) {
  for (const FaqRecord& f : {F("2503.00002", 1, "en"), F("2503.00001", 2, "zh"),
                             F("2503.00001", 1, "en"), F("2503.00001", 2, "en")}) {
    ASSERT_TRUE(store_->PutFaq(f).ok());
  }
  Result<std::vector<FaqRecord>> first = store_->ExportFaqs("", 1);
  ASSERT_TRUE(first) << first.error().ToString();
  ASSERT_EQ(first->size(), 3u);
  std::vector<std::tuple<std::string, int, std::string>> keys;
  for (const FaqRecord& f : *first) keys.emplace_back(f.paper_id, f.version, f.lang);
  EXPECT_THAT(keys, ElementsAre(std::make_tuple("2503.00001", 1, "en"),
                                std::make_tuple("2503.00001", 2, "en"),
                                std::make_tuple("2503.00001", 2, "zh")));
  const FaqRecord& f = (*first)[2];
  EXPECT_EQ(f.model, "m");
  EXPECT_EQ(f.prompt_version, 2);
  EXPECT_EQ(f.content_json, F("2503.00001", 2, "zh").content_json);
  EXPECT_EQ(f.source, "abstract");
  EXPECT_EQ(f.tokens, 42);
  EXPECT_EQ(f.created, "2025-03-18 10:00:00");
  Result<std::vector<FaqRecord>> second = store_->ExportFaqs("2503.00001", 1);
  ASSERT_TRUE(second) << second.error().ToString();
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].paper_id, "2503.00002");
  Result<std::vector<FaqRecord>> end = store_->ExportFaqs("2503.00002", 1);
  ASSERT_TRUE(end) << end.error().ToString();
  EXPECT_TRUE(end->empty());
}

TEST_F(StoreExportTest, ClicksComePerKindAndAddClicksAddsThemAtOnce) {
  ASSERT_TRUE(store_->AddClick("2503.00002", "kimi").ok());
  ASSERT_TRUE(store_->AddClicks("2503.00001", "pdf", 5).ok());
  ASSERT_TRUE(store_->AddClicks("2503.00001", "pdf", 2).ok());
  ASSERT_TRUE(store_->AddClicks("2503.00001", "rel", 3).ok());
  ASSERT_TRUE(store_->AddClicks("2503.00001", "copy", 0).ok());
  // Seen at once, like AddClick.
  std::vector<std::string> ids = {"2503.00001"};
  Result<std::map<std::string, ClickCounts>> seen = store_->GetClicks(ids);
  ASSERT_TRUE(seen) << seen.error().ToString();
  EXPECT_EQ((*seen)["2503.00001"].pdf, 7);
  ASSERT_TRUE(store_->Flush().ok());

  Result<std::vector<std::pair<std::string, ClickCounts>>> first = store_->ExportClicks("", 1);
  ASSERT_TRUE(first) << first.error().ToString();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].first, "2503.00001");
  EXPECT_EQ((*first)[0].second.pdf, 7);
  EXPECT_EQ((*first)[0].second.rel, 3);
  EXPECT_EQ((*first)[0].second.copy, 0);
  EXPECT_EQ((*first)[0].second.kimi, 0);
  Result<std::vector<std::pair<std::string, ClickCounts>>> rest =
      store_->ExportClicks("2503.00001", 10);
  ASSERT_TRUE(rest) << rest.error().ToString();
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].first, "2503.00002");
  EXPECT_EQ((*rest)[0].second.kimi, 1);
}

TEST_F(StoreExportTest, AddClicksRefusesNegativeCountsAndUnknownKinds) {
  Status negative = store_->AddClicks("2503.00001", "pdf", -1);
  EXPECT_EQ(negative.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(negative.message(), ::testing::HasSubstr("negative"));
  Status kind = store_->AddClicks("2503.00001", "stars", 2);
  EXPECT_EQ(kind.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(kind.message(), ::testing::HasSubstr("stars"));
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_TRUE(store_->ExportClicks("", 10)->empty());
}

}  // namespace
}  // namespace coolpapers::store
