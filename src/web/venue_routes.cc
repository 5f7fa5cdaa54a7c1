// Venue pages (SPEC §3, §11): /venue/ (every imported edition), /venue/<Conf>.<Year> (one
// proceedings, grouped, ?group= and ?show=), /venue/<Conf> (302 to its newest edition) and
// /venue/<id>@<Source> (paper pages, comma lists, aliases). Whole pages go through the page
// cache keyed by the canonical request and tagged with the store's change sequence, as the arXiv
// pages do; paper lists of several ids are not cached (each list is its own page).

#include <algorithm>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/text.h"
#include "core/venue.h"
#include "store/store.h"
#include "web/page_cache.h"
#include "web/paper_page.h"
#include "web/render.h"
#include "web/page_routes.h"
#include "web/routes.h"
#include "web/templates.h"
#include "web/venue_feed.h"
#include "web/venue_page.h"

namespace coolpapers::web {
namespace {

constexpr int kMaxIdsPerPage = 100;
constexpr int kMaxShow = 100000;





// A 404 naming what was asked for, linking /venue/.
Response VenueNotFound(const std::string& message, const std::string& hint) {
  PageMeta meta;
  meta.title = "404 Not Found — coolpapers";
  meta.description = message;
  meta.body_id = "venue";
  View v;
  v.Text("message", message).Text("hint", hint);
  return HtmlResponse(404, meta, RenderTemplate("venue_missing", v));
}

Response IndexPage(Services& s) {
  if (!s.store) return NoStore();
  return Cached(s, "venue-index", [&] {
    auto editions = s.store->VenueEditions();
    if (!editions) return StoreFailure(editions.error());
    PageMeta meta;
    meta.title = "Venues — conference proceedings | coolpapers";
    meta.description = "Every imported conference proceedings with its paper counts and groups.";
    meta.body_id = "venue";
    meta.canonical_path = "/venue/";
    return HtmlResponse(200, meta, RenderVenueIndexBody(*editions));
  });
}

// Reads and renders one edition (its group "" = every group) with panels past `show` deferred.
Response RenderEdition(Services& s, const store::VenueEditionCount& ed, const std::string& group,
                       int show) {
  VenueEditionData d;
  d.edition = ed;
  d.group = group;
  d.show = show;
  auto papers = s.store->ListVenue(ed.edition, group);
  if (!papers) return StoreFailure(papers.error());
  d.papers = std::move(*papers);
  std::vector<std::string> ids;
  ids.reserve(d.papers.size());
  for (const core::VenuePaper& p : d.papers) ids.push_back(p.id);
  auto clicks = s.store->GetClicks(std::span<const std::string>(ids));
  if (!clicks) return StoreFailure(clicks.error());
  d.clicks = std::move(*clicks);
  PageMeta meta;
  const std::string label = EditionLabel(ed.edition);
  meta.title = label + (group.empty() ? "" : " — " + group) + " | coolpapers";
  meta.description = label + (group.empty() ? "" : " (" + group + ")") + ": " +
                     std::to_string(d.papers.size()) + " papers of the proceedings.";
  meta.body_id = "venue";
  meta.canonical_path = "/venue/" + ed.edition + (group.empty() ? "" : "?group=" + group);
  meta.feed_path = "/venue/" + ed.edition + "/feed";
  return HtmlResponse(200, RenderPageWith(meta, 1024 + d.papers.size() * 2600,
                                          [&d](std::string& out) {
                                            RenderVenueEditionBodyTo(out, d);
                                          }));
}

// Parses ?show=N (0 when absent); false (with the 400 in *error) when malformed.
bool ParseShow(const Request& req, int* show, Response* error) {
  *show = 0;
  if (!req.HasParam("show")) return true;
  int64_t n = 0;
  if (!core::ParseInt64(req.Param("show"), n) || n < 1 || n > kMaxShow) {
    *error = ErrorPage(400, "Bad show=\"" + req.Param("show") + "\".",
                       "show is how many papers to display first: a whole number from 1 to " +
                           std::to_string(kMaxShow) + ", e.g. ?show=25.");
    return false;
  }
  *show = static_cast<int>(n);
  return true;
}

// /venue/<Conf>.<Year> after ?show=: the edition's case as stored (301 otherwise), ?group=
// case-insensitive.
Response ResolveEdition(Services& s, const Request& req, const std::string& edition, int show) {
  auto editions = s.store->VenueEditions();
  if (!editions) return StoreFailure(editions.error());
  const store::VenueEditionCount* ed = nullptr;
  for (const auto& e : *editions) ed = !ed && EqualsNoCase(e.edition, edition) ? &e : ed;
  if (!ed) {
    return VenueNotFound("No proceedings \"" + edition + "\" have been imported.",
                         "Editions are named <Conf>.<Year>, e.g. ACL.2024; import one with "
                         "coolpapers import venue.");
  }
  if (ed->edition != edition) {
    size_t q = req.target.find('?');
    return Redirect(301, "/venue/" + ed->edition +
                             (q == std::string::npos ? "" : req.target.substr(q)));
  }
  std::string group;
  if (req.HasParam("group") && !req.Param("group").empty()) {
    for (const auto& [name, n] : ed->groups) {
      if (EqualsNoCase(name, req.Param("group"))) group = name;
    }
    if (group.empty()) {
      return VenueNotFound(ed->edition + " has no group \"" + req.Param("group") + "\".",
                           "Pick a group on /venue/" + ed->edition + ".");
    }
  }
  return RenderEdition(s, *ed, group, show);
}

// /venue/<Conf>.<Year>: whole pages are cached under the request as written, so that a hit reads
// nothing from the store (not even the edition list): only the stored spelling of an edition
// renders a 200 (other cases redirect and are not cached), and ?group= names its page in lower
// case. ?show=N pages are not cached.
Response EditionPage(Services& s, const Request& req, const std::string& edition) {
  int show = 0;
  Response error;
  if (!ParseShow(req, &show, &error)) return error;
  if (show > 0) return ResolveEdition(s, req, edition, show);
  const std::string group = req.HasParam("group") ? core::ToLower(req.Param("group")) : "";
  return Cached(s, "venue:" + edition + "|" + group,
                [&] { return ResolveEdition(s, req, edition, 0); });
}

// /venue/<Conf>: 302 to the newest edition of that conference (case-insensitive).
Response ConferencePage(Services& s, const std::string& conference) {
  auto editions = s.store->VenueEditions();
  if (!editions) return StoreFailure(editions.error());
  const std::string newest = NewestEdition(*editions, conference);
  if (newest.empty()) {
    return VenueNotFound("No proceedings of \"" + conference + "\" have been imported.",
                         "Venues are named as the conferences call themselves, e.g. ACL or ICML.");
  }
  return Redirect(302, "/venue/" + newest);
}

Response RenderVenuePapers(Services& s, const std::vector<std::string>& ids);

// /venue/<id>@<Source>[,<id>@<Source>...]: one paper page, or a list of several.
Response PaperPage(Services& s, const std::string& expr) {
  std::vector<std::string> ids;
  for (const std::string& part : core::Split(expr, ',')) {
    std::string id(core::Trim(part));
    if (!id.empty()) ids.push_back(std::move(id));
  }
  if (ids.empty()) return Redirect(301, "/venue/");
  if (ids.size() > kMaxIdsPerPage) {
    return ErrorPage(400, "Too many ids: " + std::to_string(ids.size()) + ".",
                     "Ask for at most " + std::to_string(kMaxIdsPerPage) + " papers at once.");
  }
  if (ids.size() > 1) return RenderVenuePapers(s, ids);
  return Cached(s, "venue-paper:" + ids[0], [&] { return RenderVenuePapers(s, ids); });
}

Response RenderVenuePapers(Services& s, const std::vector<std::string>& ids) {
  auto papers = s.store->GetVenuePapers(std::span<const std::string>(ids));
  if (!papers) return StoreFailure(papers.error());
  if (papers->empty()) {
    return VenueNotFound("No venue paper " + core::Join(ids, ", ") + " is in the database.",
                         "Venue ids look like 2024.acl-long.3@ACL or <forum>@OpenReview; the "
                         "paper appears once its proceedings are imported.");
  }
  std::vector<std::string> found;
  for (const core::VenuePaper& p : *papers) found.push_back(p.id);
  auto clicks = s.store->GetClicks(std::span<const std::string>(found));
  if (!clicks) return StoreFailure(clicks.error());
  PageMeta meta;
  meta.body_id = "venue";
  if (ids.size() == 1) {
    const core::VenuePaper& p = papers->front();
    auto it = clicks->find(p.id);
    meta.title = p.title + " | " + EditionLabel(p.venue) + " | coolpapers";
    meta.description = ShortDescription(p.abstract);
    meta.canonical_path = "/venue/" + p.id;
    meta.extra_head = VenueHighwireMeta(p);
    auto links = s.store->LinksOf(std::span<const std::string>(&p.id, 1));
    if (!links) return StoreFailure(links.error());
    return HtmlResponse(200, meta,
                        RenderVenuePaperBody(
                            p, it == clicks->end() ? store::ClickCounts{} : it->second, *links));
  }
  std::vector<std::string> missing;
  for (const std::string& id : ids) {
    bool known = false;
    for (const core::VenuePaper& p : *papers) {
      known = known || p.id == id ||
              std::find(p.other_ids.begin(), p.other_ids.end(), id) != p.other_ids.end();
    }
    if (!known) missing.push_back(id);
  }
  meta.title = std::to_string(papers->size()) + " venue papers | coolpapers";
  meta.description = "Venue papers " + core::Join(found, ", ") + ".";
  meta.canonical_path = "/venue/" + core::Join(found, ",");
  return HtmlResponse(200, meta, RenderVenuePaperListBody(*papers, missing, *clicks));
}

// GET /venue/<x>: paper ids (with '@'), an edition (<Conf>.<Year>) or a conference.
Response VenueExprRoute(Services& s, const Request& req) {
  const std::string expr = req.captures.empty() ? "" : req.captures.front();
  if (expr.empty()) return IndexPage(s);
  if (!s.store) return NoStore();
  if (expr.size() > 5 && expr.compare(expr.size() - 5, 5, "/feed") == 0) {
    return VenueFeed(s, expr.substr(0, expr.size() - 5));
  }
  if (expr.find('@') != std::string::npos) return PaperPage(s, expr);
  std::string conf;
  int year = 0;
  if (core::SplitEdition(expr, &conf, &year)) return EditionPage(s, req, expr);
  if (expr.find('.') == std::string::npos && expr.find('/') == std::string::npos) {
    return ConferencePage(s, expr);
  }
  return VenueNotFound("No venue page \"" + expr + "\".",
                       "Venue pages are /venue/<Conf>.<Year> (e.g. /venue/ACL.2024), /venue/<Conf> "
                       "or /venue/<id>@<Source>.");
}

}  // namespace

void RegisterVenueRoutes(Router& r, Services& s) {
  Services* sp = &s;
  r.Add("GET", "/venue", [sp](const Request&) { return IndexPage(*sp); });
  r.Add("GET", "/venue/", [sp](const Request&) { return IndexPage(*sp); });
  r.Add("GET", "/venue/**", [sp](const Request& req) { return VenueExprRoute(*sp, req); });
}

}  // namespace coolpapers::web
