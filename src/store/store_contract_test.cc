// The Store contract (store.h), run on every backend: SQLite and PostgreSQL pass the very same
// tests. Backend-specific behaviour is tested beside each backend (store/sqlite/,
// store/postgres/).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store.h"
#include "store/testing/backend_store.h"
#include "store/testing/sample_rows.h"

namespace coolpapers::store {
namespace {

using ::testing::ElementsAre;
using testing::Backend;
using testing::Ids;
using testing::M;
using testing::MakePaper;

FaqRecord MakeFaq(const std::string& id, const std::string& lang, const std::string& created,
                  const std::string& content_json, int version = 1) {
  FaqRecord f;
  f.paper_id = id;
  f.version = version;
  f.lang = lang;
  f.model = "kimi-k2";
  f.prompt_version = 1;
  f.content_json = content_json;
  f.source = "abstract";
  f.created = created;
  return f;
}

class StoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    ASSERT_TRUE(db_.Open());
    store_ = db_.get();
  }
  void LoadDay() { testing::LoadSampleDay(*store_); }

  testing::BackendStore db_{GetParam()};
  Store* store_ = nullptr;
};

TEST_P(StoreContractTest, UpsertIsIdempotent) {
  std::vector<Paper> papers = {MakePaper("2503.00001", {"cs.CL"}),
                               MakePaper("2503.00002", {"cs.CV", "cs.CL"})};
  std::vector<Membership> ms = {M("2503.00001", "cs.CL", "2025-03-18", AnnounceType::kNew, 0),
                                M("2503.00002", "cs.CV", "2025-03-18", AnnounceType::kNew, 0),
                                M("2503.00002", "cs.CL", "2025-03-18", AnnounceType::kCross, 1)};
  Result<UpsertCounts> first = store_->Upsert(papers, ms);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->inserted, 2);
  EXPECT_EQ(first->updated, 0);
  EXPECT_EQ(first->memberships_added, 3);
  int64_t seq = *store_->ChangeSeq();
  EXPECT_GT(seq, 0);

  Result<UpsertCounts> again = store_->Upsert(papers, ms);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(again->updated, 0);
  EXPECT_EQ(again->unchanged, 2);
  EXPECT_EQ(again->memberships_added, 0);
  EXPECT_EQ(*store_->ChangeSeq(), seq);

  Result<StoreStats> st = store_->Stats();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->papers, 2);
  EXPECT_EQ(st->memberships, 3);

  Result<std::optional<Paper>> p = store_->GetPaper("2503.00002");
  ASSERT_TRUE(p && p->has_value());
  EXPECT_EQ((*p)->title, "Title of 2503.00002");
  EXPECT_THAT((*p)->authors, ElementsAre("Ada Lovelace", "Alan Turing"));
  EXPECT_THAT((*p)->categories, ElementsAre("cs.CV", "cs.CL"));
  EXPECT_EQ((*p)->published, "2025-03-17 18:00:00");
  EXPECT_FALSE(store_->GetPaper("2503.99999")->has_value());
}

