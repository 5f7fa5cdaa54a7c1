#pragma once
// FaqService: the FAQ ("Kimi" button) jobs of SPEC §6.
//
// - Single-flight: one job per FaqKey (paper, version, lang, model, prompt version). Any number
//   of readers asking at once join the same job and watch the same stream (FaqSubscription:
//   replay of what was generated so far, then live). A job keeps running when its readers leave.
// - A priority queue (admin requests first, then papers announced in the last three days, then
//   history; FIFO within a priority) feeds `LlmConfig::concurrency` workers, so at most that many
//   upstream conversations run at once. A worker downloads the PDF (polite fetcher), extracts its
//   text, then asks the six questions one at a time in one conversation.
// - Only Request() starts a job; Subscribe() and Peek() only join or read (a stream opened
//   cross-site cannot spend anything).
// - Finished FAQs are stored (Store::PutFaq, content_json [{"q","a"}]) and kept in a small
//   in-memory cache; everyone after is served from there without any upstream call. A failed or
//   cut-off generation is never stored: the job is recorded as failed with its reason, and the
//   next request starts it again. When the save itself fails (database busy, disk full) the FAQ
//   is kept in memory and served from there, and the save is retried in the background with
//   exponential backoff (core::Retry, about an hour), so it is never paid for twice.
// - A paper without a stored FAQ is served the stored FAQ of the paper linked to it (a venue
//   paper and its arXiv version) when the versions match (Store::FaqStandIns), without any
//   upstream call.
// - An FAQ made from the title and abstract only (no PDF) is stored with source "abstract" and
//   labelled so. It is not the full-text FAQ: once `abstract_retry` has passed since it was made
//   (or last re-checked), the next Request() starts a job that fetches the PDF again; with the
//   PDF it generates the full-text FAQ (replacing the record), without it the same abstract FAQ
//   is served again without any upstream call.
// - FAQs follow new versions: asked without a version, when the latest version has no FAQ (none
//   stored, none running) but an earlier version has, that earlier FAQ is the answer (its view's
//   `newer_version` names the latest) and nothing is started; asking for the latest version
//   explicitly (FaqRequest::version) starts its FAQ as a normal job, under the usual limits.
// - The queue (pending, running, and finished-but-unsaved jobs) is persisted one state key per
//   job ("faq_queue/<key>", written when the job is queued, removed when it is done), so each
//   change costs one small write; Start() re-queues what a previous process left unfinished
//   (killed or stopped mid-job). At most `queue_cap` jobs wait; beyond, new jobs are refused
//   with kUnavailable and a Retry-After.
// - Limits on starting new generations (never on joining or reading): a token bucket per client
//   address (`rate_per_hour`) and a daily token budget; both answer kResourceExhausted with a
//   message saying why and when to retry, and the wait in *retry_after. The budget is also
//   checked before every question of a running job, counting every token the model reports (or
//   an estimate from the bytes streamed), cut and failed answers included: a job that runs out
//   fails with a message saying the budget is used up and when it resets, and is not stored.
// - Failure texts shown to readers are short reasons without the LLM endpoint or the
//   upstream's error body; the full detail goes to the server log.
//
// - Cluster mode (FaqServiceOptions::shared_jobs set: several nodes on one database): a FAQ is
//   generated once cluster-wide. Before asking the model a worker claims the key's shared job
//   row; while it works it renews the row's lease and stores the partial answer. A node asked
//   for a FAQ whose row another node holds starts nothing: it follows the row (polled every
//   `follow_poll`), and its readers see the answer grow and complete through the same
//   FaqSubscription. When the owner dies its lease expires; a node following the job, or any
//   node's periodic sweep of expired leases, claims it and resumes it: the answered questions
//   are given to the model as the conversation so far and only the others are asked (and paid).
//   A worker that lost its lease stops and follows the new owner. The per-client rate limit
//   and the daily token budget are kept in the database too; the jobs table is the queue (no
//   "faq_queue/" records, and a restarted node re-runs nothing another node owns).
//
// Thread-safety: all public methods may be called from any thread.

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/retry.h"
#include "core/status.h"
#include "net/fetcher.h"
#include "sources/arxiv/endpoints.h"
#include "llm/chat_client.h"
#include "llm/client_limits.h"
#include "llm/faq_job.h"
#include "llm/faq_view.h"
#include "llm/llm_config.h"
#include "llm/paper_text.h"
#include "llm/pdf_text.h"
#include "store/faq_jobs.h"
#include "store/store.h"


