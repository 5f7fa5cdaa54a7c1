#include "web/list_page.h"

#include <string>
#include <string_view>

#include "core/text.h"
#include "web/render.h"

namespace coolpapers::web {
namespace {

using core::AppendHtmlEscaped;

// Markers DeferPanelsPast relies on; they match what RenderListBody and RenderPaperPanel write
// (list_page_test compares the two ways of producing a ?show=N page byte for byte).
constexpr std::string_view kDayListOpen = "<section class=\"day-list\"";
constexpr std::string_view kPanelOpen = "<div class=\"panel paper\" id=\"";
constexpr std::string_view kDeferredAttrs = " data-deferred=\"1\" hidden";

// The "Show all N papers" link; `expr_html` and `day_html` are already HTML-escaped.
void AppendShowMore(std::string& out, std::string_view expr_html, std::string_view day_html,
                    size_t count) {
  out += "<p class=\"show-more\"><a href=\"/arxiv/";
  out += expr_html;
  out += "?date=";
  out += day_html;
  out += "\">Show all ";
  out += std::to_string(count);
  out += " papers</a></p>\n";
}

// Rough bytes per rendered panel (title, authors, ~1.2 KB abstract, buttons).
constexpr size_t kPanelBytes = 2600;

void AppendDayLink(std::string& out, std::string_view escaped_expr, std::string_view day,
                   std::string_view rel, std::string_view label) {
  out += "<a class=\"day-";
  out += rel;
  out += "\" rel=\"";
  out += rel;
  out += "\" href=\"/arxiv/";
  out += escaped_expr;
  out += "?date=";
  AppendHtmlEscaped(out, day);
  out += "\">";
  out += label;
  AppendHtmlEscaped(out, day);
  out += "</a>";
}

void AppendDayNav(std::string& out, const ListPageData& d, std::string_view escaped_expr) {
  // days are newest first: the previous (older) day follows ours, the next (newer) precedes it.
  const store::DayCount* older = nullptr;
  const store::DayCount* newer = nullptr;
  for (size_t i = 0; i < d.days.size(); ++i) {
    if (d.days[i].day == d.day) {
      if (i + 1 < d.days.size()) older = &d.days[i + 1];
      if (i > 0) newer = &d.days[i - 1];
      break;
    }
  }
  out += "<nav class=\"day-nav\">";
  if (older) AppendDayLink(out, escaped_expr, older->day, "prev", "&larr; ");
  if (older && newer) out += " · ";
  if (newer) AppendDayLink(out, escaped_expr, newer->day, "next", "&rarr; ");
  out += "\n<form class=\"day-picker\" method=\"get\" action=\"/arxiv/";
  out += escaped_expr;
  out += "\"><label>Day <select name=\"date\">";
  for (const store::DayCount& dc : d.days) {
    out += "<option value=\"";
    AppendHtmlEscaped(out, dc.day);
    out += '"';
    if (dc.day == d.day) out += " selected";
    out += '>';
    AppendHtmlEscaped(out, dc.day);
    out += " (";
    out += std::to_string(dc.count);
    out += ")</option>";
  }
  out += "</select></label> <button type=\"submit\">Go</button></form>\n";
  out += "<a class=\"feed-link\" href=\"/arxiv/";
  out += escaped_expr;
  out += "/feed\">Feed</a></nav>\n";
}

void AppendStatus(std::string& out, const ListPageData& d) {
  if (!d.status) return;
  const store::DayStatus& st = *d.status;
  if (st.complete()) {
    out += "<p class=\"day-status complete\">complete: all ";
    out += std::to_string(st.expected);
    out += " announced papers stored</p>\n";
  } else {
    out += "<p class=\"day-status incomplete\">incomplete: ";
    out += std::to_string(st.expected - st.stored);
    out += " missing, retrying</p>\n";
  }
}

std::string SectionTitle(core::AnnounceType t) {
  switch (t) {
    case core::AnnounceType::kNew: return "New submissions";
    case core::AnnounceType::kCross: return "Cross-lists";
    case core::AnnounceType::kReplace: return "Replacements";
    case core::AnnounceType::kReplaceCross: return "Cross-list replacements";
  }
  return "Papers";
}

std::string AnnounceLabel(const store::ListEntry& e) {
  const std::string& primary = e.paper.primary_category();
  switch (e.type) {
    case core::AnnounceType::kNew: return "";
    case core::AnnounceType::kCross:
      return primary.empty() ? "cross-list" : "cross-list from " + primary;
    case core::AnnounceType::kReplace: return "replaced";
    case core::AnnounceType::kReplaceCross:
      return primary.empty() ? "replaced cross-list" : "replaced cross-list from " + primary;
  }
  return "";
}

}  // namespace

ListCounts CountEntries(const std::vector<store::ListEntry>& entries) {
  ListCounts c;
  for (const store::ListEntry& e : entries) {
    if (e.type == core::AnnounceType::kNew) {
      ++c.new_count;
    } else if (e.type == core::AnnounceType::kCross) {
      ++c.cross_count;
    } else {
      ++c.other_count;
    }
  }
  return c;
}

std::string ListHeading(const ListPageData& d, const ListCounts& counts) {
  std::string h = d.display_name + " — " + d.day + " — " + std::to_string(counts.new_count) +
                  " new, " + std::to_string(counts.cross_count) + " cross-lists";
  if (counts.other_count > 0) h += ", " + std::to_string(counts.other_count) + " replacements";
  return h;
}

std::string RenderListBody(const ListPageData& d) {
  const ListCounts counts = CountEntries(d.entries);
  const std::string expr = core::HtmlEscape(d.expr);
  std::string out;
  out.reserve(4096 + d.days.size() * 64 + d.entries.size() * kPanelBytes);

  out += kDayListOpen;
  out += " data-expr=\"";
  out += expr;
  out += "\" data-day=\"";
  AppendHtmlEscaped(out, d.day);
  out += "\" data-count=\"";
  out += std::to_string(d.entries.size());
  out += "\" data-show=\"";
  out += std::to_string(d.show);
  out += "\">\n<h1 class=\"day-title\">";
  AppendHtmlEscaped(out, ListHeading(d, counts));
  out += "</h1>\n";
  AppendDayNav(out, d, expr);
  AppendStatus(out, d);

  PanelOptions opts;
  opts.fallback_day = d.day;
  bool first = true;
  core::AnnounceType section = core::AnnounceType::kNew;
  for (size_t i = 0; i < d.entries.size(); ++i) {
    const store::ListEntry& e = d.entries[i];
    if (first || e.type != section) {
      section = e.type;
      first = false;
      out += "<h2 class=\"list-section\" id=\"section-";
      out += core::AnnounceTypeName(section);
      out += "\">";
      out += SectionTitle(section);
      out += "</h2>\n";
    }
    auto it = d.clicks.find(e.paper.id);
    opts.clicks = it == d.clicks.end() ? store::ClickCounts{} : it->second;
    opts.index = static_cast<int>(i) + 1;
    opts.announce_label = AnnounceLabel(e);
    opts.deferred = d.show > 0 && static_cast<int>(i) >= d.show;
    RenderPaperPanel(out, e.paper, opts);
  }
  if (d.entries.empty()) {
    out += "<p class=\"empty\">No papers listed for this selection on this day.</p>\n";
  }
  if (d.show > 0 && static_cast<int>(d.entries.size()) > d.show) {
    AppendShowMore(out, expr, core::HtmlEscape(d.day), d.entries.size());
  }
  out += "</section>\n";
  return out;
}

std::optional<std::string> DeferPanelsPast(std::string_view page, int show) {
  if (show <= 0) return std::nullopt;
  const size_t section = page.find(kDayListOpen);
  if (section == std::string_view::npos) return std::nullopt;
  const size_t tag_end = page.find('>', section);
  if (tag_end == std::string_view::npos) return std::nullopt;
  const std::string_view tag = page.substr(section, tag_end - section);
  auto attr = [&tag](std::string_view name) -> std::optional<std::string_view> {
    const std::string key = " " + std::string(name) + "=\"";
    size_t at = tag.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    at += key.size();
    size_t end = tag.find('"', at);
    if (end == std::string_view::npos) return std::nullopt;
    return tag.substr(at, end - at);
  };
  auto expr = attr("data-expr"), day = attr("data-day"), count_text = attr("data-count"),
       shown = attr("data-show");
  int64_t count = 0;
  if (!expr || !day || !count_text || !shown || *shown != "0" ||
      !core::ParseInt64(*count_text, count)) {
    return std::nullopt;
  }
  if (show >= count) return std::nullopt;  // nothing to defer: the page as it is

  std::string out;
  out.reserve(page.size() + static_cast<size_t>(count - show) * 32 + 256);
  // The section tag with data-show="<show>".
  const size_t show_at = section + static_cast<size_t>(shown->data() - tag.data());
  out.append(page.substr(0, show_at));
  out += std::to_string(show);
  size_t pos = show_at + 1;
  int index = 0;
  size_t last_panel = std::string_view::npos;
  for (size_t p = page.find(kPanelOpen, pos); p != std::string_view::npos;
       p = page.find(kPanelOpen, p + 1)) {
    last_panel = p;
    if (index++ < show) continue;
    const size_t gt = page.find('>', p);
    if (gt == std::string_view::npos) return std::nullopt;
    out.append(page.substr(pos, gt - pos));
    out += kDeferredAttrs;
    pos = gt;
  }
  if (index != count || last_panel == std::string_view::npos) return std::nullopt;
  const size_t close = page.find("</section>\n", last_panel);
  if (close == std::string_view::npos) return std::nullopt;
  out.append(page.substr(pos, close - pos));
  AppendShowMore(out, *expr, *day, static_cast<size_t>(count));
  out.append(page.substr(close));
  return out;
}

}  // namespace coolpapers::web
