// Page frame and paper panels (SPEC §3 HTML contract). Built with one reserved string and
// appends: a 1000-paper day renders in a few milliseconds. Every value that comes from a user
// or from upstream goes through AppendHtmlEscaped; only the caller-marked *_html fields and
// extra_head are trusted.

#include "web/render.h"

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace coolpapers::web {
namespace {

using core::AppendHtmlEscaped;

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

void AppendCounter(std::string& out, std::string_view cls, int64_t n) {
  out += "<sup class=\"";
  out += cls;
  out += "\">";
  out += std::to_string(n);
  out += "</sup>";
}

// One title button: <a class="title-x" data-id="..." role="button" tabindex="0">[Label]</a>
// followed by its click counter.
void AppendButton(std::string& out, std::string_view cls, std::string_view label,
                  std::string_view escaped_id, std::string_view counter_cls, int64_t count) {
  out += " <a class=\"";
  out += cls;
  out += " notranslate\" data-id=\"";
  out += escaped_id;
  out += "\" role=\"button\" tabindex=\"0\">[";
  out += label;
  out += "]</a>";
  AppendCounter(out, counter_cls, count);
}

void AppendAuthors(std::string& out, const std::vector<std::string>& authors) {
  out += "<p class=\"authors\"><strong>Authors</strong>: ";
  for (size_t i = 0; i < authors.size(); ++i) {
    if (i > 0) out += ", ";
    out += "<a class=\"author notranslate\" href=\"/arxiv/search?query=au:%22";
    AppendHtmlEscaped(out, core::UrlEncode(authors[i]));
    out += "%22\">";
    AppendHtmlEscaped(out, authors[i]);
    out += "</a>";
  }
  out += "</p>\n";
}

void AppendSubjects(std::string& out, const std::vector<std::string>& categories) {
  out += "<p class=\"subjects\"><strong>Subjects</strong>: ";
  for (size_t i = 0; i < categories.size(); ++i) {
    if (i > 0) out += ", ";
    out += "<a href=\"/arxiv/";
    AppendHtmlEscaped(out, categories[i]);
    out += "\">";
    AppendHtmlEscaped(out, categories[i]);
    out += "</a>";
  }
  out += "</p>\n";
}

void AppendLabelled(std::string& out, std::string_view cls, std::string_view label,
                    std::string_view text) {
  if (text.empty()) return;
  out += "<p class=\"";
  out += cls;
  out += "\"><strong>";
  out += label;
  out += "</strong>: ";
  AppendHtmlEscaped(out, text);
  out += "</p>\n";
}

void AppendDate(std::string& out, const core::Paper& paper, const PanelOptions& opts) {
  std::string stamp = NormalizeTimestamp(paper.published);
  if (stamp.empty()) stamp = NormalizeTimestamp(paper.updated);
  if (stamp.empty()) stamp = NormalizeTimestamp(opts.fallback_day);
  if (stamp.empty()) return;
  out += "<p class=\"date\"><strong>Publish</strong>: <span class=\"date-data\">";
  out += stamp;  // digits, '-', ':' and ' ' only
  out += "</span></p>\n";
}

void AppendTopBar(std::string& out, const PageMeta& meta) {
  out += "<header id=\"top-bar\">\n<a class=\"home\" href=\"/\">coolpapers</a>\n";
  out += "<form class=\"search-form\" method=\"get\" action=\"/arxiv/search\" role=\"search\">";
  out += "<input type=\"search\" name=\"query\" placeholder=\"Search arXiv papers\" ";
  out += "aria-label=\"Search arXiv papers\" value=\"";
  AppendHtmlEscaped(out, meta.search_query);
  out += "\"><button type=\"submit\">Search</button></form>\n";
  out += "<nav class=\"top-nav\"><a href=\"/#arxiv-categories\">arXiv</a> ";
  out += "<a href=\"/#venues\">Venues</a> ";
  out += "<a id=\"stars-toggle\" href=\"#star-list\">Stars</a></nav>\n</header>\n";
}

}  // namespace

void RenderPaperPanel(std::string& out, const core::Paper& paper, const PanelOptions& opts) {
  const std::string id = core::HtmlEscape(paper.id);
  const std::string pdf = core::HtmlEscape(paper.pdf_url());
  out += "<div class=\"panel paper\" id=\"";
  out += id;
  out += "\" data-version=\"";
  out += std::to_string(paper.version);
  out += '"';
  if (!opts.keywords.empty()) {
    out += " data-keywords=\"";
    AppendHtmlEscaped(out, core::Join(opts.keywords, ","));
    out += '"';
  }
  // Deferred panels stay in the document (parsers see every paper) but start hidden; the class
  // attribute stays exactly "panel paper".
  if (opts.deferred) out += " data-deferred=\"1\" hidden";
  out += ">\n<h2 class=\"title\">";
  if (opts.index > 0) {
    out += "<span class=\"index notranslate\">#";
    out += std::to_string(opts.index);
    out += "</span> ";
  }
  out += "<a class=\"title-link notranslate\" href=\"/arxiv/";
  out += id;
  out += "\">";
  if (!opts.title_html.empty()) {
    out += opts.title_html;
  } else {
    AppendHtmlEscaped(out, paper.title);
  }
  out += "</a> <a class=\"title-pdf notranslate\" data=\"";
  out += pdf;
  out += '"';
  // The page's script binds [PDF] from data-id and data (static/app.js); the inline onclick is
  // kept only for third-party clients that parse it (SPEC §3), and only when the id and URL are
  // plain, since HTML escaping does not protect a JavaScript string inside an attribute (the
  // browser unescapes &#39; back to a quote before the script runs).
  if (IsPlainScriptText(paper.id) && IsPlainScriptText(pdf)) {
    out += " onclick=\"togglePdf('";
    out += id;
    out += "', '";
    out += pdf;
    out += "', this)\"";
  }
  out += " data-id=\"";
  out += id;
  out += "\" role=\"button\" tabindex=\"0\">[PDF]</a>";
  AppendCounter(out, "pdf-counter", opts.clicks.pdf);
  AppendButton(out, "title-kimi", "Kimi", id, "kimi-counter", opts.clicks.kimi);
  AppendButton(out, "title-copy", "Copy", id, "copy-counter", opts.clicks.copy);
  AppendButton(out, "title-rel", "REL", id, "rel-counter", opts.clicks.rel);
  out += " <a class=\"title-star\" data-id=\"";
  out += id;
  out += "\" role=\"button\" tabindex=\"0\" title=\"Star this paper\">&#9734;</a>";
  out += "</h2>\n";
  AppendAuthors(out, paper.authors);
  out += "<p class=\"summary\">";
  if (!opts.summary_html.empty()) {
    out += opts.summary_html;
  } else {
    AppendHtmlEscaped(out, paper.abstract);
  }
  out += "</p>\n";
  AppendLabelled(out, "comments", "Comments", paper.comments);
  AppendLabelled(out, "journal-ref", "Journal ref", paper.journal_ref);
  AppendSubjects(out, paper.categories);
  if (!opts.announce_label.empty()) AppendLabelled(out, "announce", "Listed", opts.announce_label);
  AppendDate(out, paper, opts);
  out += "</div>\n";
}

std::string RenderPage(const PageMeta& meta, std::string_view body_html) {
  std::string out;
  out.reserve(body_html.size() + 3072 + meta.extra_head.size());
  out += "<!doctype html>\n<html lang=\"";
  AppendHtmlEscaped(out, meta.lang.empty() ? std::string_view("en") : meta.lang);
  out += "\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  AppendHtmlEscaped(out, meta.title);
  out += "</title>\n<meta name=\"description\" content=\"";
  AppendHtmlEscaped(out, meta.description);
  out += "\">\n";
  if (!meta.canonical_path.empty()) {
    out += "<link rel=\"canonical\" href=\"";
    AppendHtmlEscaped(out, meta.canonical_path);
    out += "\">\n";
  }
  if (!meta.feed_path.empty()) {
    out += "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Atom feed\" href=\"";
    AppendHtmlEscaped(out, meta.feed_path);
    out += "\">\n";
  }
  out += "<link rel=\"stylesheet\" href=\"/vendor/katex/katex.min.css\">\n";
  out += "<link rel=\"stylesheet\" href=\"/static/style.css?v=";
  out += AssetVersion();
  out += "\">\n<script defer src=\"/vendor/katex/katex.min.js\"></script>\n";
  out += "<script defer src=\"/vendor/katex/contrib/auto-render.min.js\"></script>\n";
  out += "<script type=\"module\" src=\"/static/app.js?v=";
  out += AssetVersion();
  out += "\"></script>\n";
  out += meta.extra_head;
  out += "</head>\n<body id=\"";
  AppendHtmlEscaped(out, meta.body_id.empty() ? std::string_view("arxiv") : meta.body_id);
  out += "\">\n";
  AppendTopBar(out, meta);
  out += "<main id=\"main\">\n";
  out += body_html;
  out += "</main>\n<aside id=\"star-list\" aria-label=\"Starred papers\">";
  out += "<h2>Stars</h2><div class=\"items\"></div></aside>\n";
  out += "<div id=\"bottom-bar\"></div>\n</body>\n</html>\n";
  return out;
}

Response HtmlResponse(int status, const PageMeta& meta, std::string_view body_html) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = RenderPage(meta, body_html);
  return r;
}

Response ErrorPage(int status, std::string_view message, std::string_view hint) {
  PageMeta meta;
  std::string heading = std::to_string(status) + " " + std::string(ReasonPhrase(status));
  meta.title = heading + " — coolpapers";
  meta.description = std::string(message);
  std::string body;
  body += "<section class=\"error-page\">\n<h1>";
  body += heading;
  body += "</h1>\n<p class=\"error-message\">";
  AppendHtmlEscaped(body, message);
  body += "</p>\n";
  if (!hint.empty()) {
    body += "<p class=\"error-hint\">";
    AppendHtmlEscaped(body, hint);
    body += "</p>\n";
  }
  body += "<p><a href=\"/\">All categories</a> · <a href=\"/arxiv/search\">Search</a></p>\n";
  body += "</section>\n";
  return HtmlResponse(status, meta, body);
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
