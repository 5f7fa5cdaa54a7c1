#include "llm/faq_service.h"

#include <algorithm>
#include <ctime>
#include <time.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/text.h"
#include "llm/faq_job.h"
#include "llm/faq_prompt.h"
#include "store/faq_content.h"
#include "store/store.h"

namespace coolpapers::llm {
namespace {

constexpr const char* kLegacyQueueStateKey = "faq_queue";  // the whole queue as one JSON array
constexpr const char* kQueueKeyPrefix = "faq_queue/";       // one record per job
constexpr const char* kTokensStateKey = "faq_tokens";
constexpr auto kQueueFullRetry = std::chrono::seconds(120);
// Streams of the first jobs get their new position when the head of the queue moves; deeper
// ones keep an older (larger) figure until they come this close (polls are always exact).
constexpr size_t kAheadRefreshLimit = 1000;
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

// "YYYY-MM-DD HH:MM:SS" (UTC) as a time point; the epoch when unparsable.
std::chrono::system_clock::time_point ParseUtc(const std::string& text) {
  std::tm tm{};
  if (strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &tm) == nullptr) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string QueueKey(const FaqKey& key) { return kQueueKeyPrefix + key.ToString(); }

// The route that starts a FAQ of `paper_id`: "/venue/kimi" for venue papers, else "/arxiv/kimi".
std::string KimiRoute(const std::string& paper_id) {
  return IsVenuePaperId(paper_id) ? "/venue/kimi" : "/arxiv/kimi";
}

// Sleeps through `base` in slices, returning early once `stop` is set (so a long backoff never
// holds up shutdown). With a fake clock the slices pass instantly.
class StoppableClock : public core::Clock {
 public:
  StoppableClock(core::Clock& base, const bool& stop, std::mutex& mu)
      : base_(base), stop_(stop), mu_(mu) {}
  std::chrono::system_clock::time_point Now() override { return base_.Now(); }
  std::chrono::steady_clock::time_point Monotonic() override { return base_.Monotonic(); }
  void SleepFor(std::chrono::milliseconds d) override {
    while (d.count() > 0) {
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
      }
      auto step = std::min(d, std::chrono::milliseconds(100));
      base_.SleepFor(step);
      d -= step;
    }
  }

 private:
  core::Clock& base_;
  const bool& stop_;
  std::mutex& mu_;
};

}  // namespace

// ---- FaqPendingQueue ----

int FaqPendingQueue::Level(int priority) { return std::clamp(priority, 0, kLevels - 1); }

void FaqPendingQueue::Push(std::shared_ptr<FaqJob> job) {
  auto& level = levels_[Level(job->priority)];
  if (level.empty() || level.back()->order < job->order) {
    level.push_back(std::move(job));
  } else {
    auto at = std::lower_bound(level.begin(), level.end(), job->order,
                               [](const auto& j, uint64_t order) { return j->order < order; });
    level.insert(at, std::move(job));
  }
  ++size_;
}

std::shared_ptr<FaqJob> FaqPendingQueue::Pop() {
  for (auto& level : levels_) {
    if (level.empty()) continue;
    std::shared_ptr<FaqJob> job = std::move(level.front());
    level.pop_front();
    --size_;
    return job;
  }
  return nullptr;
}

bool FaqPendingQueue::Remove(const FaqJob& job) {
  auto& level = levels_[Level(job.priority)];
  auto at = std::lower_bound(level.begin(), level.end(), job.order,
                             [](const auto& j, uint64_t order) { return j->order < order; });
  if (at == level.end() || at->get() != &job) return false;
  level.erase(at);
  --size_;
  return true;
}

int FaqPendingQueue::Ahead(const FaqJob& job) const {
  int l = Level(job.priority);
  size_t ahead = 0;
  for (int i = 0; i < l; ++i) ahead += levels_[i].size();
  const auto& level = levels_[l];
  auto at = std::lower_bound(level.begin(), level.end(), job.order,
                             [](const auto& j, uint64_t order) { return j->order < order; });
  ahead += static_cast<size_t>(at - level.begin());
  return static_cast<int>(ahead);
}

std::vector<std::shared_ptr<FaqJob>> FaqPendingQueue::TakeAll() {
  std::vector<std::shared_ptr<FaqJob>> all;
  all.reserve(size_);
  for (auto& level : levels_) {
    for (auto& job : level) all.push_back(std::move(job));
    level.clear();
  }
  size_ = 0;
  return all;
}

// ---- FaqSubscription ----

FaqSubscription::FaqSubscription(std::shared_ptr<FaqJob> job) : job_(std::move(job)) {}

