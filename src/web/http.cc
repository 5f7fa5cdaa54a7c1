// Request/Response helpers and request-target parsing (web/http.h, web/server.h).

#include "web/http.h"

#include <strings.h>

#include "core/text.h"
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

// Decodes one query component leniently: a malformed escape is kept literally.
std::string DecodeQueryComponent(std::string_view s) {
  std::string out;
  if (core::UrlDecode(s, out, /*plus_is_space=*/true)) return out;
  out.assign(s);
  for (char& c : out) {
    if (c == '+') c = ' ';
  }
  return out;
}

}  // namespace

Status ParseQueryString(std::string_view qs, std::multimap<std::string, std::string>& out) {
  while (!qs.empty()) {
    size_t amp = qs.find('&');
    std::string_view pair = qs.substr(0, amp);
    qs = amp == std::string_view::npos ? std::string_view() : qs.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = DecodeQueryComponent(pair.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? std::string() : DecodeQueryComponent(pair.substr(eq + 1));
    if (key.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      return Status::InvalidArgument("the query string contains a NUL byte (%00); remove it");
    }
    out.emplace(std::move(key), std::move(value));
  }
  return Status::Ok();
}

Status ParseTarget(std::string_view target, Request& req) {
  if (target.empty() || target.front() != '/') {
    return Status::InvalidArgument("the request target must be a path starting with '/'");
  }
  size_t qmark = target.find('?');
  std::string_view raw_path = target.substr(0, qmark);
  std::string_view raw_query =
      qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
  size_t hash = raw_query.find('#');  // a fragment never belongs on the wire; ignore it
  if (hash != std::string_view::npos) raw_query = raw_query.substr(0, hash);

  if (!core::UrlDecode(raw_path, req.path, /*plus_is_space=*/false)) {
    return Status::InvalidArgument(
        "the URL path has a malformed percent-escape; use %XX with two hex digits");
  }
  if (req.path.find('\0') != std::string::npos) {
    return Status::InvalidArgument("the URL path contains a NUL byte (%00); remove it");
  }
  // Reject any ".." segment, so no handler can be tricked into walking up a directory.
  std::string_view p = req.path;
  while (!p.empty()) {
    size_t slash = p.find('/');
    std::string_view seg = p.substr(0, slash);
    if (seg == "..") {
      return Status::InvalidArgument("the URL path contains a '..' segment; remove it");
    }
    p = slash == std::string_view::npos ? std::string_view() : p.substr(slash + 1);
  }
  req.query.clear();
  return ParseQueryString(raw_query, req.query);
}

}  // namespace coolpapers::web
