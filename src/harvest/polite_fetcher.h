#pragma once
// PoliteFetcher: the process-wide Fetcher for arXiv, built on libcurl.
//
// One worker thread executes a priority queue: at most one request is in flight, request
// starts (retries included) are at least `interval` apart, higher priority first and FIFO
// within a priority. Each request is retried with core::Retry on timeouts, resets, truncated
// bodies, 5xx and 429 (honouring Retry-After, seconds or HTTP-date); 404/410 and other 4xx fail
// at once. Create one per process and share it (harvester, FAQ PDFs, readers' missing papers).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/retry.h"
#include "harvest/fetcher.h"

namespace coolpapers::harvest {

struct PoliteFetcherOptions {
  // Minimum gap between the starts of two requests (arXiv asks for 3 s).
  std::chrono::milliseconds interval{3000};
  // Contact shown in the User-Agent: "coolpapers/0.1 (+<contact>)". Empty: the project URL.
  std::string contact;
  std::chrono::milliseconds connect_timeout{15000};
  long max_redirects = 5;
  core::RetryPolicy retry;  // default: 5 attempts, 1 s .. 60 s backoff, Retry-After <= 10 min
  core::Clock* clock = nullptr;  // nullptr: the system clock
};

// Counters for /metrics and the harvest summary. `requests` counts attempts by outcome:
// ok, not_modified, not_found, client_error, rate_limited, server_error, timeout,
// network_error, truncated, too_large, cancelled.
struct FetcherStats {
  std::map<std::string, int64_t> requests;
  int64_t retries = 0;          // attempts beyond the first
  int64_t bytes = 0;            // body bytes received by successful requests
  std::size_t queue_depth = 0;  // waiting, not counting the one in flight
  bool in_flight = false;
  int64_t total_requests() const;
};

// Reads COOLPAPERS_CONTACT (empty when unset).
std::string ContactFromEnv();
// "coolpapers/0.1 (+<contact>)".
std::string UserAgentFor(const std::string& contact);

class PoliteFetcher : public Fetcher {
 public:
  explicit PoliteFetcher(PoliteFetcherOptions options = {});
  // Fails every request still queued with kCancelled and joins the worker.
  ~PoliteFetcher() override;
  PoliteFetcher(const PoliteFetcher&) = delete;
  PoliteFetcher& operator=(const PoliteFetcher&) = delete;

  Result<FetchResponse> Fetch(const FetchRequest& req) override;
  std::size_t QueueDepth() const override;

  // Queues `req` and returns at once; the future yields what Fetch would have returned.
  std::future<Result<FetchResponse>> FetchAsync(const FetchRequest& req);

  FetcherStats Stats() const;
  const std::string& user_agent() const { return user_agent_; }
  std::chrono::milliseconds interval() const { return options_.interval; }

 private:
  struct Job {
    FetchRequest req;
    uint64_t seq = 0;
    std::promise<Result<FetchResponse>> done;
  };
  class StoppableClock;

  void WorkerLoop();
  Result<FetchResponse> Execute(const FetchRequest& req);
  // Sleeps until `interval` after the previous start; false when the fetcher is stopping.
  bool WaitForSlot();
  void Count(const std::string& outcome);

  PoliteFetcherOptions options_;
  std::string user_agent_;
  core::Clock* clock_;
  std::unique_ptr<StoppableClock> stoppable_clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, std::deque<Job>> queues_;  // by priority, lowest value first
  uint64_t next_seq_ = 0;
  bool stopping_ = false;
  bool in_flight_ = false;
  FetcherStats stats_;

  // Worker-only state.
  void* curl_ = nullptr;  // CURL*, reused for keep-alive
  bool started_any_ = false;
  std::chrono::steady_clock::time_point last_start_{};

  std::thread worker_;
};

}  // namespace coolpapers::harvest
