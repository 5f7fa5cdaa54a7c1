#include "web/home_page.h"

#include <span>
#include <vector>

#include "core/text.h"

namespace coolpapers::web {
namespace {

using core::AppendHtmlEscaped;

void AppendCategory(std::string& out, const core::Category& cat, const CategoryDays* days) {
  const std::string id = core::HtmlEscape(cat.id);
  out += "<li class=\"category\" data-category=\"";
  out += id;
  out += "\"><a class=\"category-link\" href=\"/arxiv/";
  out += id;
  out += "\">";
  out += id;
  out += "</a> <span class=\"category-name\">";
  AppendHtmlEscaped(out, cat.name);
  out += "</span>";
  if (days) {
    out += " <span class=\"category-days\">";
    out += std::to_string(days->days);
    out += days->days == 1 ? " day" : " days";
    out += ", latest <a href=\"/arxiv/";
    out += id;
    out += "?date=";
    AppendHtmlEscaped(out, days->last_day);
    out += "\">";
    AppendHtmlEscaped(out, days->last_day);
    out += "</a> (";
    out += std::to_string(days->last_count);
    out += ")</span>";
  }
  out += " <a class=\"feed-link\" href=\"/arxiv/";
  out += id;
  out += "/feed\">Feed</a> <form class=\"date-picker\" method=\"get\" action=\"/arxiv/";
  out += id;
  out += "\"><input type=\"date\" name=\"date\" aria-label=\"Announcement day for ";
  out += id;
  out += '"';
  if (days) {
    out += " min=\"";
    AppendHtmlEscaped(out, days->first_day);
    out += "\" max=\"";
    AppendHtmlEscaped(out, days->last_day);
    out += "\" value=\"";
    AppendHtmlEscaped(out, days->last_day);
    out += '"';
  }
  out += " required><button type=\"submit\">Go</button></form></li>\n";
}

void AppendArchive(std::string& out, const core::Archive& archive, const core::Taxonomy& taxonomy,
                   const std::map<std::string, CategoryDays>& days) {
  const std::string id = core::HtmlEscape(archive.id);
  out += "<section class=\"archive\" id=\"archive-";
  out += id;
  out += "\">\n<h3><a class=\"archive-link\" href=\"/arxiv/";
  out += id;
  out += "\">";
  AppendHtmlEscaped(out, archive.name);
  out += " (";
  out += id;
  out += ")</a> <a class=\"feed-link\" href=\"/arxiv/";
  out += id;
  out += "/feed\">Feed</a></h3>\n<ul class=\"categories\">\n";
  for (const std::string& cat_id : archive.categories) {
    const core::Category* cat = taxonomy.FindCategory(cat_id);
    if (!cat) continue;
    auto it = days.find(cat->id);
    AppendCategory(out, *cat, it == days.end() ? nullptr : &it->second);
  }
  out += "</ul>\n</section>\n";
}

}  // namespace

Result<std::map<std::string, CategoryDays>> ReadCategoryDays(store::Store& store,
                                                             const core::Taxonomy& taxonomy) {
  std::map<std::string, CategoryDays> out;
  for (const core::Archive& archive : taxonomy.archives()) {
    for (const std::string& cat : archive.categories) {
      if (out.count(cat)) continue;
      std::vector<std::string> one{cat};
      auto days = store.Days(std::span<const std::string>(one));
      if (!days) return Err(days.error());
      if (days->empty()) continue;
      CategoryDays& cd = out[cat];
      cd.days = static_cast<int>(days->size());
      cd.last_day = days->front().day;
      cd.last_count = days->front().count;
      cd.first_day = days->back().day;
    }
  }
  return out;
}

std::string RenderHomeBody(const core::Taxonomy& taxonomy,
                           const std::map<std::string, CategoryDays>& days,
                           std::string_view venues_html) {
  std::string out;
  out.reserve(96 * 1024);
  out += "<section id=\"arxiv-categories\" class=\"home-arxiv\">\n<h1>arXiv</h1>\n";
  out += "<p class=\"home-intro\">Each day's new submissions and cross-lists for every arXiv "
         "category. Combine categories in the address: <code>/arxiv/cs.CL,cs.LG</code> "
         "(either), <code>/arxiv/cs.AI+cs.LG-cs.CV</code> (in cs.AI or cs.LG, not in cs.CV).</p>\n";
  // Groups in the taxonomy's order of first appearance, each with its archives.
  std::vector<std::string> groups;
  for (const core::Archive& a : taxonomy.archives()) {
    bool seen = false;
    for (const std::string& g : groups) seen = seen || g == a.group;
    if (!seen) groups.push_back(a.group);
  }
  for (const std::string& group : groups) {
    out += "<section class=\"group\">\n<h2>";
    AppendHtmlEscaped(out, group);
    out += "</h2>\n";
    for (const core::Archive& a : taxonomy.archives()) {
      if (a.group == group) AppendArchive(out, a, taxonomy, days);
    }
    out += "</section>\n";
  }
  out += "</section>\n<section id=\"venues\" class=\"home-venues\">\n<h1>Venues</h1>\n";
  out += venues_html;
  out += "</section>\n";
  return out;
}

}  // namespace coolpapers::web
