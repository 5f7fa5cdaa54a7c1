#include "store/postgres/pg_cluster.h"

#include <gtest/gtest.h>

#include "store/testing/temp_pg.h"

namespace coolpapers::store::postgres {
namespace {

TEST(PgClusterTest, ConnectionUrlAddsKeepalivesAndKeepsWhatIsGiven) {
  EXPECT_EQ(ClusterConnectionUrl("postgresql://u@h:5432/db"),
            "postgresql://u@h:5432/db?keepalives=1&keepalives_idle=5&keepalives_interval=2"
            "&keepalives_count=3&tcp_user_timeout=10000&connect_timeout=10");
  EXPECT_EQ(ClusterConnectionUrl("postgresql://u@h/db?sslmode=disable&keepalives_idle=30"),
            "postgresql://u@h/db?sslmode=disable&keepalives_idle=30&keepalives=1"
            "&keepalives_interval=2&keepalives_count=3&tcp_user_timeout=10000"
            "&connect_timeout=10");
}

TEST(PgClusterTest, KeepaliveSettingsAreAcceptedByTheServerAndTheClient) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto c = Connect(ClusterConnectionUrl(db.url()));
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  {
    pqxx::nontransaction n(**c);
    ServerSideKeepalive(n);
    EXPECT_EQ(n.exec("SHOW tcp_keepalives_idle")[0][0].as<std::string>(), "5");
  }
  Status migrated = MigrateCluster(**c);
  ASSERT_TRUE(migrated.ok()) << migrated.ToString();
  EXPECT_EQ(*SchemaVersion(**c, "cluster"), 1);
}

}  // namespace
}  // namespace coolpapers::store::postgres
