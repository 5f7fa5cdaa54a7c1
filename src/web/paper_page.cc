#include "web/paper_page.h"

#include <algorithm>

#include "core/text.h"
#include "web/render.h"

namespace coolpapers::web {
namespace {

using core::AppendHtmlEscaped;

void AppendMeta(std::string& out, std::string_view name, std::string_view content) {
  if (content.empty()) return;
  out += "<meta name=\"";
  out += name;
  out += "\" content=\"";
  AppendHtmlEscaped(out, content);
  out += "\">\n";
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string CitationDate(std::string_view s) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return "";
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(s[i])) return "";
  }
  std::string out(s.substr(0, 10));
  out[4] = '/';
  out[7] = '/';
  return out;
}

std::string ShortDescription(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = text.rfind(' ', max_bytes);
  if (cut == std::string_view::npos || cut < max_bytes / 2) {
    cut = max_bytes;
    // Never cut inside a UTF-8 sequence.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  }
  return std::string(text.substr(0, cut)) + "…";
}

std::string HighwireMeta(const core::Paper& paper, std::string_view first_day) {
  std::string out;
  AppendMeta(out, "citation_title", paper.title);
  for (const std::string& a : paper.authors) AppendMeta(out, "citation_author", a);
  std::string date = CitationDate(paper.published);
  if (date.empty()) date = CitationDate(first_day);
  if (date.empty()) date = CitationDate(paper.updated);
  AppendMeta(out, "citation_date", date);
  AppendMeta(out, "citation_pdf_url", paper.pdf_url());
  AppendMeta(out, "citation_arxiv_id", paper.id);
  AppendMeta(out, "citation_abstract_html_url", paper.abs_url());
  AppendMeta(out, "citation_doi", paper.doi);
  AppendMeta(out, "citation_journal_title", paper.journal_ref);
  return out;
}

std::string RenderPaperBody(const core::Paper& paper,
                            const std::vector<core::Membership>& memberships,
                            const store::ClickCounts& clicks) {
  std::string out;
  out.reserve(4096 + memberships.size() * 128);
  out += "<section class=\"paper-page\" data-id=\"";
  AppendHtmlEscaped(out, paper.id);
  out += "\">\n";
  PanelOptions opts;
  opts.clicks = clicks;
  for (const core::Membership& m : memberships) {
    if (opts.fallback_day.empty() || m.day < opts.fallback_day) opts.fallback_day = m.day;
  }
  RenderPaperPanel(out, paper, opts);
  out += "<section class=\"memberships\">\n<h2>Announcements</h2>\n";
  if (memberships.empty()) {
    out += "<p>Not listed in any stored announcement.</p>\n";
  } else {
    std::vector<core::Membership> sorted = memberships;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const core::Membership& a, const core::Membership& b) {
                       return a.day != b.day ? a.day > b.day : a.category < b.category;
                     });
    out += "<ul class=\"membership-list\">\n";
    for (const core::Membership& m : sorted) {
      out += "<li class=\"membership\">listed in <a href=\"/arxiv/";
      AppendHtmlEscaped(out, m.category);
      out += "?date=";
      AppendHtmlEscaped(out, m.day);
      out += "\">";
      AppendHtmlEscaped(out, m.category);
      out += "</a> on ";
      AppendHtmlEscaped(out, m.day);
      out += " (";
      out += core::AnnounceTypeName(m.type);
      out += ")</li>\n";
    }
    out += "</ul>\n";
  }
  out += "<p class=\"external\"><a href=\"";
  AppendHtmlEscaped(out, paper.abs_url());
  out += "\" rel=\"noopener\">arXiv abstract page</a></p>\n</section>\n</section>\n";
  return out;
}

std::string RenderPaperListBody(const std::vector<core::Paper>& papers,
                                const std::vector<std::string>& missing,
                                const std::map<std::string, store::ClickCounts>& clicks) {
  std::string out;
  out.reserve(1024 + papers.size() * 2600);
  out += "<section class=\"paper-list\" data-count=\"";
  out += std::to_string(papers.size());
  out += "\">\n<h1 class=\"day-title\">";
  out += std::to_string(papers.size());
  out += papers.size() == 1 ? " paper" : " papers";
  out += "</h1>\n";
  if (!missing.empty()) {
    out += "<p class=\"missing\">Not in the database yet: ";
    for (size_t i = 0; i < missing.size(); ++i) {
      if (i > 0) out += ", ";
      out += "<a href=\"https://arxiv.org/abs/";
      AppendHtmlEscaped(out, missing[i]);
      out += "\" rel=\"noopener\">";
      AppendHtmlEscaped(out, missing[i]);
      out += "</a>";
    }
    out += "</p>\n";
  }
  PanelOptions opts;
  for (size_t i = 0; i < papers.size(); ++i) {
    auto it = clicks.find(papers[i].id);
    opts.clicks = it == clicks.end() ? store::ClickCounts{} : it->second;
    opts.index = static_cast<int>(i) + 1;
    RenderPaperPanel(out, papers[i], opts);
  }
  out += "</section>\n";
  return out;
}

}  // namespace coolpapers::web