TEST_P(StoreContractTest, NewerVersionUpdatesInPlaceOlderIsIgnored) {
  ASSERT_TRUE(store_->Upsert(std::vector<Paper>{MakePaper("2503.00001", {"cs.CL"})}, {}));
  int64_t seq = *store_->ChangeSeq();

  Paper v2 = MakePaper("2503.00001", {"cs.CL", "cs.AI"}, 2);
  v2.title = "A better title";
  v2.doi = "10.1000/xyz";
  Result<UpsertCounts> c = store_->Upsert(std::vector<Paper>{v2}, {});
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->updated, 1);
  EXPECT_GT(*store_->ChangeSeq(), seq);

  Paper p = **store_->GetPaper("2503.00001");
  EXPECT_EQ(p.version, 2);
  EXPECT_EQ(p.title, "A better title");
  EXPECT_THAT(p.categories, ElementsAre("cs.CL", "cs.AI"));

  // A stale v1 does not overwrite v2.
  Result<UpsertCounts> stale =
      store_->Upsert(std::vector<Paper>{MakePaper("2503.00001", {"cs.CL"})}, {});
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->unchanged, 1);
  EXPECT_EQ((**store_->GetPaper("2503.00001")).title, "A better title");

  // Version 0 (unknown) but older data: ignored.
  Paper old_unknown = MakePaper("2503.00001", {"cs.CL", "cs.AI"}, 0);
  old_unknown.title = "Old title from OAI";
  old_unknown.updated = "2025-03-10 00:00:00";
  ASSERT_TRUE(store_->Upsert(std::vector<Paper>{old_unknown}, {}));
  EXPECT_EQ((**store_->GetPaper("2503.00001")).title, "A better title");

  // Version 0 (unknown), newer data with fewer fields: keeps version and the DOI it does not
  // carry.
  Paper unknown = MakePaper("2503.00001", {"cs.CL", "cs.AI"}, 0);
  unknown.title = "Title from OAI";
  unknown.updated = "2025-03-20 00:00:00";
  ASSERT_TRUE(store_->Upsert(std::vector<Paper>{unknown}, {}));
  p = **store_->GetPaper("2503.00001");
  EXPECT_EQ(p.version, 2);
  EXPECT_EQ(p.title, "Title from OAI");
  EXPECT_EQ(p.doi, "10.1000/xyz");

  // Insert with version 0 stores version 1.
  ASSERT_TRUE(store_->Upsert(std::vector<Paper>{MakePaper("2503.00009", {"cs.CL"}, 0)}, {}));
  EXPECT_EQ((**store_->GetPaper("2503.00009")).version, 1);
}

TEST_P(StoreContractTest, DatesKeepEarliestPublishedAndLatestUpdatedWhateverTheOrder) {
  Paper day_only = MakePaper("2503.00001", {"cs.CL"}, 0);
  day_only.published = "2025-03-18 00:00:00";
  day_only.updated = "2025-04-02 00:00:00";
  Paper exact = MakePaper("2503.00001", {"cs.CL"}, 2);
  exact.published = "2025-03-17 18:00:00";
  exact.updated = "2025-04-01 09:30:00";
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(store_->Upsert(std::vector<Paper>{day_only}, {}));
    ASSERT_TRUE(store_->Upsert(std::vector<Paper>{exact}, {}));
  }
  Paper p = **store_->GetPaper("2503.00001");
  EXPECT_EQ(p.published, "2025-03-17 18:00:00");
  EXPECT_EQ(p.updated, "2025-04-02 00:00:00");
  EXPECT_EQ(p.version, 2);
  int64_t seq = *store_->ChangeSeq();
  Result<UpsertCounts> c = store_->Upsert(std::vector<Paper>{day_only, exact}, {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->unchanged, 2);  // no flip-flop between the two sources
  EXPECT_EQ(*store_->ChangeSeq(), seq);
}

