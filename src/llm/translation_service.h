#pragma once
// TranslationService: titles and abstracts translated by the configured LLM for readers who
// chose a description language (the "Desc language" setting).
//
// - Once per (paper, version, language, model): the result is stored as one state key
//   "translation/<id>/v<version>/<lang>/<model>" holding JSON {"title","abstract","tokens",
//   "created","kept_original"} and served to every reader from there. Any number of readers
//   asking at once join the same job.
// - Math stays TeX: the model is told to copy every $...$, $$...$$, \(...\) and \[...\] span
//   verbatim, and the answer is checked: a title or abstract whose math spans did not all
//   survive is replaced by the original text (logged as a warning; "kept_original" names it).
// - Behind the FAQs: one worker runs translations one at a time, and only while no FAQ job is
//   waiting for a worker (SharedLlmLimits::faq_waiting); it looks again every `idle_poll`.
// - The same limits as FAQs: the shared daily token budget (checked before a job is queued
//   and before it runs; its tokens are charged to it), and a per-client token bucket of
//   `rate_per_hour` starts in which one request that queues any number of papers (a list
//   page's screenful) counts once. At most `queue_cap` jobs wait.
// - Only Request(..., start = true) queues; with start = false (a cross-site request) cached
//   translations and the state of queued ones are read, nothing is started.
// - A failed job is not stored; the same key is not tried again for `failure_retry` (readers
//   see the reason), so polling pages cannot spend tokens in a loop.
//
// Thread-safety: all public methods may be called from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "llm/chat_client.h"
#include "llm/client_limits.h"
#include "store/store.h"

namespace coolpapers::llm {

class FaqService;

struct TranslationOptions {
  std::string model;          // the configured model: used for lookups when there is no client
  int rate_per_hour = 10;     // requests that queue new translations, per client (0 = off)
  size_t queue_cap = 5000;    // translations waiting; more are refused (503)
  std::chrono::milliseconds idle_poll{500};   // how often a held-back worker looks again
  std::chrono::seconds failure_retry{600};    // a failed key is not retried before this
};

// What translations share with the FAQ jobs.
struct SharedLlmLimits {
  std::function<bool()> faq_waiting;        // true while FAQ jobs wait (translations hold back)
  DailyTokenBudget* budget = nullptr;        // the daily budget (null: none)
  std::function<void(int64_t)> charge;      // records tokens spent (added to `budget`, saved)
};

// The limits of `faq`: its queue, its budget, its token accounting.
SharedLlmLimits ShareWithFaq(FaqService& faq);

// The languages a reader can pick: {code, name}.
struct TranslationLanguage {
  const char* code;
  const char* name;  // as the prompt names it, e.g. "Simplified Chinese"
};
const std::vector<TranslationLanguage>& TranslationLanguages();
bool IsTranslationLanguage(std::string_view code);
std::string TranslationLanguageList();  // "zh, ja, ko, fr, de, es, ..."

// The math spans of `text` ($$...$$, $...$, \[...\], \(...\); an escaped \$ is not a
// delimiter, an unterminated one opens no span), in order, delimiters included.
std::vector<std::string> MathSpans(std::string_view text);
// True when every math span of `source` occurs in `translated` (as often).
bool MathSurvived(std::string_view source, std::string_view translated);

struct Translation {
  std::string paper_id;
  int version = 1;
  std::string lang;
  std::string model;
  std::string title;
  std::string abstract;
  std::vector<std::string> kept_original;  // "title" / "abstract" left untranslated (math lost)
};

enum class TranslationState { kDone, kQueued, kRunning, kFailed, kNone };

struct TranslationView {
  std::string paper_id;
  int version = 1;
  TranslationState state = TranslationState::kNone;
  std::optional<Translation> translation;  // kDone
  std::string error;                        // kFailed: why (safe to show)
  std::chrono::seconds retry_after{0};      // kFailed: when it may be tried again
};

struct TranslationStats {
  size_t pending = 0;
  size_t running = 0;
  int64_t completed = 0;
  int64_t failed = 0;
  int64_t held_back = 0;  // times the worker waited because FAQ jobs were waiting
  int64_t math_fallbacks = 0;
};

class TranslationService {
 public:
  // `chat` null: no API key (stored translations are served; new ones fail with
  // kNoApiKeyMessage).
  TranslationService(TranslationOptions options, store::Store& store,
                     std::unique_ptr<ChatClient> chat, SharedLlmLimits limits,
                     core::Clock& clock = core::SystemClock());
  ~TranslationService();  // Stop()
  TranslationService(const TranslationService&) = delete;
  TranslationService& operator=(const TranslationService&) = delete;

  void Start();
  // Cancels the running translation and joins the worker; waiting jobs are dropped (readers
  // ask again).
  void Stop();

  bool configured() const { return chat_ != nullptr; }
  const std::string& model() const { return model_; }

  // The translations of `ids` (canonical arXiv ids without version) into `lang`, one view per
  // id in order: kDone when stored, else the job's state; with `start`, missing ones are
  // queued. Per-id errors: kNotFound (paper not stored). Whole-request errors (nothing queued):
  // kInvalidArgument (lang, naming the supported ones), kFailedPrecondition (no API key),
  // kResourceExhausted (budget, rate limit; *retry_after set), kUnavailable (queue full or
  // stopping). Those are returned only when something had to be queued; what is stored is
  // always served. `client`: the address the rate limit counts by ("" = not limited).
  Result<std::vector<Result<TranslationView>>> Request(const std::vector<std::string>& ids,
                                                       const std::string& lang,
                                                       const std::string& client, bool start,
                                                       std::chrono::seconds* retry_after);

  TranslationStats Stats() const;

  // The state key of one translation.
  static std::string StateKey(const std::string& id, int version, const std::string& lang,
                              const std::string& model);

 private:
  struct Job {
    std::string key;  // state key
    core::Paper paper;
    std::string lang;
    bool running = false;
  };
  // The stored, running, queued or recently failed state of `key` (no job is started).
  Result<TranslationView> Lookup(const core::Paper& paper, const std::string& lang,
                                 const std::string& key);
  Status Admit(const std::string& client, size_t new_jobs, std::chrono::seconds* wait);
  void WorkerLoop();
  // Waits for a job that may run now (no FAQ waiting); nullptr when stopping.
  std::shared_ptr<Job> NextJob();
  void Run(const std::shared_ptr<Job>& job);
  void Fail(const std::shared_ptr<Job>& job, const std::string& why);
  std::string BudgetMessage(std::chrono::seconds wait) const;

  TranslationOptions options_;
  store::Store& store_;
  std::unique_ptr<ChatClient> chat_;
  SharedLlmLimits limits_;
  core::Clock& clock_;
  std::string model_;
  ClientRateLimiter limiter_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};
  std::deque<std::shared_ptr<Job>> pending_;
  std::unordered_map<std::string, std::shared_ptr<Job>> active_;  // pending + running
  struct Failure {
    std::string why;
    std::chrono::steady_clock::time_point until;
  };
  std::map<std::string, Failure> failed_;  // bounded
  int64_t completed_ = 0, failed_count_ = 0, held_back_ = 0, math_fallbacks_ = 0;
  std::thread worker_;
};

}  // namespace coolpapers::llm
