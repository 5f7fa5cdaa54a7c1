// arXiv pages: the home page, /arxiv/<expr> (category list pages and paper pages), and
// /arxiv/<expr>/feed. Store reads are batched (one ListDay, one Days, one GetClicks per page)
// and complete 200 pages are cached in the PageCache, keyed by canonical request and tagged
// with the store's change sequence.

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/announce_day.h"
#include "core/arxiv_id.h"
#include "core/category.h"
#include "core/day_range.h"
#include "core/text.h"
#include "store/store.h"
#include "web/atom.h"
#include "web/compression.h"
#include "web/home_page.h"
#include "web/list_page.h"
#include "web/list_query.h"
#include "web/page_cache.h"
#include "web/paper_fetch_queue.h"
#include "web/paper_page.h"
#include "web/render.h"
#include "web/page_routes.h"
#include "web/routes.h"
#include "web/templates.h"
#include "web/venue_page.h"

namespace coolpapers::web {

// The response for a well-formed arXiv id that is not stored. Today: a 404 page pointing at
// arXiv. Hook for on-demand fetching (SPEC §3): the harvest side extends this to enqueue the
// id on the polite queue and answer "being fetched" while s.paper_fetch_queue is set.
Response MissingPaperResponse(Services& s, const core::ArxivId& id, const std::string& client);

namespace {

// Ids in one /arxiv/<id>,<id>,... address; pages of several ids are not cached (each list of
// ids is its own page: caching them would let a visitor fill the cache with invented lists).
constexpr int kMaxIdsPerPage = 100;
constexpr int kMaxShow = 100000;
constexpr int kMaxStatusCategories = 64;  // completeness is summed over at most this many

// The raw "?..." part of the request target ("" when none), preserved across redirects.
std::string_view QuerySuffix(const Request& req) {
  size_t q = req.target.find('?');
  return q == std::string::npos ? std::string_view() : std::string_view(req.target).substr(q);
}




bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && core::ToLower(s.substr(0, prefix.size())) == prefix;
}

// A comma-list part that the reader meant as an arXiv id (categories never start with a digit).
bool IsIdLike(std::string_view part) {
  return core::LooksLikeArxivId(part) || (!part.empty() && part[0] >= '0' && part[0] <= '9') ||
         StartsWithNoCase(part, "arxiv:");
}


// ---------------------------------------------------------------------------------------------
// Home page.

// Each imported venue edition linking its proceedings; the "none imported" text when there are
// none (or the store keeps no venues).
Html VenuesSectionHtml(Services& s) {
  if (!s.store) return RenderVenuesSection({});
  auto editions = s.store->VenueEditions();
  if (!editions) return RenderVenuesSection({});
  return RenderVenuesSection(*editions);
}

// The home page's per-category day summaries cost one Days() query per category, so they are
// re-read at most every kRefresh after the store changes (a running harvest changes it often);
// between refreshes the home page may show day counts up to that old.
class CategoryDaysMemo {
 public:
  static constexpr std::chrono::seconds kRefresh{30};

  Result<std::map<std::string, CategoryDays>> Get(store::Store& st, int64_t seq) {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (!valid_ || (seq != seq_ && now - read_at_ >= kRefresh)) {
      auto read = ReadCategoryDays(st, core::Taxonomy::Default());
      if (!read) return Err(read.error());
      days_ = std::move(*read);
      seq_ = seq;
      read_at_ = now;
      valid_ = true;
    }
    return days_;
  }

