#pragma once
// FetchTransport: one HTTP GET, nothing more. PoliteFetcher decides when to send (spacing,
// retries, redirects); the transport only sends. The default is libcurl (MakeCurlTransport);
// tests pass a fake one that runs on a fake clock.
//
// Contract: one call sends at most one HTTP request. Redirects are not followed (a 3xx comes
// back with `redirect_url`), and a kept-alive connection that turns out dead is reported as a
// kNetwork failure instead of being re-sent at once on a fresh connection (libcurl's own
// retry), so every request on the wire passes through the fetcher's politeness.

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "harvest/fetcher.h"

namespace coolpapers::harvest {

struct TransportReply {
  enum class Failure {
    kNone,       // an HTTP response arrived (any status)
    kTimeout,    // the per-call timeout passed
    kTruncated,  // the body was cut short
    kNetwork,    // reset, refused, DNS, connection closed before a reply
    kBadUrl,     // malformed URL or a protocol other than http(s)
    kTooLarge,   // the body exceeded the request's max_bytes
  };
  Failure failure = Failure::kNone;
  std::string error;  // what went wrong, for kNone empty
  int http_status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string redirect_url;                    // absolute target of a 3xx, else empty
};

class FetchTransport {
 public:
  virtual ~FetchTransport() = default;
  // GETs `url` with `req`'s headers and byte limit, giving up after `timeout` in total.
  // Called from one thread at a time.
  virtual TransportReply Get(const std::string& url, const FetchRequest& req,
                             std::chrono::milliseconds timeout) = 0;
};

// libcurl, one reused handle (keep-alive), http and https only.
std::unique_ptr<FetchTransport> MakeCurlTransport(std::string user_agent,
                                                  std::chrono::milliseconds connect_timeout);

}  // namespace coolpapers::harvest