TEST_P(StoreContractTest, InvalidInputWritesNothing) {
  std::vector<Paper> papers = {MakePaper("2503.00001", {"cs.CL"}), MakePaper("", {"cs.CL"})};
  Result<UpsertCounts> c = store_->Upsert(papers, {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Stats()->papers, 0);
  Result<UpsertCounts> m = store_->Upsert(
      std::vector<Paper>{MakePaper("2503.00001", {"cs.CL"})},
      std::vector<Membership>{M("2503.00001", "cs.CL", "bad", AnnounceType::kNew, 0)});
  ASSERT_FALSE(m);
  EXPECT_EQ(store_->Stats()->papers, 0);
}

TEST_P(StoreContractTest, CrossListShowsInBothCategories) {
  LoadDay();
  ListQuery cl{{"cs.CL"}, {}, "2025-03-18", false};
  Result<std::vector<ListEntry>> a = store_->ListDay(cl);
  ASSERT_TRUE(a) << a.error().ToString();
  EXPECT_THAT(Ids(*a), ElementsAre("2503.00002", "2503.00001"));
  EXPECT_EQ((*a)[0].type, AnnounceType::kNew);

  ListQuery lg{{"cs.LG"}, {}, "2025-03-18", false};
  Result<std::vector<ListEntry>> b = store_->ListDay(lg);
  ASSERT_TRUE(b);
  EXPECT_THAT(Ids(*b), ElementsAre("2503.00003", "2503.00002"));
  EXPECT_EQ((*b)[1].type, AnnounceType::kCross);
  EXPECT_EQ((*b)[1].category, "cs.LG");
  EXPECT_EQ((*b)[1].position, 1);

  Result<std::vector<Membership>> ms = store_->MembershipsOf("2503.00002");
  ASSERT_TRUE(ms);
  ASSERT_EQ(ms->size(), 2u);
  EXPECT_EQ((*ms)[0].category, "cs.CL");
  EXPECT_EQ((*ms)[0].type, AnnounceType::kNew);
  EXPECT_EQ((*ms)[1].category, "cs.LG");
  EXPECT_EQ((*ms)[1].type, AnnounceType::kCross);
  EXPECT_EQ(store_->Stats()->papers, 3);  // the cross-listed paper is stored once
}

TEST_P(StoreContractTest, UnionListsEachPaperOnceNewFirstInIncludeOrder) {
  LoadDay();
  ListQuery q{{"cs.LG", "cs.CL"}, {}, "2025-03-18", false};
  Result<std::vector<ListEntry>> l = store_->ListDay(q);
  ASSERT_TRUE(l) << l.error().ToString();
  // New in cs.LG (position 0), then new in cs.CL (positions 0, 1); 2503.00002 is new in cs.CL,
  // which beats its cross-list in cs.LG, and appears once.
  EXPECT_THAT(Ids(*l), ElementsAre("2503.00003", "2503.00002", "2503.00001"));
  EXPECT_EQ((*l)[1].type, AnnounceType::kNew);
  EXPECT_EQ((*l)[1].category, "cs.CL");

  ListQuery q2{{"cs.CL", "cs.LG"}, {}, "2025-03-18", false};
  EXPECT_THAT(Ids(*store_->ListDay(q2)), ElementsAre("2503.00002", "2503.00001", "2503.00003"));
}

TEST_P(StoreContractTest, ExclusionDropsPapersWithExcludedCategory) {
  LoadDay();
  ListQuery q{{"cs.CL", "cs.LG"}, {"stat.ML"}, "2025-03-18", false};
  EXPECT_THAT(Ids(*store_->ListDay(q)), ElementsAre("2503.00002", "2503.00001"));
  ListQuery q2{{"cs.LG"}, {"cs.CL"}, "2025-03-18", false};
  EXPECT_THAT(Ids(*store_->ListDay(q2)), ElementsAre("2503.00003"));
}

TEST_P(StoreContractTest, OrderingNewCrossReplacementsAndTies) {
  std::vector<Paper> papers;
  for (int i = 1; i <= 6; ++i)
    papers.push_back(MakePaper("2503.0001" + std::to_string(i), {"cs.CV"}));
  std::vector<Membership> ms = {
      M("2503.00011", "cs.CV", "2025-03-18", AnnounceType::kReplace, 0),
      M("2503.00012", "cs.CV", "2025-03-18", AnnounceType::kCross, 0),
      M("2503.00013", "cs.CV", "2025-03-18", AnnounceType::kNew, 2),
      M("2503.00014", "cs.CV", "2025-03-18", AnnounceType::kNew, 1),
      M("2503.00015", "cs.CV", "2025-03-18", AnnounceType::kReplaceCross, 1),
      M("2503.00016", "cs.CV", "2025-03-18", AnnounceType::kNew, 1),   // tie: by id
      M("2503.00011", "cs.CV", "2025-03-17", AnnounceType::kNew, 0)};  // another day
  ASSERT_TRUE(store_->Upsert(papers, ms));
  ListQuery q{{"cs.CV"}, {}, "2025-03-18", false};
  EXPECT_THAT(Ids(*store_->ListDay(q)),
              ElementsAre("2503.00014", "2503.00016", "2503.00013", "2503.00012"));
  q.include_replacements = true;
  Result<std::vector<ListEntry>> all = store_->ListDay(q);
  EXPECT_THAT(Ids(*all), ElementsAre("2503.00014", "2503.00016", "2503.00013", "2503.00012",
                                     "2503.00011", "2503.00015"));
  EXPECT_EQ(all->back().type, AnnounceType::kReplaceCross);
  EXPECT_TRUE(store_->ListDay(ListQuery{{"cs.CV"}, {}, "2025-03-19", false})->empty());
  EXPECT_TRUE(store_->ListDay(ListQuery{{}, {}, "2025-03-18", false})->empty());
}

TEST_P(StoreContractTest, ReplacementsAndReplacedCrossListsAreOneSectionInListingOrder) {
  std::vector<Paper> papers;
  for (int i = 1; i <= 4; ++i) papers.push_back(MakePaper("2503.0002" + std::to_string(i), {"cs.CV"}));
  std::vector<Membership> ms = {
      M("2503.00021", "cs.CV", "2025-03-18", AnnounceType::kNew, 0),
      M("2503.00022", "cs.CV", "2025-03-18", AnnounceType::kReplaceCross, 1),
      M("2503.00023", "cs.CV", "2025-03-18", AnnounceType::kReplace, 2),
      M("2503.00024", "cs.CV", "2025-03-18", AnnounceType::kReplaceCross, 3)};
  ASSERT_TRUE(store_->Upsert(papers, ms));
  Result<std::vector<ListEntry>> all = store_->ListDay(ListQuery{{"cs.CV"}, {}, "2025-03-18", true});
  ASSERT_TRUE(all) << all.error().ToString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_THAT(Ids(*all), ElementsAre("2503.00021", "2503.00022", "2503.00023", "2503.00024"));
  EXPECT_EQ((*all)[1].type, AnnounceType::kReplaceCross);
  EXPECT_EQ((*all)[2].type, AnnounceType::kReplace);
}

TEST_P(StoreContractTest, MembershipWithoutPaperIsNotListed) {
  ASSERT_TRUE(store_->Upsert(
      {}, std::vector<Membership>{M("2503.00042", "cs.CL", "2025-03-18", AnnounceType::kNew, 0)}));
  EXPECT_TRUE(store_->ListDay(ListQuery{{"cs.CL"}, {}, "2025-03-18", false})->empty());
  ASSERT_TRUE(store_->Upsert(std::vector<Paper>{MakePaper("2503.00042", {"cs.CL"})}, {}));
  EXPECT_THAT(Ids(*store_->ListDay(ListQuery{{"cs.CL"}, {}, "2025-03-18", false})),
              ElementsAre("2503.00042"));
}

TEST_P(StoreContractTest, DaysNewestFirstWithDistinctCounts) {
  LoadDay();
  ASSERT_TRUE(store_->Upsert(
      std::vector<Paper>{MakePaper("2503.00100", {"cs.CL"})},
      std::vector<Membership>{M("2503.00100", "cs.CL", "2025-03-19", AnnounceType::kNew, 0),
                              M("2503.00001", "cs.CL", "2025-03-19", AnnounceType::kReplace, 1)}));
  std::vector<std::string> cl_lg = {"cs.CL", "cs.LG"};
  Result<std::vector<DayCount>> d = store_->Days(cl_lg);
  ASSERT_TRUE(d) << d.error().ToString();
  ASSERT_EQ(d->size(), 2u);
  EXPECT_EQ((*d)[0].day, "2025-03-19");
  EXPECT_EQ((*d)[0].count, 1);  // the replacement is not counted
  EXPECT_EQ((*d)[1].day, "2025-03-18");
  EXPECT_EQ((*d)[1].count, 3);  // 2503.00002 once, though in both categories
  std::vector<std::string> lg = {"cs.LG"};
  EXPECT_EQ(store_->Days(lg)->size(), 1u);
  EXPECT_EQ(store_->Days({})->size(), 2u);

  EXPECT_EQ(*store_->LatestDay(cl_lg), "2025-03-19");
  EXPECT_EQ(*store_->LatestDay(lg), "2025-03-18");
  std::vector<std::string> none = {"math.AG"};
  EXPECT_FALSE(store_->LatestDay(none)->has_value());
  EXPECT_EQ(*store_->LatestDay({}), "2025-03-19");

  Result<StoreStats> st = store_->Stats();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->days, 2);
  EXPECT_EQ(st->categories, 3);
  EXPECT_EQ(st->first_day, "2025-03-18");
  EXPECT_EQ(st->last_day, "2025-03-19");
  Result<std::vector<CategoryStats>> cats = store_->CategoryCounts();
  ASSERT_TRUE(cats);
  ASSERT_EQ(cats->size(), 3u);
  EXPECT_EQ((*cats)[0].category, "cs.CL");
  EXPECT_EQ((*cats)[0].papers, 3);
  EXPECT_EQ((*cats)[0].last_day, "2025-03-19");
}

