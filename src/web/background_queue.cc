#include "web/background_queue.h"

namespace coolpapers::web {

BackgroundQueue::~BackgroundQueue() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    jobs_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool BackgroundQueue::Post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stop_ || jobs_.size() >= max_jobs_) return false;
    jobs_.push_back(std::move(job));
    if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  }
  cv_.notify_all();
  return true;
}

void BackgroundQueue::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (stop_) return;
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    lock.unlock();
    job();
    lock.lock();
    busy_ = false;
    ++done_;
    cv_.notify_all();
  }
}

void BackgroundQueue::WaitIdle() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return stop_ || (jobs_.empty() && !busy_); });
}

uint64_t BackgroundQueue::done() const {
  std::lock_guard lock(mu_);
  return done_;
}

}  // namespace coolpapers::web
