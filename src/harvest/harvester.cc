#include "harvest/harvester.h"

#include <algorithm>
#include <memory>
#include <set>

#include <date/date.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/announce_day.h"
#include "core/progress.h"
#include "sources/arxiv/api.h"
#include "sources/arxiv/oai.h"
#include "sources/arxiv/rss.h"
#include "harvest/day_tracker.h"
#include "harvest/harvest_plan.h"

namespace coolpapers::harvest {

namespace arxiv = sources::arxiv;

struct Harvester::Run {
  HarvestOptions opts;
  std::vector<std::string> followed;  // sorted
  HarvestSummary summary;
  std::set<std::string> fetched_urls;  // nothing is fetched twice within a run
  std::set<std::string> listed_ids;    // papers listed by this run's feeds
  std::set<std::string> new_ids;       // papers this run inserted (not "updated" when filled)
  bool new_listing = false;            // some feed shows a day not harvested before
  std::string earliest_day;
  std::unique_ptr<core::Progress> progress;
  std::vector<std::string> errors;

  bool Follows(const std::vector<std::string>& categories) const {
    for (const auto& c : categories) {
      if (std::binary_search(followed.begin(), followed.end(), c)) return true;
    }
    return false;
  }
  void Note(const std::string& what) {
    if (progress) progress->SetNote(what);
  }
  // A listing day this run saw (a non-empty feed, or the unchanged one stored before).
  void NoteAnnounceDay(const std::string& day) {
    summary.announce_days.push_back(day);
    if (earliest_day.empty() || day < earliest_day) earliest_day = day;
  }
  void Fail(const Status& s) {
    spdlog::error("harvest: {}", s.message());
    errors.push_back(s.message());
  }
};

namespace {

// Days from `a` to `b` ("YYYY-MM-DD"); 0 when either is unparsable.
int DaysBetween(const std::string& a, const std::string& b) {
  auto parse = [](const std::string& s) -> std::optional<date::sys_days> {
    std::istringstream in(s);
    date::sys_days d;
    in >> date::parse("%F", d);
    if (in.fail()) return std::nullopt;
    return d;
  };
  auto da = parse(a), db = parse(b);
  if (!da || !db) return 0;
  return static_cast<int>((*db - *da).count());
}

// Consecutive OAI pages without records (but with a resumptionToken) that end a list.
constexpr int kMaxEmptyOaiPages = 3;

// True when the stored paper has the metadata a listing at `listed_version` needs.
bool HasMetadata(const core::Paper& p, int listed_version) {
  return !p.published.empty() && p.version >= listed_version;
}

}  // namespace

std::string HarvestSummary::Line() const {
  return fmt::format(
      "requests {}, {} failed attempts (retries {}), papers {} new / {} updated, {} memberships, "
      "days {} complete / {} incomplete",
      requests, failed_attempts, retries, papers_new, papers_updated, memberships_added, days_complete,
      days_incomplete);
}

Harvester::Harvester(store::Store& store, net::Fetcher& fetcher, HarvesterOptions options)
    : store_(store),
      fetcher_(fetcher),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : &core::SystemClock()) {}

Harvester::~Harvester() { Stop(); }

Result<net::FetchResponse> Harvester::FetchCounted(Run* run, const net::FetchRequest& req) {
  net::FetchAttempts a;
  auto resp = fetcher_.FetchCounted(req, &a);
  const int retries = std::max(0, a.attempts - 1);
  {
    std::lock_guard lock(mu_);
    metrics_.requests += a.attempts;
    metrics_.retries += retries;
    metrics_.failed_attempts += a.failed;
  }
  if (run) {
    run->summary.requests += a.attempts;
    run->summary.retries += retries;
    run->summary.failed_attempts += a.failed;
    if (run->progress) run->progress->Add(1);
  }
  return resp;
}

Result<std::string> Harvester::FetchBody(Run* run, const net::FetchRequest& req) {
  if (run && !run->fetched_urls.insert(req.url).second) {
    return Err(Status::Internal(req.url + " was already fetched in this harvest"));
  }
  auto resp = FetchCounted(run, req);
  if (!resp) return Err(resp.error());
  if (resp->http_status == 304) return std::string();
  return std::move(resp->body);
}