bool FaqSubscription::Next(std::vector<FaqEvent>& out, std::chrono::milliseconds timeout) {
  return job_->Wait(cursor_, out, timeout);
}

FaqView FaqSubscription::View() const { return job_->View(); }

FaqService::FaqService(FaqServiceOptions options, store::Store& store, net::Fetcher* fetcher,
                       std::unique_ptr<ChatClient> chat, core::Clock& clock)
    : options_(std::move(options)),
      store_(store),
      chat_(std::move(chat)),
      clock_(clock),
      model_(chat_ ? chat_->model() : options_.llm.model),
      loader_(fetcher, options_.arxiv, options_.venue_pdf, options_.pdf,
              options_.llm.max_paper_chars),
      limiter_(options_.llm.rate_per_hour, clock),
      budget_(options_.llm.daily_token_budget, clock),
      shared_(options_.shared_jobs) {
  if (shared_ != nullptr) {
    options_.persist_queue = false;  // the shared jobs table is the queue, usage is shared
    limiter_.Share(shared_);
    budget_.Share(shared_);
  }
}

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
  saver_ = std::thread([this] { SaverLoop(); });
  if (shared_ != nullptr) cluster_ = std::thread([this] { ClusterLoop(); });
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
    waiting = pending_.TakeAll();
  }
  cv_.notify_all();
  cluster_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  saver_cv_.notify_all();
  if (saver_.joinable()) saver_.join();
  if (cluster_.joinable()) cluster_.join();
  for (auto& job : waiting) job->Fail(kShutdownMessage);  // still in the persisted queue
  std::unordered_map<std::string, Owned> owned;
  std::unordered_map<std::string, std::shared_ptr<FaqJob>> followed;
  {
    std::lock_guard lock(mu_);
    owned.swap(owned_);
    followed.swap(followed_);
  }
  for (auto& [ks, o] : owned) {  // claimed, still waiting here: another node resumes them now
    if (!o.lost) (void)shared_->Release(ks, o.generation);
  }
  for (auto& [ks, job] : followed) job->Fail(kShutdownMessage);
}

// ---- requests ----

FaqView FaqService::ViewOf(const std::shared_ptr<FaqJob>& job) {
  FaqView v = job->View();
  if (v.state == FaqState::kPending) {
    std::lock_guard lock(mu_);
    if (job->state() == FaqState::kPending) v.ahead = pending_.Ahead(*job);
  }
  return v;
}

// The view of `job` as the answer for `key`: a FAQ of an earlier version says which version the
// paper is at now.
FaqView FaqService::ViewFor(const std::shared_ptr<FaqJob>& job, const FaqKey& key) {
  FaqView v = ViewOf(job);
  if (v.key.version < key.version) v.newer_version = key.version;
  return v;
}

Result<FaqView> FaqService::Request(const FaqRequest& req, std::chrono::seconds* retry_after) {
  FaqKey key;
  auto job = Acquire(req, true, retry_after, &key);
  if (!job) return Err(job.error());
  return ViewFor(*job, key);
}

Result<std::shared_ptr<FaqSubscription>> FaqService::Subscribe(const FaqRequest& req,
                                                               std::chrono::seconds* retry_after) {
  FaqKey key;
  auto job = Acquire(req, /*start=*/false, retry_after, &key);
  if (!job) return Err(job.error());
  if (*job) return std::make_shared<FaqSubscription>(*job);
  {
    std::lock_guard lock(mu_);
    if (auto it = failed_.find(key.ToString()); it != failed_.end()) {
      // Failed before this reader arrived: a stream holding just its error event.
      core::Paper paper;
      paper.id = key.paper_id;
      paper.version = key.version;
      auto failed = std::make_shared<FaqJob>(key, paper, kHistoryPriority, 0);
      failed->Fail(it->second);
      return std::make_shared<FaqSubscription>(failed);
    }
  }
  if (chat_ == nullptr) return Err(Status::FailedPrecondition(kNoApiKeyMessage));
  const std::string query = "paper=" + key.paper_id + "&lang=" + key.lang;
  return Err(Status::NotFound("no FAQ of " + key.paper_id + " (" + key.lang +
                              ") is being generated or stored, and a stream never starts one: "
                              "POST " + KimiRoute(key.paper_id) + "?" + query +
                              " first, then open this stream"));
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
  if (*job) return ViewFor(*job, key);
  FaqView v;
  v.key = key;
  std::lock_guard lock(mu_);
  if (auto it = failed_.find(key.ToString()); it != failed_.end()) {
    v.state = FaqState::kFailed;
    v.error = it->second;
  }
  return v;
}

