#include "cli/serve_cluster.h"

#include <gtest/gtest.h>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "cli/serve_harvest.h"
#include "core/fixture_path.h"
#include "net/fake_http_server.h"
#include "store/testing/temp_pg.h"
#include "store/testing/temp_store.h"
#include "web/metrics.h"

namespace coolpapers::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

bool WaitUntil(const std::function<bool()>& done, milliseconds limit) {
  auto end = steady_clock::now() + limit;
  while (steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return done();
}

// A role the test hands out and takes back.
class FakeLeadership : public store::Leadership {
 public:
  bool IsLeader() override { return leader.load(); }
  std::string Why() override { return leader ? "took the harvester role" : "lost it (test)"; }
  uint64_t Changes() override { return 0; }
  std::atomic<bool> leader{false};
};

// Answers every arXiv API request with the recorded entry of 1605.08386.
class ApiFetcher : public net::Fetcher {
 public:
  Result<net::FetchResponse> Fetch(const net::FetchRequest& req) override {
    ++requests;
    last_url = req.url;
    std::this_thread::sleep_for(milliseconds(delay_ms.load()));
    net::FetchResponse r;
    r.http_status = 200;
    r.body = testing::ReadFixture("arxiv/api/id_1605.08386_s0_m100_199195aa31ad.xml");
    return r;
  }
  std::size_t QueueDepth() const override { return 0; }
  std::atomic<int> requests{0};
  std::atomic<int> delay_ms{0};  // how long each answer takes
  std::string last_url;
};

TEST(LeaderOnlyFetcherTest, RefusesAtOnceWhenThisNodeDoesNotHoldTheRole) {
  ApiFetcher base;
  std::atomic<bool> leading{false};
  LeaderOnlyFetcher fetcher(base, [&] { return leading.load(); });
  net::FetchRequest req;
  req.url = "http://127.0.0.1:9/api/query?id_list=1605.08386";
  req.what = "API";
  net::FetchAttempts attempts{7, 7};
  auto refused = fetcher.FetchCounted(req, &attempts);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.error().message().find("harvester role"), std::string::npos);
  EXPECT_EQ(attempts.attempts, 0);
  EXPECT_EQ(base.requests.load(), 0);
  leading = true;
  EXPECT_TRUE(fetcher.Fetch(req).has_value());
  EXPECT_EQ(base.requests.load(), 1);
}

TEST(HarvestSupervisorTest, RunsTheHarvesterOnlyWhileThisNodeHoldsTheRole) {
  store::testing::TempStore store;
  ASSERT_TRUE(store.Open());
  ApiFetcher fetcher;
  harvest::Harvester harvester(*store, fetcher, {});
  FakeLeadership role;
  HarvestSupervisor supervisor(role, harvester, nullptr, milliseconds(20));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_FALSE(supervisor.leading());
  EXPECT_EQ(*harvester.EnqueuePaper("1605.08386"), harvest::PaperFetchState::kUnknown);
  role.leader = true;
  ASSERT_TRUE(WaitUntil([&] { return supervisor.leading(); }, milliseconds(2000)));
  auto st = harvester.EnqueuePaper("1605.08386");  // the harvester runs: it is fetched
  ASSERT_TRUE(st.has_value()) << st.error().ToString();
  EXPECT_EQ(harvester.WaitForPaper("1605.08386", milliseconds(5000)),
            harvest::PaperFetchState::kStored);
  // The role goes while a fetch is under way: stopping waits for it, and until the harvester
  // has stopped the node still counts as harvesting (a paper asked for then would be queued).
  fetcher.delay_ms = 300;
  EXPECT_EQ(*harvester.EnqueuePaper("1605.08388"), harvest::PaperFetchState::kQueued);
  ASSERT_TRUE(WaitUntil([&] { return fetcher.requests.load() == 2; }, milliseconds(5000)));
  role.leader = false;
  ASSERT_TRUE(WaitUntil([&] { return !supervisor.leading(); }, milliseconds(2000)));
  EXPECT_EQ(*harvester.EnqueuePaper("1605.08387"), harvest::PaperFetchState::kUnknown);
  fetcher.delay_ms = 0;
  role.leader = true;  // the role comes back: the harvester runs again
  ASSERT_TRUE(WaitUntil([&] { return supervisor.leading(); }, milliseconds(2000)));
  EXPECT_EQ(*harvester.EnqueuePaper("1605.08387"), harvest::PaperFetchState::kQueued);
  EXPECT_TRUE(WaitUntil([&] { return fetcher.requests.load() == 3; }, milliseconds(5000)));
}