namespace coolpapers::llm {


struct FaqServiceOptions {
  LlmConfig llm;                   // concurrency, limits, max_paper_chars (model: the client's)
  sources::arxiv::ArxivEndpoints arxiv;   // where arXiv PDFs come from
  VenuePdfEndpoints venue_pdf;     // where venue PDFs come from (tests redirect them)
  PdfTextLimits pdf;
  bool persist_queue = true;       // keep/resume the queue in the store (the CLI turns it off)
  size_t cache_entries = 512;      // complete FAQs kept in memory
  size_t queue_cap = 10000;        // jobs waiting for a worker; more are refused (503)
  // An abstract-only FAQ is served as is for this long, then the next request tries the PDF.
  std::chrono::seconds abstract_retry = std::chrono::hours(6);
  // Retries of a failed save of a finished FAQ (exponential backoff; about an hour in all).
  core::RetryPolicy save_retry = DefaultSaveRetry();
  // Jobs and limits shared with the other nodes on the same database; null: this process only.
  // Not owned; must outlive the service.
  store::SharedFaqJobs* shared_jobs = nullptr;
  // How often a job run by another node is read back for its readers here.
  std::chrono::milliseconds follow_poll{300};

  static core::RetryPolicy DefaultSaveRetry() {
    core::RetryPolicy p;
    p.max_attempts = 16;
    p.initial_backoff = std::chrono::seconds(2);
    p.max_backoff = std::chrono::minutes(10);
    return p;
  }
};

struct FaqRequest {
  // Canonical arXiv id without version, or a stored venue paper's id "<local>@<Source>" (or one
  // of its other ids, which resolve to it); a venue paper has one version, v1.
  std::string paper_id;
  int version = 0;           // 0: the stored paper's latest version
  std::string lang = "zh";   // "zh" | "en"
  std::string client;        // client address for the rate limit ("" = not limited)
  bool admin = false;        // jumps the queue; not rate limited
  bool regenerate = false;   // admin: generate again even if a stored FAQ exists
};

// A reader's view of one job's stream.
class FaqSubscription {
 public:
  explicit FaqSubscription(std::shared_ptr<FaqJob> job);
  // Waits up to `timeout` for new events and appends them (progress, question, delta, answer,
  // and finally done or error). Returns false once the final event has been delivered.
  bool Next(std::vector<FaqEvent>& out, std::chrono::milliseconds timeout);
  // For asynchronous readers: `fn` runs once when Next may have news (FaqJob::NotifyOnNews on
  // this reader's cursor). Do not call concurrently with Next.
  void NotifyOnNews(std::function<void()> fn) { job_->NotifyOnNews(cursor_, std::move(fn)); }
  FaqView View() const;

 private:
  std::shared_ptr<FaqJob> job_;
  FaqCursor cursor_;
};

// Jobs waiting for a worker, most urgent first: one FIFO per priority (admin 0, recent 1,
// history 2), each ordered by arrival (`FaqJob::order`). With three fixed priorities this is a
// bucket priority queue: Push and Pop are O(1) (a job re-queued with an older order is inserted
// in place), Ahead (a job's position, shown to readers) is O(log n) by binary search, Remove is
// O(n) but only used when an admin bumps a job. Not thread-safe (the service's lock).
class FaqPendingQueue {
 public:
  static constexpr int kLevels = 3;
  void Push(std::shared_ptr<FaqJob> job);  // at its job->priority (clamped to 0..2)
  std::shared_ptr<FaqJob> Pop();           // nullptr when empty
  bool Remove(const FaqJob& job);          // call before changing job.priority
  int Ahead(const FaqJob& job) const;      // jobs that run before it
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Calls f(job, position) for the first `limit` jobs in queue order.
  template <class F>
  void ForEachFirst(size_t limit, F f) const {
    size_t pos = 0;
    for (const auto& level : levels_) {
      for (const auto& job : level) {
        if (pos >= limit) return;
        f(job, pos++);
      }
    }
  }
  std::vector<std::shared_ptr<FaqJob>> TakeAll();

