#pragma once
// PgFaqJobs: SharedFaqJobs on PostgreSQL (tables faq_jobs, faq_client_starts, faq_token_usage;
// component "faq_jobs" of postgres::Migrate). One connection per instance, used under a lock and
// opened again after it broke; a node keeps one instance for all its FAQ jobs.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <pqxx/pqxx>

#include "store/faq_jobs.h"

namespace coolpapers::store::postgres {

class PgFaqJobs : public SharedFaqJobs {
 public:
  // Connects and migrates; the lease is clamped to 1..60 s.
  static Result<std::unique_ptr<PgFaqJobs>> Open(const std::string& url, std::string node_id,
                                                 std::chrono::seconds lease);

  const std::string& node_id() const override { return node_id_; }
  std::chrono::seconds lease() const override { return lease_; }

  Result<ClaimResult> Claim(const SharedFaqJobSpec& spec, bool restart) override;
  Result<bool> Renew(const std::string& key, int64_t generation) override;
  Result<bool> Progress(const std::string& key, int64_t generation,
                        const SharedFaqProgress& progress) override;
  Result<bool> Complete(const std::string& key, int64_t generation, const SharedFaqProgress& faq,
                        const std::string& created) override;
  Result<bool> Fail(const std::string& key, int64_t generation, const std::string& error) override;
  Result<bool> Release(const std::string& key, int64_t generation) override;
  Result<std::optional<SharedFaqJob>> Get(const std::string& key) override;
  Result<std::vector<SharedFaqJob>> Expired(int limit) override;

  Result<bool> TakeClientStart(const std::string& client, int per_hour,
                               std::chrono::seconds* wait) override;
  Result<int64_t> AddTokens(const std::string& day, int64_t tokens) override;
  Result<int64_t> TokensOn(const std::string& day) override;

 private:
  PgFaqJobs(std::string url, std::string node_id, std::chrono::seconds lease,
            std::unique_ptr<pqxx::connection> conn);
  // The connection (opened again when it broke). Call under mu_.
  Result<pqxx::connection*> ConnLocked();
  // Runs `fn(conn)` under the lock; a broken connection is dropped (the next call reconnects)
  // and every exception becomes a Status saying `doing`.
  template <class T, class F>
  Result<T> Run(const char* doing, F fn);
  const std::string url_;
  const std::string node_id_;
  const std::chrono::seconds lease_;
  std::mutex mu_;
  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace coolpapers::store::postgres