std::string FaqService::BudgetMessage(std::chrono::seconds wait, bool stopped_job) const {
  std::string head = "The daily FAQ token budget (" + std::to_string(budget_.per_day()) +
                     " tokens) is used up";
  if (stopped_job) {
    return head + ", so this FAQ was stopped before it was complete and nothing was saved. "
                  "The budget resets at 00:00 UTC, in " + HumanDuration(wait) +
           "; ask again then. FAQs already generated stay available.";
  }
  return head + ". New FAQs can be generated again after 00:00 UTC, in " + HumanDuration(wait) +
         "; FAQs already generated stay available.";
}

Result<core::Paper> FaqService::PaperFor(const FaqRequest& req) {
  if (!IsFaqLang(req.lang)) {
    return Err(Status::InvalidArgument("unknown FAQ language '" + req.lang + "': use zh or en"));
  }
  core::Paper p;
  if (IsVenuePaperId(req.paper_id)) {
    auto venue = VenuePaperRow(req.paper_id);
    if (!venue) return Err(venue.error());
    p = *std::move(venue);
  } else {
    auto paper = store_.GetPaper(req.paper_id);
    if (!paper) return Err(paper.error());
    if (!*paper) {
      return Err(Status::NotFound("paper " + req.paper_id +
                                  " is not in the database: open /arxiv/" + req.paper_id +
                                  " first (it is fetched from arXiv) or import it"));
    }
    p = **std::move(paper);
  }
  if (req.version > std::max(1, p.version)) {
    int latest = std::max(1, p.version);
    std::string versions = latest == 1 ? "only v1" : "v1 to v" + std::to_string(latest);
    return Err(Status::InvalidArgument(
        "paper " + p.id + " has no version v" + std::to_string(req.version) + ": " + versions +
        " exist" + (latest == 1 ? "s" : "") + ". Ask for " + p.id + " (the latest, v" +
        std::to_string(latest) + ") or one of those versions."));
  }
  if (req.version > 0) p.version = req.version;
  return p;
}

Result<core::Paper> FaqService::VenuePaperRow(const std::string& id) {
  if (Status st = CheckVenuePaperId(id); !st.ok()) return Err(st);
  auto not_imported = [&id] {
    return Status::NotFound("venue paper " + id +
                            " is not in the database: import its proceedings first (coolpapers "
                            "import venue --source acl|pmlr|openreview FILE...); the imported "
                            "venues and their papers are listed at /venue/");
  };
  const std::string ids[] = {id};
  auto venue = store_.GetVenuePapers(ids);
  if (!venue) {
    if (venue.error().code() == StatusCode::kUnavailable) return Err(not_imported());
    return Err(venue.error());
  }
  if (venue->empty()) return Err(not_imported());
  const std::string& canonical = venue->front().id;  // `id` may be one of its other ids
  auto paper = store_.GetPaper(canonical);
  if (!paper) return Err(paper.error());
  if (!*paper) return Err(not_imported());
  core::Paper p = **std::move(paper);
  p.version = 1;  // a venue paper has one version
  return p;
}

Result<std::string> FaqService::VenuePdfUrl(const std::string& paper_id) {
  if (!IsVenuePaperId(paper_id)) return std::string();
  const std::string ids[] = {paper_id};
  auto venue = store_.GetVenuePapers(ids);
  if (!venue) return Err(venue.error());
  return venue->empty() ? std::string() : venue->front().pdf_url;
}

std::shared_ptr<FaqJob> FaqService::JoinActiveOrCached(const FaqRequest& req, bool start,
                                                       const std::string& ks,
                                                       std::shared_ptr<FaqJob>* recheck) {
  std::shared_ptr<FaqJob> bumped;
  std::unique_lock lock(mu_);
  auto job = FindLocked(ks, !req.regenerate, /*include_failed=*/!start);
  if (!job) return nullptr;
  if (req.admin && job->priority > kAdminPriority && job->state() == FaqState::kPending &&
      pending_.Remove(*job)) {
    job->priority = kAdminPriority;
    pending_.Push(job);
    RefreshAheadLocked();
    bumped = job;
  }
  if (start && StaleAbstractLocked(ks, *job)) {
    *recheck = job;
    return nullptr;
  }
  lock.unlock();
  if (bumped) PersistJob(bumped);  // its record now says admin priority
  return job;
}

