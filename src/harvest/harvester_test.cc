#include "harvest/harvester.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "core/text.h"
#include "harvest/arxiv_rss.h"
#include "harvest/fake_http_server.h"
#include "harvest/fixture_path.h"
#include "harvest/polite_fetcher.h"

namespace coolpapers::harvest {
namespace {

using testing::FakeHttpServer;
using testing::FakeReply;
using testing::FakeRequest;
using testing::ReadFixture;

// A small arXiv: the cs.CL feed of `day` from the fixtures, an OAI endpoint with no records,
// and an API answering from the feed's items.
class MiniArxiv {
 public:
  MiniArxiv() : server_([this](const FakeRequest& r) { return Serve(r); }) {}

  void SetDay(const std::string& day) {
    std::lock_guard lock(mu_);
    day_ = day;
  }
  void SetMalformed(bool m) {
    std::lock_guard lock(mu_);
    malformed_ = m;
  }
  std::string base() const { return server_.url(""); }
  std::vector<FakeRequest> requests() const { return server_.requests(); }
  size_t CountPrefix(const std::string& prefix) const {
    size_t n = 0;
    for (const auto& r : server_.requests()) n += r.target.rfind(prefix, 0) == 0;
    return n;
  }

 private:
  FakeReply Serve(const FakeRequest& r) {
    std::lock_guard lock(mu_);
    FakeReply reply;
    std::string feed = ReadFixture("arxiv/rss/" + day_ + "/cs.CL.xml");
    if (r.target == "/rss/cs.CL") {
      reply.body = malformed_ ? feed.substr(0, feed.size() / 2) : feed;
    } else if (r.target.rfind("/oai?", 0) == 0) {
      reply.body =
          "<?xml version=\"1.0\"?><OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">"
          "<responseDate>2026-06-30T00:00:00Z</responseDate><request>x</request>"
          "<error code=\"noRecordsMatch\">none</error></OAI-PMH>";
    } else if (r.target.rfind("/api/query?id_list=", 0) == 0) {
      reply.body = Api(feed, r.target.substr(19, r.target.find('&') - 19));
    } else {
      reply.status = 404;
    }
    return reply;
  }

  static std::string Api(const std::string& feed_xml, const std::string& id_list) {
    auto feed = ParseArxivRss(feed_xml, "fixture");
    std::string out =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
        "xmlns:arxiv=\"http://arxiv.org/schemas/atom\">";
    for (const std::string& id : core::Split(id_list, ',')) {
      for (const RssItem& i : feed->items) {
        if (i.id != id) continue;
        out += "<entry><id>http://arxiv.org/abs/" + i.id + "v" + std::to_string(i.version) +
               "</id><title>" + core::XmlEscape(i.title) + "</title><summary>" +
               core::XmlEscape(i.abstract) + "</summary><published>2026-06-28T17:00:00Z"
               "</published><updated>2026-06-28T17:00:00Z</updated>"
               "<arxiv:primary_category term=\"" + i.categories[0] + "\"/>";
        for (const auto& a : i.authors) out += "<author><name>" + core::XmlEscape(a) + "</name></author>";
        out += "</entry>";
      }
    }
    return out + "</feed>";
  }

  mutable std::mutex mu_;
  std::string day_ = "2026-06-29";
  bool malformed_ = false;
  FakeHttpServer server_;
};

class HarvesterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("harvester_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    std::filesystem::remove(path_);
    auto s = store::OpenStore("sqlite:" + path_.string());
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    store_ = std::move(*s);
    PoliteFetcherOptions fo;
    fo.interval = std::chrono::milliseconds(0);
    fo.retry.initial_backoff = std::chrono::milliseconds(5);
    fetcher_ = std::make_unique<PoliteFetcher>(fo);
  }
  void TearDown() override {
    harvester_.reset();
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path_.string() + suffix);
    }
  }
  Harvester& harvester(size_t api_batch = 150) {
    HarvesterOptions o;
    o.endpoints.base_url = arxiv_.base();
    o.follow = {"cs.CL"};
    o.api_batch = api_batch;
    harvester_ = std::make_unique<Harvester>(*store_, *fetcher_, o);
    return *harvester_;
  }
  HarvestSummary Once(Harvester& h) {
    auto s = h.HarvestOnce({});
    EXPECT_TRUE(s.has_value()) << s.error().ToString();
    return s ? *s : HarvestSummary{};
  }

  std::filesystem::path path_;
  MiniArxiv arxiv_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<PoliteFetcher> fetcher_;
  std::unique_ptr<Harvester> harvester_;
};

