#pragma once
// Harvester: keeps the store current with arXiv's announcements, politely and resumably.
//
// One harvest (HarvestOnce) for the followed categories:
//   1. RSS: one request per group of categories (joined with '+', whole archives by name);
//      each non-empty feed gives the announcement day and the memberships (category, day,
//      type, position), stored with the papers new to the store. Empty feeds (weekends,
//      holidays) create no day.
//   2. OAI-PMH ListRecords (metadataPrefix=arXiv, set=<archive>, from=<last success>),
//      following resumptionToken, for full metadata; the token is checkpointed after every page.
//   3. The API (id_list, in batches) for every listed paper still lacking metadata or whose
//      stored version is older than the listed one (replacements).
//   4. Day status (expected vs stored) per (category, day); days stay tracked until complete.
// Every step writes to the store as it goes and the state needed to resume lives in the store,
// so a harvest killed at any point and rerun ends with the same store; a rerun with nothing new
// fetches only the feeds (conditionally when the server allows).
//
// The daemon (Start/Stop) runs HarvestOnce for the follow list: every few minutes in arXiv's
// announcement window until the feed's day changes, hourly otherwise. EnqueuePaper fetches a
// paper a reader asked for, at reader priority.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/paper.h"
#include "core/status.h"
#include "net/fetcher.h"
#include "sources/arxiv/endpoints.h"
#include "store/store.h"

namespace coolpapers::sources::arxiv {
struct RssFeed;
struct OaiRecord;
}  // namespace coolpapers::sources::arxiv

namespace coolpapers::harvest {

namespace arxiv = sources::arxiv;
class DayTracker;

struct HarvesterOptions {
  arxiv::ArxivEndpoints endpoints;
  std::vector<std::string> follow;  // canonical category ids for the daemon (empty: none)
  size_t api_batch = 150;           // ids per API request
  bool use_oai = true;
  std::chrono::minutes announce_poll{5};  // in the announcement window
  std::chrono::minutes idle_poll{60};     // otherwise
  core::Clock* clock = nullptr;           // nullptr: the system clock
  bool progress = false;                  // draw a progress line on stderr (CLI)
  // Papers readers asked for that are not fetched yet (queued or being fetched): at most this
  // many per client (EnqueuePaper's `client`) and in total.
  size_t pending_per_client = 20;
  size_t pending_total = 1000;
};

struct HarvestOptions {
  std::vector<std::string> categories;  // canonical ids; empty: the follow list
  std::string from, until;              // OAI window ("YYYY-MM-DD"); from "" = last success
  net::FetchPriority priority = net::FetchPriority::kAnnouncement;
};

struct CategoryLag {
  std::string category;
  std::string last_complete_day;  // "" if none yet
  int lag_days = -1;              // days between it and the latest announced day seen, -1 unknown
};

struct HarvestSummary {
  int64_t requests = 0;  // attempts, retries included
  int64_t retries = 0;
  int64_t failed_attempts = 0;  // attempts that failed (reset, timeout, 5xx, 429, cut body)
  int64_t papers_new = 0;
  int64_t papers_updated = 0;
  int64_t memberships_added = 0;
  int64_t oai_pages = 0;
  int64_t api_batches = 0;
  std::vector<store::DayStatus> days;  // every (category, day) touched
  int days_complete = 0;
  int days_incomplete = 0;
  std::vector<std::string> announce_days;  // channel days seen (non-empty feeds)
  std::vector<CategoryLag> lags;
  // Steps that failed (unreachable arXiv, malformed XML, ...): their days stay incomplete and
  // are retried by the next harvest.
  std::vector<std::string> errors;
  // "requests 12, 1 failed attempts (retries 1), papers 180 new / 2 updated, ...".
  std::string Line() const;
};

// Where a paper a reader asked for stands (web/ has its own copy, mapped by cli/).
enum class PaperFetchState { kUnknown, kQueued, kFetching, kStored, kNotFound, kFailed };

struct HarvesterMetrics {
  std::size_t fetch_queue_depth = 0;   // requests waiting in the fetcher
  std::size_t reader_queue_depth = 0;  // papers readers asked for, not yet fetched
  int64_t requests = 0;
  int64_t retries = 0;
  int64_t failed_attempts = 0;
  int64_t failures = 0;                // harvest runs that ended in an error
  int64_t harvests = 0;
  double seconds_since_last_complete_day = -1;  // since that day's midnight ET; -1 none
  std::string last_error;
};

class Harvester {
 public:
  Harvester(store::Store& store, net::Fetcher& fetcher, HarvesterOptions options);
  ~Harvester();  // stops the daemon
  Harvester(const Harvester&) = delete;
  Harvester& operator=(const Harvester&) = delete;