// Node B has no harvester; a reader there asks for a paper; node A, the leader, fetches it
// into the shared store; B reports "queued" until it is stored, then "stored".
TEST(ClusterPaperFetchQueueTest, APaperAskedForOnAnotherNodeIsFetchedByTheLeader) {
  store::testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  store::testing::TempStore store;  // the rows both nodes share
  ASSERT_TRUE(store.Open());
  auto requests_a = store::postgres::PgPaperRequests::Open(db.url());
  ASSERT_TRUE(requests_a.has_value()) << requests_a.error().ToString();
  auto requests_b = store::postgres::PgPaperRequests::Open(db.url());
  ASSERT_TRUE(requests_b.has_value()) << requests_b.error().ToString();
  ClusterPaperFetchQueue queue_b(*store, **requests_b, core::SystemClock());

  ApiFetcher fetcher;
  harvest::Harvester harvester_a(*store, fetcher, {});
  FakeLeadership role_a;
  HarvestSupervisor supervisor_a(role_a, harvester_a, requests_a->get(), milliseconds(20));

  auto st = queue_b.Request("1605.08386v2", "10.0.0.9");
  ASSERT_TRUE(st.has_value()) << st.error().ToString();
  EXPECT_EQ(*st, web::PaperFetchState::kQueued);
  std::this_thread::sleep_for(milliseconds(200));  // no leader: nothing is fetched
  EXPECT_EQ(*queue_b.Request("1605.08386", "10.0.0.9"), web::PaperFetchState::kQueued);
  EXPECT_EQ(fetcher.requests.load(), 0);

  role_a.leader = true;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto s = queue_b.Request("1605.08386", "10.0.0.9");
        return s.has_value() && *s == web::PaperFetchState::kStored;
      },
      milliseconds(5000)));
  EXPECT_EQ(fetcher.requests.load(), 1);
  EXPECT_NE(fetcher.last_url.find("1605.08386"), std::string::npos) << fetcher.last_url;
  auto row = (*requests_b)->State("1605.08386");
  ASSERT_TRUE(row.has_value());
  EXPECT_TRUE(WaitUntil([&] { return *(*requests_b)->State("1605.08386") == "stored"; },
                        milliseconds(2000)));
  // An id arXiv cannot have issued is refused on the asking node.
  auto invented = queue_b.Request("2613.00001", "10.0.0.9");
  ASSERT_FALSE(invented.has_value());
  EXPECT_EQ(invented.error().code(), StatusCode::kInvalidArgument);
}

// serve on PostgreSQL: the node following arXiv takes the harvester role (one node: at once)
// and shows it in /metrics; readers' papers go through the shared queue.
TEST(ServeHarvestClusterTest, AFollowingNodeOnPostgresTakesTheRoleAndShowsItInMetrics) {
  store::testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  store::testing::TempStore store;
  ASSERT_TRUE(store.Open());
  coolpapers::testing::FakeHttpServer arxiv([](const coolpapers::testing::FakeRequest&) {
    coolpapers::testing::FakeReply r;
    r.status = 404;  // fails at once, not retried
    return r;
  });
  auto cfg = ConfigFile::Parse("[harvest]\nfollow = [\"cs.CL\"]\n", "serve.toml");
  ASSERT_TRUE(cfg.has_value());
  web::Metrics metrics;
  auto h = ServeHarvest::Create(*cfg, arxiv.url(""), false, false, *store, metrics, db.url());
  ASSERT_TRUE(h.has_value()) << h.error().ToString();
  ASSERT_NE((*h)->harvester(), nullptr);
  ASSERT_NE((*h)->paper_fetch_queue(), nullptr);
  EXPECT_EQ(dynamic_cast<ClusterPaperFetchQueue*>((*h)->paper_fetch_queue()) != nullptr, true);
  ASSERT_TRUE(WaitUntil([&] { return (*h)->harvesting(); }, milliseconds(5000)));
  EXPECT_NE(metrics.Exposition().find("coolpapers_harvest_leader 1"), std::string::npos)
      << metrics.Exposition();
}