TEST_F(HarvesterTest, FirstHarvestStoresTheDayAndCompletesIt) {
  HarvestSummary s = Once(harvester());
  EXPECT_TRUE(s.errors.empty());
  EXPECT_EQ(s.papers_new, 46);
  EXPECT_EQ(s.memberships_added, 46);
  EXPECT_EQ(s.days_complete, 1);
  EXPECT_EQ(s.days_incomplete, 0);
  EXPECT_EQ(s.api_batches, 1);
  EXPECT_EQ(s.requests, 3);  // RSS, OAI (noRecordsMatch), one API batch
  auto st = store_->GetDayStatus("cs.CL", "2026-06-29");
  ASSERT_TRUE(st.has_value() && st->has_value());
  EXPECT_EQ((*st)->expected, 46);
  EXPECT_EQ((*st)->stored, 46);
  auto p = store_->GetPaper("2606.27378");
  ASSERT_TRUE(p.has_value() && p->has_value());
  EXPECT_EQ((*p)->published, "2026-06-28 17:00:00");
  ASSERT_EQ(s.lags.size(), 1u);
  EXPECT_EQ(s.lags[0].last_complete_day, "2026-06-29");
  EXPECT_EQ(s.lags[0].lag_days, 0);
}

TEST_F(HarvesterTest, RerunFetchesNoMetadataAgain) {
  Harvester& h = harvester();
  Once(h);
  size_t api_before = arxiv_.CountPrefix("/api/");
  size_t oai_before = arxiv_.CountPrefix("/oai");
  HarvestSummary again = Once(h);
  EXPECT_EQ(again.requests, 1);  // the feed only: same day, nothing open
  EXPECT_EQ(arxiv_.CountPrefix("/oai"), oai_before);
  EXPECT_EQ(again.papers_new, 0);
  EXPECT_EQ(again.papers_updated, 0);
  EXPECT_EQ(again.memberships_added, 0);
  EXPECT_EQ(again.api_batches, 0);
  EXPECT_EQ(arxiv_.CountPrefix("/api/"), api_before);
}

TEST_F(HarvesterTest, ReplacementUpdatesTheVersionWithoutANewRow) {
  Harvester& h = harvester();
  Once(h);
  auto before = store_->Stats();
  arxiv_.SetDay("2026-06-30");
  HarvestSummary s = Once(h);
  EXPECT_TRUE(s.errors.empty());
  auto p = store_->GetPaper("2606.27378");
  ASSERT_TRUE(p.has_value() && p->has_value());
  EXPECT_EQ((*p)->version, 2);
  auto ms = store_->MembershipsOf("2606.27378");
  ASSERT_TRUE(ms.has_value());
  ASSERT_EQ(ms->size(), 2u);  // new on the 29th, replace on the 30th
  auto after = store_->Stats();
  // Every paper of the 30th is new except the two replacements.
  EXPECT_EQ(after->papers - before->papers, s.papers_new);
  EXPECT_EQ(s.memberships_added, 138);
  auto st = store_->GetDayStatus("cs.CL", "2026-06-30");
  ASSERT_TRUE(st.has_value() && st->has_value());
  EXPECT_EQ((*st)->expected, 138);
  EXPECT_EQ((*st)->stored, 138);
}

TEST_F(HarvesterTest, WeekendFeedCreatesNoDay) {
  arxiv_.SetDay("2026-06-27");
  HarvestSummary s = Once(harvester());
  EXPECT_TRUE(s.errors.empty());
  EXPECT_TRUE(s.days.empty());
  EXPECT_EQ(s.papers_new, 0);
  auto stats = store_->Stats();
  EXPECT_EQ(stats->days, 0);
  EXPECT_EQ(arxiv_.CountPrefix("/oai"), 0u);  // nothing announced, no window to ask for
}

TEST_F(HarvesterTest, MalformedFeedIsAClearErrorAndNoDay) {
  arxiv_.SetMalformed(true);
  HarvestSummary s = Once(harvester());
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_NE(s.errors[0].find("/rss/cs.CL"), std::string::npos);
  EXPECT_NE(s.errors[0].find("malformed XML"), std::string::npos);
  auto st = store_->GetDayStatus("cs.CL", "2026-06-29");
  ASSERT_TRUE(st.has_value());
  EXPECT_FALSE(st->has_value());
  EXPECT_EQ(store_->Stats()->memberships, 0);
}

TEST_F(HarvesterTest, MetadataComesInApiBatches) {
  HarvestSummary s = Once(harvester(/*api_batch=*/10));
  EXPECT_EQ(s.api_batches, 5);  // 46 ids
  EXPECT_EQ(arxiv_.CountPrefix("/api/"), 5u);
  EXPECT_EQ(s.days_complete, 1);
}

TEST_F(HarvesterTest, ReaderRequestFetchesAMissingPaper) {
  Harvester& h = harvester();
  h.Start();
  EXPECT_EQ(h.EnqueuePaper("not-an-id"), PaperFetchState::kNotFound);
  PaperFetchState first = h.EnqueuePaper("2606.27378");
  EXPECT_TRUE(first == PaperFetchState::kQueued || first == PaperFetchState::kFetching);
  PaperFetchState st = first;
  for (int i = 0; i < 500 && st != PaperFetchState::kStored; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    st = h.PaperState("2606.27378");
  }
  EXPECT_EQ(st, PaperFetchState::kStored);
  EXPECT_EQ(h.EnqueuePaper("2606.27378"), PaperFetchState::kStored);
  h.Stop();
}

}  // namespace
}  // namespace coolpapers::harvest