  // One harvest as described above. Fails only for bad options or a failing store; upstream
  // failures (unreachable arXiv, malformed XML) are listed in the summary's `errors`, and what
  // they concern stays incomplete for the next harvest.
  Result<HarvestSummary> HarvestOnce(const HarvestOptions& options);

  // Starts / stops the background daemon (follow list and the reader queue). Idempotent.
  void Start();
  void Stop();

  // Asks for a paper a reader (`client`, e.g. the request's client address) wants that is not
  // stored; returns its state (kStored when it is already there, kNotFound for one arXiv did
  // not know in the last 10 minutes, kUnknown when the harvester is not started). Never
  // fetches the same id twice at once. Refuses, with a message saying why and what to do:
  //   kInvalidArgument   not an id arXiv can have issued (core::ParsePlausibleArxivId: e.g. a
  //                      month after the current one, too many digits)       -> 400 / 404
  //   kResourceExhausted `client` already has pending_per_client papers pending -> 429
  //   kUnavailable       pending_total papers are pending                      -> 503
  Result<PaperFetchState> EnqueuePaper(const std::string& id, const std::string& client = "");
  PaperFetchState PaperState(const std::string& id);
  // Blocks until paper `id` is neither queued nor being fetched, or `timeout` passed, and
  // returns its state then.
  PaperFetchState WaitForPaper(const std::string& id, std::chrono::milliseconds timeout);

  HarvesterMetrics Metrics();

 private:
  struct Run;      // per-harvest working state (harvester.cc)
  struct OaiList;  // one OAI-PMH list being followed (harvester.cc)

  // Step 1: one RSS feed (a group of categories): its day, memberships and new papers.
  Status HarvestRss(Run& run, const std::string& group);
  // A 304 for the feed: the run still needs the day and the ids stored from it last time.
  Status ReuseUnchangedListing(Run& run, DayTracker& tracker, const std::string& day);
  // Stores a non-empty feed's new papers and memberships and tracks its days; the papers added.
  Result<int64_t> StoreListing(Run& run, DayTracker& tracker, const arxiv::RssFeed& feed);
  // Step 2: one OAI-PMH set, resumable from its checkpoint.
  Status HarvestOai(Run& run, const std::string& set);
  // Fetches and stores the list's next page; false once the list is done.
  Result<bool> HarvestOaiPage(Run& run, DayTracker& tracker, OaiList& list);
  // Ends a list that would not end, clearing its checkpoint; the error to report.
  Status StopOaiList(DayTracker& tracker, OaiList& list, const std::string& why);
  Status StoreOaiRecords(Run& run, const std::vector<arxiv::OaiRecord>& records);
  // Step 3's input: papers listed on open days that lack metadata or the listed version.
  Result<std::vector<std::pair<std::string, int>>> ListedPapersLackingMetadata(
      DayTracker& tracker);
  // Sorts the summary's days, computes lags, updates the metrics.
  void FinishRun(Run& run);
  Status FillFromApi(Run& run, const std::vector<std::pair<std::string, int>>& wanted);
  Status UpdateDayStatus(Run& run);
  Status StoreMetadata(Run& run, const std::vector<core::Paper>& papers);
  Result<std::string> FetchBody(Run* run, const net::FetchRequest& req);
  // Fetches and counts the attempts (failed ones too) in the run's summary and the metrics.
  Result<net::FetchResponse> FetchCounted(Run* run, const net::FetchRequest& req);
  std::vector<CategoryLag> Lags(const std::vector<std::string>& categories,
                                const std::string& latest_day);

  void DaemonLoop();
  void ReaderLoop();
  void SetPaperState(const std::string& id, PaperFetchState s);

  store::Store& store_;
  net::Fetcher& fetcher_;
  HarvesterOptions options_;
  core::Clock* clock_;

  std::mutex run_mu_;  // one HarvestOnce at a time

  std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;
  bool stopping_ = false;
  std::deque<std::string> reader_queue_;
  struct PaperEntry {
    PaperFetchState state = PaperFetchState::kUnknown;
    std::chrono::steady_clock::time_point when;  // of the last change
    std::string client;                          // who asked, while queued or fetching
  };
  std::map<std::string, PaperEntry> paper_states_;
  std::map<std::string, size_t> pending_by_client_;  // queued or fetching, by who asked
  size_t pending_ = 0;                               // queued or fetching, in total
  HarvesterMetrics metrics_;
  std::string last_feed_day_;
  std::thread daemon_, reader_;
};

}  // namespace coolpapers::harvest
