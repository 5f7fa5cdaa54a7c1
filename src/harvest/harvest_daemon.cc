// Harvester's background side: the follow-list daemon and the reader queue.

#include <algorithm>

#include <date/date.h>
#include <date/tz.h>
#include <spdlog/spdlog.h>

#include "core/announce_day.h"
#include "core/arxiv_id.h"
#include "sources/arxiv/api.h"
#include "harvest/day_tracker.h"
#include "harvest/harvester.h"

namespace coolpapers::harvest {

namespace arxiv = sources::arxiv;
namespace {

// Midnight in New York of `day`, the moment a listing day begins.
std::optional<std::chrono::system_clock::time_point> NewYorkMidnight(const std::string& day) {
  std::istringstream in(day);
  date::local_days d;
  in >> date::parse("%F", d);
  if (in.fail()) return std::nullopt;
  try {
    auto z = date::make_zoned("America/New_York", d);
    return std::chrono::time_point_cast<std::chrono::system_clock::duration>(z.get_sys_time());
  } catch (const std::exception&) {
    return std::nullopt;  // no tz database: report no figure rather than a wrong one
  }
}

constexpr size_t kMaxTrackedPapers = 10000;
constexpr std::chrono::minutes kRecheckAfter{10};

}  // namespace

void Harvester::Start() {
  std::lock_guard lock(mu_);
  if (running_) return;
  running_ = true;
  stopping_ = false;
  reader_ = std::thread([this] { ReaderLoop(); });
  if (!options_.follow.empty()) daemon_ = std::thread([this] { DaemonLoop(); });
}

void Harvester::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (daemon_.joinable()) daemon_.join();
  if (reader_.joinable()) reader_.join();
  std::lock_guard lock(mu_);
  running_ = false;
}

void Harvester::DaemonLoop() {
  // After 20:00 ET on an announcement evening arXiv publishes a new day; poll often until the
  // feeds show it (whenever that is, holidays included), then go back to hourly.
  std::string day_before_window;
  bool waiting_for_new_day = false;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    HarvestOptions opts;
    opts.priority = net::FetchPriority::kAnnouncement;
    auto summary = HarvestOnce(opts);
    std::string seen;
    bool incomplete = false;
    if (summary) {
      if (!summary->announce_days.empty()) seen = summary->announce_days.back();
      incomplete = summary->days_incomplete > 0 || !summary->errors.empty();
      spdlog::info("harvest: {}", summary->Line());
    } else {
      spdlog::error("harvest: {}", summary.error().ToString());
      incomplete = true;
    }
    auto now = clock_->Now();
    if (core::InAnnouncementWindow(now) && !waiting_for_new_day) {
      waiting_for_new_day = true;
      day_before_window = seen;
    }
    if (waiting_for_new_day && !seen.empty() && seen != day_before_window) {
      waiting_for_new_day = false;  // the new listing is in
    }
    // Give up waiting by morning: there was no announcement (a holiday).
    if (waiting_for_new_day && !core::InAnnouncementWindow(now)) {
      auto day = core::NewYorkDate(now);
      auto midnight = NewYorkMidnight(day);
      if (midnight && now - *midnight > std::chrono::hours(6)) waiting_for_new_day = false;
    }
    auto wait = (waiting_for_new_day || incomplete)
                    ? std::chrono::duration_cast<std::chrono::milliseconds>(options_.announce_poll)
                    : std::chrono::duration_cast<std::chrono::milliseconds>(options_.idle_poll);
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [&] { return stopping_; });
    if (stopping_) return;
  }
}

void Harvester::SetPaperState(const std::string& id, PaperFetchState s) {
  std::lock_guard lock(mu_);
  if (paper_states_.size() >= kMaxTrackedPapers && !paper_states_.count(id)) {
    // Forget settled entries first; a forgotten paper is simply asked for again.
    for (auto it = paper_states_.begin(); it != paper_states_.end();) {
      bool settled = it->second.state != PaperFetchState::kQueued &&
                     it->second.state != PaperFetchState::kFetching;
      it = settled ? paper_states_.erase(it) : std::next(it);
    }
  }
  PaperEntry& e = paper_states_[id];
  const bool was_pending =
      e.state == PaperFetchState::kQueued || e.state == PaperFetchState::kFetching;
  const bool pending = s == PaperFetchState::kQueued || s == PaperFetchState::kFetching;
  if (was_pending && !pending) {
    if (pending_ > 0) --pending_;
    auto it = pending_by_client_.find(e.client);
    if (it != pending_by_client_.end() && --it->second == 0) pending_by_client_.erase(it);
    e.client.clear();
  }
  e.state = s;
  e.when = std::chrono::steady_clock::now();
  cv_.notify_all();  // WaitForPaper
}

