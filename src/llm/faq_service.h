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
// - Finished FAQs are stored (Store::PutFaq, content_json [{"q","a"}]) and kept in a small
//   in-memory cache; everyone after is served from there without any upstream call. A failed or
//   cut-off generation is never stored: the job is recorded as failed with its reason, and the
//   next request starts it again.
// - The queue (pending and running jobs) is persisted in the store's state key "faq_queue";
//   Start() re-queues what a previous process left unfinished (killed or stopped mid-job).
// - Limits on starting new generations (never on joining or reading): a token bucket per client
//   address (`rate_per_hour`) and a daily token budget; both answer kResourceExhausted with a
//   message saying why and when to retry, and the wait in *retry_after.
//
// Thread-safety: all public methods may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "harvest/fetcher.h"
#include "llm/chat_client.h"
#include "llm/client_limits.h"
#include "llm/faq_job.h"
#include "llm/faq_view.h"
#include "llm/llm_config.h"
#include "llm/paper_text.h"
#include "llm/pdf_text.h"

namespace coolpapers::store {
class Store;
}

namespace coolpapers::llm {


struct FaqServiceOptions {
  LlmConfig llm;                   // concurrency, limits, max_paper_chars (model: the client's)
  harvest::ArxivEndpoints arxiv;   // where PDFs come from
  PdfTextLimits pdf;
  bool persist_queue = true;       // keep/resume the queue in the store (the CLI turns it off)
  size_t cache_entries = 512;      // complete FAQs kept in memory
};

struct FaqRequest {
  std::string paper_id;      // canonical arXiv id, without version
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

struct FaqServiceStats {
  size_t pending = 0;
  size_t running = 0;
  size_t cached = 0;
  int64_t tokens_today = 0;
  int64_t completed = 0;  // generations completed by this process
  int64_t failed = 0;
};

class FaqService {
 public:
  // `fetcher` may be null (abstract-only FAQs); `chat` is null when no API key is configured
  // (cached FAQs are still served; new ones fail with kNoApiKeyMessage).
  FaqService(FaqServiceOptions options, store::Store& store, harvest::Fetcher* fetcher,
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
  // Errors: kInvalidArgument (lang), kNotFound (paper not stored), kFailedPrecondition (no API
  // key: kNoApiKeyMessage), kResourceExhausted (rate limit or budget; *retry_after set).
  Result<FaqView> Request(const FaqRequest& req, std::chrono::seconds* retry_after = nullptr);

  // As Request, returning a subscription to the job's stream.
  Result<std::shared_ptr<FaqSubscription>> Subscribe(const FaqRequest& req,
                                                     std::chrono::seconds* retry_after = nullptr);

  // The current view without starting anything: kComplete, kPending/kLoading, kFailed or kNone.
  Result<FaqView> Peek(const std::string& paper_id, int version, const std::string& lang);

  FaqServiceStats Stats() const;

 private:
  // The job for `req`: cached, running or (when `start`) new. nullptr when !start and none.
  Result<std::shared_ptr<FaqJob>> Acquire(const FaqRequest& req, bool start,
                                          std::chrono::seconds* retry_after, FaqKey* key_out);
  Result<std::shared_ptr<FaqJob>> LoadStored(const FaqKey& key);
  std::shared_ptr<FaqJob> FindLocked(const std::string& ks, bool include_cache,
                                     bool include_failed);
  void EnqueueLocked(const std::shared_ptr<FaqJob>& job);
  void UpdateAheadLocked();
  void CacheLocked(const std::string& ks, std::shared_ptr<FaqJob> job);
  int PriorityFor(const core::Paper& paper);
  Status RestoreQueue();

  void WorkerLoop();
  void RunJob(const std::shared_ptr<FaqJob>& job);
  void Finish(const std::shared_ptr<FaqJob>& job);
  // Writes the queue snapshot to the store (newest snapshot wins).
  void PersistQueue();
  std::string QueueSnapshotLocked();

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
  std::vector<std::shared_ptr<FaqJob>> pending_;
  size_t running_ = 0;
  std::vector<std::shared_ptr<FaqJob>> interrupted_;  // cancelled by Stop(): resume next start
  std::map<std::string, std::string> failed_;  // key -> reason (bounded)
  std::list<std::string> lru_;                 // cache keys, most recent first
  std::unordered_map<std::string,
                     std::pair<std::shared_ptr<FaqJob>, std::list<std::string>::iterator>>
      cache_;
  int64_t completed_ = 0, failed_count_ = 0;
  uint64_t snapshot_seq_ = 0;

  std::mutex persist_mu_;
  uint64_t persisted_seq_ = 0;

  std::vector<std::thread> workers_;
};

}  // namespace coolpapers::llm