Status Harvester::HarvestRss(Run& run, const std::string& group) {
  DayTracker tracker(store_);
  auto validators = tracker.Rss(group);
  if (!validators) return validators.error();
  net::FetchRequest req;
  req.url = options_.endpoints.Rss(group);
  req.what = "RSS " + group;
  req.kind = net::FetchKind::kListing;
  req.priority = run.opts.priority;
  req.max_bytes = 64u << 20;
  if (!validators->last_modified.empty()) req.headers["If-Modified-Since"] = validators->last_modified;
  if (!validators->etag.empty()) req.headers["If-None-Match"] = validators->etag;
  run.Note(req.what);
  // Not FetchBody: the validators come from the headers.
  auto resp = FetchCounted(&run, req);
  run.fetched_urls.insert(req.url);
  if (!resp) return resp.error();
  if (resp->http_status == 304) {
    spdlog::info("harvest: {} unchanged since the last harvest (day {})", req.what,
                 validators->day);
    return ReuseUnchangedListing(run, tracker, validators->day);
  }
  auto feed = arxiv::ParseArxivRss(resp->body, req.url);
  if (!feed) return feed.error();
  if (feed->items.empty()) {
    spdlog::info("harvest: {} has no announcement for {} (weekend or holiday)", req.what,
                 feed->day.empty() ? std::string("today") : feed->day);
    return Status::Ok();
  }
  run.NoteAnnounceDay(feed->day);
  if (feed->day != validators->day) run.new_listing = true;
  auto inserted = StoreListing(run, tracker, *feed);
  if (!inserted) return inserted.error();
  RssValidators v;
  v.day = feed->day;
  if (resp->headers.count("last-modified")) v.last_modified = resp->headers.at("last-modified");
  if (resp->headers.count("etag")) v.etag = resp->headers.at("etag");
  spdlog::info("harvest: {}: day {}, {} items, {} new papers", req.what, feed->day,
               feed->items.size(), *inserted);
  return tracker.SetRss(group, v);
}

Status Harvester::ReuseUnchangedListing(Run& run, DayTracker& tracker, const std::string& day) {
  if (day.empty()) return Status::Ok();
  // The listing is the one stored last time: the rest of the harvest needs its day and ids.
  run.NoteAnnounceDay(day);
  for (const auto& cat : run.followed) {
    auto t = tracker.Get(cat, day);
    if (!t) return t.error();
    if (*t) {
      for (const auto& [id, v] : (*t)->versions) run.listed_ids.insert(id);
    }
  }
  return Status::Ok();
}

Result<int64_t> Harvester::StoreListing(Run& run, DayTracker& tracker,
                                        const arxiv::RssFeed& feed) {
  std::vector<core::Membership> memberships = arxiv::MembershipsFromRss(feed, run.followed);
  std::vector<std::string> ids;
  for (const auto& item : feed.items) ids.push_back(item.id);
  auto stored = store_.GetPapers(ids);
  if (!stored) return Err(stored.error());
  std::set<std::string> have;
  for (const auto& p : *stored) have.insert(p.id);
  std::vector<core::Paper> papers;
  for (const auto& item : feed.items) {
    // Only papers new to the store come from RSS; stored ones are refreshed from OAI or the
    // API (a replacement's new version included), so a rerun never overwrites richer data.
    if (!have.count(item.id) && run.Follows(item.categories)) papers.push_back(arxiv::PaperFromRss(item));
  }
  auto counts = store_.Upsert(papers, memberships);
  if (!counts) return Err(counts.error());
  run.summary.papers_new += counts->inserted;
  run.summary.memberships_added += counts->memberships_added;
  for (const auto& p : papers) run.new_ids.insert(p.id);

  std::map<std::string, TrackedDay> days;
  std::map<std::string, int> version_of;
  for (const auto& item : feed.items) version_of[item.id] = item.version;
  for (const auto& m : memberships) {
    TrackedDay& t = days[m.category];
    t.category = m.category;
    t.day = m.day;
    t.versions[m.paper_id] = version_of[m.paper_id];
    run.listed_ids.insert(m.paper_id);
  }
  for (const auto& [cat, t] : days) {
    if (Status s = tracker.Track(t); !s.ok()) return Err(s);
  }
  return static_cast<int64_t>(counts->inserted);
}

// One OAI-PMH list being followed page by page.
struct Harvester::OaiList {
  std::string set, from, until;
  std::string token;  // of the next page; "" for the first
  OaiCheckpoint cp;
  bool restarted = false;  // an expired token already made the list start again
  // A server that hands out a token it gave before, or pages without records forever, would
  // keep the list going: both end it (NextOaiPage).
  std::set<std::string> seen_tokens;
  int empty_pages = 0;  // consecutive pages without records that still carry a token
  int pages = 0;
};

