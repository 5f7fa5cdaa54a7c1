#include "web/click_dedup.h"

#include <chrono>

namespace coolpapers::web {
namespace {

// FNV-1a over the three parts, each followed by a separator byte no part contains.
uint64_t KeyHash(std::string_view client, std::string_view paper, std::string_view kind) {
  uint64_t h = 1469598103934665603ull;
  for (std::string_view part : {client, paper, kind}) {
    for (unsigned char c : part) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

ClickDedup::ClickDedup(core::Clock& clock, size_t max_entries)
    : clock_(clock), max_entries_(max_entries) {}

bool ClickDedup::FirstToday(std::string_view client, std::string_view paper,
                            std::string_view kind) {
  const int64_t day =
      std::chrono::floor<std::chrono::days>(clock_.Now()).time_since_epoch().count();
  const uint64_t key = KeyHash(client, paper, kind);
  std::lock_guard lock(mu_);
  if (day != day_) {
    day_ = day;
    seen_.clear();
    seen_.rehash(0);  // give back yesterday's buckets
  }
  if (seen_.count(key)) {
    ++repeats_;
    return false;
  }
  if (seen_.size() >= max_entries_) {
    ++overflow_;
    return true;
  }
  seen_.insert(key);
  return true;
}

ClickDedup::Stats ClickDedup::GetStats() const {
  std::lock_guard lock(mu_);
  return Stats{seen_.size(), repeats_, overflow_};
}

}  // namespace coolpapers::web
