// Request/Response helpers and request-target parsing (web/http.h, web/server.h).

#include "web/http.h"

#include <strings.h>

#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/url_view.hpp>

#include "web/server.h"

namespace coolpapers::web {

std::string Request::Param(std::string_view name, std::string_view fallback) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string(fallback) : it->second;
}

bool Request::HasParam(std::string_view name) const {
  return query.find(std::string(name)) != query.end();
}

std::string Request::Header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string() : it->second;
}

void Response::SetHeader(std::string name, std::string value) {
  for (auto& [n, v] : headers) {
    if (n.size() == name.size() && strncasecmp(n.c_str(), name.c_str(), n.size()) == 0) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

namespace {

namespace urls = boost::urls;

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// True for the characters RFC 3986 allows unescaped in a path segment (pchar, without '%').
bool IsPathChar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-._~!$&'()*+,;=:@").find(static_cast<char>(c)) !=
         std::string_view::npos;
}

// Browsers send some characters raw that RFC 3986 does not allow (`|`, `{`, `^`, `"`, bytes
// of UTF-8 text, and a '#' inside the path when it comes from a bad link); the server has
// always accepted them literally. Escapes them, so that Boost.URL parses the target and decodes
// them back to themselves. In the query (`in_query`), a '%' that starts no %XX escape is kept
// literally too (escaped as %25); in the path it is left alone, and the parser rejects it.
std::string EscapeLenient(std::string_view s, bool in_query) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool keep = IsPathChar(c) || c == '/' || (in_query && c == '?');
    if (c == '%') keep = !in_query || (i + 2 < s.size() && IsHex(s[i + 1]) && IsHex(s[i + 2]));
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Adds the decoded parameters ('+' is a space) to `out`, skipping empty ones ("a=1&&b=2").
Status AddParams(const urls::params_view& params, std::multimap<std::string, std::string>& out) {
  for (const urls::param& p : params) {
    if (p.key.empty() && !p.has_value) continue;
    if (p.key.find('\0') != std::string::npos || p.value.find('\0') != std::string::npos) {
      return Status::InvalidArgument("the query string contains a NUL byte (%00); remove it");
    }
    out.emplace(p.key, p.value);
  }
  return Status::Ok();
}

urls::encoding_opts QueryDecoding() {
  urls::encoding_opts opts;
  opts.space_as_plus = true;
  return opts;
}

}  // namespace

Status ParseQueryString(std::string_view qs, std::multimap<std::string, std::string>& out) {
  std::string escaped = EscapeLenient(qs.substr(0, qs.find('#')), /*in_query=*/true);
  urls::result<urls::params_encoded_view> parsed = urls::parse_query(escaped);
  if (!parsed) {  // cannot happen after EscapeLenient; kept as a guard
    return Status::InvalidArgument("the query string is malformed; percent-encode it");
  }
  return AddParams(urls::params_view(escaped, QueryDecoding()), out);
}

Status ParseTarget(std::string_view target, Request& req) {
  if (target.empty() || target.front() != '/') {
    return Status::InvalidArgument("the request target must be a path starting with '/'");
  }
  size_t qmark = target.find('?');
  std::string escaped = EscapeLenient(target.substr(0, qmark), /*in_query=*/false);
  if (qmark != std::string_view::npos) {
    std::string_view query = target.substr(qmark + 1);
    // A fragment never belongs on the wire; ignore it.
    escaped += '?' + EscapeLenient(query.substr(0, query.find('#')), /*in_query=*/true);
  }
  urls::result<urls::url_view> url = urls::parse_origin_form(escaped);
  if (!url) {  // after EscapeLenient, only a malformed escape in the path is left to fail
    return Status::InvalidArgument(
        "the URL path has a malformed percent-escape; use %XX with two hex digits");
  }
  req.path = url->path();
  if (req.path.find('\0') != std::string::npos) {
    return Status::InvalidArgument("the URL path contains a NUL byte (%00); remove it");
  }
  // Reject any ".." segment of the decoded path (so "%2F.." counts too), so no handler can be
  // tricked into walking up a directory.
  std::string_view p = req.path;
  while (!p.empty()) {
    size_t slash = p.find('/');
    if (p.substr(0, slash) == "..") {
      return Status::InvalidArgument("the URL path contains a '..' segment; remove it");
    }
    p = slash == std::string_view::npos ? std::string_view() : p.substr(slash + 1);
  }
  req.query.clear();
  if (!url->has_query()) return Status::Ok();
  return AddParams(url->params(QueryDecoding()), req.query);
}

}  // namespace coolpapers::web
