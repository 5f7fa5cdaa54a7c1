#pragma once
// Limits on starting new FAQ generations: a token bucket per client address and a daily token
// budget for the whole server. Both answer "no" with how long to wait, so the reader can be
// told why and when to retry. Joining a running job or reading a cached FAQ is never limited.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "store/faq_jobs.h"

namespace coolpapers::llm {

// `per_hour` starts per client, refilled continuously (burst up to `per_hour`). 0 disables.
class ClientRateLimiter {
 public:
  ClientRateLimiter(int per_hour, core::Clock& clock);
  // Takes one start for `client`; false (with the wait until one is available) when none left.
  bool TryAcquire(const std::string& client, std::chrono::seconds* retry_after);
  int per_hour() const { return per_hour_; }
  // Keeps the buckets in `shared` (several nodes on one database; null: in this process). When
  // the database cannot be reached the bucket of this process decides.
  void Share(store::SharedFaqJobs* shared) { shared_ = shared; }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  void Refill(Bucket& b, std::chrono::steady_clock::time_point now) const;

  int per_hour_;
  core::Clock& clock_;
  store::SharedFaqJobs* shared_ = nullptr;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// Tokens used per UTC day. `per_day` 0 disables the limit (usage is still counted).
class DailyTokenBudget {
 public:
  DailyTokenBudget(int64_t per_day, core::Clock& clock);
  // True when today's usage reached the budget; *retry_after = time until 00:00 UTC.
  bool Exhausted(std::chrono::seconds* retry_after);
  void Add(int64_t tokens);
  int64_t used_today();
  int64_t per_day() const { return per_day_; }
  // "YYYY-MM-DD <used>" for the store, and back (a record of another day is ignored).
  std::string Serialize();
  void Restore(const std::string& state);
  // Counts the usage in `shared` (several nodes on one database; null: in this process). When
  // the database cannot be reached this process's own count decides.
  void Share(store::SharedFaqJobs* shared) { shared_ = shared; }

 private:
  std::string Today() const;
  // Today's usage by every node (RollLocked first); this process's count when not shared.
  int64_t SharedUsedLocked();
  void RollLocked();

  int64_t per_day_;
  core::Clock& clock_;
  store::SharedFaqJobs* shared_ = nullptr;
  std::mutex mu_;
  std::string day_;
  int64_t used_ = 0;
};

// "5 min", "2 h 5 min", "40 s": a wait for people.
std::string HumanDuration(std::chrono::seconds d);

}  // namespace coolpapers::llm