 private:
  static int Level(int priority);
  std::array<std::deque<std::shared_ptr<FaqJob>>, kLevels> levels_;
  size_t size_ = 0;
};

struct FaqServiceStats {
  size_t pending = 0;
  size_t running = 0;
  size_t cached = 0;
  int64_t tokens_today = 0;
  int64_t completed = 0;  // generations completed by this process
  int64_t failed = 0;
  size_t followed = 0;    // jobs run by another node, followed here for this node's readers
  int64_t resumed = 0;    // jobs another node had begun, taken over and resumed here
};

class FaqService {
 public:
  // `fetcher` may be null (abstract-only FAQs); `chat` is null when no API key is configured
  // (cached FAQs are still served; new ones fail with kNoApiKeyMessage).
  FaqService(FaqServiceOptions options, store::Store& store, net::Fetcher* fetcher,
             std::unique_ptr<ChatClient> chat, core::Clock& clock = core::SystemClock());
  // Stops (see Stop).
  ~FaqService();
  FaqService(const FaqService&) = delete;
  FaqService& operator=(const FaqService&) = delete;

  // Restores the persisted queue and token usage, then starts the workers.
  Status Start();
  // Cancels running generations (they stay in the persisted queue and resume at the next
  // Start), fails what is still waiting for current readers, and joins the workers.
  void Stop();

  bool configured() const { return chat_ != nullptr; }
  const std::string& model() const { return model_; }

  // Starts or joins the FAQ for `req` and returns its current view (complete when cached).
  // Errors: kInvalidArgument (lang; a malformed venue id; a version above the stored latest,
  // naming the versions that exist), kNotFound (paper not stored; for a venue id, saying to
  // import its proceedings), kFailedPrecondition (no API key: kNoApiKeyMessage),
  // kResourceExhausted (rate limit or budget; *retry_after set), kUnavailable (queue full or
  // shutting down; *retry_after set when full).
  Result<FaqView> Request(const FaqRequest& req, std::chrono::seconds* retry_after = nullptr);

  // Joins the running or cached FAQ for `req` and returns a subscription to its stream; never
  // starts a job. A job that failed recently yields a stream holding just its error event.
  // Errors: as Request for a bad request; kNotFound when there is nothing to join (the message
  // says to POST /arxiv/kimi, or /venue/kimi for a venue paper, first); kFailedPrecondition
  // when nothing can be started either (no API key).
  Result<std::shared_ptr<FaqSubscription>> Subscribe(const FaqRequest& req,
                                                     std::chrono::seconds* retry_after = nullptr);

  // The current view without starting anything: kComplete, kPending/kLoading, kFailed or kNone.
  Result<FaqView> Peek(const std::string& paper_id, int version, const std::string& lang);

  FaqServiceStats Stats() const;

  // The daily token budget, shared with the other LLM jobs (translations): they check it
  // before starting and charge what they spend through ChargeTokens (saved like FAQ usage).
  DailyTokenBudget& budget() const { return budget_; }
  void ChargeTokens(int64_t tokens);

