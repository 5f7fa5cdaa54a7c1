#pragma once
// Keeping a loaded index generation current from the store: its change feed (new and updated
// papers) and its click totals (stars), and the background thread that does both periodically.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "search/index_generations.h"

namespace coolpapers::store { class Store; }

namespace coolpapers::search {

// Applies the store's changes since `gen`'s recorded sequence (new and updated papers, with
// their keywords and vectors) and returns how many documents were written. Unavailable when
// another process holds the index's writer lock. When `gen` holds no papers and the store has
// many (`large` papers or more: a new server), the index is built in full instead (see
// BuildIndex) as a new generation, which the caller loads as it loads any rebuilt one.
// Progress (count, rate, ETA) goes to stderr when `progress`, else to the log (spdlog) for
// large catch-ups only.
inline constexpr int64_t kCatchUpFullBuildFrom = 10000;
Result<int64_t> ApplyStoreChanges(const std::shared_ptr<IndexGeneration>& gen,
                                  store::Store& store, const KeywordIndexOptions& keyword,
                                  bool progress, int64_t large = kCatchUpFullBuildFrom);

// Replaces `gen`'s star overrides with the store's current click totals, resolved to `gen`'s
// docids (papers not in the index are skipped). A store that cannot list click totals leaves
// the stored stars in charge.
Status RefreshStars(const std::shared_ptr<IndexGeneration>& gen, store::Store& store);

// A thread that runs `tick` at once and then every `interval` until stopped.
class PeriodicThread {
 public:
  PeriodicThread() = default;
  ~PeriodicThread() { Stop(); }
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;
  // Stops a running thread first.
  void Start(std::function<void()> tick, std::chrono::milliseconds interval);
  // Waits for a running tick to finish; no-op when not running.
  void Stop();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace coolpapers::search
