#pragma once
// Response finishing: the one place that turns a handler's web::Response into what goes on the
// wire — security headers, content negotiation (precompressed or on-the-fly gzip/brotli),
// ETag / If-None-Match (304), HEAD, Content-Length or chunked streaming. Server-internal: this
// header includes Beast, handlers never need it.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>

#include "web/http.h"

namespace coolpapers::web {

// A Beast body type over shared immutable bytes: serializing it copies nothing, and the bytes
// stay alive (via `owner`) until the write completes.
struct SharedBody {
  struct value_type {
    std::shared_ptr<const std::string> owner;
    std::string_view view;
  };
  static std::uint64_t size(const value_type& v) { return v.view.size(); }

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;
    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& b) : body_(b) {}
    void init(boost::system::error_code& ec) { ec = {}; }
    boost::optional<std::pair<const_buffers_type, bool>> get(boost::system::error_code& ec) {
      ec = {};
      if (done_ || body_.view.empty()) return boost::none;
      done_ = true;
      return std::make_pair(const_buffers_type(body_.view.data(), body_.view.size()), false);
    }

   private:
    const value_type& body_;
    bool done_ = false;
  };
};

using WireResponse = boost::beast::http::response<SharedBody>;

// The Content-Security-Policy sent on every response unless a handler sets its own.
extern const std::string_view kContentSecurityPolicy;

// A strong ETag ("\"<hash>-<size>\"") for `bytes`, stable for the life of the build.
std::string ContentEtag(std::string_view bytes);

// Builds the wire response for `r` answering `req` (HTTP `version` 10 or 11). Consumes r.body
// (moved, not copied). For r.stream / r.async_stream the result is the header only, with chunked encoding set;
// the caller runs the stream. `keep_alive` is applied as the Connection semantics.
WireResponse FinishResponse(const Request& req, Response& r, unsigned version, bool keep_alive);

// The status line and header fields of `w` as sent on the wire, ending with the empty line.
std::string RenderHead(const WireResponse& w);

}  // namespace coolpapers::web