 private:
  std::mutex mu_;
  bool valid_ = false;
  int64_t seq_ = 0;
  std::chrono::steady_clock::time_point read_at_;
  std::map<std::string, CategoryDays> days_;
};

Response HomePage(Services& s, CategoryDaysMemo& memo) {
  return Cached(s, "home", [&] {
    std::map<std::string, CategoryDays> days;
    if (s.store) {
      auto read = memo.Get(*s.store, s.page_cache ? s.page_cache->current_seq() : 0);
      if (!read) return StoreFailure(read.error());
      days = std::move(*read);
    }
    PageMeta meta;
    meta.title = "coolpapers — arXiv daily papers by category";
    meta.description =
        "Browse each day's new arXiv papers in every category and conference proceedings, "
        "with search, stars and paper FAQs.";
    meta.canonical_path = "/";
    return HtmlResponse(200, meta,
                        RenderHomeBody(core::Taxonomy::Default(), days, VenuesSectionHtml(s)));
  });
}

// ---------------------------------------------------------------------------------------------
// Paper pages.

Response SinglePaperPage(Services& s, const core::ArxivId& id, const std::string& client) {
  auto paper = s.store->GetPaper(id.base());
  if (!paper) return StoreFailure(paper.error());
  if (!paper->has_value()) return MissingPaperResponse(s, id, client);
  const core::Paper& p = **paper;
  auto memberships = s.store->MembershipsOf(p.id);
  if (!memberships) return StoreFailure(memberships.error());
  std::vector<std::string> ids{p.id};
  auto clicks = s.store->GetClicks(std::span<const std::string>(ids));
  if (!clicks) return StoreFailure(clicks.error());
  store::ClickCounts counts;
  if (auto it = clicks->find(p.id); it != clicks->end()) counts = it->second;

  std::string first_day;
  for (const core::Membership& m : *memberships) {
    if (first_day.empty() || m.day < first_day) first_day = m.day;
  }
  PageMeta meta;
  meta.title = p.title + " | arXiv " + p.id + " | coolpapers";
  meta.description = ShortDescription(p.abstract);
  meta.canonical_path = "/arxiv/" + id.ToString();
  meta.extra_head = HighwireMeta(p, first_day);
  auto links = s.store->LinksOf(std::span<const std::string>(ids));
  if (!links) return StoreFailure(links.error());
  return HtmlResponse(200, meta, RenderPaperBody(p, *memberships, counts, *links));
}

// Asks the polite queue for each of `missing` (when fetching on demand is on); returns those
// being fetched (or just stored) and leaves in `missing` the ones that will not come.
std::vector<std::string> FetchMissing(Services& s, std::vector<std::string>& missing,
                                      const std::string& client) {
  std::vector<std::string> fetching;
  if (!s.paper_fetch_queue) return fetching;
  std::vector<std::string> lost;
  for (const std::string& id : missing) {
    auto state = s.paper_fetch_queue->Request(id, client);
    const bool coming = state && (*state == PaperFetchState::kQueued ||
                                  *state == PaperFetchState::kFetching ||
                                  *state == PaperFetchState::kStored);
    (coming ? fetching : lost).push_back(id);
  }
  missing = std::move(lost);
  return fetching;
}

Response PaperListPage(Services& s, const std::vector<core::ArxivId>& ids,
                       const std::string& canonical, const std::string& client) {
  std::vector<std::string> bases;
  bases.reserve(ids.size());
  for (const core::ArxivId& id : ids) bases.push_back(id.base());
  auto papers = s.store->GetPapers(std::span<const std::string>(bases));
  if (!papers) return StoreFailure(papers.error());
  std::vector<std::string> missing;
  for (const std::string& b : bases) {
    bool found = std::any_of(papers->begin(), papers->end(),
                             [&b](const core::Paper& p) { return p.id == b; });
    if (!found) missing.push_back(b);
  }
  const std::vector<std::string> fetching = FetchMissing(s, missing, client);
  if (papers->empty() && fetching.empty()) {
    return ErrorPage(404, "None of these papers is in the database yet: " + core::Join(missing, ", "),
                     "Check the ids, or open them on arXiv; they appear here after the next harvest.");
  }
  std::vector<std::string> found_ids;
  for (const core::Paper& p : *papers) found_ids.push_back(p.id);
  auto clicks = s.store->GetClicks(std::span<const std::string>(found_ids));
  if (!clicks) return StoreFailure(clicks.error());
  PageMeta meta;
  meta.title = std::to_string(papers->size()) + " arXiv papers | coolpapers";
  std::string titles;
  for (const core::Paper& p : *papers) {
    if (!titles.empty()) titles += "; ";
    titles += p.title;
    if (titles.size() > 300) break;
  }
  meta.description = ShortDescription(titles);
  meta.canonical_path = "/arxiv/" + canonical;
  if (!fetching.empty()) meta.extra_head = RenderTemplate("refresh_meta", View().Text("seconds", 5));
  return HtmlResponse(papers->empty() ? 202 : 200, meta,
                      RenderPaperListBody(*papers, missing, *clicks, fetching));
}

Response IdsRoute(Services& s, const Request& req, const std::string& expr,
                  const std::vector<std::string>& parts) {
  if (static_cast<int>(parts.size()) > kMaxIdsPerPage) {
    return ErrorPage(400, "Too many ids: " + std::to_string(parts.size()) + " in one address.",
                     "Ask for at most " + std::to_string(kMaxIdsPerPage) +
                         " papers at once, e.g. split the list over several pages.");
  }
  std::vector<core::ArxivId> ids;
  std::vector<std::string> texts;
  for (const std::string& part : parts) {
    auto id = core::ArxivId::Parse(part);
    if (!id) {
      return ErrorPage(400, "Not an arXiv id: \"" + part + "\". " + id.error().message(),
                       "arXiv ids look like 2402.12354, 2402.12354v2 or hep-th/9901001.");
    }
    std::string text = id->ToString();
    if (std::find(texts.begin(), texts.end(), text) != texts.end()) continue;  // de-duplicate
    texts.push_back(std::move(text));
    ids.push_back(*id);
  }
  std::string canonical = core::Join(texts, ",");
  if (canonical != expr) {
    return Redirect(301, "/arxiv/" + canonical + std::string(QuerySuffix(req)));
  }
  if (!s.store) return ErrorPage(503, "No database is configured.", "Start the server with --db.");
  if (ids.size() > 1) {
    Response r = PaperListPage(s, ids, canonical, req.ClientKey());
    AttachFastGzip(r);
    return r;
  }
  return Cached(s, "ids:" + canonical,
                [&] { return SinglePaperPage(s, ids[0], req.ClientKey()); });
}

// ---------------------------------------------------------------------------------------------
// List pages.

// "Computation and Language", "Computer Science", or the expression itself.
std::string DisplayName(std::string_view expr) {
  const core::Taxonomy& t = core::Taxonomy::Default();
  const core::Archive* archive = t.FindArchive(expr);
  if (archive && archive->categories.size() > 1) return archive->name;
  if (const core::Category* cat = t.FindCategory(expr)) return cat->name;
  if (archive) return archive->name;
  return std::string(expr);
}

// Completeness summed over the listed categories that have a recorded status.
Result<std::optional<store::DayStatus>> SumDayStatus(store::Store& st,
                                                     const core::CategoryFilter& filter,
                                                     const std::string& day) {
  if (static_cast<int>(filter.include.size()) > kMaxStatusCategories) return std::nullopt;
  std::optional<store::DayStatus> sum;
  for (const std::string& cat : filter.include) {
    auto one = st.GetDayStatus(cat, day);
    if (!one) return Err(one.error());
    if (!one->has_value()) continue;
    if (!sum) sum = store::DayStatus{filter.canonical, day, 0, 0};
    sum->expected += (*one)->expected;
    sum->stored += std::min((*one)->stored, (*one)->expected);
  }
  return sum;
}

// 404 for a day without a listing, linking the nearest days that have one.
Response NoListingPage(const std::string& expr, const std::string& day,
                       const std::vector<store::DayCount>& days) {
  const store::DayCount* before = nullptr;
  const store::DayCount* after = nullptr;
  for (const store::DayCount& d : days) {  // newest first
    if (d.day > day) after = &d;
    if (d.day < day && !before) before = &d;
  }
  PageMeta meta;
  meta.title = "No listing for " + expr + " on " + day + " | coolpapers";
  meta.description = "arXiv did not announce " + expr + " papers on " + day +
                     ", or they are not stored yet.";
  std::vector<View> nearest;
  for (const store::DayCount* d : {before, after}) {
    if (d) nearest.push_back(std::move(View().Text("day", d->day).Text("count", d->count)));
  }
  View v;
  v.Text("expr", expr).Text("day", day).Flag("has_nearest", !nearest.empty()).List(
      "nearest", std::move(nearest));
  return HtmlResponse(404, meta, RenderTemplate("no_listing", v));
}

// The ?show=N variant of a whole rendered list page (the page itself when N is 0 or nothing
// is deferred).
Response WithShow(Response full, int show) {
  if (show <= 0 || full.status != 200) return full;
  std::optional<std::string> trimmed = DeferPanelsPast(full.BodyView(), show);
  if (!trimmed) return full;  // nothing to defer: the whole page shows the same
  Response r;
  r.status = 200;
  r.content_type = full.content_type;
  r.headers = full.headers;
  r.body = std::move(*trimmed);
  AttachFastGzip(r);  // gzip at level 1 (fast even for the largest lists), not brotli on the fly
  return r;
}

// The list page of a range of days (?date=A..B): every listed day's papers, each once, under
// day headings, newest day first.
Response RenderRangeList(Services& s, const core::CategoryFilter& filter,
                         std::vector<store::DayCount> days, const ListSelection& sel) {
  store::Store& st = *s.store;
  const core::DayRange& range = *sel.range;
  auto listing = ListRange(st, filter, days, range, sel.replacements);
  if (!listing) return StoreFailure(listing.error());
  if (listing->slices.empty()) return NoListingPage(filter.canonical, range.ToString(), days);
  ListPageData data;
  data.expr = filter.canonical;
  data.display_name = DisplayName(filter.canonical);
  data.day = range.ToString();
  data.replacements = sel.replacements;
  std::vector<std::string> ids;
  ids.reserve(listing->entries.size());
  for (const store::ListEntry& e : listing->entries) ids.push_back(e.paper.id);
  auto clicks = st.GetClicks(std::span<const std::string>(ids));
  if (!clicks) return StoreFailure(clicks.error());
  data.days = std::move(days);
  data.entries = std::move(listing->entries);
  data.day_slices = std::move(listing->slices);
  data.clicks = std::move(*clicks);

  const ListCounts counts = CountEntries(data.entries);
  PageMeta meta;
  meta.title = filter.canonical + " — " + data.display_name + " — " + range.first + " to " +
               range.last + " | coolpapers";
  meta.description = ListHeading(data, counts) + ": arXiv papers announced from " + range.first +
                     " to " + range.last + ".";
  meta.canonical_path = "/arxiv/" + filter.canonical + "?date=" + data.day +
                        std::string(ListOptionsSuffix(sel.replacements));
  meta.feed_path = "/arxiv/" + filter.canonical + "/feed";
  return HtmlResponse(200, RenderPageWith(meta, ListBodyBytes(data), [&data](std::string& out) {
                        RenderListBodyTo(out, data);
                      }));
}

Response RenderList(Services& s, const core::CategoryFilter& filter, const ListSelection& sel) {
  store::Store& st = *s.store;
  auto days = st.Days(std::span<const std::string>(filter.include));
  if (!days) return StoreFailure(days.error());
  if (sel.range && !sel.range->single()) return RenderRangeList(s, filter, std::move(*days), sel);
  std::string day = sel.range ? sel.range->first : "";
  if (day.empty()) {
    if (days->empty()) return NoListingPage(filter.canonical, "any day", *days);
    day = days->front().day;
  }
  auto entries = ListDayOf(st, filter, day, sel.replacements);
  if (!entries) return StoreFailure(entries.error());
  bool day_exists = std::any_of(days->begin(), days->end(),
                                [&day](const store::DayCount& d) { return d.day == day; });
  if (!day_exists) return NoListingPage(filter.canonical, day, *days);

  ListPageData data;
  data.expr = filter.canonical;
  data.display_name = DisplayName(filter.canonical);
  data.day = day;
  data.replacements = sel.replacements;
  std::vector<std::string> ids;
  ids.reserve(entries->size());
  for (const store::ListEntry& e : *entries) ids.push_back(e.paper.id);
  auto clicks = st.GetClicks(std::span<const std::string>(ids));
  if (!clicks) return StoreFailure(clicks.error());
  auto status = SumDayStatus(st, filter, day);
  if (!status) return StoreFailure(status.error());
  data.days = std::move(*days);
  data.entries = std::move(*entries);
  data.clicks = std::move(*clicks);
  data.status = *status;

  const ListCounts counts = CountEntries(data.entries);
  PageMeta meta;
  meta.title = filter.canonical + " — " + data.display_name + " — " + day + " | coolpapers";
  meta.description = ListHeading(data, counts) + ": new arXiv papers announced on " + day + ".";
  meta.canonical_path = "/arxiv/" + filter.canonical + "?date=" + day +
                        std::string(ListOptionsSuffix(sel.replacements));
  meta.feed_path = "/arxiv/" + filter.canonical + "/feed";
  // Rendered straight into one buffer: the largest days are megabytes.
  return HtmlResponse(200, RenderPageWith(meta, ListBodyBytes(data), [&data](std::string& out) {
                        RenderListBodyTo(out, data);
                      }));
}

Response ListRoute(Services& s, const Request& req, const std::string& expr) {
  auto filter = core::ParseCategoryExpression(expr);
  if (!filter) {
    return ErrorPage(404, "Unknown category: " + filter.error().message(),
                     "Pick a category from the home page, e.g. /arxiv/cs.CL, or combine them "
                     "as /arxiv/cs.CL,cs.LG.");
  }
  if (filter->canonical != expr) {
    return Redirect(301, "/arxiv/" + filter->canonical + std::string(QuerySuffix(req)));
  }
  auto sel = ParseListSelection(req);
  if (!sel) {
    return ErrorPage(400, sel.error().message(),
                     core::StartsWith(sel.error().message(), "Bad date") ? DateHint()
                                                                         : ReplacementsHint());
  }
  int show = 0;
  if (req.HasParam("show")) {
    int64_t n = 0;
    if (!core::ParseInt64(req.Param("show"), n) || n < 1 || n > kMaxShow) {
      return ErrorPage(400, "Bad show=\"" + req.Param("show") + "\".",
                       "show is how many papers to display first: a whole number from 1 to " +
                           std::to_string(kMaxShow) + ", e.g. ?show=25.");
    }
    show = static_cast<int>(n);
  }
  if (!s.store) return ErrorPage(503, "No database is configured.", "Start the server with --db.");
  if (!s.page_cache) return WithShow(RenderList(s, *filter, *sel), show);
  // One cache entry per list whatever `show` is: the whole list is rendered and cached once,
  // and ?show=N is derived from it (a copy with panels past N deferred; not cached itself).
  std::string key = "list:" + filter->canonical + "|" + SelectionKey(*sel);
  return WithShow(Cached(s, key, [&] { return RenderList(s, *filter, *sel); }), show);
}

// GET /arxiv/<expr>: a category expression or one or more paper ids.
Response ArxivExprRoute(Services& s, const Request& req) {
  const std::string expr = req.captures.empty() ? "" : req.captures.front();
  if (expr.empty()) return Redirect(301, "/");
  if (expr.back() == '/') {  // "/arxiv/cs.CL/" -> "/arxiv/cs.CL"
    std::string trimmed = expr;
    while (!trimmed.empty() && trimmed.back() == '/') trimmed.pop_back();
    return Redirect(301, (trimmed.empty() ? "/" : "/arxiv/" + trimmed) +
                             std::string(QuerySuffix(req)));
  }
  std::vector<std::string> parts = core::Split(expr, ',', /*skip_empty=*/false);
  bool any_id = std::any_of(parts.begin(), parts.end(), IsIdLike);
  if (any_id) return IdsRoute(s, req, expr, parts);
  if (expr.find('/') != std::string::npos) {
    return ErrorPage(404, "No page at /arxiv/" + expr + ".",
                     "Category pages are /arxiv/<category>, paper pages /arxiv/<id>.");
  }
  return ListRoute(s, req, expr);
}

// ---------------------------------------------------------------------------------------------
// Feeds.

// The entries of a feed and the day they were announced on: the newest listed day, the listed
// day asked for, or every listed day of a range (newest first, each paper once).
struct FeedListing {
  std::vector<std::pair<store::ListEntry, std::string>> entries;  // entry, its day
  std::string newest;  // the newest day listed ("" when none)
};

Result<FeedListing> ReadFeedListing(store::Store& st, const core::CategoryFilter& filter,
                                    const ListSelection& sel) {
  FeedListing out;
  if (sel.range && !sel.range->single()) {
    auto days = st.Days(std::span<const std::string>(filter.include));
    if (!days) return Err(days.error());
    auto listing = ListRange(st, filter, *days, *sel.range, sel.replacements);
    if (!listing) return Err(listing.error());
    for (const DaySlice& slice : listing->slices) {
      if (out.newest.empty()) out.newest = slice.day;
      for (size_t i = slice.begin; i < slice.end; ++i) {
        out.entries.emplace_back(std::move(listing->entries[i]), slice.day);
      }
    }
    return out;
  }
  std::string day;
  if (sel.range) {
    day = sel.range->first;
  } else {
    // The newest listing day as the list page has it (a day on which the categories had only
    // replacements is not a listing day).
    auto days = st.Days(std::span<const std::string>(filter.include));
    if (!days) return Err(days.error());
    if (!days->empty()) day = days->front().day;
  }
  if (day.empty()) return out;
  auto list = ListDayOf(st, filter, day, sel.replacements);
  if (!list) return Err(list.error());
  if (!list->empty()) out.newest = day;
  for (store::ListEntry& e : *list) out.entries.emplace_back(std::move(e), day);
  return out;
}

Response RenderFeed(Services& s, const core::CategoryFilter& filter, const ListSelection& sel) {
  auto listing = ReadFeedListing(*s.store, filter, sel);
  if (!listing) return StoreFailure(listing.error());
  const std::string base = PublicUrl(s);
  std::string query;
  if (sel.range) query = "?date=" + sel.range->ToString();
  if (sel.replacements) query += (query.empty() ? "?" : "&") + std::string("show_replacements=1");
  AtomFeed feed;
  feed.self_link = base + "/arxiv/" + filter.canonical + "/feed" + query;
  feed.id = feed.self_link;
  feed.alternate_link = base + "/arxiv/" + filter.canonical + query;
  feed.title = DisplayName(filter.canonical) + " (" + filter.canonical + ") — coolpapers";
  const std::string count = std::to_string(listing->entries.size()) + " papers";
  if (sel.range && !sel.range->single()) {
    feed.subtitle = "arXiv announcements from " + sel.range->first + " to " + sel.range->last +
                    ": " + count;
  } else if (listing->newest.empty()) {
    feed.subtitle = sel.range ? "No announcement stored for " + sel.range->first
                              : "No announcement stored yet";
  } else {
    feed.subtitle = "arXiv announcement of " + listing->newest + ": " + count;
  }
  feed.updated = listing->newest.empty()
                     ? AtomTimestamp(core::FormatUtc(std::chrono::system_clock::now()))
                     : AtomTimestamp(listing->newest);
  feed.author_name = s.config.site_name;
  feed.entries.reserve(listing->entries.size());
  for (const auto& [e, day] : listing->entries) {
    feed.entries.push_back(AtomEntryForPaper(e.paper, base, day));
  }
  Response r;
  r.content_type = "application/atom+xml; charset=utf-8";
  r.body = RenderAtomFeed(feed);
  return r;
}

Response FeedRoute(Services& s, const Request& req) {
  const std::string expr = req.captures.empty() ? "" : req.captures.front();
  auto filter = core::ParseCategoryExpression(expr);
  if (!filter) {
    return ErrorPage(404, "Unknown category: " + filter.error().message(),
                     "Feeds are at /arxiv/<category>/feed, e.g. /arxiv/cs.CL/feed.");
  }
  if (filter->canonical != expr) {
    return Redirect(301, "/arxiv/" + filter->canonical + "/feed" + std::string(QuerySuffix(req)));
  }
  auto sel = ParseListSelection(req);
  if (!sel) {
    return ErrorPage(400, sel.error().message(),
                     core::StartsWith(sel.error().message(), "Bad date") ? DateHint()
                                                                         : ReplacementsHint());
  }
  if (!s.store) return ErrorPage(503, "No database is configured.", "Start the server with --db.");
  const std::string key = SelectionKey(*sel);
  return Cached(s, "feed:" + filter->canonical + (key.empty() ? "" : "|" + key),
                [&] { return RenderFeed(s, *filter, *sel); });
}

}  // namespace

