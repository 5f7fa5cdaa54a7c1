#include "web/cross_origin.h"

#include "core/text.h"

namespace coolpapers::web {

bool IsCrossOriginRequest(const Request& req) {
  std::string site = core::ToLower(core::Trim(req.Header("sec-fetch-site")));
  if (!site.empty()) return site != "same-origin" && site != "none";
  auto origin_it = req.headers.find("origin");
  if (origin_it == req.headers.end()) return false;  // neither header: not a browser form/fetch
  std::string origin = core::ToLower(core::Trim(origin_it->second));
  size_t scheme = origin.find("://");
  if (scheme == std::string::npos) return true;  // "null", garbage
  std::string host = origin.substr(scheme + 3);
  if (host.empty() || host.find_first_of("/?#@") != std::string::npos) return true;
  std::string want = core::ToLower(core::Trim(req.Header("host")));
  return want.empty() || host != want;
}

}  // namespace coolpapers::web
