// OpenStore: picks the Store implementation named by a --db URL.

#include <filesystem>
#include <system_error>

#include "core/text.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace coolpapers::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& url) {
  if (postgres::IsPostgresUrl(url)) {
    Result<std::unique_ptr<postgres::PostgresStore>> s = postgres::PostgresStore::Open(url);
    if (!s) return Err(s.error());
    return std::unique_ptr<Store>(std::move(*s));
  }
  if (!core::StartsWith(url, "sqlite:")) {
    return Err(Status::InvalidArgument(
        "unknown database URL '" + postgres::RedactUrl(url) +
        "'; use sqlite:PATH (e.g. sqlite:var/coolpapers.db) or "
        "postgresql://user@host:port/database"));
  }
  std::string path = url.substr(7);
  if (core::StartsWith(path, "//")) path = path.substr(2);  // sqlite:///abs/path
  if (path.empty()) {
    return Err(
        Status::InvalidArgument("database URL '" + url + "' has no file path; use sqlite:PATH"));
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Err(Status::Unavailable("cannot create directory " + parent.string() + " for " + url +
                                     ": " + ec.message() + "; choose a writable --db location"));
    }
  }
  Result<std::unique_ptr<sqlite::SqliteStore>> s = sqlite::SqliteStore::Open(path);
  if (!s) return Err(s.error());
  return std::unique_ptr<Store>(std::move(*s));
}

}  // namespace coolpapers::store
