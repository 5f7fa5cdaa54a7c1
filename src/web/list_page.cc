#include "web/list_page.h"

#include <string>
#include <string_view>

#include "core/day_range.h"
#include "core/text.h"
#include "web/render.h"
#include "web/templates.h"

namespace coolpapers::web {
namespace {

// Markers DeferPanelsPast relies on; they match what templates/list_page.mustache and
// templates/paper_panel.mustache write (the golden case list_page.test show-one-defers-the-rest
// and arxiv_routes_test compare the two ways of producing a ?show=N page).
constexpr std::string_view kDayListOpen = "<section class=\"day-list\"";
constexpr std::string_view kPanelOpen = "<div class=\"panel paper\" id=\"";
constexpr std::string_view kDeferredAttrs = " data-deferred=\"1\" hidden";

// The "Show all N papers" link (templates/partials/show_more.mustache).
void AppendShowMore(std::string& out, std::string_view expr, std::string_view day, size_t count,
                    bool replacements) {
  View v;
  v.Text("expr", std::string(expr))
      .Text("day", std::string(day))
      .Text("count", static_cast<int64_t>(count))
      .Text("qs", ListOptionsSuffix(replacements));
  RenderTemplateTo(out, "partials/show_more", v);
}

// The text of an attribute value this file's templates wrote (the entities HtmlEscape writes).
std::string HtmlUnescape(std::string_view s) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    bool matched = false;
    if (s[i] == '&') {
      for (const auto& [entity, c] : kEntities) {
        if (s.substr(i, entity.size()) == entity) {
          out += c;
          i += entity.size();
          matched = true;
          break;
        }
      }
    }
    if (!matched) out += s[i++];
  }
  return out;
}

// Rough bytes per rendered panel (title, authors, ~1.2 KB abstract, buttons).
constexpr size_t kPanelBytes = 2600;

// The day navigation: the previous (older) and next (newer) day with a listing, and the day
// picker over every day.
// On a range page, the ranges as long just before and after it, when a listing day lies there.
void AddRangeNav(View& v, const ListPageData& d) {
  auto range = core::ParseDayRange(d.day);
  if (!range) return;
  // days are newest first.
  const bool older = !d.days.empty() && d.days.back().day < range->first;
  const bool newer = !d.days.empty() && d.days.front().day > range->last;
  if (older) v.Child("older", View().Text("day", core::RangeBefore(*range).ToString()));
  if (newer) v.Child("newer", View().Text("day", core::RangeAfter(*range).ToString()));
  v.Flag("older_and_newer", older && newer);
}

void AddDayNav(View& v, const ListPageData& d) {
  if (!d.day_slices.empty()) {
    AddRangeNav(v, d);
  } else {
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
    if (older) v.Child("older", View().Text("day", older->day));
    if (newer) v.Child("newer", View().Text("day", newer->day));
    v.Flag("older_and_newer", older && newer);
  }
  std::vector<View> days;
  days.reserve(d.days.size());
  for (const store::DayCount& dc : d.days) {
    View one;
    one.Text("day", dc.day).Text("count", dc.count).Flag("selected", dc.day == d.day);
    days.push_back(std::move(one));
  }
  v.List("days", std::move(days));
  // "This week" and "Last 7 days", ending on the newest listed day (not on today: a server
  // whose newest listing is old still links ranges that have papers).
  if (!d.days.empty()) {
    const std::string& newest = d.days.front().day;
    v.Child("ranges", View()
                          .Text("week", core::WeekOf(newest).ToString())
                          .Text("last7", core::LastDays(newest, 7).ToString()));
  }
  v.Flag("replacements", d.replacements).Text("qs", ListOptionsSuffix(d.replacements));
}