Result<std::shared_ptr<FaqJob>> FaqService::Acquire(const FaqRequest& req, bool start,
                                                    std::chrono::seconds* retry_after,
                                                    FaqKey* key_out, bool restoring) {
  auto paper = PaperFor(req);
  if (!paper) return Err(paper.error());
  FaqKey key{paper->id, paper->version, req.lang, model_, kPromptVersion};
  *key_out = key;
  const std::string ks = key.ToString();
  std::shared_ptr<FaqJob> recheck;  // a stale abstract-only FAQ whose full text is tried again
  if (auto job = JoinActiveOrCached(req, start, ks, &recheck)) return job;
  if (!req.regenerate && !recheck) {
    auto stored = LoadStored(key);
    if (!stored) return Err(stored.error());
    if (*stored) {
      std::lock_guard lock(mu_);
      if (!start || !StaleAbstractLocked(ks, **stored)) return *stored;
      recheck = *stored;
    }
  }
  if (req.version == 0 && !req.regenerate && !recheck && !restoring) {
    // No FAQ of the latest version: the newest one of an earlier version is shown instead; a
    // FAQ of the latest version is then made only when asked for by version.
    auto earlier = EarlierVersionFaq(key);
    if (!earlier) return Err(earlier.error());
    if (*earlier) return *earlier;
  }
  if (!start) {
    // Joining a job another node runs (or has just completed) starts nothing.
    if (shared_ != nullptr && !restoring) return JoinClusterJob(key, *paper, kHistoryPriority);
    return std::shared_ptr<FaqJob>();
  }
  return StartJob(req, *paper, key, recheck, retry_after, restoring);
}

Result<std::shared_ptr<FaqJob>> FaqService::StartJob(const FaqRequest& req,
                                                     const core::Paper& paper, const FaqKey& key,
                                                     const std::shared_ptr<FaqJob>& recheck,
                                                     std::chrono::seconds* retry_after,
                                                     bool restoring) {
  // Nothing new can start: a FAQ being re-checked is served as it is, else the refusal (with
  // the wait, when there is one, in *retry_after).
  auto refuse = [&](Status why,
                    std::chrono::seconds wait) -> Result<std::shared_ptr<FaqJob>> {
    if (recheck) return recheck;
    if (retry_after != nullptr && wait.count() > 0) *retry_after = wait;
    return Err(std::move(why));
  };
  if (chat_ == nullptr) {
    return refuse(Status::FailedPrecondition(kNoApiKeyMessage), std::chrono::seconds(0));
  }
  const std::string ks = key.ToString();
  int priority = req.admin ? kAdminPriority : PriorityFor(paper);
  if (shared_ != nullptr && !recheck && !req.regenerate) {
    if (auto joined = JoinClusterJob(key, paper, priority)) return joined;
  }
  std::chrono::seconds wait{0};
  if (budget_.Exhausted(&wait)) return refuse(Status::ResourceExhausted(BudgetMessage(wait, false)), wait);
  std::shared_ptr<FaqJob> job;
  {
    std::lock_guard lock(mu_);
    if (auto existing = FindLocked(ks, !req.regenerate, false);
        existing && existing != recheck) {
      return existing;
    }
    if (stopping_) return Err(Status::Unavailable(kShutdownMessage));
    if (Status admitted = AdmitLocked(req, restoring, &wait); !admitted.ok()) {
      return refuse(std::move(admitted), wait);
    }
    job = std::make_shared<FaqJob>(key, paper, priority, next_order_++);
    if (shared_ != nullptr && (recheck || req.regenerate)) restart_.insert(ks);
    if (recheck) {
      abstract_recheck_[ks] = recheck;
      abstract_checked_[ks] = clock_.Now();  // one re-check at a time per retry period
    }
    EnqueueLocked(job);
  }
  PersistJob(job);
  return job;
}

Status FaqService::AdmitLocked(const FaqRequest& req, bool restoring, std::chrono::seconds* wait) {
  if (restoring || req.admin) return Status::Ok();
  if (pending_.size() >= options_.queue_cap) {
    *wait = kQueueFullRetry;
    return Status::Unavailable(
        "The FAQ queue is full (" + std::to_string(pending_.size()) +
        " FAQs are waiting to be generated). Try again in " + HumanDuration(kQueueFullRetry) +
        "; FAQs already generated stay available.");
  }
  if (!req.client.empty() && !limiter_.TryAcquire(req.client, wait)) {
    return Status::ResourceExhausted(
        "Too many new FAQ requests from your address (at most " +
        std::to_string(limiter_.per_hour()) + " per hour). Try again in " +
        HumanDuration(*wait) + "; FAQs already generated stay available.");
  }
  return Status::Ok();
}