TEST_P(StoreContractTest, GetPapersKeepsOrderAndDropsMissing) {
  LoadDay();
  std::vector<std::string> ids = {"2503.00003", "2503.99999", "2503.00001", "2503.00003"};
  Result<std::vector<Paper>> p = store_->GetPapers(ids);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].id, "2503.00003");
  EXPECT_EQ((*p)[1].id, "2503.00001");
}

TEST_P(StoreContractTest, Clicks) {
  int64_t seq = *store_->ChangeSeq();
  ASSERT_TRUE(store_->AddClick("2503.00001", "pdf").ok());
  ASSERT_TRUE(store_->AddClick("2503.00001", "pdf").ok());
  ASSERT_TRUE(store_->AddClick("2503.00001", "kimi").ok());
  ASSERT_TRUE(store_->AddClick("2503.00002", "rel").ok());
  Status bad = store_->AddClick("2503.00001", "evil");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  std::vector<std::string> ids = {"2503.00001", "2503.00002", "2503.00003"};
  Result<std::map<std::string, ClickCounts>> c = store_->GetClicks(ids);
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)["2503.00001"].pdf, 2);
  EXPECT_EQ((*c)["2503.00001"].kimi, 1);
  EXPECT_EQ((*c)["2503.00001"].total(), 3);
  EXPECT_EQ((*c)["2503.00002"].rel, 1);
  EXPECT_EQ(c->at("2503.00003").total(), 0);
  EXPECT_EQ(*store_->ChangeSeq(), seq);
}

