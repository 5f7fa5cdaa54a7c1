// FinishResponse: security headers, negotiation, conditional GET, HEAD; see response_finish.h.

#include "web/response_finish.h"

#include <strings.h>

#include <cstdio>
#include <ctime>
#include <functional>

#include <boost/beast/http/field.hpp>

#include "web/compression.h"

namespace coolpapers::web {

namespace http = boost::beast::http;

const std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-src 'self' https://arxiv.org https://*.arxiv.org; "
    // The reader's inline PDF viewer (PDF.js) fetches the PDF itself.
    "connect-src 'self' https://arxiv.org https://*.arxiv.org; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'";

std::string ContentEtag(std::string_view bytes) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "\"%016zx-%zx\"", std::hash<std::string_view>{}(bytes),
                bytes.size());
  return buf;
}

namespace {

bool HasHeader(const Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) return true;
  }
  return false;
}

// `"abc"` + "gz" -> `"abc-gz"` (the ETag of an encoded variant); W/ prefixes are kept.
std::string VariantEtag(const std::string& etag, std::string_view suffix) {
  if (etag.size() < 2 || etag.back() != '"') return etag;
  std::string out = etag.substr(0, etag.size() - 1);
  out += '-';
  out.append(suffix);
  out += '"';
  return out;
}

std::string_view StripWeak(std::string_view tag) {
  if (tag.size() > 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
  return tag;
}

// Whether If-None-Match (`header`) names `etag` or one of its encoded variants (weak comparison).
bool IfNoneMatchHits(std::string_view header, const std::string& etag) {
  if (header.empty() || etag.empty()) return false;
  std::string_view base = StripWeak(etag);
  std::string gz = VariantEtag(std::string(base), "gz");
  std::string br = VariantEtag(std::string(base), "br");
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return true;
    tag = StripWeak(tag);
    if (tag == base || tag == gz || tag == br) return true;
  }
  return false;
}

// The IMF-fixdate of now, formatted at most once per second per thread.
std::string_view HttpDate() {
  thread_local time_t cached_second = 0;
  thread_local char cached[40];
  time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm;
    gmtime_r(&now, &tm);
    std::strftime(cached, sizeof(cached), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return cached;
}

void SetCommonHeaders(WireResponse& w, const Response& r) {
  w.set(http::field::server, "coolpapers");
  w.set(http::field::date, HttpDate());
  if (!r.content_type.empty()) w.set(http::field::content_type, r.content_type);
  if (!HasHeader(r, "Content-Security-Policy")) {
    w.set("Content-Security-Policy", kContentSecurityPolicy);
  }
  if (!HasHeader(r, "X-Content-Type-Options")) w.set("X-Content-Type-Options", "nosniff");
  if (!HasHeader(r, "Referrer-Policy")) {
    w.set("Referrer-Policy", "strict-origin-when-cross-origin");
  }
  if (!HasHeader(r, "X-Frame-Options")) w.set("X-Frame-Options", "DENY");
  for (const auto& [n, v] : r.headers) w.set(n, v);
}

void FinishStream(WireResponse& w, const Response& r) {
  if (!HasHeader(r, "Cache-Control")) w.set(http::field::cache_control, "no-cache");
  w.set("X-Accel-Buffering", "no");
  w.chunked(true);
}

}  // namespace

WireResponse FinishResponse(const Request& req, Response& r, unsigned version, bool keep_alive) {
  WireResponse w;
  w.version(version);
  int status = (r.status >= 100 && r.status <= 999) ? r.status : 500;
  w.result(static_cast<unsigned>(status));
  SetCommonHeaders(w, r);
  w.keep_alive(keep_alive);
  if (r.stream || r.async_stream) {
    FinishStream(w, r);
    return w;
  }
  w.set(http::field::vary, "Accept-Encoding");

  std::shared_ptr<const std::string> owner = r.shared_body;
  if (!owner) owner = std::make_shared<const std::string>(std::move(r.body));
  const bool get_or_head = req.method == "GET" || req.method == "HEAD";
  if (r.etag.empty() && status == 200 && get_or_head && !owner->empty()) {
    r.etag = ContentEtag(*owner);
  }
  if (!r.etag.empty() && status == 200 && get_or_head &&
      IfNoneMatchHits(req.Header("if-none-match"), r.etag)) {
    w.result(http::status::not_modified);
    w.set(http::field::etag, r.etag);
    w.erase(http::field::content_type);
    return w;
  }

  // Choose the representation: precompressed variants if the handler gave any, otherwise
  // compress textual bodies on the fly.
  std::string_view accept = "";
  auto ae = req.headers.find("accept-encoding");
  if (ae != req.headers.end()) accept = ae->second;
  std::shared_ptr<const std::string> gz = r.gzip_body, br = r.brotli_body;
  const bool bodyless = status == 204 || status == 304 || status < 200;
  Encoding enc = Encoding::kIdentity;
  if (!bodyless && !accept.empty()) {
    if (gz || br) {
      enc = ChooseEncoding(accept, gz != nullptr, br != nullptr);
    } else if (owner->size() >= kMinCompressBytes && IsCompressibleType(r.content_type)) {
      enc = ChooseEncoding(accept, true, true);
      if (enc == Encoding::kGzip) gz = std::make_shared<const std::string>(GzipCompress(*owner, 6));
      if (enc == Encoding::kBrotli) br = std::make_shared<const std::string>(BrotliCompress(*owner, 5));
      if ((enc == Encoding::kGzip && gz->empty()) || (enc == Encoding::kBrotli && br->empty())) {
        enc = Encoding::kIdentity;
      }
    }
  }
  if (enc == Encoding::kGzip) owner = gz;
  if (enc == Encoding::kBrotli) owner = br;
  if (enc != Encoding::kIdentity) w.set(http::field::content_encoding, EncodingName(enc));
  if (!r.etag.empty()) {
    w.set(http::field::etag, enc == Encoding::kIdentity ? r.etag
                             : VariantEtag(r.etag, enc == Encoding::kGzip ? "gz" : "br"));
  }
  if (bodyless) return w;
  w.content_length(owner->size());
  if (req.method != "HEAD") {
    w.body().view = *owner;
    w.body().owner = std::move(owner);
  }
  return w;
}

std::string RenderHead(const WireResponse& w) {
  std::string out;
  out.reserve(1024);
  out += w.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(w.result_int());
  out += ' ';
  out.append(w.reason());
  out += "\r\n";
  for (const auto& field : w) {
    out.append(field.name_string());
    out += ": ";
    out.append(field.value());
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace coolpapers::web
