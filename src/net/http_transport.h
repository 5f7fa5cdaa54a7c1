#pragma once
// HttpTransport: one HTTP exchange, nothing more; the only code in coolpapers that talks to the
// network (libcurl, MakeCurlTransport). Callers decide when to send and what to do with the
// answer: PoliteFetcher spaces, retries and follows redirects; the LLM chat client streams an
// answer; the embedding client posts batches. Tests pass fakes.
//
// Contract: one Send sends at most one HTTP request (unless HttpRequest::allow_resend).
// Redirects are not followed (a 3xx comes back with `redirect_url`), and a kept-alive
// connection that turns out dead is reported as a kNetwork failure instead of being re-sent at
// once on a fresh connection (libcurl's own retry), so every request on the wire passes through
// the caller's politeness and retries.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace coolpapers::net {

struct HttpRequest {
  std::string method = "GET";  // "GET" or "POST"
  std::string url;             // http or https only
  std::map<std::string, std::string> headers;  // sent as given
  std::string body;                            // POST body
  std::chrono::milliseconds connect_timeout{15000};
  // The whole exchange, connect included; 0: no limit.
  std::chrono::milliseconds timeout{60000};
  // Ends the exchange when no byte arrived for this long; 0: no limit.
  std::chrono::milliseconds idle_timeout{0};
  // Body bytes beyond this fail the exchange with kTooLarge.
  std::size_t max_bytes = 64u << 20;
  // Checked while the exchange runs (about once a second when nothing arrives): when it
  // becomes true the exchange ends with kCancelled. May be null.
  const std::atomic<bool>* cancel = nullptr;
  // Lets libcurl re-send the request at once on a fresh connection when the kept-alive one it
  // picked turns out closed (the server's keep-alive ran out). Off for the polite fetcher,
  // whose every request must wait its gap; on for clients without politeness (LLM, embeddings).
  bool allow_resend = false;
  // Streaming: when set, each piece of the body goes here as it arrives (with the response's
  // status) instead of into HttpReply::body; returning false cuts the exchange (kStopped).
  std::function<bool(int http_status, std::string_view piece)> on_body;
};

struct HttpReply {
  enum class Failure {
    kNone,         // an HTTP response arrived whole (any status)
    kTimeout,      // HttpRequest::timeout or connect_timeout passed
    kIdleTimeout,  // nothing arrived for HttpRequest::idle_timeout
    kCancelled,    // HttpRequest::cancel became true
    kStopped,      // HttpRequest::on_body returned false
    kTruncated,    // the body was cut short
    kNetwork,      // reset, refused, DNS, connection closed before a reply
    kBadUrl,       // malformed URL or a protocol other than http(s)
    kTooLarge,     // the body exceeded HttpRequest::max_bytes
  };
  Failure failure = Failure::kNone;
  std::string error;  // what went wrong, for kNone empty
  bool connected = false;  // a connection to the server was made (false: could not reach it)
  int http_status = 0;
  std::string body;  // unless streamed; empty on failure
  std::map<std::string, std::string> headers;  // lower-case names
  std::string redirect_url;                    // absolute target of a 3xx, else empty
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends `req` and waits for the whole answer (or the failure). Safe to call from several
  // threads at once.
  virtual HttpReply Send(const HttpRequest& req) = 0;
};

// libcurl, http and https only, every encoding libcurl decodes, kept-alive connections reused
// across calls (one per concurrent caller).
std::unique_ptr<HttpTransport> MakeCurlTransport(std::string user_agent);

}  // namespace coolpapers::net
