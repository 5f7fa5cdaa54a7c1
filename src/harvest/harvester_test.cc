#include "harvest/harvester.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/text.h"
#include "sources/arxiv/rss.h"
#include "harvest/day_tracker.h"
#include "net/fake_http_server.h"
#include "core/fixture_path.h"
#include "net/polite_fetcher.h"
#include "store/testing/temp_store.h"

namespace coolpapers::harvest {

namespace arxiv = sources::arxiv;
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
  // How OAI misbehaves: kNone answers noRecordsMatch; kRepeatToken sends resumptionToken "T1"
  // on every page; kEmptyPages sends pages without records, each with a new token.
  enum class OaiMode { kNone, kRepeatToken, kEmptyPages };
  void SetOaiMode(OaiMode m) {
    std::lock_guard lock(mu_);
    oai_mode_ = m;
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
    } else if (r.target.rfind("/oai?", 0) == 0 && oai_mode_ != OaiMode::kNone) {
      std::string token = oai_mode_ == OaiMode::kRepeatToken
                              ? std::string("T1")
                              : "E" + std::to_string(++oai_pages_);
      reply.body =
          "<?xml version=\"1.0\"?><OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">"
          "<responseDate>2026-06-30T00:00:00Z</responseDate><request>x</request>"
          "<ListRecords><resumptionToken cursor=\"0\">" + token +
          "</resumptionToken></ListRecords></OAI-PMH>";
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
    auto feed = arxiv::ParseArxivRss(feed_xml, "fixture");
    std::string out =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
        "xmlns:arxiv=\"http://arxiv.org/schemas/atom\">";
    for (const std::string& id : core::Split(id_list, ',')) {
      for (const arxiv::RssItem& i : feed->items) {
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
  OaiMode oai_mode_ = OaiMode::kNone;
  int oai_pages_ = 0;
  FakeHttpServer server_;
};

class HarvesterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Open());
    net::PoliteFetcherOptions fo;
    fo.interval = std::chrono::milliseconds(0);
    fo.retry.initial_backoff = std::chrono::milliseconds(5);
    fetcher_ = std::make_unique<net::PoliteFetcher>(fo);
  }
  void TearDown() override {
    harvester_.reset();
    store_.Close();
  }
  Harvester& harvester(size_t api_batch = 150, std::vector<std::string> follow = {"cs.CL"}) {
    HarvesterOptions o;
    o.endpoints.base_url = arxiv_.base();
    o.follow = std::move(follow);
    o.api_batch = api_batch;
    harvester_ = std::make_unique<Harvester>(*store_, *fetcher_, o);
    return *harvester_;
  }
  HarvestSummary Once(Harvester& h) {
    auto s = h.HarvestOnce({});
    EXPECT_TRUE(s.has_value()) << s.error().ToString();
    return s ? *s : HarvestSummary{};
  }

  MiniArxiv arxiv_;
  store::testing::TempStore store_{"harvester_test"};
  std::unique_ptr<net::PoliteFetcher> fetcher_;
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

TEST_F(HarvesterTest, RepeatedResumptionTokenStopsTheListWithAClearError) {
  arxiv_.SetOaiMode(MiniArxiv::OaiMode::kRepeatToken);
  HarvestSummary s = Once(harvester());
  EXPECT_EQ(arxiv_.CountPrefix("/oai"), 2u);  // the first page and the one resumed with T1
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_NE(s.errors[0].find("resumptionToken 'T1' again"), std::string::npos) << s.errors[0];
  EXPECT_NE(s.errors[0].find("next harvest restarts the list"), std::string::npos);
  auto cp = DayTracker(*store_).Oai("cs");
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->token, "");  // not resumed into the same loop
  EXPECT_EQ(harvester_->Metrics().failures, 1);
}

TEST_F(HarvesterTest, ThreeEmptyPagesWithATokenStopTheList) {
  arxiv_.SetOaiMode(MiniArxiv::OaiMode::kEmptyPages);
  HarvestSummary s = Once(harvester());
  EXPECT_EQ(arxiv_.CountPrefix("/oai"), 3u);
  EXPECT_EQ(s.oai_pages, 3);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_NE(s.errors[0].find("3 pages in a row had no records"), std::string::npos)
      << s.errors[0];
  EXPECT_NE(s.errors[0].find("'E3'"), std::string::npos) << s.errors[0];
  auto cp = DayTracker(*store_).Oai("cs");
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->token, "");
}

TEST_F(HarvesterTest, SummaryCountsFailedAttempts) {
  HarvestSummary s = Once(harvester());
  EXPECT_EQ(s.failed_attempts, 0);
  EXPECT_NE(s.Line().find("requests 3, 0 failed attempts"), std::string::npos) << s.Line();
}

