#pragma once
// PostgreSQL primitives shared by the PostgreSQL store and the cluster coordination built on the
// same database: connecting with errors that name the URL and the fix, and versioned schema
// migrations per component.
//
//   Result<std::unique_ptr<pqxx::connection>> c = postgres::Connect(url);
//   Status st = postgres::Migrate(**c, "store", kStoreSteps);
//
// Each component ("store", "faq_jobs", ...) has its own ordered list of steps; step i (1-based)
// brings that component to version i. Never edit a step that has shipped: append a new one.
// Several processes migrating at once (two nodes starting together) are serialised by an
// advisory lock, so each step runs once.

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

#include "core/status.h"
#include "store/postgres/pg_url.h"

namespace coolpapers::store::postgres {

// A new connection to `url`; the error names the URL (without its password) and what to check.
Result<std::unique_ptr<pqxx::connection>> Connect(const std::string& url);

// Runs the steps of `component` above its stored version, each in its own transaction together
// with its version record. A database whose version is above the steps known here fails with
// FailedPrecondition naming both versions.
Status Migrate(pqxx::connection& c, std::string_view component,
               std::span<const char* const> steps);

// The stored version of `component` (0 when never migrated).
Result<int> SchemaVersion(pqxx::connection& c, std::string_view component);

// A Status from a libpqxx exception: what was being done, the server's message, and a hint.
Status PgError(std::string_view doing, const std::exception& e);

}  // namespace coolpapers::store::postgres
