#include "store/leadership.h"

#include "core/text.h"
#include "store/postgres/pg_leadership.h"

namespace coolpapers::store {

Result<std::unique_ptr<Leadership>> OpenLeadership(const std::string& db_url,
                                                   const std::string& role,
                                                   const LeadershipOptions& options) {
  if (core::StartsWith(db_url, "postgresql://") || core::StartsWith(db_url, "postgres://")) {
    return std::unique_ptr<Leadership>(
        std::make_unique<postgres::PgLeadership>(db_url, role, options));
  }
  if (core::StartsWith(db_url, "sqlite:")) return std::unique_ptr<Leadership>();
  return Err(Status::InvalidArgument("unknown database URL '" + db_url +
                                     "'; use sqlite:PATH or postgresql://user@host:port/db"));
}

}  // namespace coolpapers::store
