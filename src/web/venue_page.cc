// Venue pages (SPEC §11): the view models of templates/venue_*.mustache. Every text value is
// escaped by the templates; URLs from upstream are shown only when they are http(s).

#include "web/venue_page.h"

#include <utility>

#include "core/text.h"
#include "web/templates.h"

namespace coolpapers::web {
namespace {

bool IsWebUrl(std::string_view url) {
  return core::StartsWith(url, "https://") || core::StartsWith(url, "http://");
}

std::string GroupHref(std::string_view edition, std::string_view group) {
  std::string href = "/venue/";
  href.append(edition).append("?group=").append(core::UrlEncode(group));
  return href;
}

// The id attribute of a group heading: "group-" + the group with spaces as '-'.
std::string GroupAnchor(std::string_view group) {
  std::string out = "group-";
  for (char c : group) out += (c == ' ' || c == '\t') ? '-' : c;
  return out;
}

std::string Year(std::string_view edition) {
  std::string conf;
  int year = 0;
  if (!core::SplitEdition(std::string(edition), &conf, &year)) return "";
  return std::to_string(year);
}

std::string Conference(std::string_view edition) {
  std::string conf;
  int year = 0;
  if (!core::SplitEdition(std::string(edition), &conf, &year)) return std::string(edition);
  return conf;
}

View EditionView(const store::VenueEditionCount& e) {
  View v;
  v.Text("edition", e.edition)
      .Text("label", EditionLabel(e.edition))
      .Text("count", e.papers)
      .Text("noun", e.papers == 1 ? "paper" : "papers")
      .Flag("has_groups", !e.groups.empty());
  v.Items("groups", e.groups.size(), [&e](size_t i, View& g) {
    g.Flag("first", i == 0)
        .Text("name", e.groups[i].first)
        .Text("href", GroupHref(e.edition, e.groups[i].first))
        .Text("count", e.groups[i].second);
  });
  return v;
}

void AppendMeta(std::string& out, std::string_view name, std::string_view content) {
  if (content.empty()) return;
  View v;
  v.Text("name", name).Text("content", content);
  RenderTemplateTo(out, "citation_meta", v);
}

// Where another id of the same paper is read: arXiv ids on /arxiv/, venue ids on /venue/.
std::string OtherIdHref(const std::string& id) {
  if (core::StartsWith(core::ToLower(id), "arxiv:")) return "/arxiv/" + id.substr(6);
  if (id.find('@') != std::string::npos) return "/venue/" + id;
  return "";
}

}  // namespace

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && core::ToLower(a) == core::ToLower(b);
}

std::string NewestEdition(const std::vector<store::VenueEditionCount>& editions,
                          std::string_view conference) {
  std::string newest;
  int newest_year = 0;
  for (const store::VenueEditionCount& e : editions) {
    std::string conf;
    int year = 0;
    if (core::SplitEdition(e.edition, &conf, &year) &&
        (conference == "latest" || EqualsNoCase(conf, conference)) && year > newest_year) {
      newest = e.edition;
      newest_year = year;
    }
  }
  return newest;
}

std::string EditionLabel(std::string_view edition) {
  std::string conf;
  int year = 0;
  if (!core::SplitEdition(std::string(edition), &conf, &year)) return std::string(edition);
  return conf + " " + std::to_string(year);
}

core::Paper PaperOfVenuePaper(const core::VenuePaper& v) {
  core::Paper p;
  p.id = v.id;
  p.version = 1;
  p.title = v.title;
  p.abstract = v.abstract;
  p.authors = v.authors;
  p.doi = v.doi;
  return p;
}

PanelOptions VenuePanelOptions(const core::VenuePaper& v, const store::ClickCounts& clicks) {
  PanelOptions opts;
  opts.clicks = clicks;
  opts.page_prefix = "/venue/";
  opts.author_search = "/venue/search";
  // Only http(s) links reach the page; without a usable PDF the button opens the venue's page
  // (or the paper's own page), never the arXiv PDF of an id arXiv does not have.
  opts.pdf_url = IsWebUrl(v.pdf_url)    ? v.pdf_url
                 : IsWebUrl(v.page_url) ? v.page_url
                                        : "/venue/" + v.id;
  opts.subjects.emplace_back(v.venue, "/venue/" + v.venue);
  if (!v.group.empty()) opts.subjects.emplace_back(v.group, GroupHref(v.venue, v.group));
  return opts;
}

Html RenderVenueIndexBody(const std::vector<store::VenueEditionCount>& editions) {
  if (editions.empty()) {
    std::string out = "<section class=\"venue-index\">\n<h1>Venues</h1>\n";
    out += RenderTemplate("venues_empty", View()).str();
    out += "</section>\n";
    return Html::Trusted(std::move(out));
  }
  std::vector<View> conferences;
  std::string current;
  std::vector<View> rows;
  auto flush = [&] {
    if (rows.empty()) return;
    View c;
    c.Text("name", current).List("editions", std::move(rows));
    conferences.push_back(std::move(c));
    rows.clear();
  };
  for (const store::VenueEditionCount& e : editions) {
    std::string conf = Conference(e.edition);
    if (conf != current) flush();
    current = conf;
    rows.push_back(EditionView(e));
  }
  flush();
  View v;
  v.List("conferences", std::move(conferences));
  return RenderTemplate("venue_index", v);
}