TEST_P(StoreContractTest, ClickTotalsListEveryClickedPaperOnce) {
  Result<std::vector<std::pair<std::string, int64_t>>> none = store_->ClickTotals();
  ASSERT_TRUE(none) << none.error().ToString();
  EXPECT_TRUE(none->empty());
  int64_t seq = *store_->ChangeSeq();
  for (const char* kind : {"pdf", "pdf", "kimi", "copy", "rel"}) {
    ASSERT_TRUE(store_->AddClick("2503.00002", kind).ok());
  }
  ASSERT_TRUE(store_->AddClick("2503.00001", "rel").ok());
  ASSERT_TRUE(store_->AddClick("2503.99999", "kimi").ok());  // clicks need no stored paper
  Result<std::vector<std::pair<std::string, int64_t>>> totals = store_->ClickTotals();
  ASSERT_TRUE(totals) << totals.error().ToString();
  using P = std::pair<std::string, int64_t>;
  EXPECT_THAT(*totals, ElementsAre(P{"2503.00001", 1}, P{"2503.00002", 5}, P{"2503.99999", 1}));
  std::vector<std::string> ids = {"2503.00002"};
  EXPECT_EQ(store_->GetClicks(ids)->at("2503.00002").total(), 5);
  EXPECT_EQ(*store_->ChangeSeq(), seq);
}

TEST_P(StoreContractTest, QueuedClicksAreCountedExactlyOnceByConcurrentReaders) {
  constexpr int kClicks = 2000;
  // `started` counts clicks whose AddClick has begun, `issued` those it has returned from: a
  // read may see a click whose AddClick returned before the clicker thread counted it.
  std::atomic<int> started{0};
  std::atomic<int> issued{0};
  std::atomic<bool> bad{false};
  std::thread clicker([&] {
    for (int i = 0; i < kClicks; ++i) {
      started.fetch_add(1);
      ASSERT_TRUE(store_->AddClick("2503.00001", "pdf").ok());
      issued.fetch_add(1);
    }
  });
  std::vector<std::string> ids = {"2503.00001"};
  int64_t last = 0;
  int reads = 0;
  while (issued.load() < kClicks && reads < 100000) {
    int before = issued.load();
    Result<std::map<std::string, ClickCounts>> c = store_->GetClicks(ids);
    ASSERT_TRUE(c) << c.error().ToString();
    int64_t n = c->at("2503.00001").pdf;
    int after = started.load();
    // Never lost (every click issued before the read is seen), never counted twice.
    if (n < before || n > after || n < last) bad = true;
    last = n;
    ++reads;
  }
  clicker.join();
  EXPECT_FALSE(bad.load());
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(store_->GetClicks(ids)->at("2503.00001").pdf, kClicks);
}

