#pragma once
// Router: maps (method, path) to a handler. Patterns are literal segments, `*` (exactly one
// segment) and a trailing `**` (one or more remaining segments, joined by '/'). The most
// specific match wins: more literal segments first, then fewer wildcards, then registration
// order. Captured segments land in Request::captures.
//
//   router.Add("GET", "/arxiv/search", SearchPage);
//   router.Add("GET", "/arxiv/*/feed", ListFeed);
//   router.Add("GET", "/arxiv/**", ArxivListOrPaper);

#include <string>
#include <string_view>
#include <vector>

#include "web/http.h"

namespace coolpapers::web {

class Router {
 public:
  void Add(std::string method, std::string_view pattern, Handler handler);

  // The handler for `req` (filling req.captures), or nullptr when nothing matches.
  // `*allowed_methods` (if given) receives methods that would match the path, for 405s.
  // `*pattern` (if given) receives the matched route's pattern, e.g. for metrics labels.
  // HEAD requests match GET routes.
  const Handler* Match(Request& req, std::vector<std::string>* allowed_methods = nullptr,
                       const std::string** pattern = nullptr) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    int literal_count = 0;
    int wildcard_count = 0;
    bool tail = false;  // ends with `**`
    int order = 0;
  };
  std::vector<Route> routes_;
};

}  // namespace coolpapers::web
