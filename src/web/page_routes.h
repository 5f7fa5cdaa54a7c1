#pragma once
// Pieces every route file uses (arxiv_routes, venue_routes, venue_feed, faq_routes,
// translate_routes): redirects, the store-failure pages, the page cache, the site's public URL,
// the HTTP status of a refusal.

#include <functional>
#include <string>

#include "core/status.h"
#include "web/http.h"
#include "web/services.h"

namespace coolpapers::web {

// A redirect with a small HTML body linking `location`.
Response Redirect(int status, std::string location);
// 503 pages: the store failed (with its message), or the server has no store.
Response StoreFailure(const Status& st);
Response NoStore();
// Serves `key` from the page cache, or renders it (once for concurrent misses) and stores it.
Response Cached(Services& s, const std::string& key, const std::function<Response()>& render);
// The configured public URL without a trailing slash ("" = links relative to the host).
std::string PublicUrl(const Services& s);
// The HTTP status of a refused request: 400 (kInvalidArgument), 404 (kNotFound), 403
// (kPermissionDenied), 429 (kResourceExhausted), else 503 (kUnavailable, kFailedPrecondition:
// the service cannot do it now).
int HttpStatusOf(const Status& st);

}  // namespace coolpapers::web
