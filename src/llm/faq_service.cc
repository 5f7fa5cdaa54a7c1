#include "llm/faq_service.h"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/text.h"
#include "llm/faq_job.h"
#include "llm/faq_prompt.h"
#include "llm/faq_render.h"
#include "store/store.h"

namespace coolpapers::llm {
namespace {

constexpr const char* kQueueStateKey = "faq_queue";
constexpr const char* kTokensStateKey = "faq_tokens";
constexpr size_t kMaxFailedRemembered = 1000;
constexpr int kAdminPriority = 0, kRecentPriority = 1, kHistoryPriority = 2;
constexpr const char* kShutdownMessage =
    "the server is shutting down; this FAQ resumes when it restarts";

std::string FormatUtc(std::chrono::system_clock::time_point t, const char* fmt) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

// Roughly 4 bytes per token, for upstreams that report no usage.
int64_t EstimateTokens(const ChatRequest& req, const std::string& answer) {
  size_t bytes = answer.size();
  for (const ChatMessage& m : req.messages) bytes += m.content.size();
  return static_cast<int64_t>(bytes / 4 + 1);
}

}  // namespace

FaqSubscription::FaqSubscription(std::shared_ptr<FaqJob> job) : job_(std::move(job)) {}

bool FaqSubscription::Next(std::vector<FaqEvent>& out, std::chrono::milliseconds timeout) {
  return job_->Wait(cursor_, out, timeout);
}

FaqView FaqSubscription::View() const { return job_->View(); }

FaqService::FaqService(FaqServiceOptions options, store::Store& store, harvest::Fetcher* fetcher,
                       std::unique_ptr<ChatClient> chat, core::Clock& clock)
    : options_(std::move(options)),
      store_(store),
      chat_(std::move(chat)),
      clock_(clock),
      model_(chat_ ? chat_->model() : options_.llm.model),
      loader_(fetcher, options_.arxiv, options_.pdf, options_.llm.max_paper_chars),
      limiter_(options_.llm.rate_per_hour, clock),
      budget_(options_.llm.daily_token_budget, clock) {}

FaqService::~FaqService() { Stop(); }

Status FaqService::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return Status::Ok();
    started_ = true;
  }
  if (options_.persist_queue) {
    auto tokens = store_.GetState(kTokensStateKey);
    if (tokens && *tokens) budget_.Restore(**tokens);
    if (Status s = RestoreQueue(); !s.ok()) spdlog::warn("FAQ queue not restored: {}", s.message());
  }
  if (chat_ == nullptr) {
    spdlog::info("FAQ: no LLM API key configured; cached FAQs are served, new ones cannot be made");
  }
  int n = std::max(1, options_.llm.concurrency);
  std::lock_guard lock(mu_);
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  return Status::Ok();
}

void FaqService::Stop() {
  std::vector<std::shared_ptr<FaqJob>> waiting;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [ks, job] : active_) {
      if (job->finished()) continue;
      job->shutdown = true;
      job->cancel = true;
    }
    waiting = pending_;
    pending_.clear();
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  for (auto& job : waiting) job->Fail(kShutdownMessage);  // still in the persisted queue
}

// ---- requests ----

Result<FaqView> FaqService::Request(const FaqRequest& req, std::chrono::seconds* retry_after) {
  FaqKey key;
  auto job = Acquire(req, true, retry_after, &key);
  if (!job) return Err(job.error());
  return (*job)->View();
}

Result<std::shared_ptr<FaqSubscription>> FaqService::Subscribe(const FaqRequest& req,
                                                               std::chrono::seconds* retry_after) {
  FaqKey key;
  auto job = Acquire(req, true, retry_after, &key);
  if (!job) return Err(job.error());
  return std::make_shared<FaqSubscription>(*job);
}

Result<FaqView> FaqService::Peek(const std::string& paper_id, int version,
                                 const std::string& lang) {
  FaqRequest req;
  req.paper_id = paper_id;
  req.version = version;
  req.lang = lang;
  FaqKey key;
  auto job = Acquire(req, false, nullptr, &key);
  if (!job) return Err(job.error());
  if (*job) return (*job)->View();
  FaqView v;
  v.key = key;
  std::lock_guard lock(mu_);
  if (auto it = failed_.find(key.ToString()); it != failed_.end()) {
    v.state = FaqState::kFailed;
    v.error = it->second;
  }
  return v;
}

