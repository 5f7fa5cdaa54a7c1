#include "cli/migrate/migrate_run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "store/store.h"
#include "store/testing/backend_store.h"
#include "store/testing/temp_store.h"

namespace coolpapers::cli {
namespace {

using ::testing::HasSubstr;

core::Paper P(const std::string& id) {
  core::Paper p;
  p.id = id;
  p.version = 2;
  p.title = "A study of " + id;
  p.abstract = "We study " + id + ".";
  p.authors = {"Ada Lovelace"};
  p.categories = {"cs.CL"};
  p.doi = "10.1/" + id;
  p.published = "2025-03-17 18:00:00";
  p.updated = "2025-03-18 18:00:00";
  return p;
}

core::VenuePaper V(const std::string& id, int position) {
  core::VenuePaper v;
  v.id = id;
  v.venue = "ACL.2024";
  v.group = "Long";
  v.position = position;
  v.title = "Venue paper " + id;
  v.authors = {"Grace Hopper"};
  v.pdf_url = "https://example.org/" + id + ".pdf";
  v.page_url = "https://example.org/" + id;
  return v;
}

// Everything an export returns, as one comparable text.
std::string Dump(store::Store& s) {
  std::string out;
  Result<store::Store::PaperPage> papers = s.ExportPapers("", 1000);
  EXPECT_TRUE(papers) << papers.error().ToString();
  for (const core::Paper& p : papers->papers) {
    out += "paper " + p.id + " v" + std::to_string(p.version) + " " + p.title + "|" + p.abstract +
           "|" + p.doi + "|" + p.published + "|" + p.updated + "|" + p.categories[0] + "\n";
  }
  for (const core::Membership& m : papers->memberships) {
    out += "membership " + m.paper_id + " " + m.category + " " + m.day + " " +
           std::to_string(static_cast<int>(m.type)) + " " + std::to_string(m.position) + "\n";
  }
  auto venue = s.ExportVenuePapers("", 1000);
  for (const core::VenuePaper& v : *venue) {
    out += "venue " + v.id + " " + v.venue + " " + v.group + " " + std::to_string(v.position) +
           " " + v.title + " " + v.pdf_url;
    for (const std::string& o : v.other_ids) out += " " + o;
    out += "\n";
  }
  auto days = s.ExportDayStatuses("", 1000);
  for (const store::DayStatus& d : *days) {
    out += "day " + d.category + " " + d.day + " " + std::to_string(d.expected) + "/" +
           std::to_string(d.stored) + "\n";
  }
  auto state = s.ExportState("", 1000);
  for (const auto& [k, v] : *state) out += "state " + k + "=" + v + "\n";
  auto faqs = s.ExportFaqs("", 1000);
  for (const store::FaqRecord& f : *faqs) {
    out += "faq " + f.paper_id + " " + std::to_string(f.version) + " " + f.lang + " " + f.model +
           " " + std::to_string(f.prompt_version) + " " + f.content_json + " " + f.source + " " +
           std::to_string(f.tokens) + " " + f.created + "\n";
  }
  auto clicks = s.ExportClicks("", 1000);
  for (const auto& [id, c] : *clicks) {
    out += "clicks " + id + " " + std::to_string(c.pdf) + " " + std::to_string(c.kimi) + " " +
           std::to_string(c.copy) + " " + std::to_string(c.rel) + "\n";
  }
  auto links = s.ListLinks();
  for (const store::PaperLink& l : *links) {
    out += "link " + l.venue_id + " " + l.arxiv_id + " " + l.method + "\n";
  }
  return out;
}

class MigrateRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(from_.Open());
    ASSERT_TRUE(to_.Open());
  }

