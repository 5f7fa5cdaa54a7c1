#include "store/postgres/pg_cluster.h"

#include <array>

#include "store/postgres/pg_connection.h"

namespace coolpapers::store::postgres {
namespace {

// Never edit a shipped step: append.
constexpr std::array<const char*, 1> kClusterSteps = {
    // 1: the end of the last request to each upstream site (by the database clock), and the
    // papers readers asked for, fetched by the node that holds the harvester role.
    "CREATE TABLE cluster_site_requests ("
    " site TEXT PRIMARY KEY, last_end TIMESTAMPTZ NOT NULL);"
    "CREATE TABLE cluster_paper_requests ("
    " id TEXT PRIMARY KEY, client TEXT NOT NULL, state TEXT NOT NULL,"
    " requested TIMESTAMPTZ NOT NULL DEFAULT now(), updated TIMESTAMPTZ NOT NULL DEFAULT now());"
    "CREATE INDEX cluster_paper_requests_state ON cluster_paper_requests (state, requested)",
};

}  // namespace

std::string ClusterConnectionUrl(const std::string& url) {
  std::string out = url;
  bool has_query = out.find('?') != std::string::npos;
  for (const char* kv : {"keepalives=1", "keepalives_idle=5", "keepalives_interval=2",
                         "keepalives_count=3", "tcp_user_timeout=10000", "connect_timeout=10"}) {
    std::string key = std::string(kv).substr(0, std::string(kv).find('=') + 1);
    if (has_query && (out.find("?" + key) != std::string::npos ||
                      out.find("&" + key) != std::string::npos)) {
      continue;
    }
    out += has_query ? "&" : "?";
    out += kv;
    has_query = true;
  }
  return out;
}

void ServerSideKeepalive(pqxx::transaction_base& t) {
  t.exec("SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2;"
         " SET tcp_keepalives_count = 3; SET tcp_user_timeout = 10000");
}

Status MigrateCluster(pqxx::connection& c) { return Migrate(c, "cluster", kClusterSteps); }

}  // namespace coolpapers::store::postgres
