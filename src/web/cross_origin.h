#pragma once
// Cross-origin request protection for state-changing requests (POSTs that start paid work),
// following the rule of Go 1.25's net/http CrossOriginProtection:
//
// - `Sec-Fetch-Site` present (every current browser sends it): only `same-origin` and `none`
//   (typed in the address bar, a bookmark) pass; `cross-site` and `same-site` are refused.
// - otherwise an `Origin` header, when present, must name this host: its host[:port] must equal
//   the request's `Host` header (case-insensitive). `Origin: null` and unparsable origins are
//   refused.
// - requests with neither header (curl, scripts, old browsers without either) pass.
//
// GET/HEAD must never change state, so only call this for the other methods.

#include <string>

#include "web/http.h"

namespace coolpapers::web {

// True when `req` must be refused as a cross-origin request (403).
bool IsCrossOriginRequest(const Request& req);

// The sentence shown with the 403.
inline constexpr const char* kCrossOriginMessage =
    "cross-origin request refused: this action can only be started from this site's own pages "
    "(a form or script on another site cannot start it); open the page on this site and use "
    "its button, or call the API without browser Origin headers (e.g. curl)";

}  // namespace coolpapers::web
