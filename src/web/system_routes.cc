// System routes: /healthz, /metrics, static files (/static/**, /vendor/katex/**,
// /vendor/pdfjs/**), /favicon.ico, /robots.txt.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "web/admin_auth.h"
#include "web/metrics.h"
#include "web/page_cache.h"
#include "web/render.h"
#include "web/routes.h"
#include "web/static_files.h"

namespace coolpapers::web {
namespace {

constexpr std::string_view kFaviconSvg =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">"
    "<rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#1f6feb\"/>"
    "<text x=\"16\" y=\"22\" font-family=\"sans-serif\" font-size=\"16\" font-weight=\"bold\" "
    "text-anchor=\"middle\" fill=\"#fff\">cp</text></svg>";

constexpr std::string_view kRobotsTxt =
    "User-agent: *\n"
    "Disallow: /api/\n"
    "Disallow: /redirect\n"
    "Disallow: /arxiv/kimi\n"
    "Disallow: /venue/kimi\n"
    "Disallow: /arxiv/progress\n";

Response Fixed(std::string_view content_type, std::string_view body) {
  Response r;
  r.content_type = std::string(content_type);
  r.shared_body = std::make_shared<const std::string>(body);
  r.SetHeader("Cache-Control", "public, max-age=86400");
  return r;
}

// A handler serving `dir` for routes ending in `**`.
Handler ServeDir(std::shared_ptr<StaticDir> dir) {
  return [dir](const Request& req) {
    std::string_view rel = req.captures.empty() ? std::string_view() : req.captures.back();
    if (std::optional<Response> r = dir->Serve(req, rel)) return *std::move(r);
    return ErrorPage(404, "There is no such file.",
                     "Check the address; static files live under /static/ and /vendor/.");
  };
}

Response MetricsText(const Services& s) {
  Response res;
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = s.metrics ? s.metrics->Exposition() : std::string();
  res.SetHeader("Cache-Control", "no-store");
  return res;
}

// 401 without credentials (with the header to send), 403 with wrong ones or when no admin
// token is configured.
Response MetricsRefused(const Services& s, const Request& req) {
  const bool offered = OffersAdminToken(req);
  std::string message = s.config.admin_token.empty()
                            ? "/metrics is not served on this address: no admin token is set."
                        : offered ? "The admin token is wrong."
                                  : "/metrics needs the admin token.";
  std::string hint =
      s.config.admin_token.empty()
          ? "Set COOLPAPERS_ADMIN_TOKEN (then send it as X-Admin-Token or Authorization: Bearer), "
            "or serve metrics on a private address with metrics_listen / "
            "COOLPAPERS_METRICS_LISTEN."
          : "Send it as X-Admin-Token: <token> or Authorization: Bearer <token>, or scrape the "
            "metrics_listen address.";
  int status = !s.config.admin_token.empty() && !offered ? 401 : 403;
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::to_string(status) + " " + message + "\n" + hint + "\n";
  if (status == 401) r.SetHeader("WWW-Authenticate", "Bearer realm=\"coolpapers metrics\"");
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

}  // namespace

void RegisterMetricsListenerRoutes(Router& r, Services& s) {
  r.Add("GET", "/metrics", [&s](const Request&) { return MetricsText(s); });
  r.Add("GET", "/healthz", [](const Request&) {
    Response res = JsonResponse(200, "{\"status\":\"ok\"}");
    res.SetHeader("Cache-Control", "no-store");
    return res;
  });
}

void RegisterSystemRoutes(Router& r, Services& s) {
  r.Add("GET", "/healthz", [&s](const Request&) {
    int64_t seq = s.page_cache ? s.page_cache->current_seq() : 0;
    Response res = JsonResponse(200, "{\"status\":\"ok\",\"change_seq\":" +
                                         std::to_string(seq) + "}");
    res.SetHeader("Cache-Control", "no-store");
    return res;
  });
  // Metrics reveal load and internals: admin only on the public listener (the `metrics_listen`
  // address, when configured, serves them without a token; see RegisterMetricsListenerRoutes).
  r.Add("GET", "/metrics", [&s](const Request& req) {
    if (!HasAdminToken(req, s.config.admin_token)) return MetricsRefused(s, req);
    return MetricsText(s);
  });

  namespace fs = std::filesystem;
  fs::path vendor = s.config.vendor_dir;
  auto options = [&s](std::vector<std::string> allow) {
    StaticDir::Options o;
    o.max_cache_bytes = s.config.static_cache_bytes / 3;
    o.allow = std::move(allow);
    return o;
  };
  // static/ is small: load and compress all of it now, before the first request.
  auto own = std::make_shared<StaticDir>(s.config.static_dir, options({}));
  {
    std::vector<std::string> files;
    std::error_code ec;
    fs::path root = s.config.static_dir;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      files.push_back(fs::relative(it->path(), root, ec).generic_string());
      if (files.size() >= 1000) break;
    }
    own->Preload(files, /*wait=*/true);
  }
  r.Add("GET", "/static/**", ServeDir(own));
  // Of node_modules only what the pages load (render.cc, static/math.js, static/pdfview.js):
  // KaTeX's minified script, stylesheet, auto-render and fonts; PDF.js's minified build and
  // worker, its CMaps and standard fonts. No sources, no source maps, no package files.
  // The scripts and stylesheet are compressed in the background from startup on.
  auto katex = std::make_shared<StaticDir>(
      vendor / "katex/dist",
      options({"katex.min.css", "katex.min.js", "contrib/auto-render.min.js",
               "fonts/KaTeX_*.woff2", "fonts/KaTeX_*.woff", "fonts/KaTeX_*.ttf"}));
  katex->Preload({"katex.min.css", "katex.min.js", "contrib/auto-render.min.js"}, false);
  r.Add("GET", "/vendor/katex/**", ServeDir(katex));
  auto pdfjs = std::make_shared<StaticDir>(
      vendor / "pdfjs-dist",
      options({"build/pdf.min.mjs", "build/pdf.worker.min.mjs", "cmaps/*.bcmap",
               "standard_fonts/*.pfb", "standard_fonts/*.ttf"}));
  pdfjs->Preload({"build/pdf.min.mjs", "build/pdf.worker.min.mjs"}, false);
  r.Add("GET", "/vendor/pdfjs/**", ServeDir(pdfjs));

  Response favicon = Fixed("image/svg+xml", kFaviconSvg);
  r.Add("GET", "/favicon.ico", [favicon](const Request&) { return favicon; });
  Response robots = Fixed("text/plain; charset=utf-8", kRobotsTxt);
  r.Add("GET", "/robots.txt", [robots](const Request&) { return robots; });
}

}  // namespace coolpapers::web