Result<std::shared_ptr<FaqJob>> FaqService::EarlierVersionFaq(const FaqKey& key) {
  constexpr int kVersionsLookedAt = 10;
  for (int v = key.version - 1; v >= 1 && v >= key.version - kVersionsLookedAt; --v) {
    FaqKey older = key;
    older.version = v;
    {
      std::lock_guard lock(mu_);
      auto job = FindLocked(older.ToString(), /*include_cache=*/true, /*include_failed=*/false);
      if (job && job->state() == FaqState::kComplete) return job;
    }
    auto stored = LoadStored(older);
    if (!stored) return Err(stored.error());
    if (*stored) return *stored;
  }
  return std::shared_ptr<FaqJob>();
}

// The stored FAQ of the paper linked to key.paper_id at the matching version (the rule is
// Store::FaqStandIns), served under `key`; nullopt when there is none. A store that cannot
// read links serves none: the FAQ is then generated for this paper.
Result<std::optional<store::FaqRecord>> FaqService::LoadLinkedFaq(const FaqKey& key) {
  auto stand_ins = store_.FaqStandIns(key.paper_id, key.version);
  if (!stand_ins) {
    spdlog::warn("FAQ {}: linked papers not read: {}", key.ToString(),
                 stand_ins.error().message());
    return std::optional<store::FaqRecord>();
  }
  for (const auto& [id, version] : *stand_ins) {
    auto rec = store_.GetFaq(id, version, key.lang, key.model, key.prompt_version);
    if (!rec || *rec) return rec;
  }
  return std::optional<store::FaqRecord>();
}

Result<std::shared_ptr<FaqJob>> FaqService::LoadStored(const FaqKey& key) {
  auto rec = store_.GetFaq(key.paper_id, key.version, key.lang, key.model, key.prompt_version);
  if (!rec) return Err(rec.error());
  if (!*rec) rec = LoadLinkedFaq(key);  // the arXiv <-> venue link's FAQ (Store::FaqStandIns)
  if (!rec) return Err(rec.error());
  if (!*rec) return std::shared_ptr<FaqJob>();
  Result<std::vector<FaqItem>> items = store::DecodeFaqContent((*rec)->content_json);
  if (!items) {
    spdlog::warn("FAQ {}: {}", key.ToString(), items.error().message());
    return std::shared_ptr<FaqJob>();
  }
  auto job = FaqJob::Completed(key, *std::move(items), (*rec)->source, (*rec)->tokens,
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
  if (auto it = unsaved_.find(ks); it != unsaved_.end() && it->second) return it->second;
  auto it = cache_.find(ks);
  if (it == cache_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.second);
  return it->second.first;
}

bool FaqService::StaleAbstractLocked(const std::string& ks, const FaqJob& job) {
  if (job.state() != FaqState::kComplete || job.source() != "abstract") return false;
  auto it = abstract_checked_.find(ks);
  auto last = it != abstract_checked_.end() ? it->second : ParseUtc(job.created());
  return clock_.Now() - last >= options_.abstract_retry;
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
  pending_.Push(job);
  job->SetPending(pending_.Ahead(*job));
  cv_.notify_one();
}

void FaqService::RefreshAheadLocked() {
  pending_.ForEachFirst(kAheadRefreshLimit, [](const std::shared_ptr<FaqJob>& job, size_t pos) {
    job->SetPending(static_cast<int>(pos));
  });
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
      job = pending_.Pop();
      ++running_;
      RefreshAheadLocked();
    }
    if (RunJob(job)) {
      Finish(job);
    } else {
      std::lock_guard lock(mu_);
      --running_;  // followed from here on; still active
    }
  }
}

void FaqService::FailJob(FaqJob& job, const Status& s, const std::string& detail) {
  // Readers see `s.message()` (short, no endpoint or upstream body); the log gets everything.
  // The log line is written first: whoever sees the failure can find its detail in the log.
  if (!job.shutdown) {
    spdlog::warn("FAQ {} failed: {}{}{}", job.key().ToString(), s.ToString(),
                 detail.empty() ? "" : " | detail: ", detail);
  }
  job.Fail(job.shutdown ? std::string(kShutdownMessage) : s.message());
}

bool FaqService::FailIfOverBudget(FaqJob& job) {
  std::chrono::seconds wait{0};
  if (!budget_.Exhausted(&wait)) return false;
  FailJob(job, Status::ResourceExhausted(BudgetMessage(wait, true)));
  return true;
}

