// JSON API for papers and lists (SPEC §4): /api/papers/<id>, /api/list, /api/days and
// POST /api/click/<id> (an arXiv id or a venue paper's). Errors are {"error", "hint"} with a
// 4xx/5xx status.

#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/announce_day.h"
#include "core/arxiv_id.h"
#include "core/category.h"
#include "core/text.h"
#include "store/store.h"
#include "web/click_dedup.h"
#include "web/list_query.h"
#include "web/page_cache.h"
#include "web/paper_fetch_queue.h"
#include "web/paper_json.h"
#include "web/render.h"
#include "web/routes.h"
#include "web/tldr_routes.h"

namespace coolpapers::web {
namespace {

Response StoreFailure(const Status& st) {
  return JsonError(503, "the database could not be read: " + st.message(),
                   "this is usually temporary; retry in a few seconds");
}

Response NoStore() {
  return JsonError(503, "no database is configured", "start the server with --db");
}

Response JsonOk(const nlohmann::json& j) { return JsonResponse(200, DumpJson(j)); }

// Parses the id captured by /api/.../** ; on failure, the 400 response.
Result<core::ArxivId> ParseIdCapture(const Request& req) {
  std::string text = req.captures.empty() ? "" : req.captures.front();
  auto id = core::ArxivId::Parse(text);
  if (!id) {
    return Err(Status::InvalidArgument("not an arXiv id: \"" + text + "\" (" +
                                       id.error().message() + ")"));
  }
  return id;
}

Response BadId(const Status& st) {
  return JsonError(400, st.message(), "arXiv ids look like 2402.12354, 2402.12354v2 or "
                                      "hep-th/9901001");
}

// Parses ?cat=; on failure sets `*error` to the response to send.
std::optional<core::CategoryFilter> ParseCatParam(const Request& req, Response* error) {
  if (!req.HasParam("cat") || req.Param("cat").empty()) {
    *error = JsonError(400, "missing cat parameter",
                       "name a category expression, e.g. ?cat=cs.CL or ?cat=cs.CL,cs.LG");
    return std::nullopt;
  }
  auto filter = core::ParseCategoryExpression(req.Param("cat"));
  if (!filter) {
    *error = JsonError(404, "unknown category: " + filter.error().message(),
                       "use arXiv category ids such as cs.CL, an archive such as cs, or "
                       "combinations like cs.CL,cs.LG and cs.AI+cs.LG-cs.CV");
    return std::nullopt;
  }
  return *std::move(filter);
}

// For a paper not in the store: asks the paper fetch queue (if any) to fetch it through the
// polite queue and answers 202 with its state, or 404 when arXiv has no such paper; nullopt
// when nothing fetches.
std::optional<Response> EnqueueMissingPaper(Services& s, const std::string& id,
                                            const std::string& client) {
  if (!s.paper_fetch_queue) return std::nullopt;
  auto queued = s.paper_fetch_queue->Request(id, client);
  if (!queued) {  // an id arXiv cannot have issued, or too many pending fetches
    const StatusCode code = queued.error().code();
    const int http = code == StatusCode::kResourceExhausted ? 429
                     : code == StatusCode::kUnavailable     ? 503
                                                            : 400;
    return JsonError(http, queued.error().message(),
                     http == 400 ? "check the id on https://arxiv.org/abs/"
                                 : "retry later; papers already asked for are still coming");
  }
  auto state = *queued;
  if (state == PaperFetchState::kQueued ||
      state == PaperFetchState::kFetching) {
    nlohmann::json j = {{"error", "not stored yet"},
                        {"state", PaperFetchStateName(state)},
                        {"id", id},
                        {"hint", "it is being fetched from arXiv; retry in a few seconds"}};
    return JsonResponse(202, DumpJson(j));
  }
  if (state == PaperFetchState::kNotFound) {
    return JsonError(404, "arXiv has no paper " + id, "check the id on https://arxiv.org/abs/" + id);
  }
  return std::nullopt;
}

Response PaperRoute(Services& s, const Request& req) {
  auto id = ParseIdCapture(req);
  if (!id) return BadId(id.error());
  if (!s.store) return NoStore();
  auto paper = s.store->GetPaper(id->base());
  if (!paper) return StoreFailure(paper.error());
  if (!paper->has_value()) {
    if (auto fetching = EnqueueMissingPaper(s, id->base(), req.ClientKey())) {
      return *std::move(fetching);
    }
    return JsonError(404, "paper " + id->base() + " is not in the database",
                     "it appears after the next harvest or import; see https://arxiv.org/abs/" +
                         id->base());
  }
  auto memberships = s.store->MembershipsOf(id->base());
  if (!memberships) return StoreFailure(memberships.error());
  std::vector<std::string> ids{id->base()};
  auto clicks = s.store->GetClicks(std::span<const std::string>(ids));
  if (!clicks) return StoreFailure(clicks.error());
  nlohmann::json j = PaperJson(**paper);
  j["memberships"] = MembershipsJson(*memberships);
  auto it = clicks->find(id->base());
  j["clicks"] = ClicksJson(it == clicks->end() ? store::ClickCounts{} : it->second);
  auto links = s.store->LinksOf(std::span<const std::string>(ids));
  if (!links) return StoreFailure(links.error());
  j["also_at"] = AlsoAtJson(*links);
  return JsonOk(j);
}

// One listed paper of /api/list: the paper, how and where it was listed, its clicks.
nlohmann::json ListEntryJson(const store::ListEntry& e,
                             const std::map<std::string, store::ClickCounts>& clicks) {
  nlohmann::json p = PaperJson(e.paper);
  p["announce_type"] = std::string(core::AnnounceTypeName(e.type));
  p["listed_category"] = e.category;
  p["position"] = e.position;
  auto it = clicks.find(e.paper.id);
  p["clicks"] = ClicksJson(it == clicks.end() ? store::ClickCounts{} : it->second);
  return p;
}

// /api/list?cat=&date=A..B: every paper listed on a day of the range, once, newest day first,
// each with its "day"; "days" lists the days with papers.
Response RenderRangeJson(store::Store& st, const core::CategoryFilter& filter,
                         const ListSelection& sel) {
  auto days = st.Days(std::span<const std::string>(filter.include));
  if (!days) return StoreFailure(days.error());
  auto listing = ListRange(st, filter, *days, *sel.range, sel.replacements);
  if (!listing) return StoreFailure(listing.error());
  std::vector<std::string> ids;
  ids.reserve(listing->entries.size());
  for (const store::ListEntry& e : listing->entries) ids.push_back(e.paper.id);
  auto clicks = st.GetClicks(std::span<const std::string>(ids));
  if (!clicks) return StoreFailure(clicks.error());
  nlohmann::json available = nlohmann::json::array();
  for (const store::DayCount& d : *days) available.push_back(d.day);
  nlohmann::json listed = nlohmann::json::array();
  nlohmann::json papers = nlohmann::json::array();
  for (const DaySlice& slice : listing->slices) {
    listed.push_back({{"day", slice.day}, {"count", slice.end - slice.begin}});
    for (size_t i = slice.begin; i < slice.end; ++i) {
      nlohmann::json p = ListEntryJson(listing->entries[i], *clicks);
      p["day"] = slice.day;
      papers.push_back(std::move(p));
    }
  }
  nlohmann::json j = {{"category", filter.canonical},
                      {"day", sel.range->ToString()},
                      {"from", sel.range->first},
                      {"to", sel.range->last},
                      {"days", std::move(listed)},
                      {"days_available", std::move(available)},
                      {"replacements", sel.replacements},
                      {"count", papers.size()},
                      {"papers", std::move(papers)}};
  return JsonOk(j);
}

Response RenderListJson(store::Store& st, const core::CategoryFilter& filter,
                        const ListSelection& sel) {
  if (sel.range && !sel.range->single()) return RenderRangeJson(st, filter, sel);
  std::string day = sel.range ? sel.range->first : "";
  auto days = st.Days(std::span<const std::string>(filter.include));
  if (!days) return StoreFailure(days.error());
  if (day.empty() && !days->empty()) day = days->front().day;
  nlohmann::json available = nlohmann::json::array();
  for (const store::DayCount& d : *days) available.push_back(d.day);
  nlohmann::json papers = nlohmann::json::array();
  std::optional<bool> complete;
  if (!day.empty()) {
    auto entries = ListDayOf(st, filter, day, sel.replacements);
    if (!entries) return StoreFailure(entries.error());
    std::vector<std::string> ids;
    ids.reserve(entries->size());
    for (const store::ListEntry& e : *entries) ids.push_back(e.paper.id);
    auto clicks = st.GetClicks(std::span<const std::string>(ids));
    if (!clicks) return StoreFailure(clicks.error());
    for (const store::ListEntry& e : *entries) papers.push_back(ListEntryJson(e, *clicks));
    // Complete when every listed category with a recorded status is complete.
    for (const std::string& cat : filter.include) {
      if (filter.include.size() > 64) break;
      auto status = st.GetDayStatus(cat, day);
      if (!status) return StoreFailure(status.error());
      if (status->has_value()) complete = complete.value_or(true) && (*status)->complete();
    }
  }
  nlohmann::json j = {{"category", filter.canonical},
                      {"day", day.empty() ? nlohmann::json(nullptr) : nlohmann::json(day)},
                      {"days_available", std::move(available)},
                      {"complete", complete ? nlohmann::json(*complete) : nlohmann::json(nullptr)},
                      {"count", papers.size()},
                      {"papers", std::move(papers)}};
  return JsonOk(j);
}

// /api/list?venue=<Conf>.<Year>[&group=]: every paper of one edition in the venue's order,
// with its edition, group and clicks.
Response RenderVenueListJson(store::Store& st, const store::VenueEditionCount& ed,
                             const std::string& group) {
  auto papers = st.ListVenue(ed.edition, group);
  if (!papers) return StoreFailure(papers.error());
  std::vector<std::string> ids;
  ids.reserve(papers->size());
  for (const core::VenuePaper& p : *papers) ids.push_back(p.id);
  auto clicks = st.GetClicks(std::span<const std::string>(ids));
  if (!clicks) return StoreFailure(clicks.error());
  auto links = st.LinksOf(std::span<const std::string>(ids));
  if (!links) return StoreFailure(links.error());
  std::unordered_map<std::string, std::string> arxiv_of;
  for (const store::PaperLink& l : *links) arxiv_of.emplace(l.venue_id, l.arxiv_id);
  nlohmann::json list = nlohmann::json::array();
  for (const core::VenuePaper& p : *papers) {
    nlohmann::json j = VenuePaperJson(p);
    auto linked = arxiv_of.find(p.id);
    j["arxiv_id"] = linked == arxiv_of.end() ? nlohmann::json(nullptr) : nlohmann::json(linked->second);
    auto it = clicks->find(p.id);
    j["clicks"] = ClicksJson(it == clicks->end() ? store::ClickCounts{} : it->second);
    list.push_back(std::move(j));
  }
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& [name, n] : ed.groups) groups.push_back({{"group", name}, {"count", n}});
  nlohmann::json j = {{"venue", ed.edition},
                      {"group", group.empty() ? nlohmann::json(nullptr) : nlohmann::json(group)},
                      {"groups", std::move(groups)},
                      {"count", list.size()},
                      {"papers", std::move(list)}};
  return JsonOk(j);
}

// The edition (and group) named by the request, case-insensitively, rendered; 404 naming the
// imported editions (or groups) otherwise.
Response ResolveVenueList(store::Store& st, const Request& req);

// Cached under the request itself (edition and group in lower case: every spelling answers the
// same body), so a cache hit reads nothing from the store; errors are not cached.
Response VenueListRoute(Services& s, const Request& req) {
  if (!s.store) return NoStore();
  auto render = [&] { return ResolveVenueList(*s.store, req); };
  if (!s.page_cache) return render();
  const int64_t seq = s.page_cache->current_seq();
  return s.page_cache->GetOrRender("api-venue:" + core::ToLower(req.Param("venue")) + "|" +
                                       core::ToLower(req.Param("group")),
                                   seq, render);
}

Response ResolveVenueList(store::Store& st, const Request& req) {
  const std::string edition = req.Param("venue");
  auto editions = st.VenueEditions();
  if (!editions) return StoreFailure(editions.error());
  const store::VenueEditionCount* ed = nullptr;
  for (const auto& e : *editions) {
    if (!ed && core::ToLower(e.edition) == core::ToLower(edition)) ed = &e;
  }
  if (!ed) {
    std::string known;
    for (size_t i = 0; i < editions->size() && i < 20; ++i) {
      known += (i ? ", " : "") + (*editions)[i].edition;
    }
    return JsonError(404, "unknown venue edition \"" + edition + "\"",
                     "name an imported edition as <Conf>.<Year>, e.g. venue=ACL.2024" +
                         (known.empty() ? std::string(" (none are imported yet)")
                                        : "; imported: " + known));
  }
  std::string group;
  if (req.HasParam("group") && !req.Param("group").empty()) {
    for (const auto& [name, n] : ed->groups) {
      if (core::ToLower(name) == core::ToLower(req.Param("group"))) group = name;
    }
    if (group.empty()) {
      return JsonError(404, ed->edition + " has no group \"" + req.Param("group") + "\"",
                       "leave out group for every paper, or use one listed in /api/list?venue=" +
                           ed->edition);
    }
  }
  return RenderVenueListJson(st, *ed, group);
}

Response ListRoute(Services& s, const Request& req) {
  if (req.HasParam("venue")) return VenueListRoute(s, req);
  Response error;
  auto filter = ParseCatParam(req, &error);
  if (!filter) return error;
  auto sel = ParseListSelection(req);
  if (!sel) {
    const bool bad_date = core::StartsWith(sel.error().message(), "Bad date");
    return JsonError(400, sel.error().message(), bad_date ? DateHint() : ReplacementsHint());
  }
  if (!s.store) return NoStore();
  auto render = [&] { return RenderListJson(*s.store, *filter, *sel); };
  if (!s.page_cache) return render();
  const int64_t seq = s.page_cache->current_seq();
  std::string key = "api-list:" + filter->canonical + "|" + SelectionKey(*sel);
  return s.page_cache->GetOrRender(key, seq, render);
}

Response DaysRoute(Services& s, const Request& req) {
  Response error;
  auto filter = ParseCatParam(req, &error);
  if (!filter) return error;
  if (!s.store) return NoStore();
  auto days = s.store->Days(std::span<const std::string>(filter->include));
  if (!days) return StoreFailure(days.error());
  nlohmann::json j = nlohmann::json::array();
  for (const store::DayCount& d : *days) j.push_back({{"day", d.day}, {"count", d.count}});
  return JsonOk(j);
}

bool IsClickKind(std::string_view kind) {
  return kind == "pdf" || kind == "kimi" || kind == "copy" || kind == "rel";
}

// Counts one click of `kind` on stored paper `id`: one per (client, paper, kind) per UTC day;
// a repeat is acknowledged, not counted.
Response CountClick(Services& s, const Request& req, const std::string& id,
                    const std::string& kind) {
  if (!s.click_dedup || s.click_dedup->FirstToday(req.ClientKey(), id, kind)) {
    Status st = s.store->AddClick(id, kind);  // queued: never waits on the database
    if (!st.ok()) return StoreFailure(st);
  }
  Response r;
  r.status = 204;
  r.content_type = "";
  return r;
}

// A click on a venue paper ("<local>@<Source>", or another id of it): counted for its stored
// id, so the ★ sort of venue pages and searches sees it (SPEC §11).
Response VenueClickRoute(Services& s, const Request& req, const std::string& text,
                         const std::string& kind) {
  if (!s.store) return NoStore();
  const std::vector<std::string> ids{text};
  auto papers = s.store->GetVenuePapers(ids);
  if (!papers) return StoreFailure(papers.error());
  if (papers->empty()) {
    return JsonError(404, "venue paper " + text + " is not in the database",
                     "clicks are counted for stored papers only; see /venue/ for what is "
                     "imported");
  }
  return CountClick(s, req, papers->front().id, kind);
}

Response BadKind(const std::string& kind) {
  return JsonError(400, "bad click kind \"" + kind + "\"", "kind is one of pdf, kimi, copy, rel");
}

Response ClickRoute(Services& s, const Request& req) {
  const std::string kind = req.Param("kind");
  const std::string text = req.captures.empty() ? "" : req.captures.front();
  if (text.find('@') != std::string::npos) {
    return IsClickKind(kind) ? VenueClickRoute(s, req, text, kind) : BadKind(kind);
  }
  auto id = ParseIdCapture(req);
  if (!id) return BadId(id.error());
  if (!IsClickKind(kind)) return BadKind(kind);
  if (!s.store) return NoStore();
  auto paper = s.store->GetPaper(id->base());
  if (!paper) return StoreFailure(paper.error());
  if (!paper->has_value()) {
    if (auto fetching = EnqueueMissingPaper(s, id->base(), req.ClientKey())) {
      return *std::move(fetching);
    }
    return JsonError(404, "paper " + id->base() + " is not in the database",
                     "clicks are counted for stored papers only");
  }
  return CountClick(s, req, id->base(), kind);
}

}  // namespace

void RegisterApiRoutes(Router& r, Services& s) {
  Services* sp = &s;
  r.Add("GET", "/api/papers/**", [sp](const Request& req) { return PaperRoute(*sp, req); });
  r.Add("GET", "/api/list", [sp](const Request& req) { return ListRoute(*sp, req); });
  r.Add("GET", "/api/days", [sp](const Request& req) { return DaysRoute(*sp, req); });
  r.Add("POST", "/api/click/**", [sp](const Request& req) { return ClickRoute(*sp, req); });
  RegisterTldrRoutes(r, s);  // /api/tldr (tldr_routes.cc)
}

}  // namespace coolpapers::web