  // Five papers (one listed but not stored), two venue papers (one naming an arXiv id), day
  // statuses of three categories, state, FAQs of two papers, clicks of two papers.
  void Fill() {
    std::vector<core::Paper> papers = {P("2503.00001"), P("2503.00002"), P("2503.00003"),
                                       P("2503.00005"), P("2503.00006")};
    std::vector<core::Membership> ms = {
        {"2503.00001", "cs.CL", "2025-03-18", core::AnnounceType::kNew, 0},
        {"2503.00002", "cs.CL", "2025-03-18", core::AnnounceType::kNew, 1},
        {"2503.00002", "cs.LG", "2025-03-18", core::AnnounceType::kCross, 0},
        {"2503.00004", "cs.CL", "2025-03-18", core::AnnounceType::kNew, 2},
        {"2503.00006", "cs.CL", "2025-03-19", core::AnnounceType::kReplace, 0}};
    ASSERT_TRUE(from_->Upsert(papers, ms));
    std::vector<core::VenuePaper> venue = {V("2024.acl-long.1@ACL", 0),
                                           V("2024.acl-long.2@ACL", 1)};
    venue[1].other_ids = {"arXiv:2503.00003", "abc@OpenReview"};
    ASSERT_TRUE(from_->UpsertVenuePapers(venue));
    for (const char* cat : {"cs.CL", "cs.LG", "math.AG"}) {
      ASSERT_TRUE(from_->SetDayStatus({cat, "2025-03-18", 3, 2}).ok());
    }
    ASSERT_TRUE(from_->SetState("harvest.open_days", "[]").ok());
    ASSERT_TRUE(from_->SetState("faq_tokens", "{}").ok());
    for (const char* lang : {"en", "zh"}) {
      store::FaqRecord f{"2503.00001", 2, lang, "m", 3, R"([{"q":"Q","a":"A"}])", "pdf", 9,
                         "2025-03-18 10:00:00"};
      ASSERT_TRUE(from_->PutFaq(f).ok());
    }
    ASSERT_TRUE(from_
                    ->PutFaq({"2024.acl-long.1@ACL", 1, "en", "m", 3, R"([{"q":"Q","a":"B"}])",
                              "abstract", 5, "2025-03-18 11:00:00"})
                    .ok());
    ASSERT_TRUE(from_->AddClicks("2503.00001", "pdf", 7).ok());
    ASSERT_TRUE(from_->AddClicks("2503.00001", "kimi", 2).ok());
    ASSERT_TRUE(from_->AddClick("2024.acl-long.2@ACL", "copy").ok());
    ASSERT_TRUE(from_->Flush().ok());
  }

  MigrateOptions Quiet(int batch, int page) {
    MigrateOptions o;
    o.batch_size = batch;
    o.page_size = page;
    o.writers = 3;
    o.err = std::tmpfile();
    files_.push_back(o.err);
    return o;
  }
  void TearDown() override {
    for (std::FILE* f : files_) std::fclose(f);
  }

  store::testing::TempStore from_{"cp_migrate_from"}, to_{"cp_migrate_to"};
  std::vector<std::FILE*> files_;
};

TEST_F(MigrateRunTest, EveryRowArrivesWhateverThePageSizes) {
  Fill();
  const std::string want = Dump(*from_);
  ASSERT_THAT(want, HasSubstr("link 2024.acl-long.2@ACL 2503.00003 id"));
  for (auto [batch, page] : {std::pair{1, 1}, std::pair{2, 2}, std::pair{20000, 1000}}) {
    SCOPED_TRACE("batch " + std::to_string(batch) + ", page " + std::to_string(page));
    store::testing::TempStore to("cp_migrate_to");
    ASSERT_TRUE(to.Open());
    Result<MigrateCounts> c = CopyStore(*from_, *to, Quiet(batch, page));
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(c->papers, 5);
    EXPECT_EQ(c->memberships, 5);
    EXPECT_EQ(c->venue_papers, 2);
    EXPECT_EQ(c->day_statuses, 3);
    EXPECT_EQ(c->state_keys, 2);
    EXPECT_EQ(c->faqs, 3);
    EXPECT_EQ(c->click_counters, 3);
    EXPECT_EQ(c->clicks, 10);
    EXPECT_EQ(Dump(*to), want);
    Result<StoreCounts> a = CountRows(*from_), b = CountRows(*to);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(CompareCounts(*a, *b, false, files_.back()), "");
    EXPECT_EQ(b->papers, 7);
    EXPECT_EQ(b->links, 1);
  }
}

TEST_F(MigrateRunTest, DescribeContentsNamesWhatAStoreHolds) {
  Result<std::string> empty = DescribeContents(*to_);
  ASSERT_TRUE(empty) << empty.error().ToString();
  EXPECT_EQ(*empty, "");
  Fill();
  Result<std::string> full = DescribeContents(*from_);
  ASSERT_TRUE(full) << full.error().ToString();
  EXPECT_EQ(*full,
            "7 papers, 5 memberships, 3 FAQs, 2 venue papers, day statuses, state keys "
            "(faq_tokens, harvest.open_days), click counts");
  // State alone makes a store non-empty too.
  ASSERT_TRUE(to_->SetState("a", "1").ok());
  ASSERT_TRUE(to_->Flush().ok());
  EXPECT_EQ(*DescribeContents(*to_), "state keys (a)");
}

TEST_F(MigrateRunTest, CompareCountsNamesEveryDifference) {
  StoreCounts a{10, 20, 2, 3, 1}, b = a;
  std::FILE* out = Quiet(1, 1).err;
  EXPECT_EQ(CompareCounts(a, b, false, out), "");
  b.links = 0;  // recomputed by the destination: a note, not a failure
  EXPECT_EQ(CompareCounts(a, b, false, out), "");
  b.papers = 9;
  b.faqs = 4;
  EXPECT_EQ(CompareCounts(a, b, false, out),
            "papers 10 in the source but 9 in the destination; FAQs 3 in the source but 4 in "
            "the destination");
  // Merged into a non-empty destination: at least the source's counts.
  EXPECT_EQ(CompareCounts(a, b, true, out), "papers 10 in the source but 9 in the destination");
}

