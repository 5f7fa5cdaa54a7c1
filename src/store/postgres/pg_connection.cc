#include "store/postgres/pg_connection.h"

#include <string>

namespace coolpapers::store::postgres {
namespace {

// Any 64-bit key works as long as every migrator uses the same one.
constexpr long long kMigrationLockKey = 0x636f6f6c70617072LL;  // "coolpapr"

void EnsureVersionTable(pqxx::connection& c) {
  pqxx::nontransaction n(c);
  n.exec(
      "CREATE TABLE IF NOT EXISTS schema_versions ("
      " component TEXT NOT NULL, version INTEGER NOT NULL,"
      " applied TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (component, version))");
}

}  // namespace

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::string RedactUrl(std::string_view url) {
  std::string out(url);
  size_t scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  size_t at = out.find('@', scheme + 3);
  if (at == std::string::npos) return out;
  size_t colon = out.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return out;
  return out.substr(0, colon + 1) + "***" + out.substr(at);
}

Status PgError(std::string_view doing, const std::exception& e) {
  std::string what = e.what();
  while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return Status::Unavailable(std::string(doing) + ": lost the connection to PostgreSQL (" +
                               what + "); check that the server is running, then retry");
  }
  return Status::Internal(std::string(doing) + ": " + what);
}

Result<std::unique_ptr<pqxx::connection>> Connect(const std::string& url) {
  try {
    auto c = std::make_unique<pqxx::connection>(url);
    return c;
  } catch (const std::exception& e) {
    std::string what = e.what();
    while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
    return Err(Status::Unavailable(
        "cannot connect to PostgreSQL at " + RedactUrl(url) + ": " + what +
        "; check that the server runs and the URL is postgresql://user@host:port/database"));
  }
}

Result<int> SchemaVersion(pqxx::connection& c, std::string_view component) {
  try {
    EnsureVersionTable(c);
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec_params(
        "SELECT COALESCE(MAX(version), 0) FROM schema_versions WHERE component = $1",
        std::string(component));
    return r[0][0].as<int>();
  } catch (const std::exception& e) {
    return Err(PgError("reading the schema version of " + std::string(component), e));
  }
}

Status Migrate(pqxx::connection& c, std::string_view component,
               std::span<const char* const> steps) {
  const std::string comp(component);
  const int latest = static_cast<int>(steps.size());
  try {
    EnsureVersionTable(c);
  } catch (const std::exception& e) {
    // Two migrators creating the table at once: one of them loses the race, which is fine.
    try {
      pqxx::nontransaction n(c);
      n.exec("SELECT 1 FROM schema_versions LIMIT 1");
    } catch (const std::exception&) {
      return PgError("creating schema_versions", e);
    }
  }
  for (;;) {
    try {
      pqxx::work w(c);
      w.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
      pqxx::result r = w.exec_params(
          "SELECT COALESCE(MAX(version), 0) FROM schema_versions WHERE component = $1", comp);
      int current = r[0][0].as<int>();
      if (current > latest) {
        return Status::FailedPrecondition(
            "database has " + comp + " schema version " + std::to_string(current) +
            " but this coolpapers knows only up to " + std::to_string(latest) +
            "; upgrade coolpapers or use another --db");
      }
      if (current == latest) {
        w.commit();
        return Status::Ok();
      }
      int v = current + 1;
      try {
        w.exec(steps[v - 1]);
      } catch (const std::exception& e) {
        return PgError("migration " + comp + " " + std::to_string(v), e);
      }
      w.exec_params("INSERT INTO schema_versions (component, version) VALUES ($1, $2)", comp, v);
      w.commit();
    } catch (const std::exception& e) {
      return PgError("migrating the " + comp + " schema", e);
    }
  }
}

}  // namespace coolpapers::store::postgres