Status Harvester::HarvestOai(Run& run, const std::string& set) {
  DayTracker tracker(store_);
  auto cp = tracker.Oai(set);
  if (!cp) return cp.error();
  const bool explicit_window = !run.opts.from.empty();
  OaiList list;
  list.set = set;
  list.cp = *cp;
  list.from = explicit_window ? run.opts.from : cp->from;
  list.until = explicit_window ? run.opts.until : std::string();
  if (list.from.empty() && !run.earliest_day.empty()) {
    list.from = core::AddDays(run.earliest_day, -1);
  }
  if (list.from.empty()) {
    spdlog::info("harvest: OAI set {} skipped: no announcement seen and no --from", set);
    return Status::Ok();
  }
  if (!cp->token.empty() && cp->list_from == list.from && cp->list_until == list.until) {
    list.token = cp->token;  // resume the list a killed harvest left
    list.seen_tokens.insert(list.token);
    spdlog::info("harvest: resuming OAI set {} from its checkpoint", set);
  } else {
    list.cp.started = core::FormatUtc(clock_->Now()).substr(0, 10);
    list.cp.list_from = list.from;
    list.cp.list_until = list.until;
  }
  for (;;) {
    auto more = HarvestOaiPage(run, tracker, list);
    if (!more) return more.error();
    if (!*more) break;
  }
  if (!explicit_window) list.cp.from = list.cp.started;
  list.cp.token.clear();
  list.cp.list_from.clear();
  list.cp.list_until.clear();
  return tracker.SetOai(set, list.cp);
}

Result<bool> Harvester::HarvestOaiPage(Run& run, DayTracker& tracker, OaiList& list) {
  net::FetchRequest req;
  req.url = list.token.empty()
                ? arxiv::OaiListRecordsUrl(options_.endpoints,
                                           {list.set, list.from, list.until, "arXiv"})
                : arxiv::OaiResumeUrl(options_.endpoints, list.token);
  req.what = "OAI " + list.set;
  req.kind = net::FetchKind::kListing;
  req.priority = run.opts.priority;
  req.timeout = std::chrono::seconds(180);
  run.Note(req.what + " page " + std::to_string(run.summary.oai_pages + 1));
  auto body = FetchBody(&run, req);
  if (!body) return Err(body.error());
  std::string response_date;
  auto page = arxiv::ParseOaiResponse(*body, req.url, &response_date);
  if (!page && !list.restarted &&
      page.error().message().find("badResumptionToken") != std::string::npos) {
    spdlog::warn("harvest: OAI token expired for set {}; restarting the list", list.set);
    list.restarted = true;
    list.token.clear();
    return true;
  }
  if (!page) return Err(page.error());
  ++run.summary.oai_pages;
  ++list.pages;
  // "from" for the next harvest is the server's date of this list's first response.
  if (list.token.empty() && response_date.size() >= 10) {
    list.cp.started = response_date.substr(0, 10);
  }
  if (Status s = StoreOaiRecords(run, page->records); !s.ok()) return Err(s);
  const std::string previous = list.token;
  list.token = page->resumption_token;
  if (list.token.empty()) {
    list.cp.token.clear();
    return false;
  }
  if (!list.seen_tokens.insert(list.token).second) {
    return Err(StopOaiList(tracker, list,
                           "the server sent resumptionToken '" + list.token + "' again" +
                               (list.token == previous ? " (the one just used)" : std::string()) +
                               ", so following it would loop forever"));
  }
  list.empty_pages = page->records.empty() ? list.empty_pages + 1 : 0;
  if (list.empty_pages >= kMaxEmptyOaiPages) {
    return Err(StopOaiList(tracker, list,
                           std::to_string(list.empty_pages) +
                               " pages in a row had no records but a resumptionToken (last '" +
                               list.token + "')"));
  }
  list.cp.token = list.token;
  if (Status s = tracker.SetOai(list.set, list.cp); !s.ok()) return Err(s);
  return true;
}

Status Harvester::StopOaiList(DayTracker& tracker, OaiList& list, const std::string& why) {
  list.cp.token.clear();
  list.cp.list_from.clear();
  list.cp.list_until.clear();
  if (Status s = tracker.SetOai(list.set, list.cp); !s.ok()) return s;
  return Status::Unavailable(
      "OAI set " + list.set + " (from " + list.from + "): " + why + "; stopped after " +
      std::to_string(list.pages) +
      " pages and cleared the checkpoint, so the next harvest restarts the list from " +
      list.from +
      "; if it happens again the server is misbehaving (check --base-url, or tell "
      "help@arxiv.org)");
}

