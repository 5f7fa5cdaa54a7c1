#pragma once
// PoliteFetcher: the polite HTTP client for upstreams that ask to be fetched slowly (arXiv,
// venues), over an HttpTransport (libcurl by default).
//
// One worker thread executes a priority queue: at most one request is in flight; each request
// to a host (retries and redirect hops included) starts at least `interval` after the previous
// one to that host ended, where hosts of one site share their gap (PolitenessKey: arXiv's
// rss., export. and www. hosts count as one). Listings go before paper metadata before PDFs,
// then higher priority first, FIFO within; a request whose host is free goes before one whose
// host is still in its gap. Each request is retried with core::Retry on timeouts, resets and other transport
// errors, truncated bodies, 5xx and 429 (exponential backoff with jitter, capped, or the
// server's Retry-After, seconds or HTTP-date); 404/410 and other 4xx fail at once. A PDF gets
// at most `pdf_max_attempts` tries within `pdf_total`. Create one per process and share it
// (harvester, FAQ PDFs, readers' missing papers). With PoliteFetcherOptions::gate, each request
// also waits for the site's turn among all the processes sharing the gate.

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
#include "net/fetcher.h"
#include "net/http_transport.h"
#include "net/site_gate.h"

namespace coolpapers::net {

struct PoliteFetcherOptions {
  // Minimum gap from the end of one request to a host to the start of the next one to it
  // (arXiv asks for 3 s).
  std::chrono::milliseconds interval{3000};
  // Contact shown in the User-Agent: "coolpapers/0.1 (+<contact>)". Empty: the project URL.
  std::string contact;
  std::chrono::milliseconds connect_timeout{15000};
  long max_redirects = 5;
  // Default: 5 attempts, 1 s .. 60 s backoff (at least half of it waited), Retry-After <= 10 min.
  core::RetryPolicy retry = DefaultFetchRetry();
  // A PDF download (FetchKind::kPdf) gives up after this long in total, waits included, and
  // after this many tries, so it cannot hold the one arXiv worker for long.
  std::chrono::milliseconds pdf_total{60000};
  int pdf_max_attempts = 2;
  core::Clock* clock = nullptr;  // nullptr: the system clock
  HttpTransport* transport = nullptr;  // nullptr: libcurl (tests pass a fake)
  // Shared with other processes so that they all make one request stream per site (see
  // site_gate.h); must outlive the fetcher. nullptr: this process alone spaces its requests.
  SiteGate* gate = nullptr;

  static core::RetryPolicy DefaultFetchRetry() {
    core::RetryPolicy p;
    p.min_jitter_fraction = 0.5;
    return p;
  }
};

// Counters for /metrics and the harvest summary. `requests` counts attempts by outcome:
// ok, not_modified, not_found, client_error, rate_limited, server_error, timeout,
// network_error, truncated, too_large, cancelled.
struct FetcherStats {
  std::map<std::string, int64_t> requests;
  int64_t retries = 0;          // attempts beyond the first
  int64_t failed_attempts = 0;  // attempts that failed transiently (then retried or given up)
  int64_t bytes = 0;            // body bytes received by successful requests
  std::size_t queue_depth = 0;  // waiting, not counting the one in flight
  bool in_flight = false;
  int64_t total_requests() const;
};

// The key that requests sharing one politeness gap have in common: the host of `url` without
// its port, reduced to its last two labels ("export.arxiv.org" -> "arxiv.org"); an IP address
// or a one-label host stays whole. "" for a URL without a host.
std::string PolitenessKey(const std::string& url);

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
  Result<FetchResponse> FetchCounted(const FetchRequest& req, FetchAttempts* attempts) override;
  std::size_t QueueDepth() const override;

  // Queues `req` and returns at once; the future yields what Fetch would have returned.
  std::future<Result<FetchResponse>> FetchAsync(const FetchRequest& req,
                                                FetchAttempts* attempts = nullptr);

  FetcherStats Stats() const;
  const std::string& user_agent() const { return user_agent_; }
  std::chrono::milliseconds interval() const { return options_.interval; }

 private:
  struct Job {
    FetchRequest req;
    std::string host;  // PolitenessKey(req.url)
    uint64_t seq = 0;
    FetchAttempts* attempts = nullptr;  // the caller's, filled before `done` is set
    std::promise<Result<FetchResponse>> done;
  };
  class StoppableClock;
  struct Attempting;  // one request's limits and counts while it runs (polite_fetcher.cc)
  struct Verdict;     // what one reply means: accept it, retry, or give up

  void WorkerLoop();
  // Runs `req` to its end: attempts, redirects, retries.
  Result<FetchResponse> Execute(const FetchRequest& req, FetchAttempts& attempts);
  // One attempt: the request and its redirect hops, each spaced like a request of its own.
  // Fails when the fetcher stops, a PDF's time is spent, or the redirects do not end.
  Status SendFollowingRedirects(Attempting& a, const core::Retry& r, HttpReply& reply);
  // Sorts a reply into accepted, transient (retried) or permanent failure; counts its outcome.
  Verdict Judge(const Attempting& a, HttpReply& reply);
  // The DeadlineExceeded a PDF ends with once its total time is spent.
  Status GiveUp(const Attempting& a, const core::Retry& r) const;
  // Takes the next job to run (see the header comment) out of the queues; false when stopping
  // or none is queued. Called with mu_ held.
  bool TakeNextJob(Job& job);
  // Sleeps until `interval` after the end of the previous request to `host`; false when
  // stopping.
  bool WaitForSlot(const std::string& host);
  // True when a request to `host` may start now.
  bool SlotFree(const std::string& host);
  void Count(const std::string& outcome);

  PoliteFetcherOptions options_;
  std::string user_agent_;
  core::Clock* clock_;
  std::unique_ptr<StoppableClock> stoppable_clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // By (kind, priority), lowest first.
  std::map<std::pair<int, int>, std::deque<Job>> queues_;
  uint64_t next_seq_ = 0;
  bool stopping_ = false;
  bool in_flight_ = false;
  FetcherStats stats_;

  // Worker-only state.
  std::unique_ptr<HttpTransport> own_transport_;
  HttpTransport* transport_;
  // When the last request to each politeness key ended.
  std::map<std::string, std::chrono::steady_clock::time_point> last_end_;

  std::thread worker_;
};

}  // namespace coolpapers::net
