#include "cli/import/batch_upserter.h"

namespace coolpapers::cli {

BatchUpserter::BatchUpserter(store::Store& store, size_t max_queued)
    : store_(store), max_queued_(max_queued == 0 ? 1 : max_queued), thread_([this] { Run(); }) {}

BatchUpserter::~BatchUpserter() { (void)Finish(); }

bool BatchUpserter::Submit(ImportBatch batch) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return queue_.size() < max_queued_ || !error_.ok(); });
  if (!error_.ok() || closing_) return false;
  queue_.push_back(std::move(batch));
  cv_.notify_all();
  return true;
}

Status BatchUpserter::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

void BatchUpserter::Run() {
  for (;;) {
    ImportBatch batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty() || !error_.ok()) return;
      batch = std::move(queue_.front());
      queue_.pop_front();
      cv_.notify_all();
    }
    Result<store::UpsertCounts> c = store_.Upsert(batch.papers, batch.memberships);
    std::lock_guard<std::mutex> lock(mu_);
    if (!c) {
      error_ = c.error();
      queue_.clear();
      cv_.notify_all();
      return;
    }
    counts_.inserted += c->inserted;
    counts_.updated += c->updated;
    counts_.unchanged += c->unchanged;
    counts_.memberships_added += c->memberships_added;
  }
}

}  // namespace coolpapers::cli
