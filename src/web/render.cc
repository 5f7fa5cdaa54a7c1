// Page frame and paper panels (SPEC §3 HTML contract): the view models of
// templates/page.mustache and templates/paper_panel.mustache. The templates escape every text
// value; only the Html fields (title_html, summary_html, extra_head) are inserted as they are.

#include "web/render.h"

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "web/templates.h"

namespace coolpapers::web {
namespace {

// True when `s` can sit inside a single-quoted JavaScript string in an HTML attribute as is:
// letters, digits and the punctuation of ids and URLs, nothing that ends or escapes the string.
bool IsPlainScriptText(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("./:-_@?=%+#~,;").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// Cache-busting suffix for /static assets: changes with every build of this file, so a new
// binary never serves a page that references a stale long-cached app.js or style.css.
std::string_view AssetVersion() {
  static const std::string version = [] {
    uint64_t h = 1469598103934665603ull;  // FNV-1a over the build stamp
    for (char c : std::string_view(__DATE__ " " __TIME__)) {
      h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 8; ++i) out += kHex[(h >> (i * 4)) & 0xF];
    return out;
  }();
  return version;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status >= 500 ? "Server Error" : "Error";
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "YYYY-MM-DD HH:MM:SS" from the forms upstream dates arrive in ("2026-06-30 17:59:59",
// "2026-06-30T17:59:59Z", "2026-06-30"); "" when `s` holds no recognisable date.
std::string NormalizeTimestamp(std::string_view s) {
  if (s.size() < 10) return "";
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(s[i])) return "";
  }
  if (s[4] != '-' || s[7] != '-') return "";
  std::string out(s.substr(0, 10));
  if (s.size() >= 19 && (s[10] == ' ' || s[10] == 'T') && s[13] == ':' && s[16] == ':') {
    for (size_t i : {11, 12, 14, 15, 17, 18}) {
      if (!IsDigit(s[i])) return out + " 00:00:00";
    }
    out += ' ';
    out.append(s.substr(11, 8));
    return out;
  }
  return out + " 00:00:00";
}

// Fills the panel's view model (templates/paper_panel.mustache). `v` may hold the previous
// panel's values: every key is set, optional ones cleared.
void FillPanelView(View& v, const core::Paper& paper, const PanelOptions& opts) {
  const std::string pdf = opts.pdf_url.empty() ? paper.pdf_url() : opts.pdf_url;
  v.Text("id", paper.id)
      .Text("page_prefix", opts.page_prefix)
      .Text("author_search", opts.author_search)
      .Text("version", paper.version)
      .Text("pdf", pdf)
      .Text("title", paper.title)
      .Text("abstract", paper.abstract)
      .OptionalMarkup("title_html", opts.title_html)
      .OptionalMarkup("summary_html", opts.summary_html)
      .OptionalText("comments", paper.comments)
      .OptionalText("journal_ref", paper.journal_ref)
      .OptionalText("announce", opts.announce_label)
      .Flag("deferred", opts.deferred)
      .Text("pdf_count", opts.clicks.pdf)
      .Text("kimi_count", opts.clicks.kimi)
      .Text("copy_count", opts.clicks.copy)
      .Text("rel_count", opts.clicks.rel);
  if (opts.index > 0) {
    v.Text("index", opts.index);
  } else {
    v.Flag("index", false);
  }
  if (!opts.keywords.empty()) {
    v.Text("keywords", core::Join(opts.keywords, ","));
  } else {
    v.Flag("keywords", false);
  }
  // The page's script binds [PDF] from data-id and data (static/app.js); the inline onclick is
  // kept only for third-party clients that parse it (SPEC §3), and only when the id and URL are
  // plain, since HTML escaping does not protect a JavaScript string inside an attribute (the
  // browser unescapes &#39; back to a quote before the script runs).
  v.Flag("onclick", IsPlainScriptText(paper.id) && IsPlainScriptText(pdf));
  v.Items("authors", paper.authors.size(), [&paper](size_t i, View& a) {
    a.Flag("first", i == 0)
        .Text("name", paper.authors[i])
        .Text("query", core::UrlEncode(paper.authors[i]));
  });
  if (!opts.subjects.empty()) {
    v.Items("categories", opts.subjects.size(), [&opts](size_t i, View& c) {
      c.Flag("first", i == 0).Text("name", opts.subjects[i].first).Text("href",
                                                                         opts.subjects[i].second);
    });
  } else {
    std::string href;
    v.Items("categories", paper.categories.size(), [&paper, &href](size_t i, View& c) {
      href.assign("/arxiv/").append(paper.categories[i]);
      c.Flag("first", i == 0).Text("name", paper.categories[i]).Text("href", href);
    });
  }
  std::string stamp = NormalizeTimestamp(paper.published);
  if (stamp.empty()) stamp = NormalizeTimestamp(paper.updated);
  if (stamp.empty()) stamp = NormalizeTimestamp(opts.fallback_day);
  v.OptionalText("date", stamp);
}

// The page frame's view model (templates/page.mustache and its partials).
View PageView(const PageMeta& meta) {
  View v;
  v.Text("lang", meta.lang.empty() ? std::string("en") : meta.lang)
      .Text("title", meta.title)
      .Text("description", meta.description)
      .OptionalText("canonical_path", meta.canonical_path)
      .OptionalText("feed_path", meta.feed_path)
      .Text("asset_version", std::string(AssetVersion()))
      .Markup("extra_head_html", meta.extra_head)
      .Text("body_id", meta.body_id.empty() ? std::string("arxiv") : meta.body_id)
      .Text("search_query", meta.search_query);
  // The top bar searches the page's branch (SPEC §11): venue pages search venue papers.
  const bool venue = meta.body_id == "venue";
  v.Text("search_action", venue ? "/venue/search" : "/arxiv/search")
      .Text("search_label", venue ? "Search venue papers" : "Search arXiv papers");
  return v;
}

}  // namespace

void PanelRenderer::Render(std::string& out, const core::Paper& paper,
                           const PanelOptions& opts) {
  FillPanelView(view_, paper, opts);
  RenderTemplateTo(out, "paper_panel", view_);
}

void RenderPaperPanel(std::string& out, const core::Paper& paper, const PanelOptions& opts) {
  PanelRenderer().Render(out, paper, opts);
}

std::string RenderPageWith(const PageMeta& meta, size_t body_bytes,
                           const std::function<void(std::string&)>& write_body) {
  std::string out;
  out.reserve(body_bytes + 3072 + meta.extra_head.size());
  RenderTemplateAround(out, "page", PageView(meta), write_body);
  return out;
}

std::string RenderPage(const PageMeta& meta, const Html& body) {
  return RenderPageWith(meta, body.size(), [&body](std::string& out) { out += body.str(); });
}

Response HtmlResponse(int status, std::string page) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(page);
  return r;
}

Response HtmlResponse(int status, const PageMeta& meta, const Html& body) {
  return HtmlResponse(status, RenderPage(meta, body));
}

Response ErrorPage(int status, std::string_view message, std::string_view hint) {
  PageMeta meta;
  std::string heading = std::to_string(status) + " " + std::string(ReasonPhrase(status));
  meta.title = heading + " — coolpapers";
  meta.description = std::string(message);
  View v;
  v.Text("heading", heading).Text("message", std::string(message)).OptionalText("hint",
                                                                                 std::string(hint));
  return HtmlResponse(status, meta, RenderTemplate("error_page", v));
}

Response JsonError(int status, std::string_view error, std::string_view hint) {
  nlohmann::json j = {{"error", std::string(error)}, {"hint", std::string(hint)}};
  return JsonResponse(status, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json; charset=utf-8";
  r.body = std::move(body);
  return r;
}

}  // namespace coolpapers::web
