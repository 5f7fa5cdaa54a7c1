#include "web/page_routes.h"

#include "web/page_cache.h"
#include "web/render.h"
#include "web/templates.h"

namespace coolpapers::web {

Response Redirect(int status, std::string location) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = RenderTemplate("redirect", View().Text("location", location)).str();
  r.SetHeader("Location", std::move(location));
  return r;
}

Response StoreFailure(const Status& st) {
  return ErrorPage(503, "The database could not be read: " + st.message(),
                   "This is usually temporary; reload the page in a few seconds.");
}

Response NoStore() {
  return ErrorPage(503, "No database is configured.", "Start the server with --db.");
}

Response Cached(Services& s, const std::string& key, const std::function<Response()>& render) {
  if (!s.page_cache) return render();
  const int64_t seq = s.page_cache->current_seq();  // before reading the store
  return s.page_cache->GetOrRender(key, seq, render);
}

std::string PublicUrl(const Services& s) {
  std::string url = s.config.public_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

int HttpStatusOf(const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kResourceExhausted: return 429;
    default: return 503;
  }
}

}  // namespace coolpapers::web