Result<std::shared_ptr<FaqJob>> FaqService::Acquire(const FaqRequest& req, bool start,
                                                    std::chrono::seconds* retry_after,
                                                    FaqKey* key_out) {
  if (!IsFaqLang(req.lang)) {
    return Err(Status::InvalidArgument("unknown FAQ language '" + req.lang + "': use zh or en"));
  }
  auto paper = store_.GetPaper(req.paper_id);
  if (!paper) return Err(paper.error());
  if (!*paper) {
    return Err(Status::NotFound("paper " + req.paper_id +
                                " is not in the database: open /arxiv/" + req.paper_id +
                                " first (it is fetched from arXiv) or import it"));
  }
  core::Paper& p = **paper;
  if (req.version > 0) p.version = req.version;
  FaqKey key{p.id, p.version, req.lang, model_, kPromptVersion};
  *key_out = key;
  const std::string ks = key.ToString();
  {
    std::lock_guard lock(mu_);
    if (auto job = FindLocked(ks, !req.regenerate, /*include_failed=*/!start)) {
      if (req.admin && job->priority > kAdminPriority && job->state() == FaqState::kPending) {
        job->priority = kAdminPriority;
        UpdateAheadLocked();
      }
      return job;
    }
  }
  if (!req.regenerate) {
    auto stored = LoadStored(key);
    if (!stored) return Err(stored.error());
    if (*stored) return *stored;
  }
  if (!start) return std::shared_ptr<FaqJob>();

  if (chat_ == nullptr) return Err(Status::FailedPrecondition(kNoApiKeyMessage));
  std::chrono::seconds wait{0};
  if (budget_.Exhausted(&wait)) {
    if (retry_after != nullptr) *retry_after = wait;
    return Err(Status::ResourceExhausted(
        "The daily FAQ token budget (" + std::to_string(budget_.per_day()) +
        " tokens) is used up. New FAQs can be generated again after 00:00 UTC, in " +
        HumanDuration(wait) + "; FAQs already generated stay available."));
  }
  int priority = req.admin ? kAdminPriority : PriorityFor(p);
  std::shared_ptr<FaqJob> job;
  {
    std::lock_guard lock(mu_);
    if (auto existing = FindLocked(ks, !req.regenerate, false)) return existing;
    if (stopping_) return Err(Status::Unavailable(kShutdownMessage));
    if (!req.admin && !req.client.empty() && !limiter_.TryAcquire(req.client, &wait)) {
      if (retry_after != nullptr) *retry_after = wait;
      return Err(Status::ResourceExhausted(
          "Too many new FAQ requests from your address (at most " +
          std::to_string(limiter_.per_hour()) + " per hour). Try again in " +
          HumanDuration(wait) + "; FAQs already generated stay available."));
    }
    job = std::make_shared<FaqJob>(key, p, priority, next_order_++);
    EnqueueLocked(job);
  }
  PersistQueue();
  return job;
}

Result<std::shared_ptr<FaqJob>> FaqService::LoadStored(const FaqKey& key) {
  auto rec = store_.GetFaq(key.paper_id, key.version, key.lang, key.model, key.prompt_version);
  if (!rec) return Err(rec.error());
  if (!*rec) return std::shared_ptr<FaqJob>();
  std::vector<FaqItem> items;
  if (!ParseFaqItemsJson((*rec)->content_json, items)) {
    spdlog::warn("FAQ {}: stored content is not valid JSON; regenerating", key.ToString());
    return std::shared_ptr<FaqJob>();
  }
  auto job = FaqJob::Completed(key, std::move(items), (*rec)->source, (*rec)->tokens,
                               (*rec)->created);
  std::lock_guard lock(mu_);
  CacheLocked(key.ToString(), job);
  return job;
}

std::shared_ptr<FaqJob> FaqService::FindLocked(const std::string& ks, bool include_cache,
                                               bool include_failed) {
  // A failed job lingers in active_ until its worker finishes it; asking again starts anew.
  if (auto it = active_.find(ks); it != active_.end() &&
                                  (include_failed || it->second->state() != FaqState::kFailed)) {
    return it->second;
  }
  if (!include_cache) return nullptr;
  auto it = cache_.find(ks);
  if (it == cache_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.second);
  return it->second.first;
}

