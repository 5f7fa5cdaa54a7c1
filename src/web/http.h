#pragma once
// The server's request/response types, independent of Boost.Beast, so handlers and their tests
// never include Beast.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace coolpapers::web {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw target, e.g. "/arxiv/cs.CL?date=2026-07-01"
  std::string path;    // percent-decoded path, e.g. "/arxiv/cs.CL"
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::map<std::string, std::string> headers;     // lower-case names
  std::string body;
  // The client's address: the socket peer, or what a trusted proxy reports for it
  // (ServerOptions::trusted_proxies). E.g. "203.0.113.7", "2001:db8::1".
  std::string client_ip;
  // The key per-client limits count by: the IPv4 address (also for IPv4-mapped IPv6), or the
  // /64 prefix of an IPv6 address ("2001:db8:0:1::/64"), so one host cannot multiply its
  // allowance by rotating through the addresses of its subnet.
  std::string client_key;
  // client_key, or client_ip where no server filled it in (requests built by hand in tests).
  const std::string& ClientKey() const { return client_key.empty() ? client_ip : client_key; }
  // Path segments captured by the matched route's `*` / `**` wildcards, in order.
  std::vector<std::string> captures;

  // First value of a query parameter, or `fallback`.
  std::string Param(std::string_view name, std::string_view fallback = "") const;
  bool HasParam(std::string_view name) const;
  std::string Header(std::string_view lower_name) const;
};

// Where a streaming handler writes its body. Write returns false once the client has gone;
// the producer should then stop (a job it started may continue elsewhere).
class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  virtual bool Write(std::string_view data) = 0;
};

// Where an asynchronous streaming handler writes its body (Response::async_stream). Every
// method may be called from any thread; nothing blocks. The connection stays open until
// Close() or until every reference to the sink is gone (then the body is cut off: the client
// sees a truncated response).
class AsyncChunkSink {
 public:
  virtual ~AsyncChunkSink() = default;
  // Queues `data` as one chunk (chunks go out in call order). `done(ok)` runs on the
  // connection's strand once the chunk was written (true) or could not be (false: the client
  // has gone, a write timed out, or the server is stopping; when the connection no longer
  // exists at all, at once on the calling thread); after a false, stop producing. Empty data
  // completes with true.
  virtual void Write(std::string data, std::function<void(bool ok)> done) = 0;
  // Runs `fn` on the connection's strand (no I/O thread ever waits for the producer).
  virtual void Post(std::function<void()> fn) = 0;
  // Runs `fn` on the connection's strand after `delay`, unless the stream has ended by then.
  virtual void After(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  // Ends the body after the queued chunks (terminating chunk; the connection can be reused).
  virtual void Close() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  // When set, the server sends the status and headers, then runs `stream` on a worker thread
  // (never an I/O thread) with a sink that writes chunked body data until it returns.
  std::function<void(ChunkSink&)> stream;
  // When set, the server sends the status and headers, then calls `async_stream` once on the
  // connection's strand with a sink the handler keeps (and writes to from any thread) for as
  // long as the body lasts. No thread is held while the producer waits: use this for long-lived
  // streams (Server-Sent Events) instead of `stream`.
  std::function<void(std::shared_ptr<AsyncChunkSink>)> async_stream;
  // When set, the response is computed by `deferred()` on the server's bounded CPU pool (for
  // CPU-heavy handlers such as search) and then sent like any other response; the I/O thread
  // does not wait for it. When the pool's queue is full the client gets 503 + Retry-After.
  std::function<Response()> deferred;
  // When set, the body is already gzip-compressed (cached pages); the server sends it as is
  // with Content-Encoding: gzip if the client accepts gzip, else `body`.
  std::shared_ptr<const std::string> gzip_body;
  std::shared_ptr<const std::string> brotli_body;
  // Strong ETag for conditional GETs ("" = none).
  std::string etag;
  // When set, the body bytes are shared and immutable (cached pages, static files); `body` is
  // then ignored and the server sends these bytes without copying them.
  std::shared_ptr<const std::string> shared_body;

  // The identity body: *shared_body when set, else body.
  std::string_view BodyView() const { return shared_body ? *shared_body : std::string_view(body); }

  void SetHeader(std::string name, std::string value);
};

using Handler = std::function<Response(const Request&)>;

}  // namespace coolpapers::web
