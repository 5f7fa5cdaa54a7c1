#pragma once
// Page rendering shared by every HTML route: the page frame and the paper panel of the HTML
// contract (SPEC §3). Everything user- or upstream-supplied is escaped here.

#include <string>
#include <string_view>
#include <vector>

#include "core/paper.h"
#include "store/store.h"
#include "web/http.h"

namespace coolpapers::web {

struct PageMeta {
  std::string title;
  std::string description;
  std::string lang = "en";
  std::string body_id = "arxiv";   // "arxiv" or "venue"
  std::string canonical_path;      // e.g. "/arxiv/cs.CL"
  std::string feed_path;           // Atom feed linked from the page ("" = none)
  std::string extra_head;          // trusted HTML for <head> (meta tags built by the caller)
  std::string search_query;        // pre-filled search box value
};

struct PanelOptions {
  store::ClickCounts clicks;
  int index = 0;                       // 1-based position shown on the page (0 = hidden)
  std::string announce_label;          // e.g. "cross-list from cs.LG" ("" = none)
  std::string summary_html;            // trusted HTML replacing the abstract (e.g. highlighted)
  std::string title_html;              // trusted HTML replacing the escaped title
  std::vector<std::string> keywords;   // top keywords (data-keywords attribute)
  std::string fallback_day;            // "YYYY-MM-DD" for p.date when the paper has no dates
  bool deferred = false;  // past ?show=N: rendered `hidden data-deferred="1"`; app.js reveals it
};

// Appends one <div class="panel paper" id="..."> per the HTML contract.
void RenderPaperPanel(std::string& out, const core::Paper& paper, const PanelOptions& opts);

// The full HTML document: head (meta, CSS, KaTeX), top bar with the search box, `body_html`,
// bottom bar, scripts.
std::string RenderPage(const PageMeta& meta, std::string_view body_html);

// A complete HTML response.
Response HtmlResponse(int status, const PageMeta& meta, std::string_view body_html);
// A 4xx/5xx page telling the reader what went wrong and what to try.
Response ErrorPage(int status, std::string_view message, std::string_view hint);
// {"error": ..., "hint": ...} with the status.
Response JsonError(int status, std::string_view error, std::string_view hint);
// A JSON body with the status.
Response JsonResponse(int status, std::string body);

}  // namespace coolpapers::web