std::optional<PaperText> FaqService::LoadTextOrFail(FaqJob& job) {
  auto pdf_url = VenuePdfUrl(job.paper().id);
  if (!pdf_url) {
    FailJob(job,
            Status::Unavailable("the venue paper's PDF address could not be read from the "
                                "database; try again later"),
            pdf_url.error().ToString());
    return std::nullopt;
  }
  auto text = loader_.Load(job.paper(), *pdf_url);
  if (!text && text.error().code() == StatusCode::kInternal) {  // server-side (temp files...)
    FailJob(job,
            Status::Internal("the paper's text could not be prepared on the server; try again "
                             "later"),
            text.error().ToString());
    return std::nullopt;
  }
  if (!text) {
    FailJob(job, text.error());
    return std::nullopt;
  }
  job.SetSource(text->source);
  return *std::move(text);
}

bool FaqService::ServeEarlierAbstractFaq(FaqJob& job) {
  const std::string ks = job.key().ToString();
  std::shared_ptr<FaqJob> previous;
  {
    std::lock_guard lock(mu_);
    auto it = abstract_recheck_.find(ks);
    if (it != abstract_recheck_.end()) previous = it->second;
  }
  if (!previous) return false;
  std::vector<FaqItem> items = previous->items();
  for (size_t i = 0; i < items.size(); ++i) {
    int idx = static_cast<int>(i);
    job.BeginQuestion(idx, items[i].q);
    job.AppendDelta(idx, items[i].a);
    job.EndAnswer(idx, items[i].a);
  }
  job.Complete(previous->tokens(), previous->created());
  spdlog::info("FAQ {}: still no PDF; the abstract-only FAQ is kept", ks);
  return true;
}

std::optional<int64_t> FaqService::AskQuestions(FaqJob& job, const PaperText& text) {
  const FaqKey& key = job.key();
  const std::string ks = key.ToString();
  const std::string paper_message = PaperMessage(job.paper(), text.text, text.source);
  const auto& questions = FaqQuestions(key.lang);
  std::vector<std::string> answers;
  int64_t tokens = 0;
  const int first = ResumePoint(job, answers, tokens);
  for (int i = first; i < kFaqQuestionCount; ++i) {
    if (job.cancel) {
      if (!Lost(job)) FailJob(job, Status::Cancelled(kShutdownMessage));
      return std::nullopt;
    }
    if (FailIfOverBudget(job)) return std::nullopt;
    if (static_cast<int>(job.items().size()) > i) {
      job.RestartAnswer(i);  // shown while following another node, which did not finish it
    } else {
      job.BeginQuestion(i, questions[i]);
    }
    PublishProgress(job, true, tokens);
    ChatRequest req{FaqMessages(key.lang, paper_message, answers, i),
                    "FAQ " + ks + " q" + std::to_string(i + 1)};
    ChatReport report;
    auto res = chat_->StreamChat(
        req,
        [&](std::string_view d) {
          job.AppendDelta(i, d);
          PublishProgress(job, false, tokens);
        },
        &job.cancel, &report);
    tokens += report.tokens;  // cut, timed-out and failed answers cost too
    budget_.Add(report.tokens);
    PersistTokens();
    if (!res && Lost(job)) return std::nullopt;  // another node goes on with it
    Status bad;
    if (!res) {
      bad = res.error();
    } else if (core::Trim(res->content).empty()) {
      bad = Status::Corruption("the model returned an empty answer to question " +
                               std::to_string(i + 1));
    } else if (res->finish_reason == "length") {
      bad = Status::Unavailable("the answer to question " + std::to_string(i + 1) +
                                " was cut off by the model's length limit");
    }
    if (!bad.ok()) {
      FailJob(job, bad, res ? "" : report.detail);
      return std::nullopt;
    }
    answers.push_back(res->content);
    job.EndAnswer(i, res->content);
    PublishProgress(job, true, tokens);
  }
  return tokens;
}

void FaqService::SaveAndComplete(FaqJob& job, const std::string& source, int64_t tokens) {
  const FaqKey& key = job.key();
  const std::string ks = key.ToString();
  store::FaqRecord rec;
  rec.paper_id = key.paper_id;
  rec.version = key.version;
  rec.lang = key.lang;
  rec.model = key.model;
  rec.prompt_version = key.prompt_version;
  rec.content_json = store::EncodeFaqContent(job.items());
  rec.source = source;
  rec.tokens = tokens;
  rec.created = FormatUtc(clock_.Now(), "%Y-%m-%d %H:%M:%S");
  if (Status s = store_.PutFaq(rec); !s.ok()) {
    // Paid for: keep it (served from memory) and save it in the background.
    spdlog::warn("FAQ {}: save failed ({}); kept in memory, retrying the save with backoff", ks,
                 s.ToString());
    std::lock_guard lock(mu_);
    saves_.push_back(rec);
    unsaved_[ks];  // Finish puts the finished FAQ here; the saver removes it once saved
    saver_cv_.notify_all();
  }
  job.Complete(tokens, rec.created);
  spdlog::info("FAQ {} complete ({} tokens, from {})", ks, tokens, source);
}

