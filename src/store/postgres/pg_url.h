#pragma once
// PostgreSQL URLs, without libpqxx: usable outside src/store (messages, logs).

#include <string>
#include <string_view>

namespace coolpapers::store::postgres {

// True for "postgresql://..." and "postgres://..." URLs.
bool IsPostgresUrl(std::string_view url);

// `url` with any password replaced by "***", for messages and logs.
std::string RedactUrl(std::string_view url);

}  // namespace coolpapers::store::postgres