TEST_P(StoreContractTest, StateKeysAreListedByPrefixAndDeleted) {
  ASSERT_TRUE(store_->SetState("faq_queue/b", "2").ok());
  ASSERT_TRUE(store_->SetState("faq_queue/a", "1").ok());
  ASSERT_TRUE(store_->SetState("faq_queue", "legacy").ok());
  ASSERT_TRUE(store_->SetState("faq_queue0", "other").ok());
  auto listed = store_->ListState("faq_queue/");
  ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0], (std::pair<std::string, std::string>{"faq_queue/a", "1"}));
  EXPECT_EQ((*listed)[1], (std::pair<std::string, std::string>{"faq_queue/b", "2"}));
  ASSERT_TRUE(store_->DeleteState("faq_queue/a").ok());
  ASSERT_TRUE(store_->DeleteState("faq_queue/absent").ok());
  EXPECT_FALSE(store_->GetState("faq_queue/a")->has_value());
  EXPECT_EQ(store_->ListState("faq_queue/")->size(), 1u);
  // Deletions are queued writes like values: the newest of the two wins, durably.
  ASSERT_TRUE(store_->DeleteState("faq_queue/b").ok());
  ASSERT_TRUE(store_->SetState("faq_queue/c", "3").ok());
  ASSERT_TRUE(store_->DeleteState("faq_queue/c").ok());
  ASSERT_TRUE(store_->SetState("faq_queue/c", "4").ok());
  ASSERT_TRUE(store_->Flush().ok());
  Reopen();
  auto durable = store_->ListState("faq_queue/");
  ASSERT_TRUE(durable.has_value()) << durable.error().ToString();
  ASSERT_EQ(durable->size(), 1u);
  EXPECT_EQ((*durable)[0], (std::pair<std::string, std::string>{"faq_queue/c", "4"}));
}

TEST_P(StoreContractTest, StateAndDayStatus) {
  EXPECT_FALSE(store_->GetState("harvest.oai.from")->has_value());
  ASSERT_TRUE(store_->SetState("harvest.oai.from", "2025-03-18").ok());
  ASSERT_TRUE(store_->SetState("harvest.oai.from", "2025-03-19").ok());
  EXPECT_EQ(*store_->GetState("harvest.oai.from"), "2025-03-19");

  EXPECT_FALSE(store_->GetDayStatus("cs.CL", "2025-03-18")->has_value());
  int64_t seq = *store_->ChangeSeq();
  ASSERT_TRUE(store_->SetDayStatus({"cs.CL", "2025-03-18", 10, 8}).ok());
  Result<std::optional<DayStatus>> d = store_->GetDayStatus("cs.CL", "2025-03-18");
  ASSERT_TRUE(d && d->has_value());
  EXPECT_EQ((*d)->expected, 10);
  EXPECT_EQ((*d)->stored, 8);
  EXPECT_FALSE((*d)->complete());
  EXPECT_EQ(*store_->ChangeSeq(), seq + 1);
  ASSERT_TRUE(store_->SetDayStatus({"cs.CL", "2025-03-18", 10, 8}).ok());
  EXPECT_EQ(*store_->ChangeSeq(), seq + 1);  // unchanged status: no bump
  ASSERT_TRUE(store_->SetDayStatus({"cs.CL", "2025-03-18", 10, 10}).ok());
  EXPECT_TRUE((**store_->GetDayStatus("cs.CL", "2025-03-18")).complete());
}

TEST_P(StoreContractTest, Faqs) {
  FaqRecord f;
  f.paper_id = "2503.00001";
  f.version = 2;
  f.lang = "zh";
  f.model = "kimi-k2";
  f.prompt_version = 1;
  f.content_json = R"([{"q":"Q1","a":"A1"}])";
  f.source = "pdf";
  f.tokens = 1234;
  f.created = "2025-03-18 12:00:00";
  ASSERT_TRUE(store_->PutFaq(f).ok());
  Result<std::optional<FaqRecord>> got = store_->GetFaq("2503.00001", 2, "zh", "kimi-k2", 1);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->content_json, f.content_json);
  EXPECT_EQ((*got)->tokens, 1234);
  EXPECT_EQ((*got)->source, "pdf");
  EXPECT_FALSE(store_->GetFaq("2503.00001", 2, "en", "kimi-k2", 1)->has_value());
  EXPECT_FALSE(store_->GetFaq("2503.00001", 1, "zh", "kimi-k2", 1)->has_value());
  f.content_json = "[]";
  ASSERT_TRUE(store_->PutFaq(f).ok());
  EXPECT_EQ((**store_->GetFaq("2503.00001", 2, "zh", "kimi-k2", 1)).content_json, "[]");
  EXPECT_EQ(store_->Stats()->faqs, 1);
}