bool FaqService::RunJob(const std::shared_ptr<FaqJob>& job) {
  if (shared_ == nullptr) {
    RunLocalJob(job);
    return true;
  }
  switch (ClusterBegin(job)) {
    case ClusterStep::kFollow:
      return false;
    case ClusterStep::kDone:
      return true;
    case ClusterStep::kRun:
      break;
  }
  RunLocalJob(job);
  return ClusterEnd(job);
}

void FaqService::RunLocalJob(const std::shared_ptr<FaqJob>& job) {
  job->SetLoading();
  if (FailIfOverBudget(*job)) return;
  std::optional<PaperText> text = LoadTextOrFail(*job);
  if (!text) return;
  if (text->source == "abstract" && ServeEarlierAbstractFaq(*job)) return;
  std::optional<int64_t> tokens = AskQuestions(*job, *text);
  if (!tokens) return;
  SaveAndComplete(*job, text->source, *tokens);
}

void FaqService::Finish(const std::shared_ptr<FaqJob>& job) {
  const std::string ks = job->key().ToString();
  std::shared_ptr<FaqJob> compact;
  if (job->state() == FaqState::kComplete) {
    compact = FaqJob::Completed(job->key(), job->items(), job->source(), job->tokens(),
                                job->created());
  }
  bool unsaved = false;
  {
    std::lock_guard lock(mu_);
    if (auto it = active_.find(ks); it != active_.end() && it->second == job) {
      active_.erase(it);
      abstract_recheck_.erase(ks);  // (a newer job of this key may hold its own entry)
    }
    --running_;
    if (compact) {
      if (compact->source() == "abstract") {
        if (abstract_checked_.size() >= kMaxFailedRemembered) {
          abstract_checked_.erase(abstract_checked_.begin());  // then `created` is used
        }
        abstract_checked_[ks] = clock_.Now();
      }
      if (auto it = unsaved_.find(ks); it != unsaved_.end()) {
        it->second = compact;
        unsaved = true;
      }
      CacheLocked(ks, std::move(compact));
      ++completed_;
    } else if (!job->shutdown) {
      ++failed_count_;
      if (failed_.size() >= kMaxFailedRemembered) failed_.erase(failed_.begin());
      failed_[ks] = job->View().error;
    }
  }
  // Interrupted by shutdown, or finished but not saved yet: the queue record stays.
  if (!job->shutdown && !unsaved) UnpersistJob(job);
  PersistTokens();
}

// ---- background saves ----

void FaqService::SaverLoop() {
  for (;;) {
    store::FaqRecord rec;
    {
      std::unique_lock lock(mu_);
      saver_cv_.wait(lock, [&] { return stopping_ || !saves_.empty(); });
      if (saves_.empty()) return;  // stopping
      rec = saves_.front();
    }
    bool saved = SaveWithRetry(rec);
    FaqKey key{rec.paper_id, rec.version, rec.lang, rec.model, rec.prompt_version};
    {
      std::lock_guard lock(mu_);
      saves_.pop_front();
      if (saved) unsaved_.erase(key.ToString());  // not saved: kept (served) until the end
    }
    if (saved) UnpersistKey(key);
  }
}

bool FaqService::SaveWithRetry(const store::FaqRecord& rec) {
  const std::string what = "save of FAQ " + rec.paper_id + "v" + std::to_string(rec.version) +
                           " " + rec.lang;
  StoppableClock clock(clock_, stopping_, mu_);
  core::Retry r(options_.save_retry, what, clock);
  while (r.next()) {
    Status s = store_.PutFaq(rec);
    if (s.ok()) {
      r.ok();
      break;
    }
    bool stopping;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
    }
    if (stopping) {
      r.abort(std::move(s));
      break;
    }
    r.fail(std::move(s));
  }
  if (r.succeeded()) {
    spdlog::info("{}: saved after {} attempt(s)", what, r.attempts());
    return true;
  }
  spdlog::error("{}: not saved after {} attempt(s) ({}); it is served from memory until the "
                "server stops, and its queue record makes the next start generate it again",
                what, r.attempts(), r.status().ToString());
  return false;
}

