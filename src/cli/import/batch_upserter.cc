#include "cli/import/batch_upserter.h"

#include <algorithm>

namespace coolpapers::cli {

BatchUpserter::BatchUpserter(store::Store& store, size_t max_queued)
    : store_(store), max_queued_(max_queued == 0 ? 1 : max_queued), thread_([this] { Run(); }) {}

BatchUpserter::~BatchUpserter() { (void)Finish(); }

size_t BatchUpserter::BatchLimit(size_t batch_size) {
  batch_size = std::max<size_t>(1, batch_size);
  if (!asked_) {
    asked_ = true;
    Result<std::unique_ptr<store::BulkLoad>> bulk = store_.BeginBulkLoad();
    std::lock_guard<std::mutex> lock(mu_);
    if (!bulk) {
      error_ = bulk.error();
      cv_.notify_all();
    } else {
      bulk_ = std::move(*bulk);
      in_bulk_ = bulk_ != nullptr;
    }
  }
  return in_bulk_ ? std::min(batch_size, kBulkBatch) : batch_size;
}

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

Result<store::UpsertCounts> BatchUpserter::Write(const ImportBatch& batch) {
  if (bulk_) return bulk_->Upsert(batch.papers, batch.memberships);
  return store_.Upsert(batch.papers, batch.memberships);
}

void BatchUpserter::Run() {
  for (;;) {
    ImportBatch batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || closing_ || !error_.ok(); });
      if (queue_.empty() || !error_.ok()) {
        // Done: commit the bulk load, unless something failed (then it is rolled back).
        bool commit = bulk_ && error_.ok();
        lock.unlock();
        Status st = commit ? bulk_->Commit() : Status::Ok();
        bulk_.reset();
        lock.lock();
        if (!st.ok()) error_ = st;
        queue_.clear();
        cv_.notify_all();
        return;
      }
      batch = std::move(queue_.front());
      queue_.pop_front();
      cv_.notify_all();
    }
    Result<store::UpsertCounts> c = Write(batch);
    std::lock_guard<std::mutex> lock(mu_);
    if (!c) {
      error_ = c.error();
      continue;  // the loop above rolls the bulk load back and stops
    }
    counts_.inserted += c->inserted;
    counts_.updated += c->updated;
    counts_.unchanged += c->unchanged;
    counts_.memberships_added += c->memberships_added;
  }
}

}  // namespace coolpapers::cli
