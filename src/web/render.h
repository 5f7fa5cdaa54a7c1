#pragma once
// Page rendering shared by every HTML route: the page frame and the paper panel of the HTML
// contract (SPEC §3), from templates/page.mustache and templates/paper_panel.mustache. Text is
// escaped by the templates; only Html values (web/html.h) are inserted as they are.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/paper.h"
#include "store/store.h"
#include "web/html.h"
#include "web/http.h"
#include "web/templates.h"

namespace coolpapers::web {

struct PageMeta {
  std::string title;
  std::string description;
  std::string lang = "en";
  std::string body_id = "arxiv";   // "arxiv" or "venue"
  std::string canonical_path;      // e.g. "/arxiv/cs.CL"
  std::string feed_path;           // Atom feed linked from the page ("" = none)
  Html extra_head;                 // trusted markup for <head> (meta tags built by the caller)
  std::string search_query;        // pre-filled search box value
};

struct PanelOptions {
  store::ClickCounts clicks;
  int index = 0;                       // 1-based position shown on the page (0 = hidden)
  std::string announce_label;          // e.g. "cross-list from cs.LG" ("" = none)
  Html summary_html;                   // replaces the abstract (e.g. highlighted); empty = none
  Html title_html;                     // replaces the escaped title; empty = none
  std::vector<std::string> keywords;   // top keywords (data-keywords attribute)
  std::string fallback_day;            // "YYYY-MM-DD" for p.date when the paper has no dates
  bool deferred = false;  // past ?show=N: rendered `hidden data-deferred="1"`; app.js reveals it
  // Where the panel's links point. The defaults are the arXiv branch's; a venue paper's panel
  // (SPEC §11) links /venue/<id>, searches /venue/search, shows the venue's PDF and lists its
  // edition and group as subjects.
  std::string page_prefix = "/arxiv/";        // the title links page_prefix + id
  std::string author_search = "/arxiv/search";  // author links: author_search?query=au:"..."
  std::string pdf_url;                        // "" = the paper's arXiv PDF
  std::vector<std::pair<std::string, std::string>> subjects;  // (text, href); empty = categories
};

// Appends one <div class="panel paper" id="..."> per the HTML contract.
void RenderPaperPanel(std::string& out, const core::Paper& paper, const PanelOptions& opts);

// The same for many panels in a row: the view model's storage is reused from one panel to the
// next (a 2,000-paper list page allocates a fraction of what fresh view models would).
class PanelRenderer {
 public:
  void Render(std::string& out, const core::Paper& paper, const PanelOptions& opts);

 private:
  View view_;
};

// The full HTML document: head (meta, CSS, KaTeX), top bar with the search box, `body`,
// bottom bar, scripts.
std::string RenderPage(const PageMeta& meta, const Html& body);
// The same with the body written by `write_body` straight into the page (large pages: no copy
// of the body); `body_bytes` is a size estimate to reserve.
std::string RenderPageWith(const PageMeta& meta, size_t body_bytes,
                           const std::function<void(std::string&)>& write_body);

// A complete HTML response.
Response HtmlResponse(int status, const PageMeta& meta, const Html& body);
// A complete HTML response for a document RenderPage/RenderPageWith rendered.
Response HtmlResponse(int status, std::string page);
// A 4xx/5xx page telling the reader what went wrong and what to try.
Response ErrorPage(int status, std::string_view message, std::string_view hint);
// {"error": ..., "hint": ...} with the status.
Response JsonError(int status, std::string_view error, std::string_view hint);
// A JSON body with the status.
Response JsonResponse(int status, std::string body);

}  // namespace coolpapers::web