// ---- persistence ----

void FaqService::PersistJob(const std::shared_ptr<FaqJob>& job) {
  if (!options_.persist_queue) return;
  nlohmann::json j = {{"paper", job->key().paper_id},
                      {"version", job->key().version},
                      {"lang", job->key().lang},
                      {"priority", job->priority},
                      {"order", job->order}};
  std::lock_guard lock(persist_mu_);
  // Finish removes the record under this lock after the job finished: never write it back.
  FaqState state = job->state();
  if (state == FaqState::kComplete || (state == FaqState::kFailed && !job->shutdown)) {
    return;
  }
  if (Status s = store_.SetState(QueueKey(job->key()), j.dump()); !s.ok()) {
    spdlog::warn("FAQ queue record of {} not saved: {}", job->key().ToString(), s.ToString());
  }
}

void FaqService::UnpersistJob(const std::shared_ptr<FaqJob>& job) { UnpersistKey(job->key()); }

void FaqService::UnpersistKey(const FaqKey& key) {
  if (!options_.persist_queue) return;
  std::lock_guard lock(persist_mu_);
  if (Status s = store_.DeleteState(QueueKey(key)); !s.ok()) {
    spdlog::warn("FAQ queue record of {} not removed: {}", key.ToString(), s.ToString());
  }
}

void FaqService::ChargeTokens(int64_t tokens) {
  budget_.Add(tokens);
  PersistTokens();
}

void FaqService::PersistTokens() {
  if (!options_.persist_queue) return;
  if (Status s = store_.SetState(kTokensStateKey, budget_.Serialize()); !s.ok()) {
    spdlog::warn("FAQ token usage not saved: {}", s.ToString());
  }
}

Status FaqService::RestoreQueue() {
  struct Entry {
    FaqRequest req;
    int priority;
    uint64_t order;
    std::string state_key;  // "" for the legacy snapshot
  };
  std::vector<Entry> entries;
  auto add = [&](const nlohmann::json& e, std::string state_key, uint64_t fallback_order) {
    if (!e.is_object() || !e.contains("paper") || !e["paper"].is_string()) return;
    Entry en;
    en.req.paper_id = e["paper"].get<std::string>();
    en.req.version = e.value("version", 0);
    en.req.lang = e.value("lang", std::string("zh"));
    en.priority = e.value("priority", kHistoryPriority);
    en.req.admin = en.priority == kAdminPriority;
    en.order = e.value("order", fallback_order);
    en.state_key = std::move(state_key);
    entries.push_back(std::move(en));
  };
  // The format of earlier versions: one JSON array under "faq_queue".
  auto legacy = store_.GetState(kLegacyQueueStateKey);
  if (!legacy) return legacy.error();
  bool had_legacy = *legacy && !(*legacy)->empty();
  if (had_legacy) {
    auto arr = nlohmann::json::parse(**legacy, nullptr, false);
    if (arr.is_array()) {
      uint64_t n = 0;
      for (const auto& e : arr) add(e, "", n++);
    } else {
      spdlog::warn("FAQ: state '{}' is not a JSON array; ignored", kLegacyQueueStateKey);
    }
  }
  auto records = store_.ListState(kQueueKeyPrefix);
  if (!records) return records.error();
  for (const auto& [k, v] : *records) {
    auto e = nlohmann::json::parse(v, nullptr, false);
    if (e.is_discarded()) {
      spdlog::warn("FAQ: queue record {} is not JSON; dropped", k);
      (void)store_.DeleteState(k);
      continue;
    }
    add(e, k, 0);
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.order < b.order;
  });
  int restored = 0;
  for (const Entry& en : entries) {
    std::chrono::seconds wait;
    FaqKey key;
    auto job = Acquire(en.req, true, &wait, &key, /*restoring=*/true);
    if (job && !(*job)->finished()) {
      ++restored;
      std::string wanted = QueueKey(key);
      if (!en.state_key.empty() && en.state_key != wanted) (void)store_.DeleteState(en.state_key);
      continue;
    }
    if (!job) spdlog::warn("FAQ {}: not re-queued: {}", en.req.paper_id, job.error().message());
    if (!en.state_key.empty()) (void)store_.DeleteState(en.state_key);  // done or impossible
  }
  if (had_legacy) (void)store_.DeleteState(kLegacyQueueStateKey);
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
  {
    std::lock_guard lock(mu_);
    s.followed = followed_.size();
    s.resumed = resumed_;
  }
  return s;
}

}  // namespace coolpapers::llm
