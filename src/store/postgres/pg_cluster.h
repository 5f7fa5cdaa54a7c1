#pragma once
// What the serve nodes of one site share in PostgreSQL besides the store's rows: the schema of
// component "cluster" (the end of the last request to each upstream site, papers readers asked
// for on nodes that do not fetch them), the advisory lock spaces of cluster roles and upstream
// sites, and connection settings that notice a silently dead peer.

#include <string>

#include "core/status.h"
#include "store/postgres/pg_connection.h"

namespace coolpapers::store::postgres {

// Advisory lock spaces (the first key of pg_try_advisory_lock(int, int); the second is
// hashtext(name)), distinct from the single-key locks of the migrations.
inline constexpr int kRoleLockSpace = 0x63706c31;  // "cpl1": a cluster role ("harvester")
inline constexpr int kSiteLockSpace = 0x63707331;  // "cps1": an upstream site's request turn

// `url` with TCP keepalives and a user timeout (a peer that stops answering is given up after
// about 10 s instead of the kernel's minutes) and a connect timeout; settings already in the
// URL are kept.
std::string ClusterConnectionUrl(const std::string& url);

// Asks the server to probe this session's client too, so the session (and the advisory locks
// it holds) ends within about 15 s of its client going silent, not hours. Idempotent.
void ServerSideKeepalive(pqxx::transaction_base& t);

// Brings component "cluster" to its latest version.
Status MigrateCluster(pqxx::connection& c);

}  // namespace coolpapers::store::postgres
