#include "web/paper_page.h"

#include <algorithm>

#include "core/text.h"
#include "web/render.h"
#include "web/templates.h"
#include "web/venue_page.h"

namespace coolpapers::web {
namespace {

// One citation meta tag (templates/citation_meta.mustache); none for an empty value.
void AppendMeta(std::string& out, std::string_view name, std::string_view content) {
  if (content.empty()) return;
  View v;
  v.Text("name", std::string(name)).Text("content", std::string(content));
  RenderTemplateTo(out, "citation_meta", v);
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

Html HighwireMeta(const core::Paper& paper, std::string_view first_day) {
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
  return Html::Trusted(std::move(out));
}

Html RenderPaperBody(const core::Paper& paper,
                     const std::vector<core::Membership>& memberships,
                     const store::ClickCounts& clicks,
                     const std::vector<store::PaperLink>& links) {
  PanelOptions opts;
  opts.clicks = clicks;
  for (const core::Membership& m : memberships) {
    if (opts.fallback_day.empty() || m.day < opts.fallback_day) opts.fallback_day = m.day;
  }
  std::string panel;
  RenderPaperPanel(panel, paper, opts);
  std::vector<core::Membership> sorted = memberships;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const core::Membership& a, const core::Membership& b) {
                     return a.day != b.day ? a.day > b.day : a.category < b.category;
                   });
  std::vector<View> rows;
  rows.reserve(sorted.size());
  for (const core::Membership& m : sorted) {
    View row;
    row.Text("category", m.category)
        .Text("day", m.day)
        .Text("type", std::string(core::AnnounceTypeName(m.type)));
    rows.push_back(std::move(row));
  }
  View v;
  v.Text("id", paper.id)
      .Markup("panel_html", Html::Trusted(std::move(panel)))
      .Flag("has_memberships", !rows.empty())
      .List("memberships", std::move(rows))
      .Text("abs_url", paper.abs_url())
      .Flag("has_also_at", !links.empty());
  v.Items("also_at", links.size(), [&links](size_t i, View& a) {
    a.Flag("first", i == 0)
        .Text("venue_id", links[i].venue_id)
        .Text("label", EditionLabel(links[i].edition))
        .OptionalText("group", links[i].group);
  });
  return RenderTemplate("paper_page", v);
}

Html RenderPaperListBody(const std::vector<core::Paper>& papers,
                         const std::vector<std::string>& missing,
                         const std::map<std::string, store::ClickCounts>& clicks,
                         const std::vector<std::string>& fetching) {
  auto rows = [](const std::vector<std::string>& ids) {
    std::vector<View> out;
    for (size_t i = 0; i < ids.size(); ++i) {
      View row;
      row.Flag("first", i == 0).Text("id", ids[i]);
      out.push_back(std::move(row));
    }
    return out;
  };
  View v;
  v.Text("count", static_cast<int64_t>(papers.size()))
      .Text("noun", papers.size() == 1 ? "paper" : "papers")
      .Flag("has_missing", !missing.empty())
      .List("missing", rows(missing))
      .Flag("has_fetching", !fetching.empty())
      .List("fetching", rows(fetching));
  std::string out;
  out.reserve(1024 + papers.size() * 2600);
  RenderTemplateAround(out, "paper_list", v, [&](std::string& body) {
    PanelRenderer panels;
    PanelOptions opts;
    for (size_t i = 0; i < papers.size(); ++i) {
      auto it = clicks.find(papers[i].id);
      opts.clicks = it == clicks.end() ? store::ClickCounts{} : it->second;
      opts.index = static_cast<int>(i) + 1;
      panels.Render(body, papers[i], opts);
    }
  });
  return Html::Trusted(std::move(out));
}

}  // namespace coolpapers::web