Status Harvester::StoreOaiRecords(Run& run, const std::vector<arxiv::OaiRecord>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.paper.id);
  auto stored = store_.GetPapers(ids);
  if (!stored) return stored.error();
  std::map<std::string, const core::Paper*> have;
  for (const auto& p : *stored) have[p.id] = &p;
  std::vector<core::Paper> papers;
  for (const auto& r : records) {
    if (r.deleted) continue;
    if (!run.Follows(r.paper.categories) && !run.listed_ids.count(r.paper.id)) continue;
    core::Paper p = r.paper;
    auto it = have.find(p.id);
    if (it == have.end()) {
      if (p.version <= 0) p.version = 1;  // metadataPrefix=arXiv carries no versions
    } else {
      // Keep the API's exact times when OAI only knows the same day.
      const core::Paper& s = *it->second;
      if (s.published.substr(0, 10) == p.published.substr(0, 10)) p.published.clear();
      if (s.updated.substr(0, 10) == p.updated.substr(0, 10)) p.updated.clear();
    }
    papers.push_back(std::move(p));
  }
  return StoreMetadata(run, papers);
}

Status Harvester::StoreMetadata(Run& run, const std::vector<core::Paper>& papers) {
  auto counts = store_.Upsert(papers, {});
  if (!counts) return counts.error();
  // Filling in a paper this run inserted from its feed is not an update.
  int64_t filled = 0;
  for (const auto& p : papers) filled += run.new_ids.count(p.id);
  run.summary.papers_new += counts->inserted;
  run.summary.papers_updated += std::max<int64_t>(0, counts->updated - filled);
  for (const auto& p : papers) run.new_ids.insert(p.id);
  return Status::Ok();
}

Status Harvester::FillFromApi(Run& run, const std::vector<std::pair<std::string, int>>& wanted) {
  size_t batch = std::max<size_t>(1, options_.api_batch);
  Status first_error;
  for (size_t i = 0; i < wanted.size(); i += batch) {
    std::vector<std::string> ids;
    for (size_t j = i; j < std::min(wanted.size(), i + batch); ++j) ids.push_back(wanted[j].first);
    net::FetchRequest req;
    req.url = arxiv::ApiIdListUrl(options_.endpoints, ids);
    req.what = "API " + std::to_string(ids.size()) + " ids";
    req.priority = run.opts.priority;
    req.accept_client_errors = true;
    run.Note(req.what);
    auto body = FetchBody(&run, req);
    ++run.summary.api_batches;
    Result<arxiv::ApiFeed> feed = body ? arxiv::ParseArxivApi(*body, req.url) : Result<arxiv::ApiFeed>(Err(body.error()));
    if (!feed) {
      run.Fail(feed.error());
      if (first_error.ok()) first_error = feed.error();
      continue;  // the next batch may still succeed; these stay missing until the next run
    }
    if (Status s = StoreMetadata(run, feed->papers); !s.ok()) return s;
  }
  return first_error;
}

Status Harvester::UpdateDayStatus(Run& run) {
  DayTracker tracker(store_);
  auto open = tracker.OpenDays();
  if (!open) return open.error();
  for (const auto& [cat, day] : *open) {
    auto t = tracker.Get(cat, day);
    if (!t) return t.error();
    if (!*t) {
      if (Status s = tracker.Close(cat, day); !s.ok()) return s;
      continue;
    }
    std::vector<std::string> ids;
    for (const auto& [id, v] : (*t)->versions) ids.push_back(id);
    auto papers = store_.GetPapers(ids);
    if (!papers) return papers.error();
    store::DayStatus st;
    st.category = cat;
    st.day = day;
    st.expected = static_cast<int>(ids.size());
    for (const auto& p : *papers) {
      if (HasMetadata(p, (*t)->versions.at(p.id))) ++st.stored;
    }
    if (Status s = store_.SetDayStatus(st); !s.ok()) return s;
    run.summary.days.push_back(st);
    if (st.complete()) {
      ++run.summary.days_complete;
      if (Status s = tracker.SetLastComplete(cat, day); !s.ok()) return s;
      if (Status s = tracker.Close(cat, day); !s.ok()) return s;
    } else {
      ++run.summary.days_incomplete;
      spdlog::warn("harvest: {} {} incomplete: {} missing, retrying", cat, day,
                   st.expected - st.stored);
      // A day arXiv no longer lists is retried for two weeks, then left as it is.
      if (!run.summary.announce_days.empty() &&
          DaysBetween(day, run.summary.announce_days.back()) > 14) {
        if (Status s = tracker.Close(cat, day); !s.ok()) return s;
      }
    }
  }
  return Status::Ok();
}