void FaqService::CacheLocked(const std::string& ks, std::shared_ptr<FaqJob> job) {
  if (auto it = cache_.find(ks); it != cache_.end()) {
    lru_.erase(it->second.second);
    cache_.erase(it);
  }
  lru_.push_front(ks);
  cache_.emplace(ks, std::make_pair(std::move(job), lru_.begin()));
  while (cache_.size() > std::max<size_t>(1, options_.cache_entries)) {
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
}

void FaqService::EnqueueLocked(const std::shared_ptr<FaqJob>& job) {
  const std::string ks = job->key().ToString();
  active_[ks] = job;
  failed_.erase(ks);
  pending_.push_back(job);
  UpdateAheadLocked();
  cv_.notify_one();
}

void FaqService::UpdateAheadLocked() {
  std::stable_sort(pending_.begin(), pending_.end(), [](const auto& a, const auto& b) {
    return a->priority != b->priority ? a->priority < b->priority : a->order < b->order;
  });
  for (size_t i = 0; i < pending_.size(); ++i) pending_[i]->SetPending(static_cast<int>(i));
}

int FaqService::PriorityFor(const core::Paper& paper) {
  std::string recent = FormatUtc(clock_.Now() - std::chrono::hours(72), "%Y-%m-%d");
  if (auto ms = store_.MembershipsOf(paper.id)) {
    for (const core::Membership& m : *ms) {
      if (m.day >= recent) return kRecentPriority;
    }
  }
  if (paper.updated.substr(0, 10) >= recent) return kRecentPriority;
  return kHistoryPriority;
}

// ---- workers ----

void FaqService::WorkerLoop() {
  for (;;) {
    std::shared_ptr<FaqJob> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (stopping_) return;
      job = pending_.front();
      pending_.erase(pending_.begin());
      ++running_;
      UpdateAheadLocked();
    }
    RunJob(job);
    Finish(job);
  }
}

void FaqService::RunJob(const std::shared_ptr<FaqJob>& job) {
  const FaqKey& key = job->key();
  job->SetLoading();
  auto fail = [&](const Status& s) {
    job->Fail(job->shutdown ? std::string(kShutdownMessage) : s.message());
    if (!job->shutdown) spdlog::warn("FAQ {} failed: {}", key.ToString(), s.ToString());
  };
  auto text = loader_.Load(job->paper());
  if (!text) return fail(text.error());
  job->SetSource(text->source);
  const std::string paper_message = PaperMessage(job->paper(), text->text, text->source);
  const auto& questions = FaqQuestions(key.lang);
  std::vector<std::string> answers;
  int64_t tokens = 0;
  for (int i = 0; i < kFaqQuestionCount; ++i) {
    if (job->cancel) return fail(Status::Cancelled(kShutdownMessage));
    job->BeginQuestion(i, questions[i]);
    ChatRequest req{FaqMessages(key.lang, paper_message, answers, i),
                    "FAQ " + key.ToString() + " q" + std::to_string(i + 1)};
    auto res = chat_->StreamChat(
        req, [&](std::string_view d) { job->AppendDelta(i, d); }, &job->cancel);
    if (!res) return fail(res.error());
    int64_t used = res->usage.reported ? res->usage.total_tokens : EstimateTokens(req, res->content);
    tokens += used;
    budget_.Add(used);
    if (core::Trim(res->content).empty()) {
      return fail(Status::Corruption("the model returned an empty answer to question " +
                                     std::to_string(i + 1)));
    }
    if (res->finish_reason == "length") {
      return fail(Status::Unavailable("the answer to question " + std::to_string(i + 1) +
                                      " was cut off by the model's length limit"));
    }
    answers.push_back(res->content);
    job->EndAnswer(i, res->content);
  }
  store::FaqRecord rec;
  rec.paper_id = key.paper_id;
  rec.version = key.version;
  rec.lang = key.lang;
  rec.model = key.model;
  rec.prompt_version = key.prompt_version;
  rec.content_json = FaqItemsJson(job->items());
  rec.source = text->source;
  rec.tokens = tokens;
  rec.created = FormatUtc(clock_.Now(), "%Y-%m-%d %H:%M:%S");
  if (Status s = store_.PutFaq(rec); !s.ok()) {
    return fail(Status(s.code(), "the FAQ could not be saved: " + s.message()));
  }
  job->Complete(tokens, rec.created);
  spdlog::info("FAQ {} complete ({} tokens, from {})", key.ToString(), tokens, text->source);
}

