#include "search/batch_pipeline.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace coolpapers::search {
namespace {

// A bounded queue of batches; Fail() makes every waiting side give up.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}

  bool Push(std::vector<IndexDoc> batch) {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return failed_ || items_.size() < capacity_; });
    if (failed_) return false;
    items_.push_back(std::move(batch));
    ready_.notify_one();
    return true;
  }

  bool Pop(std::vector<IndexDoc>& batch) {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return failed_ || closed_ || !items_.empty(); });
    if (failed_ || items_.empty()) return false;
    batch = std::move(items_.front());
    items_.pop_front();
    space_.notify_one();
    return true;
  }

  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    ready_.notify_all();
  }

  void Fail(const Status& s) {
    std::lock_guard lock(mu_);
    if (error_.ok()) error_ = s;
    failed_ = true;
    ready_.notify_all();
    space_.notify_all();
  }

  Status error() {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<std::vector<IndexDoc>> items_;
  size_t capacity_;
  bool closed_ = false;
  bool failed_ = false;
  Status error_ = Status::Ok();
};

}  // namespace

int WorkerCount(int requested) {
  if (requested > 0) return requested;
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores, 1, 4);
}

Status RunBatchPipeline(DocSource& src, int workers, const ReadHook& on_read,
                        const BatchWork& work) {
  workers = std::max(1, workers);
  BatchQueue queue(static_cast<size_t>(workers) * 2);
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      std::vector<IndexDoc> batch;
      while (queue.Pop(batch)) {
        Status s = Status::Ok();
        try {
          s = work(w, batch);
        } catch (const std::exception& e) {
          s = Status::Internal(std::string("indexing worker failed: ") + e.what());
        }
        if (!s.ok()) queue.Fail(s);
      }
    });
  }
  while (true) {
    std::vector<IndexDoc> batch;
    Status s = src.Next(batch);
    if (s.ok() && !batch.empty() && on_read) s = on_read(batch);
    if (!s.ok()) {
      queue.Fail(s);
      break;
    }
    if (batch.empty() || !queue.Push(std::move(batch))) break;
  }
  queue.Close();
  for (std::thread& t : threads) t.join();
  return queue.error();
}

}  // namespace coolpapers::search
