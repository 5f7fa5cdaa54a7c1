#include "store/postgres/pg_connection.h"

#include <gtest/gtest.h>

#include <array>
#include <thread>
#include <vector>

#include "store/testing/temp_pg.h"

namespace coolpapers::store::postgres {
namespace {

TEST(PgConnectionTest, RedactsThePassword) {
  EXPECT_EQ(RedactUrl("postgresql://u:secret@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(RedactUrl("postgresql://u@h:5432/db"), "postgresql://u@h:5432/db");
  EXPECT_TRUE(IsPostgresUrl("postgres://h/db"));
  EXPECT_FALSE(IsPostgresUrl("sqlite:x.db"));
}

TEST(PgConnectionTest, ConnectFailureNamesTheUrlAndTheFix) {
  Result<std::unique_ptr<pqxx::connection>> c = Connect("postgresql://nobody:pw@127.0.0.1:1/db");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("postgresql://nobody:***@127.0.0.1:1/db"), std::string::npos)
      << c.error().message();
  EXPECT_EQ(c.error().message().find("pw@"), std::string::npos);
  EXPECT_NE(c.error().message().find("check that the server runs"), std::string::npos);
}

constexpr std::array<const char*, 2> kSteps = {
    "CREATE TABLE t1 (x INTEGER)",
    "CREATE TABLE t2 (y INTEGER); INSERT INTO t1 VALUES (1)",
};

TEST(PgConnectionTest, MigratesOnceEvenWhenNodesStartTogether) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  std::vector<std::thread> threads;
  std::array<Status, 4> results;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      Result<std::unique_ptr<pqxx::connection>> c = Connect(db.url());
      results[i] = c ? Migrate(**c, "demo", kSteps) : c.error();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  Result<std::unique_ptr<pqxx::connection>> c = Connect(db.url());
  ASSERT_TRUE(c);
  Result<int> v = SchemaVersion(**c, "demo");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 2);
  pqxx::nontransaction n(**c);
  EXPECT_EQ(n.exec("SELECT count(*) FROM t1")[0][0].as<int>(), 1);  // step 2 ran once
}

TEST(PgConnectionTest, RefusesADatabaseFromANewerVersion) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  Result<std::unique_ptr<pqxx::connection>> c = Connect(db.url());
  ASSERT_TRUE(c);
  ASSERT_TRUE(Migrate(**c, "demo", kSteps).ok());
  Status st = Migrate(**c, "demo", std::span<const char* const>(kSteps.data(), 1));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("version 2"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace coolpapers::store::postgres