 private:
  // The job for `req`: cached, running or (when `start`) new. nullptr when !start and none.
  // `restoring`: re-queued from the store at Start (not capped, not rate limited).
  Result<std::shared_ptr<FaqJob>> Acquire(const FaqRequest& req, bool start,
                                          std::chrono::seconds* retry_after, FaqKey* key_out,
                                          bool restoring = false);
  // Acquire's steps: the paper asked for (lang and version checked, version resolved); the
  // running or cached job to join (an admin request moves a waiting one to the front; a stale
  // abstract-only FAQ is set in *recheck instead); a new job, when the limits let one start.
  Result<core::Paper> PaperFor(const FaqRequest& req);
  // The complete FAQ of the newest earlier version of key's paper (same lang, model and prompt;
  // the ten versions before key.version are looked at), nullptr when none.
  Result<std::shared_ptr<FaqJob>> EarlierVersionFaq(const FaqKey& key);
  FaqView ViewFor(const std::shared_ptr<FaqJob>& job, const FaqKey& key);
  // The stored paper row of a venue id (an alias resolves to its paper).
  Result<core::Paper> VenuePaperRow(const std::string& id);
  // A venue paper's PDF address as its proceedings give it ("" when none or not a venue paper).
  Result<std::string> VenuePdfUrl(const std::string& paper_id);
  std::shared_ptr<FaqJob> JoinActiveOrCached(const FaqRequest& req, bool start,
                                             const std::string& ks,
                                             std::shared_ptr<FaqJob>* recheck);
  Result<std::shared_ptr<FaqJob>> StartJob(const FaqRequest& req, const core::Paper& paper,
                                           const FaqKey& key,
                                           const std::shared_ptr<FaqJob>& recheck,
                                           std::chrono::seconds* retry_after, bool restoring);
  // The queue cap and the per-client rate limit (not for admins or restored jobs); *wait set
  // when refused.
  Status AdmitLocked(const FaqRequest& req, bool restoring, std::chrono::seconds* wait);
  Result<std::optional<store::FaqRecord>> LoadLinkedFaq(const FaqKey& key);
  Result<std::shared_ptr<FaqJob>> LoadStored(const FaqKey& key);
  std::shared_ptr<FaqJob> FindLocked(const std::string& ks, bool include_cache,
                                     bool include_failed);
  // A complete abstract-only FAQ whose full text should be tried again now.
  bool StaleAbstractLocked(const std::string& ks, const FaqJob& job);
  void EnqueueLocked(const std::shared_ptr<FaqJob>& job);
  // Pushes queue positions to the first jobs' streams (after the head changed).
  void RefreshAheadLocked();
  FaqView ViewOf(const std::shared_ptr<FaqJob>& job);
  void CacheLocked(const std::string& ks, std::shared_ptr<FaqJob> job);
  int PriorityFor(const core::Paper& paper);
  Status RestoreQueue();
  std::string BudgetMessage(std::chrono::seconds wait, bool stopped_job) const;

  void WorkerLoop();
  // Runs `job`; false when it was handed to another node (followed: it stays active).
  bool RunJob(const std::shared_ptr<FaqJob>& job);
  void RunLocalJob(const std::shared_ptr<FaqJob>& job);
  // RunJob's steps. Each one that fails has already failed the job (FailJob).
  void FailJob(FaqJob& job, const Status& s, const std::string& detail = "");
  bool FailIfOverBudget(FaqJob& job);
  std::optional<PaperText> LoadTextOrFail(FaqJob& job);
  // Still no PDF on a re-check: completes `job` with the abstract-only FAQ made before.
  bool ServeEarlierAbstractFaq(FaqJob& job);
  // The six answers, one conversation; the tokens they cost, or nullopt when the job failed.
  std::optional<int64_t> AskQuestions(FaqJob& job, const PaperText& text);
  // The answered questions asked again cost nothing: the first question still to ask, with the
  // answers (and tokens) before it, as the shared job row has them (0 when not resumed).
  int ResumePoint(FaqJob& job, std::vector<std::string>& answers, int64_t& tokens);

