#include "llm/client_limits.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include <spdlog/spdlog.h>

#include "core/text.h"

namespace coolpapers::llm {

ClientRateLimiter::ClientRateLimiter(int per_hour, core::Clock& clock)
    : per_hour_(per_hour), clock_(clock) {}

void ClientRateLimiter::Refill(Bucket& b, std::chrono::steady_clock::time_point now) const {
  double hours = std::chrono::duration<double>(now - b.updated).count() / 3600.0;
  b.tokens = std::min<double>(per_hour_, b.tokens + hours * per_hour_);
  b.updated = now;
}

bool ClientRateLimiter::TryAcquire(const std::string& client, std::chrono::seconds* retry_after) {
  if (per_hour_ <= 0) return true;
  if (shared_ != nullptr) {
    Result<bool> taken = shared_->TakeClientStart(client, per_hour_, retry_after);
    if (taken) return *taken;
    spdlog::warn("FAQ rate limit of {}: shared bucket not reached ({}); this node's decides",
                 client, taken.error().ToString());
  }
  auto now = clock_.Monotonic();
  std::lock_guard lock(mu_);
  if (buckets_.size() > 10000) {  // forget clients whose buckets are full again
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      Refill(it->second, now);
      it = it->second.tokens >= per_hour_ ? buckets_.erase(it) : std::next(it);
    }
  }
  auto [it, fresh] = buckets_.try_emplace(client, Bucket{static_cast<double>(per_hour_), now});
  Bucket& b = it->second;
  Refill(b, now);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  if (retry_after != nullptr) {
    double secs = (1.0 - b.tokens) * 3600.0 / per_hour_;
    *retry_after = std::chrono::seconds(static_cast<int64_t>(std::ceil(secs - 1e-6)));
  }
  return false;
}

DailyTokenBudget::DailyTokenBudget(int64_t per_day, core::Clock& clock)
    : per_day_(per_day), clock_(clock) {}

std::string DailyTokenBudget::Today() const {
  std::time_t t = std::chrono::system_clock::to_time_t(clock_.Now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

void DailyTokenBudget::RollLocked() {
  std::string today = Today();
  if (today != day_) {
    day_ = today;
    used_ = 0;
  }
}

int64_t DailyTokenBudget::SharedUsedLocked() {
  if (shared_ == nullptr) return used_;
  Result<int64_t> used = shared_->TokensOn(day_);
  if (used) return std::max(*used, used_);
  spdlog::warn("FAQ token usage: shared counter not read ({}); this node's count is used",
               used.error().ToString());
  return used_;
}

bool DailyTokenBudget::Exhausted(std::chrono::seconds* retry_after) {
  std::lock_guard lock(mu_);
  RollLocked();
  if (per_day_ <= 0 || SharedUsedLocked() < per_day_) return false;
  if (retry_after != nullptr) {
    auto now = clock_.Now();
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    *retry_after = std::chrono::seconds(86400 - secs % 86400);
  }
  return true;
}

void DailyTokenBudget::Add(int64_t tokens) {
  std::lock_guard lock(mu_);
  RollLocked();
  used_ += std::max<int64_t>(0, tokens);
  if (shared_ == nullptr || tokens <= 0) return;
  if (Result<int64_t> total = shared_->AddTokens(day_, tokens); !total) {
    spdlog::warn("FAQ token usage: {} tokens not added to the shared counter: {}", tokens,
                 total.error().ToString());
  }
}

int64_t DailyTokenBudget::used_today() {
  std::lock_guard lock(mu_);
  RollLocked();
  return SharedUsedLocked();
}

std::string DailyTokenBudget::Serialize() {
  std::lock_guard lock(mu_);
  RollLocked();
  return day_ + " " + std::to_string(used_);
}

void DailyTokenBudget::Restore(const std::string& state) {
  auto parts = core::Split(state, ' ');
  int64_t used = 0;
  if (parts.size() != 2 || !core::ParseInt64(parts[1], used)) return;
  std::lock_guard lock(mu_);
  RollLocked();
  if (parts[0] == day_) used_ = std::max(used_, used);
}

std::string HumanDuration(std::chrono::seconds d) {
  int64_t s = std::max<int64_t>(1, d.count());
  if (s < 60) return std::to_string(s) + " s";
  int64_t m = (s + 59) / 60;
  if (m < 60) return std::to_string(m) + " min";
  return std::to_string(m / 60) + " h " + std::to_string(m % 60) + " min";
}

}  // namespace coolpapers::llm
