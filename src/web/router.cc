// Router: routes kept sorted by specificity, so the first match is the most specific one.

#include "web/router.h"

#include <algorithm>
#include <cassert>

namespace coolpapers::web {
namespace {

// "/a/b" -> {"a","b"}; "/" -> {}. Empty segments (from "//" or a trailing '/') are kept.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return out;
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

void Router::Add(std::string method, std::string_view pattern, Handler handler) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::string(pattern);
  for (std::string_view seg : SplitPath(pattern)) {
    assert(!r.tail && "`**` must be the last segment of a route pattern");
    if (seg == "*") {
      ++r.wildcard_count;
    } else if (seg == "**") {
      ++r.wildcard_count;
      r.tail = true;
    } else {
      ++r.literal_count;
    }
    r.segments.emplace_back(seg);
  }
  r.handler = std::move(handler);
  r.order = static_cast<int>(routes_.size());
  routes_.push_back(std::move(r));
  // More literal segments first, then fewer wildcards, then `*` before `**`, then order.
  std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) {
    if (a.literal_count != b.literal_count) return a.literal_count > b.literal_count;
    if (a.wildcard_count != b.wildcard_count) return a.wildcard_count < b.wildcard_count;
    if (a.tail != b.tail) return !a.tail;
    return a.order < b.order;
  });
}

namespace {

// Whether `segments` (a route pattern) matches `path`; fills `captures` when it does.
bool MatchSegments(const std::vector<std::string>& segments,
                   const std::vector<std::string_view>& path, std::vector<std::string>& captures) {
  captures.clear();
  size_t i = 0;
  for (; i < segments.size(); ++i) {
    const std::string& seg = segments[i];
    if (seg == "**") {
      if (i >= path.size()) return false;
      std::string rest;
      for (size_t j = i; j < path.size(); ++j) {
        if (j > i) rest += '/';
        rest.append(path[j]);
      }
      if (rest.empty()) return false;
      captures.push_back(std::move(rest));
      return true;
    }
    if (i >= path.size()) return false;
    if (seg == "*") {
      if (path[i].empty()) return false;
      captures.emplace_back(path[i]);
    } else if (seg != path[i]) {
      return false;
    }
  }
  return i == path.size();
}

bool MethodMatches(const std::string& route_method, const std::string& method) {
  return route_method == method || (method == "HEAD" && route_method == "GET");
}

}  // namespace

const Handler* Router::Match(Request& req, std::vector<std::string>* allowed_methods,
                             const std::string** pattern) const {
  std::vector<std::string_view> path = SplitPath(req.path);
  std::vector<std::string> captures;
  if (allowed_methods) allowed_methods->clear();
  for (const Route& r : routes_) {
    if (!MatchSegments(r.segments, path, captures)) continue;
    if (MethodMatches(r.method, req.method)) {
      req.captures = std::move(captures);
      if (pattern) *pattern = &r.pattern;
      return &r.handler;
    }
    if (allowed_methods) {
      auto add = [&](const std::string& m) {
        if (std::find(allowed_methods->begin(), allowed_methods->end(), m) ==
            allowed_methods->end()) {
          allowed_methods->push_back(m);
        }
      };
      add(r.method);
      if (r.method == "GET") add("HEAD");
    }
  }
  return nullptr;
}

}  // namespace coolpapers::web
