#include "llm/faq_job.h"

#include <algorithm>

#include "llm/faq_prompt.h"

namespace coolpapers::llm {
namespace {
// Expected answer length, for the progress estimate within one answer.
constexpr size_t kExpectedAnswerBytes = 1500;
}  // namespace

FaqJob::FaqJob(FaqKey key, core::Paper paper, int prio, uint64_t ord)
    : priority(prio), order(ord), key_(std::move(key)), paper_(std::move(paper)) {}

std::shared_ptr<FaqJob> FaqJob::Completed(FaqKey key, std::vector<FaqItem> items,
                                          std::string source, int64_t tokens,
                                          std::string created) {
  core::Paper paper;
  paper.id = key.paper_id;
  paper.version = key.version;
  auto job = std::make_shared<FaqJob>(std::move(key), std::move(paper), 0, 0);
  job->SetSource(std::move(source));
  for (size_t i = 0; i < items.size(); ++i) {
    int idx = static_cast<int>(i);
    job->BeginQuestion(idx, items[i].q);
    job->AppendDelta(idx, items[i].a);
    job->EndAnswer(idx, items[i].a);
  }
  job->Complete(tokens, std::move(created));
  return job;
}

void FaqJob::SetPending(int ahead) {
  std::vector<std::function<void()>> fire;
  {
    std::lock_guard lock(mu_);
    if (state_ != FaqState::kPending || ahead_ == ahead) return;
    ahead_ = ahead;
    fire = TakeWaitersLocked();
  }
  Fire(fire);
}

void FaqJob::SetLoading() {
  std::vector<std::function<void()>> fire;
  {
    std::lock_guard lock(mu_);
    state_ = FaqState::kLoading;
    fire = TakeWaitersLocked();
  }
  Fire(fire);
}

void FaqJob::SetSource(std::string source) {
  std::lock_guard lock(mu_);
  source_ = std::move(source);
}

void FaqJob::BeginQuestion(int index, const std::string& question) {
  std::vector<std::function<void()>> fire;
  {
    std::lock_guard lock(mu_);
    items_.push_back({question, ""});
    current_chars_ = 0;
    log_.push_back({FaqEvent::Kind::kQuestion, index, question});
    fire = TakeWaitersLocked();
  }
  Fire(fire);
}

void FaqJob::AppendDelta(int index, std::string_view delta) {
  std::vector<std::function<void()>> fire;
  {
    std::lock_guard lock(mu_);
    if (items_.empty()) return;
    items_.back().a.append(delta);
    current_chars_ += delta.size();
    log_.push_back({FaqEvent::Kind::kDelta, index, std::string(delta)});
    fire = TakeWaitersLocked();
  }
  Fire(fire);
}

void FaqJob::EndAnswer(int index, const std::string& answer) {
  std::vector<std::function<void()>> fire;
  {
    std::lock_guard lock(mu_);
    if (!items_.empty()) items_.back().a = answer;
    ++answered_;
    current_chars_ = 0;
    log_.push_back({FaqEvent::Kind::kAnswer, index, answer});
    fire = TakeWaitersLocked();
  }
  Fire(fire);
}

void FaqJob::RestartAnswer(int index) {
  std::vector<std::function<void()>> fire;
  {
    std::lock_guard lock(mu_);
    if (items_.empty()) return;
    items_.back().a.clear();
    current_chars_ = 0;
    log_.push_back({FaqEvent::Kind::kAnswer, index, ""});
    fire = TakeWaitersLocked();
  }
  Fire(fire);
}

int FaqJob::answered() const {
  std::lock_guard lock(mu_);
  return answered_;
}

void FaqJob::Complete(int64_t tokens, std::string created) {
  std::vector<std::function<void()>> fire;
  {
    std::lock_guard lock(mu_);
    state_ = FaqState::kComplete;
    tokens_ = tokens;
    created_ = std::move(created);
    derived_ = std::make_shared<FaqDerived>();
    fire = TakeWaitersLocked();
  }
  Fire(fire);
}

void FaqJob::Fail(std::string why) {
  std::vector<std::function<void()>> fire;
  {
    std::lock_guard lock(mu_);
    state_ = FaqState::kFailed;
    error_ = std::move(why);
    fire = TakeWaitersLocked();
  }
  Fire(fire);
}

FaqState FaqJob::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

bool FaqJob::finished() const {
  std::lock_guard lock(mu_);
  return state_ == FaqState::kComplete || state_ == FaqState::kFailed;
}

std::vector<FaqItem> FaqJob::items() const {
  std::lock_guard lock(mu_);
  return items_;
}

std::string FaqJob::source() const {
  std::lock_guard lock(mu_);
  return source_;
}

int64_t FaqJob::tokens() const {
  std::lock_guard lock(mu_);
  return tokens_;
}

std::string FaqJob::created() const {
  std::lock_guard lock(mu_);
  return created_;
}

FaqView FaqJob::View() const {
  std::lock_guard lock(mu_);
  return ViewLocked();
}

FaqView FaqJob::ViewLocked() const {
  FaqView v;
  v.state = state_;
  v.key = key_;
  v.ahead = ahead_;
  v.percent = PercentLocked();
  v.source = source_;
  v.items = items_;
  v.tokens = tokens_;
  v.created = created_;
  v.error = error_;
  v.derived = derived_;
  return v;
}

int FaqJob::PercentLocked() const {
  // Each question is a sixth; within the current one, up to 90% of it by answer length.
  size_t partial = std::min(current_chars_, kExpectedAnswerBytes);
  int percent = static_cast<int>((static_cast<size_t>(answered_) * 100 +
                                  partial * 90 / kExpectedAnswerBytes) /
                                 kFaqQuestionCount);
  return std::clamp(percent, 0, 99);
}

std::string FaqJob::ProgressLocked() const {
  FaqView v;
  v.state = state_;
  v.ahead = ahead_;
  v.percent = PercentLocked();
  v.error = error_;
  return v.ProgressText();
}

bool FaqJob::HasNewsLocked(const FaqCursor& c) const {
  bool terminal = state_ == FaqState::kComplete || state_ == FaqState::kFailed;
  return c.next < log_.size() || (terminal && !c.final_sent) ||
         (!terminal && ProgressLocked() != c.progress);
}

bool FaqJob::Wait(FaqCursor& c, std::vector<FaqEvent>& out, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (c.final_sent) return false;
  cv_.wait_for(lock, timeout, [&] { return HasNewsLocked(c); });
  bool terminal = state_ == FaqState::kComplete || state_ == FaqState::kFailed;
  if (!terminal) {
    std::string p = ProgressLocked();
    if (p != c.progress) {
      out.push_back({FaqEvent::Kind::kProgress, -1, p});
      c.progress = std::move(p);
    }
  }
  for (; c.next < log_.size(); ++c.next) out.push_back(log_[c.next]);
  if (terminal) {
    if (state_ == FaqState::kComplete) {
      out.push_back({FaqEvent::Kind::kDone, -1, ""});
    } else {
      out.push_back({FaqEvent::Kind::kError, -1, error_});
    }
    c.final_sent = true;
  }
  return true;
}

std::vector<std::function<void()>> FaqJob::TakeWaitersLocked() {
  cv_.notify_all();
  std::vector<std::function<void()>> out;
  out.swap(waiters_);
  return out;
}

void FaqJob::Fire(std::vector<std::function<void()>>& fns) {
  for (auto& fn : fns) fn();
}

void FaqJob::NotifyOnNews(const FaqCursor& cursor, std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    if (!cursor.final_sent && !HasNewsLocked(cursor)) {
      waiters_.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

size_t FaqJob::waiting_callbacks() const {
  std::lock_guard lock(mu_);
  return waiters_.size();
}

}  // namespace coolpapers::llm
