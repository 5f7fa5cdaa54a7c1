#pragma once
// BackgroundQueue: work taken off the I/O threads (compressing large pages and static files).
// One thread, started with the first job, runs the queued jobs in order. The queue is bounded:
// a job posted to a full queue is refused and the caller keeps its cheaper fallback (serve
// gzip only, load on the next request). Destruction drops what still waits, lets the running
// job finish and joins the thread, so an owner declares its queue last (destroyed first).
//
// Thread-safety: all methods may be called from any thread.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace coolpapers::web {

class BackgroundQueue {
 public:
  explicit BackgroundQueue(size_t max_jobs) : max_jobs_(max_jobs) {}
  ~BackgroundQueue();
  BackgroundQueue(const BackgroundQueue&) = delete;
  BackgroundQueue& operator=(const BackgroundQueue&) = delete;

  // Queues `job`; false (and `job` dropped) when max_jobs are waiting or the queue is stopping.
  bool Post(std::function<void()> job);
  // Waits until no job waits or runs (tests, and start-up preloading).
  void WaitIdle();
  // Jobs finished so far.
  uint64_t done() const;

 private:
  void Loop();

  const size_t max_jobs_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool busy_ = false, stop_ = false;
  uint64_t done_ = 0;
  std::thread thread_;
};

}  // namespace coolpapers::web
