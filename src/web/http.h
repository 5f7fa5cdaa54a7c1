#pragma once
// The server's request/response types, independent of Boost.Beast, so handlers and their tests
// never include Beast.

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
  std::string client_ip;
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

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  // When set, the server sends the status and headers, then runs `stream` on a worker thread
  // (never an I/O thread) with a sink that writes chunked body data until it returns.
  std::function<void(ChunkSink&)> stream;
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
