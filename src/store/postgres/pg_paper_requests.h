#pragma once
// PgPaperRequests: papers readers asked for on any serve node, kept in PostgreSQL
// (cluster_paper_requests) for the node that holds the harvester role to fetch. A reader's node
// records the request (Request) and reads its state from the same row; the leader takes queued
// requests (Take), fetches them and settles them (Settle). The per-client and total limits
// count the pending rows of the whole cluster.
//
// States (the names web/ shows): "queued", "fetching", "stored", "not found", "failed".

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace coolpapers::store::postgres {

struct PaperRequest {
  std::string id;
  std::string client;
};

struct PaperRequestLimits {
  std::size_t per_client = 20;  // pending (queued or fetching) requests of one client
  std::size_t total = 1000;     // pending requests in all
  // A request that ended "not found" or "failed" answers so for this long before it may be
  // asked again.
  std::chrono::seconds recheck_after{600};
};

class PgPaperRequests {
 public:
  // Connects and migrates component "cluster"; fails naming the URL (without its password).
  static Result<std::unique_ptr<PgPaperRequests>> Open(const std::string& url,
                                                       PaperRequestLimits limits = {});
  ~PgPaperRequests();
  PgPaperRequests(const PgPaperRequests&) = delete;
  PgPaperRequests& operator=(const PgPaperRequests&) = delete;

  // Asks for paper `id` (a base id, not stored) for `client`; returns the request's state:
  // a pending one as it is, a recent "not found" / "failed" as it is, else "queued" again.
  // Refuses with kResourceExhausted (this client has per_client pending) or kUnavailable (total
  // pending, or PostgreSQL unreachable); the message says what to do.
  Result<std::string> Request(const std::string& id, const std::string& client);
  // The state of `id`'s request, "" when there is none.
  Result<std::string> State(const std::string& id);
  // The leader: up to `limit` queued requests, oldest first, now "fetching".
  Result<std::vector<PaperRequest>> Take(std::size_t limit);
  // The leader: `id`'s request is now `state` ("stored", "not found", "failed", or "queued" to
  // try again later).
  Status Settle(const std::string& id, const std::string& state);
  // A new leader: requests a previous leader was fetching go back to the queue. The count.
  Result<int> RequeueFetching();

 private:
  struct Impl;
  explicit PgPaperRequests(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace coolpapers::store::postgres
