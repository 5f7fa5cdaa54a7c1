#include "store/postgres/pg_site_gate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "store/testing/temp_pg.h"

namespace coolpapers::store::postgres {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

struct Span {
  steady_clock::time_point start, end;
  int gate;
};

TEST(PgSiteGateTest, TwoGatesOnOneDatabaseMakeOneSpacedStream) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto a = PgSiteGate::Open(db.url());
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  auto b = PgSiteGate::Open(db.url());
  ASSERT_TRUE(b.has_value()) << b.error().ToString();
  constexpr milliseconds kInterval{120};
  constexpr int kPerGate = 5;
  std::mutex mu;
  std::vector<Span> spans;
  auto run = [&](PgSiteGate& gate, int id) {
    for (int i = 0; i < kPerGate; ++i) {
      Status s = gate.Begin("arxiv.org", kInterval, [] { return false; });
      ASSERT_TRUE(s.ok()) << s.ToString();
      Span span{steady_clock::now(), {}, id};
      std::this_thread::sleep_for(milliseconds(20));  // the request
      span.end = steady_clock::now();
      gate.End("arxiv.org");
      std::lock_guard lock(mu);
      spans.push_back(span);
    }
  };
  std::thread ta([&] { run(**a, 1); });
  std::thread tb([&] { run(**b, 2); });
  ta.join();
  tb.join();
  ASSERT_EQ(spans.size(), 2u * kPerGate);
  std::sort(spans.begin(), spans.end(),
            [](const Span& x, const Span& y) { return x.start < y.start; });
  int switches = 0;
  for (size_t i = 1; i < spans.size(); ++i) {
    auto gap = std::chrono::duration_cast<milliseconds>(spans[i].start - spans[i - 1].end);
    EXPECT_GE(gap.count(), kInterval.count())
        << "request " << i << " (gate " << spans[i].gate << ") started " << gap.count()
        << " ms after the end of the previous one (gate " << spans[i - 1].gate << ")";
    if (spans[i].gate != spans[i - 1].gate) ++switches;
  }
  EXPECT_GE(switches, 1);  // both gates took turns
}

TEST(PgSiteGateTest, OtherSitesAreNotHeldUp) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto a = PgSiteGate::Open(db.url());
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  auto b = PgSiteGate::Open(db.url());
  ASSERT_TRUE(b.has_value()) << b.error().ToString();
  ASSERT_TRUE((*a)->Begin("arxiv.org", milliseconds(5000), [] { return false; }).ok());
  auto t0 = steady_clock::now();
  ASSERT_TRUE((*b)->Begin("aclanthology.org", milliseconds(5000), [] { return false; }).ok());
  EXPECT_LT(steady_clock::now() - t0, milliseconds(1000));
  (*b)->End("aclanthology.org");
  (*a)->End("arxiv.org");
}

TEST(PgSiteGateTest, WaitingForATurnEndsWhenStopped) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto a = PgSiteGate::Open(db.url());
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  auto b = PgSiteGate::Open(db.url());
  ASSERT_TRUE(b.has_value()) << b.error().ToString();
  ASSERT_TRUE((*a)->Begin("arxiv.org", milliseconds(0), [] { return false; }).ok());
  auto deadline = steady_clock::now() + milliseconds(300);
  Status s = (*b)->Begin("arxiv.org", milliseconds(0),
                         [&] { return steady_clock::now() >= deadline; });
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_LT(steady_clock::now() - deadline, milliseconds(500));
  (*a)->End("arxiv.org");
  // The turn is free again and, with the gap over, given at once.
  EXPECT_TRUE((*b)->Begin("arxiv.org", milliseconds(0), [] { return false; }).ok());
  (*b)->End("arxiv.org");
}

TEST(PgSiteGateTest, UnreachableDatabaseFailsToOpenNamingTheUrl) {
  auto g = PgSiteGate::Open("postgresql://nobody:pw@127.0.0.1:1/db");
  ASSERT_FALSE(g.has_value());
  EXPECT_NE(g.error().message().find("127.0.0.1:1"), std::string::npos) << g.error().message();
  EXPECT_EQ(g.error().message().find("pw@"), std::string::npos);
}

}  // namespace
}  // namespace coolpapers::store::postgres