Response MissingPaperResponse(Services& s, const core::ArxivId& id, const std::string& client) {
  if (s.paper_fetch_queue) {  // fetch it through the polite queue; the page refreshes itself
    auto queued = s.paper_fetch_queue->Request(id.base(), client);
    if (!queued) {  // an id arXiv cannot have issued, or too many pending fetches
      const StatusCode code = queued.error().code();
      if (code == StatusCode::kResourceExhausted || code == StatusCode::kUnavailable) {
        return ErrorPage(code == StatusCode::kResourceExhausted ? 429 : 503,
                         queued.error().message(),
                         "Papers already asked for are still being fetched; try again later.");
      }
      return ErrorPage(404, queued.error().message(),
                       "Check the id; arXiv ids look like 2402.12354 or hep-th/9901001.");
    }
    auto state = *queued;
    if (state == PaperFetchState::kStored) return Redirect(302, "/arxiv/" + id.base());
    if (state == PaperFetchState::kQueued ||
        state == PaperFetchState::kFetching) {
      PageMeta meta;
      meta.title = "Fetching arXiv " + id.base() + " | coolpapers";
      meta.description = "arXiv paper " + id.base() + " is being fetched from arXiv.";
      meta.extra_head = RenderTemplate("refresh_meta", View().Text("seconds", 5));
      View v;
      v.Text("id", id.base()).Text("state", std::string(PaperFetchStateName(state)));
      return HtmlResponse(202, meta, RenderTemplate("fetching_paper", v));
    }
  }
  PageMeta meta;
  meta.title = "arXiv " + id.base() + " is not in the database yet | coolpapers";
  meta.description = "arXiv paper " + id.base() + " has not been imported into this server yet.";
  return HtmlResponse(404, meta, RenderTemplate("missing_paper", View().Text("id", id.base())));
}

void RegisterArxivRoutes(Router& r, Services& s) {
  Services* sp = &s;
  auto memo = std::make_shared<CategoryDaysMemo>();
  r.Add("GET", "/", [sp, memo](const Request&) { return HomePage(*sp, *memo); });
  r.Add("GET", "/arxiv", [](const Request&) { return Redirect(301, "/"); });
  r.Add("GET", "/arxiv/*/feed", [sp](const Request& req) { return FeedRoute(*sp, req); });
  r.Add("GET", "/arxiv/**", [sp](const Request& req) { return ArxivExprRoute(*sp, req); });
}

}  // namespace coolpapers::web
