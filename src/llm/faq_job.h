#pragma once
// FaqJob: one FAQ generation and everything its readers see of it. The worker drives the state
// (pending -> loading -> complete | failed) and appends questions, answer deltas and whole
// answers to an append-only event log; each reader keeps a cursor into the log, so a late reader
// first replays what was generated so far, then follows live. Thread-safe.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/paper.h"
#include "llm/faq_view.h"

namespace coolpapers::llm {

// A reader's position in a job's events.
struct FaqCursor {
  size_t next = 0;         // next log entry to deliver
  std::string progress;    // last progress text delivered
  bool final_sent = false;  // done or error delivered
};

class FaqJob {
 public:
  FaqJob(FaqKey key, core::Paper paper, int priority, uint64_t order);

  // A complete job holding a stored FAQ (its log replays the questions and answers).
  static std::shared_ptr<FaqJob> Completed(FaqKey key, std::vector<FaqItem> items,
                                           std::string source, int64_t tokens,
                                           std::string created);

  const FaqKey& key() const { return key_; }
  const core::Paper& paper() const { return paper_; }
  // Queue position: lower priority value first, then lower order. Changed only by the service
  // under its own lock.
  int priority = 2;
  uint64_t order = 0;
  std::atomic<bool> cancel{false};
  bool shutdown = false;  // cancelled because the server stops (service lock)

  // Worker side.
  void SetPending(int ahead);
  void SetLoading();
  void SetSource(std::string source);
  void BeginQuestion(int index, const std::string& question);
  void AppendDelta(int index, std::string_view delta);
  void EndAnswer(int index, const std::string& answer);
  // The answer in progress (question `index`, begun and not ended) starts over: readers get an
  // empty kAnswer for it, then the new deltas. Used when another node's unfinished answer, shown
  // while following it, is asked again.
  void RestartAnswer(int index);
  void Complete(int64_t tokens, std::string created);
  void Fail(std::string why);

  FaqState state() const;
  bool finished() const;  // complete or failed
  std::vector<FaqItem> items() const;
  int answered() const;  // questions whose answer ended
  std::string source() const;
  int64_t tokens() const;
  std::string created() const;

  // A snapshot for pages and progress polls.
  FaqView View() const;

  // Waits up to `timeout` for anything `cursor` has not seen, appends it to `out` (progress
  // first, then log entries, then done/error once) and advances the cursor. Returns false,
  // without waiting, once the final event has been delivered.
  bool Wait(FaqCursor& cursor, std::vector<FaqEvent>& out, std::chrono::milliseconds timeout);

  // Asynchronous readers: calls `fn` exactly once, as soon as `cursor` may have news — at once
  // (on the calling thread) when it already has some or its final event was delivered, else on
  // the thread making the next change to the job. A call may be spurious (the change may not
  // be news for this cursor): take what there is with Wait(cursor, out, 0ms) and register
  // again. `fn` never runs under the job's lock; it should be quick (post the work elsewhere).
  // The job keeps `fn` until it fires, so it must not own the job.
  void NotifyOnNews(const FaqCursor& cursor, std::function<void()> fn);
  // Callbacks registered and not fired yet (for tests and metrics).
  size_t waiting_callbacks() const;

 private:
  // Takes the registered callbacks (to call after unlocking) and wakes the blocking readers.
  std::vector<std::function<void()>> TakeWaitersLocked();
  static void Fire(std::vector<std::function<void()>>& fns);

  std::string ProgressLocked() const;
  int PercentLocked() const;
  FaqView ViewLocked() const;
  bool HasNewsLocked(const FaqCursor& c) const;

  const FaqKey key_;
  const core::Paper paper_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  FaqState state_ = FaqState::kPending;
  int ahead_ = 0;
  int answered_ = 0;
  size_t current_chars_ = 0;
  std::string source_;
  std::vector<FaqItem> items_;
  std::vector<FaqEvent> log_;  // kQuestion, kDelta, kAnswer
  int64_t tokens_ = 0;
  std::string created_;
  std::string error_;
  std::shared_ptr<FaqDerived> derived_;  // complete: what readers derive from it (FaqView)
  std::vector<std::function<void()>> waiters_;  // NotifyOnNews callbacks
};

}  // namespace coolpapers::llm
