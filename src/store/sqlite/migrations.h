#pragma once
// Versioned schema migrations for SqliteStore. Each step is applied once, in order, inside a
// transaction that also records its number in `schema_version`; a database created by a newer
// coolpapers (higher version than this binary knows) is refused rather than misread.

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

namespace coolpapers::store::sqlite {

// The schema version this binary writes.
int LatestSchemaVersion();

// Brings the database on `c` up to LatestSchemaVersion(). Safe to call concurrently from
// several processes (the write lock serialises them; each step is checked inside it).
Status Migrate(Connection& c);

// The version recorded in the database (0 for a new, empty one).
Result<int> SchemaVersion(Connection& c);

// The change sequence (table change_seq, schema 1): every write to a row that derived indexes
// read bumps it; write it only on the writer connection, inside the batch transaction.
Result<int64_t> ReadChangeSeq(Connection& c);
Status WriteChangeSeq(Connection& c, int64_t v);

}  // namespace coolpapers::store::sqlite