TEST_P(StoreContractTest, PutFaqMovesItsPaperUpTheChangeFeed) {
  ASSERT_TRUE(store_->Upsert(
      std::vector<Paper>{MakePaper("2503.00001", {"cs.CL"}), MakePaper("2503.00002", {"cs.CL"})},
      {}));
  int64_t s1 = *store_->ChangeSeq();
  FaqRecord f = MakeFaq("2503.00001", "en", "2025-03-18 12:00:00", R"([{"q":"Q","a":"A"}])");
  ASSERT_TRUE(store_->PutFaq(f).ok());
  EXPECT_EQ(*store_->ChangeSeq(), s1 + 1);
  Result<std::vector<std::pair<int64_t, Paper>>> changed = store_->ChangedSince(s1, 100);
  ASSERT_TRUE(changed);
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_EQ((*changed)[0].second.id, "2503.00001");
  EXPECT_EQ((*changed)[0].first, s1 + 1);

  // The same FAQ again changes nothing; a changed one bumps again.
  ASSERT_TRUE(store_->PutFaq(f).ok());
  EXPECT_EQ(*store_->ChangeSeq(), s1 + 1);
  f.content_json = R"([{"q":"Q","a":"A better answer"}])";
  ASSERT_TRUE(store_->PutFaq(f).ok());
  EXPECT_EQ(*store_->ChangeSeq(), s1 + 2);
  EXPECT_EQ(store_->ChangedSince(s1 + 1, 100)->size(), 1u);

  // A FAQ of a paper not stored is kept and bumps the sequence; the feed has no row for it.
  ASSERT_TRUE(store_->PutFaq(MakeFaq("2503.09999", "en", "2025-03-18 12:00:00", "[]")).ok());
  EXPECT_EQ(*store_->ChangeSeq(), s1 + 3);
  EXPECT_TRUE(store_->ChangedSince(s1 + 2, 100)->empty());
  EXPECT_TRUE(store_->GetFaq("2503.09999", 1, "en", "kimi-k2", 1)->has_value());
}

TEST_P(StoreContractTest, FaqTextsNewestPerLanguageSkippingMalformedContent) {
  // Paper 1: an old and a new English FAQ (older one of an earlier version), one Chinese FAQ.
  ASSERT_TRUE(store_->PutFaq(MakeFaq("2503.00001", "en", "2025-03-10 09:00:00",
                                     R"([{"q":"Old question?","a":"Stale answer."}])", 1))
                  .ok());
  ASSERT_TRUE(store_->PutFaq(MakeFaq("2503.00001", "en", "2025-03-18 12:00:00",
                                     R"([{"q":"What is new?","a":"Quokkagrams."},)"
                                     R"( {"q":"Why?","a":"Because.","extra":1}])",
                                     2))
                  .ok());
  ASSERT_TRUE(store_->PutFaq(MakeFaq("2503.00001", "zh", "2025-03-11 09:00:00",
                                     R"([{"q":"这是什么？","a":"一个基准。"}])"))
                  .ok());
  // Paper 2: only malformed content. Paper 3: a newest record that is malformed hides older.
  ASSERT_TRUE(store_->PutFaq(MakeFaq("2503.00002", "en", "2025-03-18 12:00:00", "{not json")).ok());
  ASSERT_TRUE(store_->PutFaq(MakeFaq("2503.00003", "en", "2025-03-10 09:00:00",
                                     R"([{"q":"Kept?","a":"No."}])", 1))
                  .ok());
  ASSERT_TRUE(store_->PutFaq(MakeFaq("2503.00003", "en", "2025-03-18 12:00:00",
                                     R"({"q":"not an array","a":"x"})", 2))
                  .ok());

  // Paper 5: valid items next to an element that is not an object: the whole record is bad
  // (store/faq_content.h), none of its text is used.
  ASSERT_TRUE(store_->PutFaq(MakeFaq("2503.00005", "en", "2025-03-18 12:00:00",
                                     R"([{"q":"Half?","a":"Half."}, 7])"))
                  .ok());

  Result<std::unordered_map<std::string, std::string>> texts = store_->FaqTexts(
      {"2503.00001", "2503.00002", "2503.00003", "2503.00004", "2503.00001", "2503.00005"});
  ASSERT_TRUE(texts) << texts.error().ToString();
  ASSERT_EQ(texts->size(), 1u);
  EXPECT_EQ(texts->at("2503.00001"),
            "What is new?\nQuokkagrams.\nWhy?\nBecause.\n这是什么？\n一个基准。");
  EXPECT_TRUE(store_->FaqTexts({})->empty());

  // More ids than one query takes: every chunk is read.
  std::vector<std::string> many;
  for (int i = 0; i < 1203; ++i) many.push_back("2504." + std::to_string(10000 + i));
  ASSERT_TRUE(store_->PutFaq(MakeFaq(many[0], "en", "2025-04-01 00:00:00",
                                     R"([{"q":"First","a":"one"}])"))
                  .ok());
  ASSERT_TRUE(store_->PutFaq(MakeFaq(many[1202], "en", "2025-04-01 00:00:00",
                                     R"([{"q":"Last","a":"one"}])"))
                  .ok());
  texts = store_->FaqTexts(many);
  ASSERT_TRUE(texts);
  ASSERT_EQ(texts->size(), 2u);
  EXPECT_EQ(texts->at(many[0]), "First\none");
  EXPECT_EQ(texts->at(many[1202]), "Last\none");
}