void FaqService::Finish(const std::shared_ptr<FaqJob>& job) {
  const std::string ks = job->key().ToString();
  std::shared_ptr<FaqJob> compact;
  if (job->state() == FaqState::kComplete) {
    compact = FaqJob::Completed(job->key(), job->items(), job->source(), job->tokens(),
                                job->created());
  }
  {
    std::lock_guard lock(mu_);
    if (auto it = active_.find(ks); it != active_.end() && it->second == job) active_.erase(it);
    if (job->shutdown && !compact) interrupted_.push_back(job);  // stays in the persisted queue
    --running_;
    if (compact) {
      CacheLocked(ks, std::move(compact));
      ++completed_;
    } else if (!job->shutdown) {
      ++failed_count_;
      if (failed_.size() >= kMaxFailedRemembered) failed_.erase(failed_.begin());
      failed_[ks] = job->View().error;
    }
  }
  PersistQueue();
}

// ---- persistence ----

std::string FaqService::QueueSnapshotLocked() {
  std::vector<std::shared_ptr<FaqJob>> jobs = interrupted_;
  for (const auto& [ks, job] : active_) jobs.push_back(job);
  std::sort(jobs.begin(), jobs.end(), [](const auto& a, const auto& b) {
    return a->priority != b->priority ? a->priority < b->priority : a->order < b->order;
  });
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& job : jobs) {
    arr.push_back({{"paper", job->key().paper_id},
                   {"version", job->key().version},
                   {"lang", job->key().lang},
                   {"priority", job->priority}});
  }
  return arr.dump();
}

void FaqService::PersistQueue() {
  if (!options_.persist_queue) return;
  std::string snapshot;
  uint64_t seq;
  {
    std::lock_guard lock(mu_);
    snapshot = QueueSnapshotLocked();
    seq = ++snapshot_seq_;
  }
  std::lock_guard lock(persist_mu_);
  if (seq <= persisted_seq_) return;
  persisted_seq_ = seq;
  if (Status s = store_.SetState(kQueueStateKey, snapshot); !s.ok()) {
    spdlog::warn("FAQ queue not saved: {}", s.ToString());
  }
  if (Status s = store_.SetState(kTokensStateKey, budget_.Serialize()); !s.ok()) {
    spdlog::warn("FAQ token usage not saved: {}", s.ToString());
  }
}

Status FaqService::RestoreQueue() {
  auto state = store_.GetState(kQueueStateKey);
  if (!state) return state.error();
  if (!*state || (*state)->empty()) return Status::Ok();
  auto arr = nlohmann::json::parse(**state, nullptr, false);
  if (arr.is_discarded() || !arr.is_array()) {
    return Status::Corruption("state '" + std::string(kQueueStateKey) + "' is not a JSON array");
  }
  int restored = 0;
  for (const auto& e : arr) {
    if (!e.is_object() || !e.contains("paper") || !e["paper"].is_string()) continue;
    FaqRequest req;
    req.paper_id = e["paper"].get<std::string>();
    req.version = e.value("version", 0);
    req.lang = e.value("lang", std::string("zh"));
    req.admin = e.value("priority", kHistoryPriority) == kAdminPriority;
    std::chrono::seconds wait;
    FaqKey key;
    auto job = Acquire(req, true, &wait, &key);
    if (job && !(*job)->finished()) ++restored;
    if (!job) spdlog::warn("FAQ {}: not re-queued: {}", req.paper_id, job.error().message());
  }
  if (restored > 0) spdlog::info("FAQ: re-queued {} unfinished job(s) from the last run", restored);
  return Status::Ok();
}

FaqServiceStats FaqService::Stats() const {
  FaqServiceStats s;
  {
    std::lock_guard lock(mu_);
    s.pending = pending_.size();
    s.running = running_;
    s.cached = cache_.size();
    s.completed = completed_;
    s.failed = failed_count_;
  }
  s.tokens_today = budget_.used_today();
  return s;
}

}  // namespace coolpapers::llm