void AddStatus(View& v, const ListPageData& d) {
  if (!d.status) return;
  const store::DayStatus& st = *d.status;
  if (st.complete()) {
    v.Flag("complete", true).Text("expected", st.expected);
  } else {
    v.Flag("incomplete", true).Text("missing", st.expected - st.stored);
  }
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

// The section an entry is listed in: new submissions, cross-lists, or replacements (arXiv lists
// replaced papers and replaced cross-lists together, as one section).
core::AnnounceType SectionOf(core::AnnounceType t) {
  return t == core::AnnounceType::kReplaceCross ? core::AnnounceType::kReplace : t;
}

std::string SectionTitle(core::AnnounceType t) {
  switch (t) {
    case core::AnnounceType::kNew: return "New submissions";
    case core::AnnounceType::kCross: return "Cross-lists";
    case core::AnnounceType::kReplace:
    case core::AnnounceType::kReplaceCross: return "Replacements";
  }
  return "Papers";
}

ListCounts CountSpan(const std::vector<store::ListEntry>& entries, size_t begin, size_t end) {
  ListCounts c;
  for (size_t i = begin; i < end; ++i) {
    const core::AnnounceType t = entries[i].type;
    if (t == core::AnnounceType::kNew) {
      ++c.new_count;
    } else if (t == core::AnnounceType::kCross) {
      ++c.cross_count;
    } else {
      ++c.other_count;
    }
  }
  return c;
}

// "12 new, 3 cross-lists" (", 4 replacements" when there are any).
std::string CountsText(const ListCounts& c) {
  std::string t = std::to_string(c.new_count) + " new, " + std::to_string(c.cross_count) +
                  " cross-lists";
  if (c.other_count > 0) t += ", " + std::to_string(c.other_count) + " replacements";
  return t;
}

// The heading of one announce-type section: h2 on a day page; on a range page h3 under the
// day's heading, with the day in its id.
void RenderSectionHeading(std::string& body, core::AnnounceType section, const std::string& day,
                          bool in_range) {
  std::string id = "section-" + std::string(core::AnnounceTypeName(section));
  if (in_range) id += "-" + day;
  View heading;
  heading.Text("level", in_range ? "3" : "2").Text("id", id).Text("title", SectionTitle(section));
  RenderTemplateTo(body, "list_section", heading);
}

void RenderDayHeading(std::string& body, const ListPageData& d, const DaySlice& slice) {
  const ListCounts c = CountSpan(d.entries, slice.begin, slice.end);
  View v;
  v.Text("expr", d.expr)
      .Text("day", slice.day)
      .Text("qs", ListOptionsSuffix(d.replacements))
      .Text("counts", CountsText(c));
  RenderTemplateTo(body, "list_day", v);
}

// The panels of entries[begin, end), a heading before each announce-type section.
void RenderPanels(std::string& body, const ListPageData& d, size_t begin, size_t end,
                  const std::string& day, PanelRenderer& panels, PanelOptions& opts) {
  const bool in_range = !d.day_slices.empty();
  bool first = true;
  core::AnnounceType section = core::AnnounceType::kNew;
  opts.fallback_day = day;
  for (size_t i = begin; i < end; ++i) {
    const store::ListEntry& e = d.entries[i];
    if (first || SectionOf(e.type) != section) {
      section = SectionOf(e.type);
      first = false;
      RenderSectionHeading(body, section, day, in_range);
    }
    auto it = d.clicks.find(e.paper.id);
    opts.clicks = it == d.clicks.end() ? store::ClickCounts{} : it->second;
    opts.index = static_cast<int>(i) + 1;
    opts.announce_label = AnnounceLabel(e);
    opts.deferred = d.show > 0 && static_cast<int>(i) >= d.show;
    panels.Render(body, e.paper, opts);
  }
}

}  // namespace

ListCounts CountEntries(const std::vector<store::ListEntry>& entries) {
  return CountSpan(entries, 0, entries.size());
}

std::string ListHeading(const ListPageData& d, const ListCounts& counts) {
  std::string when = d.day;
  if (const size_t dots = d.day.find(".."); dots != std::string::npos) {
    const size_t n = d.day_slices.size();
    when = d.day.substr(0, dots) + " to " + d.day.substr(dots + 2) + " (" + std::to_string(n) +
           (n == 1 ? " day)" : " days)");
  }
  return d.display_name + " — " + when + " — " + CountsText(counts);
}

std::string_view ListOptionsSuffix(bool replacements) {
  return replacements ? "&show_replacements=1" : "";
}

size_t ListBodyBytes(const ListPageData& d) {
  return 4096 + d.days.size() * 64 + d.entries.size() * kPanelBytes;
}

void RenderListBodyTo(std::string& out, const ListPageData& d) {
  const ListCounts counts = CountEntries(d.entries);
  View v;
  v.Text("expr", d.expr)
      .Text("day", d.day)
      .Text("count", static_cast<int64_t>(d.entries.size()))
      .Text("show", d.show)
      .Text("heading", ListHeading(d, counts))
      .Flag("range", !d.day_slices.empty())
      .Flag("empty", d.entries.empty())
      .Flag("show_more", d.show > 0 && static_cast<int>(d.entries.size()) > d.show);
  AddDayNav(v, d);
  AddStatus(v, d);
  RenderTemplateAround(out, "list_page", v, [&d](std::string& body) {
    PanelRenderer panels;
    PanelOptions opts;
    if (d.day_slices.empty()) {
      RenderPanels(body, d, 0, d.entries.size(), d.day, panels, opts);
      return;
    }
    for (const DaySlice& slice : d.day_slices) {
      RenderDayHeading(body, d, slice);
      RenderPanels(body, d, slice.begin, slice.end, slice.day, panels, opts);
    }
  });
}

Html RenderListBody(const ListPageData& d) {
  std::string out;
  out.reserve(ListBodyBytes(d));
  RenderListBodyTo(out, d);
  return Html::Trusted(std::move(out));
}

std::optional<std::string> DeferPanelsPast(std::string_view page, int show) {
  if (show <= 0) return std::nullopt;
  const size_t section = page.find(kDayListOpen);
  if (section == std::string_view::npos) return std::nullopt;
  const size_t tag_end = page.find('>', section);
  if (tag_end == std::string_view::npos) return std::nullopt;
  const std::string_view tag = page.substr(section, tag_end - section);
  auto attr = [&tag](std::string_view name) -> std::optional<std::string_view> {
    std::string key;  // appended, not concatenated: GCC 12 warns (-Wrestrict) on the latter here
    key.reserve(name.size() + 3);
    key += ' ';
    key += name;
    key += "=\"";
    size_t at = tag.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    at += key.size();
    size_t end = tag.find('"', at);
    if (end == std::string_view::npos) return std::nullopt;
    return tag.substr(at, end - at);
  };
  auto expr = attr("data-expr"), day = attr("data-day"), count_text = attr("data-count"),
       shown = attr("data-show");
  const bool replacements = attr("data-replacements").has_value();
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
  AppendShowMore(out, HtmlUnescape(*expr), HtmlUnescape(*day), static_cast<size_t>(count),
                 replacements);
  out.append(page.substr(close));
  return out;
}

}  // namespace coolpapers::web