TEST_F(HarvesterTest, MetadataComesInApiBatches) {
  HarvestSummary s = Once(harvester(/*api_batch=*/10));
  EXPECT_EQ(s.api_batches, 5);  // 46 ids
  EXPECT_EQ(arxiv_.CountPrefix("/api/"), 5u);
  EXPECT_EQ(s.days_complete, 1);
}

TEST_F(HarvesterTest, ReaderRequestFetchesAMissingPaper) {
  // Following nothing: a daily harvest would store this paper from the feed on its own.
  Harvester& h = harvester(150, /*follow=*/{});
  h.Start();
  auto invalid = h.EnqueuePaper("not-an-id", "client");
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(invalid.error().code(), StatusCode::kInvalidArgument);
  auto queued = h.EnqueuePaper("2606.27378", "client");
  ASSERT_TRUE(queued.has_value()) << queued.error().ToString();
  PaperFetchState first = *queued;
  EXPECT_TRUE(first == PaperFetchState::kQueued || first == PaperFetchState::kFetching);
  EXPECT_EQ(h.WaitForPaper("2606.27378", std::chrono::seconds(5)), PaperFetchState::kStored);
  EXPECT_EQ(h.EnqueuePaper("2606.27378", "client").value(), PaperFetchState::kStored);
  h.Stop();
}

// A Fetcher whose requests wait until Release(), then fail: papers stay pending meanwhile.
class BlockingFetcher : public net::Fetcher {
 public:
  Result<net::FetchResponse> Fetch(const net::FetchRequest& req) override {
    std::unique_lock lock(mu_);
    ++calls_;
    cv_.wait(lock, [&] { return released_; });
    return Err(Status::Unavailable(req.url + ": test upstream down"));
  }
  std::size_t QueueDepth() const override { return 0; }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  int calls_ = 0;
};

TEST_F(HarvesterTest, OnDemandFetchesRejectInventedIdsAndAreCappedPerClientAndInTotal) {
  using namespace std::chrono;
  core::FakeClock clock(sys_days{year{2026} / July / 15});
  BlockingFetcher blocking;
  HarvesterOptions o;
  o.endpoints.base_url = arxiv_.base();
  o.pending_per_client = 3;
  o.pending_total = 5;
  o.clock = &clock;
  Harvester h(*store_, blocking, o);
  h.Start();
  auto code = [](const Result<PaperFetchState>& r) {
    return r.has_value() ? StatusCode::kOk : r.error().code();
  };
  // Outside arXiv's id space on 2026-07-15: next month, month 13, 6 digits.
  for (const char* bad : {"2608.00001", "2613.00001", "2607.123456", "1412.12345"}) {
    auto r = h.EnqueuePaper(bad, "10.0.0.1");
    EXPECT_EQ(code(r), StatusCode::kInvalidArgument) << bad;
  }
  auto future = h.EnqueuePaper("2608.00001", "10.0.0.1");
  ASSERT_FALSE(future.has_value());
  EXPECT_NE(future.error().message().find("after the current month 2607"), std::string::npos)
      << future.error().message();
  // Per client: three pending, the fourth refused; asking again for a pending one is free.
  for (const char* id : {"2607.00001", "2607.00002", "2607.00003"}) {
    EXPECT_EQ(code(h.EnqueuePaper(id, "10.0.0.1")), StatusCode::kOk) << id;
  }
  auto fourth = h.EnqueuePaper("2607.00004", "10.0.0.1");
  EXPECT_EQ(code(fourth), StatusCode::kResourceExhausted);
  ASSERT_FALSE(fourth.has_value());
  EXPECT_NE(fourth.error().message().find("limit per client"), std::string::npos);
  EXPECT_EQ(code(h.EnqueuePaper("2607.00002", "10.0.0.1")), StatusCode::kOk);
  // In total: five pending, then everyone is refused.
  EXPECT_EQ(code(h.EnqueuePaper("2607.00011", "10.0.0.2")), StatusCode::kOk);
  EXPECT_EQ(code(h.EnqueuePaper("2607.00012", "10.0.0.2")), StatusCode::kOk);
  EXPECT_EQ(code(h.EnqueuePaper("2607.00013", "10.0.0.2")), StatusCode::kUnavailable);
  EXPECT_EQ(code(h.EnqueuePaper("2607.00021", "10.0.0.3")), StatusCode::kUnavailable);
  // Once the fetches end (here: fail), the client may ask again.
  blocking.Release();
  for (const char* id : {"2607.00001", "2607.00002", "2607.00003", "2607.00011", "2607.00012"}) {
    ASSERT_EQ(h.WaitForPaper(id, seconds(5)), PaperFetchState::kFailed) << id;
  }
  EXPECT_EQ(code(h.EnqueuePaper("2607.00004", "10.0.0.1")), StatusCode::kOk);
  h.Stop();
}

}  // namespace
}  // namespace coolpapers::harvest
