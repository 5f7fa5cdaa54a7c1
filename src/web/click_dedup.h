#pragma once
// ClickDedup: one click per (client, paper, kind) per UTC day. The click route asks it before
// counting; a repeat from the same client on the same day is acknowledged (204) but not counted.
//
// Memory is bounded: keys are kept as 64-bit hashes in a set cleared when the UTC day changes,
// capped at `max_entries` (default 1,000,000, about 40 MB). Once the cap is reached, further
// clicks that day are counted without deduplication (refusing them instead would let one
// visitor who fills the set switch counting off for everyone until midnight UTC).
//
// Thread-safe. The clock is passed in so tests can move to the next day.

#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_set>

#include "core/clock.h"

namespace coolpapers::web {

class ClickDedup {
 public:
  explicit ClickDedup(core::Clock& clock, size_t max_entries = 1000000);

  // True when this (client, paper, kind) has not clicked yet today (and records it); false for
  // a repeat. True as well once the day's set is full.
  bool FirstToday(std::string_view client, std::string_view paper, std::string_view kind);

  struct Stats {
    size_t entries = 0;     // keys recorded today
    uint64_t repeats = 0;   // clicks not counted since start
    uint64_t overflow = 0;  // clicks counted without dedup because the set was full
  };
  Stats GetStats() const;

 private:
  core::Clock& clock_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  int64_t day_ = -1;  // days since the epoch, UTC
  std::unordered_set<uint64_t> seen_;
  uint64_t repeats_ = 0, overflow_ = 0;
};

}  // namespace coolpapers::web