Result<PaperFetchState> Harvester::EnqueuePaper(const std::string& raw_id,
                                                const std::string& client) {
  auto id = core::ParsePlausibleArxivId(raw_id, clock_->Now());
  if (!id) return Err(id.error());
  const std::string& base = id->base();
  auto stored = store_.GetPaper(base);
  if (stored && *stored) return PaperFetchState::kStored;
  std::lock_guard lock(mu_);
  auto it = paper_states_.find(base);
  if (it != paper_states_.end()) {
    PaperFetchState st = it->second.state;
    if (st == PaperFetchState::kQueued || st == PaperFetchState::kFetching) return st;
    // Recently asked and unknown to arXiv (or failing): don't ask again on every page view.
    bool recent = std::chrono::steady_clock::now() - it->second.when < kRecheckAfter;
    if (recent && (st == PaperFetchState::kNotFound || st == PaperFetchState::kFailed)) return st;
  }
  if (!running_) return PaperFetchState::kUnknown;  // nobody would fetch it
  if (pending_ >= options_.pending_total) {
    return Err(Status::Unavailable(
        "the queue of papers to fetch from arXiv is full (" +
        std::to_string(options_.pending_total) + " pending); try " + base +
        " again in a few minutes"));
  }
  auto mine = pending_by_client_.find(client);
  if (mine != pending_by_client_.end() && mine->second >= options_.pending_per_client) {
    return Err(Status::ResourceExhausted(
        "you already have " + std::to_string(mine->second) +
        " papers waiting to be fetched from arXiv (the limit per client); try " + base +
        " again once they are in"));
  }
  if (paper_states_.size() >= kMaxTrackedPapers) {
    return Err(Status::Unavailable("too many papers are being tracked; try " + base +
                                   " again in a few minutes"));
  }
  PaperEntry& e = paper_states_[base];
  e = {PaperFetchState::kQueued, std::chrono::steady_clock::now(), client};
  ++pending_;
  ++pending_by_client_[client];
  reader_queue_.push_back(base);
  cv_.notify_all();
  return PaperFetchState::kQueued;
}

PaperFetchState Harvester::PaperState(const std::string& raw_id) {
  auto id = core::ArxivId::Parse(raw_id);
  if (!id) return PaperFetchState::kNotFound;
  {
    std::lock_guard lock(mu_);
    auto it = paper_states_.find(id->base());
    if (it != paper_states_.end() && it->second.state != PaperFetchState::kStored) {
      return it->second.state;
    }
  }
  auto stored = store_.GetPaper(id->base());
  if (stored && *stored) return PaperFetchState::kStored;
  return PaperFetchState::kUnknown;
}

PaperFetchState Harvester::WaitForPaper(const std::string& raw_id,
                                        std::chrono::milliseconds timeout) {
  auto id = core::ArxivId::Parse(raw_id);
  if (!id) return PaperFetchState::kNotFound;
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] {
      auto it = paper_states_.find(id->base());
      return it == paper_states_.end() || (it->second.state != PaperFetchState::kQueued &&
                                           it->second.state != PaperFetchState::kFetching);
    });
  }
  return PaperState(raw_id);
}

void Harvester::ReaderLoop() {
  for (;;) {
    std::vector<std::string> ids;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !reader_queue_.empty(); });
      if (stopping_) return;
      while (!reader_queue_.empty() && ids.size() < std::max<size_t>(1, options_.api_batch)) {
        ids.push_back(reader_queue_.front());
        reader_queue_.pop_front();
      }
      for (const auto& id : ids) {
        PaperEntry& e = paper_states_[id];
        e.state = PaperFetchState::kFetching;  // still pending for e.client
        e.when = std::chrono::steady_clock::now();
      }
    }
    net::FetchRequest req;
    req.url = arxiv::ApiIdListUrl(options_.endpoints, ids);
    req.what = "API for a reader (" + std::to_string(ids.size()) + " ids)";
    req.priority = net::FetchPriority::kReader;
    req.accept_client_errors = true;
    auto body = FetchBody(nullptr, req);
    Result<arxiv::ApiFeed> feed = body ? arxiv::ParseArxivApi(*body, req.url) : Result<arxiv::ApiFeed>(Err(body.error()));
    if (!feed) {
      spdlog::warn("harvest: {}", feed.error().ToString());
      for (const auto& id : ids) SetPaperState(id, PaperFetchState::kFailed);
      continue;
    }
    auto counts = store_.Upsert(feed->papers, {});
    if (!counts) spdlog::error("harvest: storing papers for a reader: {}", counts.error().ToString());
    std::set<std::string> found;
    for (const auto& p : feed->papers) found.insert(p.id);
    for (const auto& id : ids) {
      SetPaperState(id, !counts ? PaperFetchState::kFailed
                    : found.count(id) ? PaperFetchState::kStored
                                      : PaperFetchState::kNotFound);
    }
  }
}

HarvesterMetrics Harvester::Metrics() {
  HarvesterMetrics m;
  std::vector<std::string> follow;
  {
    std::lock_guard lock(mu_);
    m = metrics_;
    m.reader_queue_depth = reader_queue_.size();
    follow = options_.follow;
  }
  m.fetch_queue_depth = fetcher_.QueueDepth();
  DayTracker tracker(store_);
  std::string latest;
  for (const auto& c : follow) {
    auto d = tracker.LastComplete(c);
    if (d && *d > latest) latest = *d;
  }
  if (!latest.empty()) {
    if (auto midnight = NewYorkMidnight(latest)) {
      m.seconds_since_last_complete_day =
          std::chrono::duration<double>(clock_->Now() - *midnight).count();
    }
  }
  return m;
}

}  // namespace coolpapers::harvest