// Into PostgreSQL, which cannot export: each kind of row is read back through the ordinary
// Store methods.
TEST_F(MigrateRunTest, EveryKindOfRowArrivesInPostgresql) {
  Fill();
  store::testing::BackendStore pg(store::testing::Backend::kPostgres);
  ASSERT_TRUE(pg.Open());
  Result<MigrateCounts> c = CopyStore(*from_, *pg, Quiet(2, 1));
  ASSERT_TRUE(c) << c.error().ToString();
  Result<StoreCounts> a = CountRows(*from_), b = CountRows(*pg);
  ASSERT_TRUE(a) << a.error().ToString();
  ASSERT_TRUE(b) << b.error().ToString();
  EXPECT_EQ(CompareCounts(*a, *b, false, files_.back()), "");
  EXPECT_EQ(b->links, 1);

  Result<std::optional<core::Paper>> paper = pg->GetPaper("2503.00002");
  ASSERT_TRUE(paper && *paper);
  EXPECT_EQ((*paper)->version, 2);
  EXPECT_EQ((*paper)->doi, "10.1/2503.00002");
  Result<std::vector<core::Membership>> orphan = pg->MembershipsOf("2503.00004");
  ASSERT_TRUE(orphan);
  EXPECT_EQ(orphan->size(), 1u);
  std::vector<std::string> venue_ids = {"abc@OpenReview"};  // an alias
  Result<std::vector<core::VenuePaper>> venue = pg->GetVenuePapers(venue_ids);
  ASSERT_TRUE(venue) << venue.error().ToString();
  ASSERT_EQ(venue->size(), 1u);
  EXPECT_EQ((*venue)[0].id, "2024.acl-long.2@ACL");
  for (const char* cat : {"cs.CL", "cs.LG", "math.AG"}) {
    Result<std::optional<store::DayStatus>> d = pg->GetDayStatus(cat, "2025-03-18");
    ASSERT_TRUE(d && *d) << cat;
    EXPECT_EQ((*d)->expected, 3);
    EXPECT_EQ((*d)->stored, 2);
  }
  Result<std::vector<std::pair<std::string, std::string>>> state = pg->ListState("");
  ASSERT_TRUE(state) << state.error().ToString();
  EXPECT_EQ(*state, (std::vector<std::pair<std::string, std::string>>{
                        {"faq_tokens", "{}"}, {"harvest.open_days", "[]"}}));
  Result<std::optional<store::FaqRecord>> faq = pg->GetFaq("2503.00001", 2, "zh", "m", 3);
  ASSERT_TRUE(faq && *faq);
  EXPECT_EQ((*faq)->content_json, R"([{"q":"Q","a":"A"}])");
  EXPECT_EQ((*faq)->tokens, 9);
  std::vector<std::string> clicked = {"2503.00001", "2024.acl-long.2@ACL"};
  Result<std::map<std::string, store::ClickCounts>> clicks = pg->GetClicks(clicked);
  ASSERT_TRUE(clicks) << clicks.error().ToString();
  EXPECT_EQ((*clicks)["2503.00001"].pdf, 7);
  EXPECT_EQ((*clicks)["2503.00001"].kimi, 2);
  EXPECT_EQ((*clicks)["2024.acl-long.2@ACL"].copy, 1);

  // The destination is no longer empty, also for what only its ordinary methods show.
  Result<std::string> held = DescribeContents(*pg);
  ASSERT_TRUE(held) << held.error().ToString();
  EXPECT_THAT(*held, HasSubstr("7 papers, 5 memberships, 3 FAQs, 2 venue papers"));
  EXPECT_THAT(*held, HasSubstr("state keys (faq_tokens, harvest.open_days)"));
  EXPECT_THAT(*held, HasSubstr("click counts"));
}

TEST(ShownUrlTest, HidesThePasswordOnly) {
  EXPECT_EQ(ShownUrl("postgresql://cp:s3cret@db.example:5432/cp"),
            "postgresql://cp:***@db.example:5432/cp");
  EXPECT_EQ(ShownUrl("postgresql://cp@127.0.0.1:5432/cp"), "postgresql://cp@127.0.0.1:5432/cp");
  EXPECT_EQ(ShownUrl("sqlite:var/coolpapers.db"), "sqlite:var/coolpapers.db");
}

}  // namespace
}  // namespace coolpapers::cli
