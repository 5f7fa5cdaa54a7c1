#pragma once
// Fetcher: the one way coolpapers talks to arXiv (listings, metadata, single papers, PDFs).
// PoliteFetcher (polite_fetcher.h) serialises every request process-wide: at most one in flight,
// at least `interval` from the end of one request to the start of the next (retries and
// redirects included), listings before paper metadata before PDFs, Retry with backoff and
// Retry-After on timeouts/resets/5xx/429, no retry on other 4xx.

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "core/status.h"

namespace coolpapers::net {

enum class FetchPriority {
  kAnnouncement = 0,  // today's announcement (highest)
  kReader = 1,        // a reader is waiting (missing paper, PDF for a FAQ)
  kBackfill = 2,      // history, gap filling (lowest)
};

// What a request is for. The fetcher serves kinds in this order before priorities, so a
// listing harvest never waits behind PDF downloads; PDFs also get a bounded time and tries
// (PoliteFetcherOptions::pdf_total, pdf_max_attempts).
enum class FetchKind {
  kListing = 0,   // RSS feeds, OAI-PMH pages
  kMetadata = 1,  // the API for papers by id (the default)
  kPdf = 2,       // full texts for FAQs
};

struct FetchRequest {
  std::string url;
  FetchKind kind = FetchKind::kMetadata;
  FetchPriority priority = FetchPriority::kBackfill;
  std::string what;                        // for logs and errors, e.g. "RSS cs.CL"
  std::size_t max_bytes = 64u << 20;       // larger bodies fail with kResourceExhausted
  std::chrono::seconds timeout{60};        // total per attempt
  // Extra request headers, e.g. If-Modified-Since / If-None-Match for conditional requests;
  // when such a header is sent, a 304 Not Modified is returned as a response (not an error).
  std::map<std::string, std::string> headers;
  // When true, a 4xx other than 404/410/429 is returned as a response (with its body, e.g. the
  // arXiv API's Atom "Error" entry) instead of failing with kInvalidArgument.
  bool accept_client_errors = false;
};

struct FetchResponse {
  int http_status = 0;
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> headers;  // lower-case names
  int attempts = 1;         // requests made, failed ones and redirects not counted
  int failed_attempts = 0;  // attempts that failed (reset, timeout, 5xx, 429) before this one
};

// How many attempts a Fetch made, reported even when it failed.
struct FetchAttempts {
  int attempts = 0;
  int failed = 0;
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Blocks until the request ran (queued behind others). Returns the final 2xx response, or
  // the error after retries: kNotFound for 404, kInvalidArgument for other 4xx,
  // kUnavailable/kDeadlineExceeded when transient failures persisted.
  virtual Result<FetchResponse> Fetch(const FetchRequest& req) = 0;
  // Fetch, also giving the attempt counts in `*attempts` (when not null), on failure too. The
  // default knows only what the response says (one failed attempt when it fails).
  virtual Result<FetchResponse> FetchCounted(const FetchRequest& req, FetchAttempts* attempts) {
    auto r = Fetch(req);
    if (attempts) {
      attempts->attempts = r ? r->attempts : 1;
      attempts->failed = r ? r->failed_attempts : 1;
    }
    return r;
  }
  // Requests waiting (not counting the one in flight).
  virtual std::size_t QueueDepth() const = 0;
};


}  // namespace coolpapers::net