TEST_P(StoreContractTest, ChangeFeed) {
  ASSERT_TRUE(store_->Upsert(
      std::vector<Paper>{MakePaper("2503.00001", {"cs.CL"}), MakePaper("2503.00002", {"cs.CL"})},
      {}));
  int64_t s1 = *store_->ChangeSeq();
  Result<std::vector<std::pair<int64_t, Paper>>> all = store_->ChangedSince(0, 100);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_LT((*all)[0].first, (*all)[1].first);
  EXPECT_EQ((*all)[1].first, s1);
  EXPECT_EQ(store_->ChangedSince(0, 1)->size(), 1u);
  EXPECT_TRUE(store_->ChangedSince(s1, 100)->empty());

  Paper v2 = MakePaper("2503.00001", {"cs.CL"}, 2);
  ASSERT_TRUE(store_->Upsert(std::vector<Paper>{v2}, {}));
  Result<std::vector<std::pair<int64_t, Paper>>> changed = store_->ChangedSince(s1, 100);
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_EQ((*changed)[0].second.id, "2503.00001");
  EXPECT_EQ((*changed)[0].second.version, 2);

  // A new membership of an existing, unchanged paper also shows up in the feed.
  int64_t s2 = *store_->ChangeSeq();
  ASSERT_TRUE(store_->Upsert(
      {}, std::vector<Membership>{M("2503.00002", "cs.CL", "2025-03-20", AnnounceType::kNew, 0)}));
  changed = store_->ChangedSince(s2, 100);
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_EQ((*changed)[0].second.id, "2503.00002");
  EXPECT_GT(*store_->ChangeSeq(), s2);
}

TEST_P(StoreContractTest, ConcurrentReadersWhileWriting) {
  LoadDay();
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        Result<std::vector<ListEntry>> l =
            store_->ListDay(ListQuery{{"cs.CL", "cs.LG"}, {}, "2025-03-18", false});
        // Each batch is one transaction: a reader sees 3 papers, never a partial batch.
        if (!l || l->size() < 3 || (l->size() - 3) % 50 != 0) failures++;
        if (!store_->ChangeSeq()) failures++;
        reads++;
      }
    });
  }
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<Paper> papers;
    std::vector<Membership> ms;
    for (int i = 0; i < 50; ++i) {
      std::string id = "2503." + std::to_string(10000 + batch * 50 + i);
      papers.push_back(MakePaper(id, {"cs.CL"}));
      ms.push_back(M(id, "cs.CL", "2025-03-18", AnnounceType::kNew, 10 + batch * 50 + i));
    }
    Result<UpsertCounts> c = store_->Upsert(papers, ms);
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(c->inserted, 50);
  }
  while (reads.load() < 20) std::this_thread::yield();
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->ListDay(ListQuery{{"cs.CL"}, {}, "2025-03-18", false})->size(), 1002u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, testing::AllBackends(),
                         testing::BackendName);

}  // namespace
}  // namespace coolpapers::store
