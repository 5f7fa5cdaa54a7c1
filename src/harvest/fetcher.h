#pragma once
// Fetcher: the one way coolpapers talks to arXiv (listings, metadata, single papers, PDFs).
// PoliteFetcher (polite_fetcher.h) serialises every request process-wide: at most one in flight,
// at least `interval` between request starts, highest priority first, Retry with backoff and
// Retry-After on timeouts/resets/5xx/429, no retry on other 4xx.

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "core/status.h"

namespace coolpapers::harvest {

enum class FetchPriority {
  kAnnouncement = 0,  // today's announcement (highest)
  kReader = 1,        // a reader is waiting (missing paper, PDF for a FAQ)
  kBackfill = 2,      // history, gap filling (lowest)
};

struct FetchRequest {
  std::string url;
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
  int attempts = 1;
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Blocks until the request ran (queued behind others). Returns the final 2xx response, or
  // the error after retries: kNotFound for 404, kInvalidArgument for other 4xx,
  // kUnavailable/kDeadlineExceeded when transient failures persisted.
  virtual Result<FetchResponse> Fetch(const FetchRequest& req) = 0;
  // Requests waiting (not counting the one in flight).
  virtual std::size_t QueueDepth() const = 0;
};

// Where arXiv lives. `base_url` empty means arXiv's real hosts; otherwise every URL is
// base_url + the path shown.
struct ArxivEndpoints {
  std::string base_url;

  std::string Rss(const std::string& categories) const;     // /rss/<cat>[+<cat>...]
  std::string Oai() const;                                   // /oai
  std::string ApiQuery() const;                              // /api/query
  std::string Pdf(const std::string& id_with_version) const; // /pdf/<id>
  std::string Abs(const std::string& id) const;              // /abs/<id>
  std::string ListNew(const std::string& category) const;    // /list/<cat>/new
};

}  // namespace coolpapers::harvest
