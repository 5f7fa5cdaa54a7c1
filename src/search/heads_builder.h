#pragma once
// The background thread that (re)builds the live generation's top-weight lists (ImpactHeads)
// after it changes, so that plain-word queries are pruned again; queries run unpruned (same
// results) until then.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "search/impact_heads.h"
#include "search/index_generations.h"

namespace coolpapers::search {

class HeadsBuilder {
 public:
  // `live` names the generation to build for when a build starts; `opts` are the lists' options
  // (k1 and b included).
  HeadsBuilder(std::function<std::shared_ptr<IndexGeneration>()> live, ImpactHeadsOptions opts);
  ~HeadsBuilder() { Stop(); }
  HeadsBuilder(const HeadsBuilder&) = delete;
  HeadsBuilder& operator=(const HeadsBuilder&) = delete;

  // Asks for a build of the lists of `version` (the generation and its revision), starting
  // the thread on first use; a version already asked for is not built again (a catch-up that
  // finds the index unchanged while the first build runs must not cause a second one). A busy
  // index would keep a core rebuilding: builds start at most once per ten build times.
  void Request(const std::string& version);
  // Builds finished (or failed) so far.
  uint64_t builds();
  // A build asked for and not started yet.
  bool pending();
  // Cancels a running build and ends the thread.
  void Stop();
  // Something `ready` depends on changed (lists published, generation switched): wakes Wait.
  void Notify();
  // Waits until `ready()` holds, checked now and after each build or Notify (true), or until
  // `timeout` passes (false).
  bool Wait(const std::function<bool()>& ready, std::chrono::milliseconds timeout);

 private:
  void Loop();
  void BuildOnce();

  const std::function<std::shared_ptr<IndexGeneration>()> live_;
  const ImpactHeadsOptions opts_;
  std::mutex mu_;
  std::condition_variable cv_;        // a request or stop
  std::condition_variable changed_cv_;  // a build finished or Notify
  uint64_t changes_ = 0;
  uint64_t builds_ = 0;
  std::string asked_;  // the version last asked for
  bool dirty_ = false;
  bool stop_ = false;
  std::atomic<bool> cancel_{false};
  std::thread thread_;
};

}  // namespace coolpapers::search