Html RenderVenuesSection(const std::vector<store::VenueEditionCount>& editions) {
  if (editions.empty()) return RenderTemplate("venues_empty", View());
  std::vector<View> rows;
  for (const store::VenueEditionCount& e : editions) rows.push_back(EditionView(e));
  View v;
  v.List("editions", std::move(rows));
  return RenderTemplate("venues_home", v);
}

void RenderVenueEditionBodyTo(std::string& out, const VenueEditionData& d) {
  const store::VenueEditionCount& e = d.edition;
  View v = EditionView(e);
  const int64_t count = static_cast<int64_t>(d.papers.size());
  std::string all_href = d.group.empty() ? "/venue/" + e.edition : GroupHref(e.edition, d.group);
  v.Text("count", count)
      .Text("noun", count == 1 ? "paper" : "papers")
      .OptionalText("group", d.group)
      .Text("show", d.show)
      .Flag("show_more", d.show > 0 && count > d.show)
      .Text("all_href", all_href);
  RenderTemplateAround(out, "venue_edition", v, [&](std::string& body) {
    PanelRenderer panels;
    std::string group;
    for (size_t i = 0; i < d.papers.size(); ++i) {
      const core::VenuePaper& p = d.papers[i];
      if (i == 0 || p.group != group) {
        group = p.group;
        int64_t n = 0;
        for (const auto& [name, c] : e.groups) n = name == group ? c : n;
        View h;
        h.Text("anchor", GroupAnchor(group)).Text("name", group).Text("count", n);
        RenderTemplateTo(body, "venue_group", h);
      }
      auto it = d.clicks.find(p.id);
      PanelOptions opts =
          VenuePanelOptions(p, it == d.clicks.end() ? store::ClickCounts{} : it->second);
      opts.index = static_cast<int>(i) + 1;
      opts.deferred = d.show > 0 && static_cast<int>(i) >= d.show;
      panels.Render(body, PaperOfVenuePaper(p), opts);
    }
  });
}

Html VenueHighwireMeta(const core::VenuePaper& v) {
  std::string out;
  AppendMeta(out, "citation_title", v.title);
  for (const std::string& a : v.authors) AppendMeta(out, "citation_author", a);
  AppendMeta(out, "citation_conference_title", EditionLabel(v.venue));
  AppendMeta(out, "citation_publication_date", Year(v.venue));
  AppendMeta(out, "citation_date", Year(v.venue));
  if (IsWebUrl(v.pdf_url)) AppendMeta(out, "citation_pdf_url", v.pdf_url);
  if (IsWebUrl(v.page_url)) AppendMeta(out, "citation_abstract_html_url", v.page_url);
  AppendMeta(out, "citation_doi", v.doi);
  size_t dash = v.pages.find('-');
  if (!v.pages.empty()) {
    AppendMeta(out, "citation_firstpage", v.pages.substr(0, dash));
    if (dash != std::string::npos) AppendMeta(out, "citation_lastpage", v.pages.substr(dash + 1));
  }
  return Html::Trusted(std::move(out));
}

Html RenderVenuePaperBody(const core::VenuePaper& v, const store::ClickCounts& clicks,
                          const std::vector<store::PaperLink>& links) {
  std::string panel;
  RenderPaperPanel(panel, PaperOfVenuePaper(v), VenuePanelOptions(v, clicks));
  View view;
  view.Text("id", v.id)
      .Markup("panel_html", Html::Trusted(std::move(panel)))
      .Text("edition", v.venue)
      .Text("label", EditionLabel(v.venue))
      .OptionalText("group", v.group)
      .Text("group_href", GroupHref(v.venue, v.group))
      .OptionalText("pages", v.pages)
      .OptionalText("doi", v.doi)
      .OptionalText("page_url", IsWebUrl(v.page_url) ? v.page_url : "")
      .OptionalText("pdf_url", IsWebUrl(v.pdf_url) ? v.pdf_url : "")
      .Flag("has_other_ids", !v.other_ids.empty());
  std::string arxiv_id;
  for (const store::PaperLink& l : links) arxiv_id = l.venue_id == v.id ? l.arxiv_id : arxiv_id;
  view.OptionalText("arxiv_id", arxiv_id);
  view.Items("other_ids", v.other_ids.size(), [&v](size_t i, View& o) {
    o.Flag("first", i == 0).Text("id", v.other_ids[i]).OptionalText("href",
                                                                    OtherIdHref(v.other_ids[i]));
  });
  return RenderTemplate("venue_paper_page", view);
}

Html RenderVenuePaperListBody(const std::vector<core::VenuePaper>& papers,
                              const std::vector<std::string>& missing,
                              const std::map<std::string, store::ClickCounts>& clicks) {
  View v;
  v.Text("count", static_cast<int64_t>(papers.size()))
      .Text("noun", papers.size() == 1 ? "paper" : "papers")
      .Flag("has_missing", !missing.empty());
  v.Items("missing", missing.size(), [&missing](size_t i, View& m) {
    m.Flag("first", i == 0).Text("id", missing[i]);
  });
  std::string out;
  RenderTemplateAround(out, "venue_paper_list", v, [&](std::string& body) {
    PanelRenderer panels;
    for (size_t i = 0; i < papers.size(); ++i) {
      auto it = clicks.find(papers[i].id);
      PanelOptions opts = VenuePanelOptions(
          papers[i], it == clicks.end() ? store::ClickCounts{} : it->second);
      opts.index = static_cast<int>(i) + 1;
      panels.Render(body, PaperOfVenuePaper(papers[i]), opts);
    }
  });
  return Html::Trusted(std::move(out));
}

}  // namespace coolpapers::web
