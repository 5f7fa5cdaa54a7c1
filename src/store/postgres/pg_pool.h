#pragma once
// PgPool: a small bounded pool of PostgreSQL connections shared by every thread of a store.
//
//   PgPool pool(url, 8);
//   Status st = pool.Run("reading paper " + id, [&](pqxx::connection& c) -> Status {
//     pqxx::read_transaction t(c);
//     ...
//     return Status::Ok();
//   });
//
// Run borrows a connection (opening one when none is idle and fewer than `max` are open,
// otherwise waiting for one to come back), calls the function, and returns the connection.
// Exceptions never escape: they become a Status through PgError naming `doing`. A connection
// that broke (server restarted, backend terminated) is dropped, not returned; when a reused
// connection turns out to be broken, the idle ones are dropped too and the call is run once more
// on a fresh connection, so a server restart or a terminated backend never fails a request.
// The function must therefore be safe to run twice: it starts from scratch (its transaction
// rolled back) and sets its outputs anew.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "core/status.h"

namespace coolpapers::store::postgres {

class PgPool {
 public:
  PgPool(std::string url, size_t max_connections);
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  Status Run(std::string_view doing, const std::function<Status(pqxx::connection&)>& fn);

  const std::string& url() const { return url_; }
  // Connections opened so far (replacements included), for tests and logs.
  size_t opened() const;

 private:
  // A borrowed connection; `reused` when it came from the idle list (it may have broken while
  // idle).
  struct Borrowed {
    std::unique_ptr<pqxx::connection> conn;
    bool reused = false;
  };
  Result<Borrowed> Acquire();
  void Release(std::unique_ptr<pqxx::connection> c, bool broken);
  // Closes every idle connection (after one of them was found broken).
  void DropIdle();

  const std::string url_;
  const size_t max_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  size_t open_ = 0;    // borrowed + idle
  size_t opened_ = 0;  // ever opened
};

// A PostgreSQL array literal ('{"a","b"}') of `items`, for `= ANY($1::text[])` and unnest.
std::string TextArray(const std::vector<std::string>& items);

}  // namespace coolpapers::store::postgres
