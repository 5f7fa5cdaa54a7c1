#include "store/postgres/pg_leadership.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include <pqxx/pqxx>

#include "store/leadership.h"
#include "store/testing/temp_pg.h"

namespace coolpapers::store::postgres {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

LeadershipOptions Short() {
  LeadershipOptions o;
  o.retry = milliseconds(200);
  o.check = milliseconds(50);
  o.lost_after = milliseconds(2000);
  return o;
}

// Polls `done` every 10 ms for at most `limit`; true when it held.
bool WaitUntil(const std::function<bool()>& done, milliseconds limit) {
  auto end = steady_clock::now() + limit;
  while (steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return done();
}

TEST(PgLeadershipTest, OfTwoHoldersExactlyOneWins) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  PgLeadership a(db.url(), "harvester", Short());
  PgLeadership b(db.url(), "harvester", Short());
  ASSERT_TRUE(WaitUntil([&] { return a.IsLeader() || b.IsLeader(); }, milliseconds(5000)))
      << a.Why() << " / " << b.Why();
  // Several retry periods later it is still exactly one, the same one.
  const bool a_won = a.IsLeader();
  std::this_thread::sleep_for(milliseconds(700));
  EXPECT_EQ(a.IsLeader(), a_won);
  EXPECT_EQ(b.IsLeader(), !a_won);
  EXPECT_EQ((a_won ? a : b).Why(), "took the harvester role");
  // Another role is independent.
  PgLeadership other(db.url(), "other", Short());
  EXPECT_TRUE(WaitUntil([&] { return other.IsLeader(); }, milliseconds(5000))) << other.Why();
}

TEST(PgLeadershipTest, WhenTheLeadersSessionIsTerminatedTheOtherTakesOverWithinTheRetryPeriod) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  // a waits 2 x 1 s after losing the role before it asks again, so that b's next try (every
  // 200 ms) comes first even when the machine delays b by several of its periods.
  LeadershipOptions slow_retry = Short();
  slow_retry.retry = milliseconds(1000);
  PgLeadership a(db.url(), "harvester", slow_retry);
  ASSERT_TRUE(WaitUntil([&] { return a.IsLeader(); }, milliseconds(5000))) << a.Why();
  PgLeadership b(db.url(), "harvester", Short());
  ASSERT_TRUE(WaitUntil([&] { return b.BackendPid() != 0; }, milliseconds(5000))) << b.Why();
  std::this_thread::sleep_for(milliseconds(300));  // b has tried and failed at least once
  ASSERT_FALSE(b.IsLeader());
  const int pid = a.BackendPid();
  ASSERT_NE(pid, 0);
  {
    pqxx::connection admin(db.url());
    pqxx::nontransaction n(admin);
    n.exec_params("SELECT pg_terminate_backend($1)", pid);
  }
  auto killed = steady_clock::now();
  // The holder notices at its next check...
  EXPECT_TRUE(WaitUntil([&] { return !a.IsLeader(); }, milliseconds(1000)));
  EXPECT_NE(a.Why().find("lost the harvester role"), std::string::npos) << a.Why();
  // ...and the follower takes the role within its retry period (plus the check and slack).
  ASSERT_TRUE(WaitUntil([&] { return b.IsLeader(); }, milliseconds(2000))) << b.Why();
  auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - killed);
  EXPECT_LE(took.count(), 200 + 50 + 1000);  // retry + check + slack for a loaded machine
  std::this_thread::sleep_for(milliseconds(2500));  // a reconnects but finds the role taken
  EXPECT_FALSE(a.IsLeader()) << a.Why();
  EXPECT_TRUE(b.IsLeader()) << b.Why();
  EXPECT_GE(a.Changes(), 2u);  // took, lost
}

TEST(PgLeadershipTest, DestroyingTheLeaderGivesTheRoleUp) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto a = std::make_unique<PgLeadership>(db.url(), "harvester", Short());
  ASSERT_TRUE(WaitUntil([&] { return a->IsLeader(); }, milliseconds(5000))) << a->Why();
  PgLeadership b(db.url(), "harvester", Short());
  a.reset();
  EXPECT_TRUE(WaitUntil([&] { return b.IsLeader(); }, milliseconds(2000))) << b.Why();
}

TEST(PgLeadershipTest, SqliteHasNoLeadershipAndUnknownUrlsFail) {
  auto none = OpenLeadership("sqlite:var/x.db", "harvester");
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->get(), nullptr);
  auto bad = OpenLeadership("mysql://x", "harvester");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("postgresql://"), std::string::npos);
}

TEST(PgLeadershipTest, UnreachableDatabaseIsNeverLeaderAndSaysWhy) {
  PgLeadership a("postgresql://nobody@127.0.0.1:1/db", "harvester", Short());
  ASSERT_TRUE(WaitUntil([&] { return a.Why().find("cannot connect") != std::string::npos; },
                        milliseconds(5000)))
      << a.Why();
  EXPECT_FALSE(a.IsLeader());
}

}  // namespace
}  // namespace coolpapers::store::postgres
