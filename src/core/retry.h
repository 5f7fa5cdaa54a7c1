#pragma once
// Retry: the one retry loop used for every network step.
//
//   for (Retry r(policy, "fetch " + url); r.next();) {
//     auto resp = client.Get(url);
//     if (!resp.ok()) { r.fail(resp.status()); continue; }     // transient: try again
//     if (resp.status_code == 404) { r.abort(Status::NotFound(...)); break; }  // permanent
//     if (resp.retry_after) r.retry_after(*resp.retry_after);
//     ...; r.ok();
//   }
//   if (!r.succeeded()) return r.status();
//
// next() returns true for the first attempt at once; before each later attempt it sleeps
// (exponential backoff with jitter, capped, or the server's Retry-After if larger) and
// returns false when the previous attempt succeeded, was aborted, or attempts are used up.
// It never sleeps after the last attempt. Each failure is logged with the attempt number.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/status.h"

namespace coolpapers::core {

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  double multiplier = 2.0;
  // Upper bound on a server's Retry-After we are willing to honour per wait.
  std::chrono::milliseconds max_retry_after{std::chrono::minutes(10)};
  uint64_t jitter_seed = 0;  // 0: seeded from the clock
  // The part of each backoff always waited: 0 is full jitter (uniform in [0, backoff]), 0.5
  // waits between half and all of it, so successive waits grow for sure.
  double min_jitter_fraction = 0.0;
};

class Retry {
 public:
  Retry(const RetryPolicy& policy, std::string what, Clock& clock = SystemClock());

  bool next();                         // see header comment
  void ok();                           // the current attempt succeeded
  void fail(Status why);               // the current attempt failed transiently
  void abort(Status why);              // permanent failure: stop without further attempts
  void retry_after(std::chrono::milliseconds d);  // server asked to wait at least d

  bool succeeded() const { return succeeded_; }
  int attempts() const { return attempt_; }     // attempts started so far
  int failures() const { return failures_; }
  const Status& status() const { return last_; }  // ok when succeeded, else the last failure
  std::chrono::milliseconds total_waited() const { return waited_; }

 private:
  std::chrono::milliseconds NextDelay();

  RetryPolicy policy_;
  std::string what_;
  Clock& clock_;
  int attempt_ = 0;
  int failures_ = 0;
  bool succeeded_ = false;
  bool aborted_ = false;
  std::optional<std::chrono::milliseconds> retry_after_;
  Status last_ = Status::Unavailable("no attempt made");
  std::chrono::milliseconds waited_{0};
  uint64_t rng_state_;
};

}  // namespace coolpapers::core