  // ---- cluster mode (faq_cluster.cc) ----
  enum class ClusterStep { kRun, kFollow, kDone };
  // Claims the shared row before generating: run it here, follow another node, or done (the
  // FAQ was complete, or the shared jobs could not be reached: the job failed).
  ClusterStep ClusterBegin(const std::shared_ptr<FaqJob>& job);
  // Records the outcome in the shared row; false when the lease was lost (the job is followed).
  bool ClusterEnd(const std::shared_ptr<FaqJob>& job);
  // The job of `key` when another node runs it (a follower) or has completed it; nullptr when
  // this node should start it.
  std::shared_ptr<FaqJob> JoinClusterJob(const FaqKey& key, const core::Paper& paper,
                                         int priority);
  void FollowJob(const std::shared_ptr<FaqJob>& job);
  // Shows `row`'s questions and answers in `job` (only what it does not show yet).
  static void MirrorRow(FaqJob& job, const store::SharedFaqJob& row);
  // A followed job whose row finished (complete or failed): filed like a finished local job.
  void EndFollowed(const std::shared_ptr<FaqJob>& job, const store::SharedFaqJob& row);
  // Writes the partial answer (at most every follow_poll unless `force`); a lost lease cancels.
  void PublishProgress(FaqJob& job, bool force, int64_t tokens);
  bool Lost(const FaqJob& job);
  // The lease of `ks` was lost: its job (running or waiting here) stops.
  void MarkLost(const std::string& ks);
  store::SharedFaqJobSpec SpecOf(const FaqJob& job) const;
  // Takes `job` over after its owner's lease expired: claims it and queues it here.
  void TakeOver(const std::shared_ptr<FaqJob>& job);
  void ClusterLoop();
  void PollFollowed();
  void RenewOwned();
  void SweepExpired();
  void SaveAndComplete(FaqJob& job, const std::string& source, int64_t tokens);
  void Finish(const std::shared_ptr<FaqJob>& job);
  // Background saves of finished FAQs whose first save failed.
  void SaverLoop();
  bool SaveWithRetry(const store::FaqRecord& rec);

  // Per-job queue records ("faq_queue/<key>"): written when queued, removed when done.
  void PersistJob(const std::shared_ptr<FaqJob>& job);
  void UnpersistJob(const std::shared_ptr<FaqJob>& job);
  void UnpersistKey(const FaqKey& key);
  void PersistTokens();

  FaqServiceOptions options_;
  store::Store& store_;
  std::unique_ptr<ChatClient> chat_;
  core::Clock& clock_;
  std::string model_;
  PaperTextLoader loader_;
  ClientRateLimiter limiter_;
  mutable DailyTokenBudget budget_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  bool stopping_ = false;
  uint64_t next_order_ = 0;
  std::unordered_map<std::string, std::shared_ptr<FaqJob>> active_;  // pending + running
  FaqPendingQueue pending_;
  size_t running_ = 0;
  std::map<std::string, std::string> failed_;  // key -> reason (bounded)
  // Complete FAQs whose save failed: served from here until the background save succeeds
  // (the job is null between the failed save and Finish).
  std::unordered_map<std::string, std::shared_ptr<FaqJob>> unsaved_;
  std::deque<store::FaqRecord> saves_;  // waiting for the saver thread
  std::condition_variable saver_cv_;
  // Abstract-only FAQs: when their full text was last tried (key -> time), and the FAQ being
  // re-checked (served again if the PDF is still missing).
  std::map<std::string, std::chrono::system_clock::time_point> abstract_checked_;
  std::unordered_map<std::string, std::shared_ptr<FaqJob>> abstract_recheck_;
  std::list<std::string> lru_;                 // cache keys, most recent first
  std::unordered_map<std::string,
                     std::pair<std::shared_ptr<FaqJob>, std::list<std::string>::iterator>>
      cache_;
  int64_t completed_ = 0, failed_count_ = 0;

  std::mutex persist_mu_;  // orders a job's queue record writes and removals

  // Cluster mode: shared rows this node holds (claimed; pending or running here), and jobs
  // other nodes run that readers here follow.
  struct Owned {
    int64_t generation = 0;
    store::SharedFaqJob row;  // as claimed (the partial answer to resume)
    bool lost = false;
    std::chrono::steady_clock::time_point last_write{};
  };
  store::SharedFaqJobs* shared_ = nullptr;
  std::unordered_map<std::string, Owned> owned_;
  std::unordered_map<std::string, std::shared_ptr<FaqJob>> followed_;
  std::set<std::string> restart_;  // queued to replace a complete FAQ (regenerate, re-check)
  int64_t resumed_ = 0;
  std::condition_variable cluster_cv_;
  std::thread cluster_;

  std::vector<std::thread> workers_;
  std::thread saver_;
};

}  // namespace coolpapers::llm