std::vector<CategoryLag> Harvester::Lags(const std::vector<std::string>& categories,
                                         const std::string& latest_day) {
  DayTracker tracker(store_);
  std::vector<CategoryLag> out;
  for (const auto& c : categories) {
    CategoryLag lag;
    lag.category = c;
    auto last = tracker.LastComplete(c);
    if (last) lag.last_complete_day = *last;
    if (!lag.last_complete_day.empty() && !latest_day.empty()) {
      lag.lag_days = std::max(0, DaysBetween(lag.last_complete_day, latest_day));
    }
    out.push_back(lag);
  }
  return out;
}

Result<HarvestSummary> Harvester::HarvestOnce(const HarvestOptions& options) {
  std::lock_guard run_lock(run_mu_);
  Run run;
  run.opts = options;
  run.followed = options.categories.empty() ? options_.follow : options.categories;
  if (run.followed.empty()) {
    return Err(Status::InvalidArgument(
        "no categories to harvest; pass --categories (e.g. cs.CL,cs.LG) or set [harvest] follow"));
  }
  std::sort(run.followed.begin(), run.followed.end());
  HarvestPlan plan = PlanHarvest(run.followed);
  if (options_.progress) run.progress = std::make_unique<core::Progress>("harvest", 0);

  // Days a previous harvest left unfinished (before this run's feeds re-track theirs).
  DayTracker tracker(store_);
  auto unfinished = tracker.OpenDays();
  if (!unfinished) return Err(unfinished.error());

  // 1. Announcements.
  for (const auto& group : plan.rss_groups) {
    if (Status s = HarvestRss(run, group); !s.ok()) run.Fail(s);
  }
  // 2. Full metadata for what changed since the last success: only when there is something
  // new or unfinished, so hourly polls of an unchanged feed cost one (conditional) request.
  if (options_.use_oai) {
    for (const auto& set : plan.oai_sets) {
      auto cp = tracker.Oai(set);
      if (!cp) return Err(cp.error());
      bool needed = run.new_listing || !unfinished->empty() || !cp->token.empty() ||
                    !options.from.empty();
      if (!needed) continue;
      if (Status s = HarvestOai(run, set); !s.ok()) run.Fail(s);
    }
  }
  // 3. Whatever listed paper still lacks metadata (or its announced version), by id.
  auto wanted = ListedPapersLackingMetadata(tracker);
  if (!wanted) return Err(wanted.error());
  if (!wanted->empty()) {
    spdlog::info("harvest: {} listed papers lack metadata; asking the API", wanted->size());
    if (Status s = FillFromApi(run, *wanted); !s.ok()) run.Fail(s);
  }
  // 4. Completeness.
  if (Status s = UpdateDayStatus(run); !s.ok()) run.Fail(s);

  FinishRun(run);
  run.summary.errors = run.errors;
  return run.summary;
}

Result<std::vector<std::pair<std::string, int>>> Harvester::ListedPapersLackingMetadata(
    DayTracker& tracker) {
  auto open = tracker.OpenDays();
  if (!open) return Err(open.error());
  std::map<std::string, int> listed;
  for (const auto& [cat, day] : *open) {
    auto t = tracker.Get(cat, day);
    if (!t) return Err(t.error());
    if (!*t) continue;
    for (const auto& [id, v] : (*t)->versions) listed[id] = std::max(listed[id], v);
  }
  std::vector<std::string> ids;
  for (const auto& [id, v] : listed) ids.push_back(id);
  auto stored = store_.GetPapers(ids);
  if (!stored) return Err(stored.error());
  std::map<std::string, const core::Paper*> have;
  for (const auto& p : *stored) have[p.id] = &p;
  std::vector<std::pair<std::string, int>> wanted;
  for (const auto& [id, v] : listed) {
    auto it = have.find(id);
    if (it == have.end() || !HasMetadata(*it->second, v)) wanted.emplace_back(id, v);
  }
  return wanted;
}

void Harvester::FinishRun(Run& run) {
  std::sort(run.summary.announce_days.begin(), run.summary.announce_days.end());
  run.summary.announce_days.erase(
      std::unique(run.summary.announce_days.begin(), run.summary.announce_days.end()),
      run.summary.announce_days.end());
  std::string latest = run.summary.announce_days.empty() ? std::string()
                                                         : run.summary.announce_days.back();
  run.summary.lags = Lags(run.followed, latest);
  if (run.progress) {
    run.progress->Finish(fmt::format("{} requests, {} failed attempts, {} errors",
                                     run.summary.requests, run.summary.failed_attempts,
                                     run.errors.size()));
  }
  {
    std::lock_guard lock(mu_);
    ++metrics_.harvests;
    if (!run.errors.empty()) {
      ++metrics_.failures;
      metrics_.last_error = run.errors.front();
    }
    if (!latest.empty()) last_feed_day_ = std::max(last_feed_day_, latest);
  }
}

}  // namespace coolpapers::harvest
