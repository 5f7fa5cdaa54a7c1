// Search routes: /arxiv/search and /venue/search (results page, paste-an-abstract form; each
// searches its branch, SPEC §11), their Atom feeds /arxiv/search/feed and /venue/search/feed,
// /arxiv/related/<id> ([REL] page), and the JSON API /api/search, /api/related/<id>,
// /api/keywords/<id>. Everything reads the node-local SearchService; when no index was built
// they answer 503 with the command that builds it.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/arxiv_id.h"
#include "core/text.h"
#include "core/venue.h"
#include "search/index_doc.h"
#include "search/query_input.h"
#include "search/search_json.h"
#include "search/search_service.h"
#include "store/store.h"
#include "web/atom.h"
#include "web/render.h"
#include "web/venue_page.h"
#include "web/routes.h"
#include "web/templates.h"

namespace coolpapers::web {
namespace {

using search::SearchRequest;
using search::SearchResponse;

constexpr int kDefaultPageSize = 25;
constexpr int kMaxPageSize = 200;
constexpr const char* kNoIndexHint =
    "build the search index with `coolpapers index` (it then stays current while serving)";

// A request's search parameters, or the 400 message + hint explaining what to fix.
struct ParsedParams {
  SearchRequest req;
  std::string error, hint;
  bool ok() const { return error.empty(); }
};

int IntParam(const Request& r, std::string_view name, int fallback, int lo, int hi) {
  int64_t v = 0;
  if (!r.HasParam(name) || !core::ParseInt64(r.Param(name), v)) return fallback;
  return static_cast<int>(std::clamp<int64_t>(v, lo, hi));
}

// `strict_sort`: an unknown sort is an error (the JSON API); otherwise it means relevance, as
// on papers.cool, whose search links and bookmarks carry sort values of their own.
ParsedParams ParseParams(const Request& r, int default_limit, int max_limit, bool strict_sort) {
  ParsedParams p;
  SearchRequest& req = p.req;
  req.query = r.HasParam("query") ? r.Param("query") : r.Param("q");
  auto sort = search::ParseSortOrder(r.Param("sort"));
  if (!sort && !strict_sort) sort = search::SortOrder::kRelevance;
  if (!sort) {
    p.error = "unknown sort \"" + r.Param("sort") + "\"";
    p.hint = "use sort=relevance, sort=time or sort=stars (or 2, 0, 1 as on papers.cool)";
    return p;
  }
  req.sort = *sort;
  auto mode = search::ParseSearchMode(r.Param("mode"));
  if (!mode) {
    p.error = "unknown mode \"" + r.Param("mode") + "\"";
    p.hint = "use mode=bm25, mode=semantic or mode=hybrid (or leave it out)";
    return p;
  }
  req.mode = *mode;
  req.highlight = r.Param("highlight") == "1" || r.Param("highlight") == "true";
  req.limit = IntParam(r, "limit", IntParam(r, "show", default_limit, 1, max_limit), 1,
                       max_limit);
  int page = IntParam(r, "page", 1, 1, 1000000);
  req.offset = r.HasParam("offset") ? IntParam(r, "offset", 0, 0, 100000000)
                                    : (page - 1) * req.limit;
  std::string date = r.Param("date");
  std::string from = r.Param("from"), to = r.Param("to");
  if (!date.empty()) {
    size_t dots = date.find("..");
    from = dots == std::string::npos ? date : date.substr(0, dots);
    to = dots == std::string::npos ? date : date.substr(dots + 2);
  }
  if ((!from.empty() && !search::ParseDateBound(from, false, req.date_from)) ||
      (!to.empty() && !search::ParseDateBound(to, true, req.date_to))) {
    p.error = "malformed date filter";
    p.hint = "write dates as YYYY-MM-DD (or YYYY-MM, YYYY), e.g. date=2026-06-01..2026-06-30";
    return p;
  }
  for (const std::string& c : core::Split(r.Param("cat"), ',')) {
    if (!search::IsCategoryToken(c)) {
      p.error = "malformed category \"" + c + "\"";
      p.hint = "use category ids such as cat=cs.CL or cat=cs.CL,cs.LG";
      return p;
    }
    req.categories.push_back(core::ToLower(c));
  }
  for (const std::string& v : core::Split(r.Param("venue"), ',')) {
    if (!search::IsCategoryToken(v)) {
      p.error = "malformed venue \"" + v + "\"";
      p.hint = "use an edition or a conference, e.g. venue=ICLR.2024 or venue=ACL";
      return p;
    }
    req.venues.push_back(v);
  }
  return p;
}

// "?query=...&sort=..." keeping the request's other search parameters, with overrides.
std::string SearchHref(std::string_view path, const SearchRequest& req,
                       const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> params;
  params["query"] = req.query;
  if (req.sort == search::SortOrder::kTime) params["sort"] = "time";
  if (req.sort == search::SortOrder::kStars) params["sort"] = "stars";
  if (req.highlight) params["highlight"] = "1";
  if (!req.categories.empty()) params["cat"] = core::Join(req.categories, ",");
  if (!req.venues.empty()) params["venue"] = core::Join(req.venues, ",");
  if (!req.date_from.empty()) params["from"] = req.date_from;
  if (!req.date_to.empty()) params["to"] = req.date_to;
  if (req.limit != kDefaultPageSize) params["limit"] = std::to_string(req.limit);
  for (const auto& [k, v] : overrides) {
    if (v.empty()) {
      params.erase(k);
    } else {
      params[k] = v;
    }
  }
  std::string out(path);
  char sep = '?';
  for (const auto& [k, v] : params) {
    out += sep;
    out += k + "=" + core::UrlEncode(v);
    sep = '&';
  }
  return out;
}

// The search form's and the similar-text form's values (templates/partials/search_form and
// similar_form).
void AddForms(View& v, std::string_view action, const SearchRequest& req,
              const std::string& similar_text, bool similar_open) {
  std::vector<View> sorts;
  for (const char* name : {"relevance", "time", "stars"}) {
    View one;
    one.Text("name", name).Flag("selected", search::ParseSortOrder(name) == req.sort);
    sorts.push_back(std::move(one));
  }
  v.Text("action", std::string(action))
      .Text("query", req.query)
      .OptionalText("venue", core::Join(req.venues, ","))
      .List("sorts", std::move(sorts))
      .Flag("highlight", req.highlight)
      .Text("similar_text", similar_text)
      .Flag("similar_open", similar_open);
}

Response SearchFormPage(std::string_view path, const std::string& body_id, int status,
                        const SearchRequest& req, const std::string& message,
                        const std::string& hint) {
  PageMeta meta;
  meta.body_id = body_id;
  meta.title = "Search — coolpapers";
  meta.description = "Search papers by words, phrases, authors, categories and dates.";
  meta.canonical_path = std::string(path);
  meta.search_query = req.query;
  View v;
  AddForms(v, path, req, "", false);
  if (!message.empty()) v.Text("message", message).Text("hint", hint);
  return HtmlResponse(status, meta, RenderTemplate("search_form_page", v));
}

Response NoIndexPage(std::string_view path, const std::string& body_id) {
  SearchRequest req;
  return SearchFormPage(path, body_id, 503, req, "the search index is not built yet",
                        kNoIndexHint);
}

std::map<std::string, store::ClickCounts> ClicksOf(Services& s,
                                                  const std::vector<search::SearchHit>& hits) {
  if (!s.store || hits.empty()) return {};
  std::vector<std::string> ids;
  for (const auto& h : hits) ids.push_back(h.id);
  auto clicks = s.store->GetClicks(ids);
  return clicks ? std::move(*clicks) : std::map<std::string, store::ClickCounts>{};
}

// The venue papers among the hits (ids "<local>@<Source>"), by id: their panels link the venue
// pages, PDFs and subjects instead of arXiv's.
std::map<std::string, core::VenuePaper> VenuePapersOf(Services& s,
                                                      const std::vector<search::SearchHit>& hits) {
  std::vector<std::string> ids;
  for (const auto& h : hits) {
    if (h.id.find('@') != std::string::npos) ids.push_back(h.id);
  }
  std::map<std::string, core::VenuePaper> out;
  if (!s.store || ids.empty()) return out;
  auto papers = s.store->GetVenuePapers(ids);
  if (!papers) return out;
  for (auto& v : *papers) out.emplace(v.id, std::move(v));
  return out;
}

// The result panels, appended to `out`.
void AppendPanels(std::string& out, Services& s, const std::vector<search::SearchHit>& hits,
                  int first_index, bool highlight) {
  auto clicks = ClicksOf(s, hits);
  auto venue_papers = VenuePapersOf(s, hits);
  PanelRenderer panels;
  int i = first_index;
  for (const search::SearchHit& h : hits) {
    PanelOptions opts;
    auto c = clicks.find(h.id);
    if (c != clicks.end()) opts.clicks = c->second;
    if (auto v = venue_papers.find(h.id); v != venue_papers.end()) {
      opts = VenuePanelOptions(v->second, opts.clicks);
    }
    opts.index = ++i;
    opts.keywords = h.doc.keywords;
    if (highlight) {
      // The search highlights: the text HTML-escaped, the matched words in <mark>.
      opts.title_html = Html::Trusted(h.title_html);
      opts.summary_html = Html::Trusted(h.summary_html);
    }
    panels.Render(out, search::ToPaper(h.doc), opts);
  }
}

// Previous/next page links, when there is more than one page.
void AddPager(View& v, std::string_view path, const SearchRequest& req,
              const SearchResponse& res) {
  const int page = req.offset / std::max(1, req.limit) + 1;
  const bool has_next = req.offset + static_cast<int64_t>(res.hits.size()) < res.total &&
                        static_cast<int>(res.hits.size()) == req.limit;
  if (page <= 1 && !has_next) return;
  View pager;
  pager.Text("page", page);
  if (page > 1) {
    pager.Text("prev_href", SearchHref(path, req, {{"page", std::to_string(page - 1)}}));
  }
  if (has_next) {
    pager.Text("next_href", SearchHref(path, req, {{"page", std::to_string(page + 1)}}));
  }
  v.Child("pager", std::move(pager));
}

void AddSortLinks(View& v, std::string_view path, const SearchRequest& req) {
  std::vector<View> links;
  for (const char* name : {"relevance", "time", "stars"}) {
    View one;
    one.Text("name", name)
        .Flag("current", search::ParseSortOrder(name) == req.sort)
        .Text("href", SearchHref(path, req, {{"sort", name}, {"page", ""}}));
    links.push_back(std::move(one));
  }
  v.List("sort_links", std::move(links));
}

Response ResultsPage(Services& s, std::string_view path, const std::string& body_id,
                     const SearchRequest& req, const SearchResponse& res, bool similar,
                     const std::string& similar_text) {
  PageMeta meta;
  meta.body_id = body_id;
  const std::string shown = similar ? "papers similar to the pasted text" : req.query;
  meta.title = (similar ? std::string("Similar papers") : req.query) + " — coolpapers search";
  meta.description = std::to_string(res.total) + " papers found for " + shown;
  meta.canonical_path = SearchHref(path, req, {});
  if (!similar) meta.feed_path = SearchHref(std::string(path) + "/feed", req, {});
  meta.search_query = similar ? "" : req.query;
  View v;
  AddForms(v, path, req, similar_text, similar);
  v.Flag("similar", similar)
      .Text("total", res.total)
      .Flag("total_exact", res.total_exact)
      .Flag("relaxed", res.relaxed)
      .Flag("no_results", res.hits.empty())
      .OptionalText("suggestion", res.suggestion);
  if (!res.hits.empty()) {
    v.Text("shown_from", req.offset + 1)
        .Text("shown_to", req.offset + static_cast<int>(res.hits.size()));
  }
  if (!res.suggestion.empty()) {
    v.Text("suggestion_href",
           SearchHref(path, req, {{"query", res.suggestion}, {"page", ""}}));
  }
  if (!similar) {
    AddSortLinks(v, path, req);
    v.Text("feed_href", SearchHref(std::string(path) + "/feed", req, {}));
    AddPager(v, path, req, res);
  }
  std::string body;
  RenderTemplateAround(body, "search_results", v, [&](std::string& out) {
    AppendPanels(out, s, res.hits, req.offset, req.highlight);
  });
  return HtmlResponse(200, meta, Html::Trusted(std::move(body)));
}

Response ErrorFor(const Status& st, std::string_view path, const std::string& body_id,
                  const SearchRequest& req) {
  if (st.code() == StatusCode::kInvalidArgument) {
    std::string hint = "see the examples below";
    return SearchFormPage(path, body_id, 400, req, st.message(), hint);
  }
  return ErrorPage(500, "search failed: " + st.message(),
                   "try again; if it persists rebuild the index with `coolpapers index "
                   "--rebuild`");
}

// The form body's `similar` field (application/x-www-form-urlencoded), or the query param.
std::string SimilarText(const Request& r) {
  if (r.HasParam("similar")) return r.Param("similar");
  for (const std::string& pair : core::Split(r.body, '&')) {
    if (core::StartsWith(pair, "similar=")) {
      std::string out;
      if (core::UrlDecode(std::string_view(pair).substr(8), out)) return out;
    }
  }
  return "";
}

Response RelatedPage(Services& s, const std::string& raw_id);

// Semantic ranking pages only so deep (search::kMaxSemanticDepth): a request beyond is a 400
// naming the parameters, checked before any index work.
void CheckDepth(ParsedParams& p, bool similar) {
  if (!p.ok()) return;
  if (!similar && p.req.mode != search::SearchMode::kSemantic) return;
  Status st = search::CheckSemanticDepth(p.req.offset, p.req.limit,
                                         similar ? "similar-text search" : "mode=semantic");
  if (st.ok()) return;
  std::string msg = st.message();
  size_t cut = msg.find("; ");
  p.error = msg.substr(0, cut);
  p.hint = cut == std::string::npos ? "" : msg.substr(cut + 2);
}

// The branch a search page covers: /venue/search venue papers, /arxiv/search arXiv papers.
search::Branch BranchOf(const std::string& body_id) {
  return body_id == "venue" ? search::Branch::kVenue : search::Branch::kArxiv;
}

// Whether `value` names an imported edition ("ICLR.2024") or conference ("ACL"), any case.
bool VenueKnown(const std::vector<store::VenueEditionCount>& editions, const std::string& value) {
  for (const store::VenueEditionCount& e : editions) {
    std::string conference;
    if (EqualsNoCase(e.edition, value)) return true;
    if (core::SplitEdition(e.edition, &conference, nullptr) && EqualsNoCase(conference, value)) {
      return true;
    }
  }
  return false;
}

// "ACL.2024, ICLR.2023, ..." with at most `max` editions named.
std::string EditionList(const std::vector<store::VenueEditionCount>& editions, size_t max = 20) {
  std::vector<std::string> names;
  for (size_t i = 0; i < editions.size() && i < max; ++i) names.push_back(editions[i].edition);
  std::string out = core::Join(names, ", ");
  if (editions.size() > max) {
    out += " and " + std::to_string(editions.size() - max) + " more (see /venue/)";
  }
  return out;
}

// Checks the request's venue filters (venue= and the query's venue:) against its branch and
// the imported editions: a filter on the arXiv branch, which leaves venue papers out, or a
// value no imported edition or conference matches is an error naming the value and the fix. A
// malformed query is left for the search to reject; without a store nothing is checked.
void CheckVenues(Services& s, ParsedParams& p) {
  if (!p.ok()) return;
  std::vector<std::string> venues = p.req.venues;
  if (auto input = search::PrepareQuery(p.req.query)) {
    venues.insert(venues.end(), input->venues.begin(), input->venues.end());
  }
  if (venues.empty()) return;
  if (p.req.branch != search::Branch::kVenue) {
    p.error = "venue:" + venues[0] + " filters venue papers, and the arXiv search leaves them out";
    p.hint = "search the proceedings at /venue/search?query=" + core::UrlEncode(p.req.query);
    return;
  }
  if (!s.store) return;
  auto editions = s.store->VenueEditions();
  if (!editions) return;  // the filter then matches what the index knows
  for (const std::string& v : venues) {
    if (VenueKnown(*editions, v)) continue;
    p.error = "no imported venue is called \"" + v + "\" (venue:" + v + ")";
    p.hint = editions->empty()
                 ? "no venue proceedings are imported yet; import them with `coolpapers import "
                   "venue --source acl|pmlr|openreview FILE`"
                 : "write venue:<Conf>.<Year> for one edition or venue:<Conf> for every edition "
                   "of a conference; imported: " + EditionList(*editions);
    return;
  }
}

Response SearchPage(Services& s, const Request& r, std::string_view path,
                    const std::string& body_id) {
  if (r.HasParam("rel")) return RelatedPage(s, r.Param("rel"));
  ParsedParams p = ParseParams(r, kDefaultPageSize, kMaxPageSize, /*strict_sort=*/false);
  p.req.branch = BranchOf(body_id);
  const std::string similar = SimilarText(r);
  const bool wants_similar = r.method == "POST" || r.HasParam("similar");
  CheckDepth(p, wants_similar);
  CheckVenues(s, p);
  if (!p.ok()) return SearchFormPage(path, body_id, 400, p.req, p.error, p.hint);
  if (!wants_similar && !r.HasParam("query") && !r.HasParam("q") && p.req.categories.empty() &&
      p.req.venues.empty() && p.req.date_from.empty() && p.req.date_to.empty()) {
    return SearchFormPage(path, body_id, 200, p.req, "", "");
  }
  if (!s.search) return NoIndexPage(path, body_id);
  auto res = wants_similar ? s.search->Similar(similar, p.req) : s.search->Search(p.req);
  if (!res) return ErrorFor(res.error(), path, body_id, p.req);
  return ResultsPage(s, path, body_id, p.req, *res, wants_similar, similar);
}

// Canonical id for a related-papers request ("2402.12354v2" -> "2402.12354").
std::string CanonicalId(const std::string& raw) {
  auto id = core::ArxivId::Parse(raw);
  return id ? id->base() : raw;
}

Response RelatedPage(Services& s, const std::string& raw_id) {
  if (!s.search) return NoIndexPage("/arxiv/search", "arxiv");
  const std::string id = CanonicalId(raw_id);
  auto hits = s.search->Related(id, 10);
  if (!hits) {
    if (hits.error().code() == StatusCode::kNotFound) {
      return ErrorPage(404, "paper " + id + " is not in the search index",
                       "check the id, or import the paper and run `coolpapers index`");
    }
    return ErrorPage(500, "related papers failed: " + hits.error().message(),
                     "try again later");
  }
  PageMeta meta;
  meta.title = "Papers related to " + id + " — coolpapers";
  const bool venue = search::IsVenueId(id);
  meta.description = std::string("The papers most related to ") + (venue ? "" : "arXiv ") + id +
                     " (arXiv and venue papers alike).";
  meta.canonical_path = "/arxiv/related/" + id;
  std::string body;
  View view;
  view.Text("id", id).Text("paper_href", (venue ? "/venue/" : "/arxiv/") + id);
  RenderTemplateAround(body, "related_page", view, [&](std::string& out) {
    AppendPanels(out, s, *hits, 0, false);
  });
  return HtmlResponse(200, meta, Html::Trusted(std::move(body)));
}

// "YYYY-MM-DD HH:MM:SS" of a hit: its date, else (a venue paper) its edition's first day.
std::string HitDate(const search::SearchHit& h) {
  if (!h.doc.date.empty()) return h.doc.date;
  const std::string key = search::SortDateKey(h.doc);
  return key.size() < 8 ? "" : key.substr(0, 4) + "-01-01 00:00:00";
}

// A venue paper's feed entry: its page here, its edition and group as categories.
AtomEntry VenueEntryOf(const core::VenuePaper& v, const search::SearchHit& h,
                       const std::string& base) {
  AtomEntry e = AtomEntryForPaper(PaperOfVenuePaper(v), base, "");
  e.updated = AtomTimestamp(HitDate(h));
  e.published.clear();
  e.id = core::StartsWith(v.page_url, "https://") ? v.page_url : base + "/venue/" + v.id;
  e.link = base + "/venue/" + v.id;
  e.categories = {v.venue};
  if (!v.group.empty()) e.categories.push_back(v.group);
  return e;
}

// The Atom feed of a search (newest first unless sort= says otherwise), of `path`'s branch.
Response FeedResponse(Services& s, const Request& r, const std::string& path,
                      const std::string& body_id) {
  ParsedParams p = ParseParams(r, 50, 200, /*strict_sort=*/false);
  p.req.branch = BranchOf(body_id);
  CheckVenues(s, p);
  if (!p.ok()) return ErrorPage(400, p.error, p.hint);
  if (!r.HasParam("sort")) p.req.sort = search::SortOrder::kTime;
  if (!s.search) return ErrorPage(503, "the search index is not built yet", kNoIndexHint);
  auto res = s.search->Search(p.req);
  if (!res) {
    if (res.error().code() == StatusCode::kInvalidArgument) {
      return ErrorPage(400, res.error().message(), "add ?query=words to the feed URL");
    }
    return ErrorPage(500, "search failed: " + res.error().message(), "try again later");
  }
  std::string base = s.config.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  AtomFeed feed;
  feed.self_link = base + SearchHref(path + "/feed", p.req, {});
  feed.id = feed.self_link;
  feed.alternate_link = base + SearchHref(path, p.req, {});
  feed.title = "coolpapers search: " + p.req.query;
  feed.subtitle = std::to_string(res->total) + " papers";
  feed.author_name = s.config.site_name;
  auto venue_papers = VenuePapersOf(s, res->hits);
  std::string newest;
  for (const search::SearchHit& h : res->hits) {
    newest = std::max(newest, HitDate(h));
    if (auto v = venue_papers.find(h.id); v != venue_papers.end()) {
      feed.entries.push_back(VenueEntryOf(v->second, h, base));
      continue;
    }
    core::Paper paper = search::ToPaper(h.doc);
    feed.entries.push_back(AtomEntryForPaper(paper, base, h.doc.date.substr(0, 10)));
  }
  feed.updated = AtomTimestamp(newest);
  Response resp;
  resp.content_type = "application/atom+xml; charset=utf-8";
  resp.body = RenderAtomFeed(feed);
  return resp;
}

Response ApiSearch(Services& s, const Request& r) {
  ParsedParams p = ParseParams(r, 10, 1000, /*strict_sort=*/true);
  CheckDepth(p, r.HasParam("similar"));
  if (!p.ok()) return JsonError(400, p.error, p.hint);
  if (!s.search) return JsonError(503, "search index not built", kNoIndexHint);
  auto res = r.HasParam("similar") ? s.search->Similar(r.Param("similar"), p.req)
                                   : s.search->Search(p.req);
  if (!res) {
    if (res.error().code() == StatusCode::kInvalidArgument) {
      return JsonError(400, res.error().message(),
                       "pass q=words (phrases in quotes, -exclusions, ti: au: abs: cat: date:)");
    }
    return JsonError(500, "search failed: " + res.error().message(), "try again later");
  }
  return JsonResponse(200, search::SearchResponseJson(*res));
}

Response ApiRelated(Services& s, const Request& r) {
  if (!s.search) return JsonError(503, "search index not built", kNoIndexHint);
  const std::string id = CanonicalId(r.captures.empty() ? "" : r.captures[0]);
  auto hits = s.search->Related(id, IntParam(r, "k", IntParam(r, "limit", 10, 1, 100), 1, 100));
  if (!hits) {
    if (hits.error().code() == StatusCode::kNotFound) {
      return JsonError(404, "paper " + id + " is not in the search index",
                       "check the id, or import the paper and run `coolpapers index`");
    }
    return JsonError(500, hits.error().message(), "try again later");
  }
  return JsonResponse(200, search::RelatedJson(id, *hits));
}

Response ApiKeywords(Services& s, const Request& r) {
  if (!s.search) return JsonError(503, "search index not built", kNoIndexHint);
  const std::string id = CanonicalId(r.captures.empty() ? "" : r.captures[0]);
  auto kw = s.search->Keywords(id);
  if (!kw) {
    if (kw.error().code() == StatusCode::kNotFound) {
      return JsonError(404, "paper " + id + " is not in the search index",
                       "check the id, or import the paper and run `coolpapers index`");
    }
    return JsonError(500, kw.error().message(), "try again later");
  }
  nlohmann::json j = {{"id", id}, {"keywords", *kw}};
  return JsonResponse(200, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Searching is CPU work: the handler runs on the server's bounded CPU pool (Response::deferred),
// never on an I/O thread.
Handler OnCpuPool(std::function<Response(const Request&)> fn) {
  return [fn = std::move(fn)](const Request& q) {
    Response r;
    r.deferred = [fn, q] { return fn(q); };
    return r;
  };
}

}  // namespace

void RegisterSearchRoutes(Router& r, Services& s) {
  Services* sp = &s;
  for (const char* method : {"GET", "POST"}) {
    r.Add(method, "/arxiv/search", OnCpuPool([sp](const Request& q) {
            return SearchPage(*sp, q, "/arxiv/search", "arxiv");
          }));
    r.Add(method, "/venue/search", OnCpuPool([sp](const Request& q) {
            return SearchPage(*sp, q, "/venue/search", "venue");
          }));
  }
  r.Add("GET", "/arxiv/search/feed", OnCpuPool([sp](const Request& q) {
          return FeedResponse(*sp, q, "/arxiv/search", "arxiv");
        }));
  r.Add("GET", "/venue/search/feed", OnCpuPool([sp](const Request& q) {
          return FeedResponse(*sp, q, "/venue/search", "venue");
        }));
  r.Add("GET", "/arxiv/related/**", OnCpuPool([sp](const Request& q) {
          return RelatedPage(*sp, q.captures.empty() ? "" : q.captures[0]);
        }));
  r.Add("GET", "/api/search", OnCpuPool([sp](const Request& q) { return ApiSearch(*sp, q); }));
  r.Add("GET", "/api/related/**",
        OnCpuPool([sp](const Request& q) { return ApiRelated(*sp, q); }));
  r.Add("GET", "/api/keywords/**", [sp](const Request& q) { return ApiKeywords(*sp, q); });
}

}  // namespace coolpapers::web