// Two serve nodes on one database: one harvests; FAQ-style PDF downloads on both and the
// harvest form one request stream, each request starting at least the interval after the end
// of the previous one; when the harvesting node goes away the other takes over.
TEST(ServeHarvestClusterTest, TwoNodesMakeOneSpacedStreamAndTheOtherTakesOver) {
  store::testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  store::testing::TempStore store;
  ASSERT_TRUE(store.Open());
  struct Seen {
    std::string target;
    steady_clock::time_point start, end;
  };
  std::mutex mu;
  std::vector<Seen> seen;
  coolpapers::testing::FakeHttpServer arxiv([&](const coolpapers::testing::FakeRequest& req) {
    Seen s{req.target, steady_clock::now(), {}};
    std::this_thread::sleep_for(milliseconds(20));
    coolpapers::testing::FakeReply r;
    r.status = 404;  // fails at once, not retried
    s.end = steady_clock::now();
    std::lock_guard lock(mu);
    seen.push_back(s);
    return r;
  });
  constexpr milliseconds kInterval{300};
  auto cfg = ConfigFile::Parse("[harvest]\nfollow = [\"cs.CL\"]\ninterval = 0.3\n", "s.toml");
  ASSERT_TRUE(cfg.has_value()) << cfg.error().ToString();
  web::Metrics metrics_a, metrics_b;
  auto a = ServeHarvest::Create(*cfg, arxiv.url(""), true, false, *store, metrics_a, db.url());
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  ASSERT_TRUE(WaitUntil([&] { return (*a)->harvesting(); }, milliseconds(5000)));
  auto b = ServeHarvest::Create(*cfg, arxiv.url(""), true, false, *store, metrics_b, db.url());
  ASSERT_TRUE(b.has_value()) << b.error().ToString();

  std::vector<std::future<Result<net::FetchResponse>>> pdfs;
  for (int i = 0; i < 3; ++i) {
    for (auto* node : {a->get(), b->get()}) {
      net::FetchRequest req;
      req.url = arxiv.url("/pdf/2607.0000" + std::to_string(i));
      req.kind = net::FetchKind::kPdf;
      req.priority = net::FetchPriority::kReader;
      pdfs.push_back(node->fetcher().FetchAsync(req));
    }
  }
  for (auto& f : pdfs) EXPECT_FALSE(f.get().has_value());  // 404s, each asked once
  EXPECT_TRUE((*a)->harvesting());
  EXPECT_FALSE((*b)->harvesting());
  EXPECT_NE(metrics_b.Exposition().find("coolpapers_harvest_leader 0"), std::string::npos);

  a->reset();  // the harvesting node goes away: its session ends
  auto gone = steady_clock::now();
  ASSERT_TRUE(WaitUntil([&] { return (*b)->harvesting(); }, milliseconds(15000)));
  EXPECT_LT(steady_clock::now() - gone, std::chrono::seconds(10));
  const size_t before = [&] {
    std::lock_guard lock(mu);
    return seen.size();
  }();
  // The new harvester asks arXiv at once.
  EXPECT_TRUE(WaitUntil(
      [&] {
        std::lock_guard lock(mu);
        return seen.size() > before;
      },
      milliseconds(5000)));
  b->reset();

  std::lock_guard lock(mu);
  ASSERT_GE(seen.size(), 8u);  // 6 PDFs, a harvest request from each node
  std::sort(seen.begin(), seen.end(),
            [](const Seen& x, const Seen& y) { return x.start < y.start; });
  for (size_t i = 1; i < seen.size(); ++i) {
    auto gap = std::chrono::duration_cast<milliseconds>(seen[i].start - seen[i - 1].end);
    EXPECT_GE(gap.count(), kInterval.count())
        << seen[i].target << " started " << gap.count() << " ms after the end of "
        << seen[i - 1].target;
  }
}

TEST(ServeHarvestClusterTest, ASingleNodeOnSqliteHarvestsWithoutElection) {
  store::testing::TempStore store;
  ASSERT_TRUE(store.Open());
  auto cfg = ConfigFile::Parse("", "serve.toml");
  ASSERT_TRUE(cfg.has_value());
  web::Metrics metrics;
  auto h = ServeHarvest::Create(*cfg, "http://127.0.0.1:9", false, false, *store, metrics,
                                store.url());
  ASSERT_TRUE(h.has_value()) << h.error().ToString();
  EXPECT_EQ(dynamic_cast<HarvesterPaperFetchQueue*>((*h)->paper_fetch_queue()) != nullptr, true);
  EXPECT_FALSE((*h)->harvesting());  // not following
  EXPECT_NE(metrics.Exposition().find("coolpapers_harvest_leader 0"), std::string::npos);
}

}  // namespace
}  // namespace coolpapers::cli
