#include "search/heads_builder.h"

#include <utility>

#include <spdlog/spdlog.h>

namespace coolpapers::search {

HeadsBuilder::HeadsBuilder(std::function<std::shared_ptr<IndexGeneration>()> live,
                           ImpactHeadsOptions opts)
    : live_(std::move(live)), opts_(std::move(opts)) {}

void HeadsBuilder::Request(const std::string& version) {
  std::lock_guard lock(mu_);
  if (stop_ || version == asked_) return;
  asked_ = version;
  dirty_ = true;
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  cv_.notify_all();
}

void HeadsBuilder::Loop() {
  std::unique_lock lock(mu_);
  auto next_allowed = std::chrono::steady_clock::now();
  while (true) {
    cv_.wait(lock, [this] { return stop_ || dirty_; });
    if (stop_) return;
    // A busy index (papers arriving every refresh) would keep a core rebuilding: rebuild at
    // most once per ten build times; queries run unpruned (same results) meanwhile.
    if (cv_.wait_until(lock, next_allowed, [this] { return stop_; })) return;
    dirty_ = false;
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    BuildOnce();
    const auto finished = std::chrono::steady_clock::now();
    next_allowed = finished + 9 * (finished - started);
    lock.lock();
    ++changes_;
    ++builds_;
    changed_cv_.notify_all();
  }
}

void HeadsBuilder::BuildOnce() {
  auto gen = live_();
  ImpactHeadsOptions opts = opts_;
  opts.cancel = &cancel_;
  auto built = ImpactHeads::Build(IndexLayout::XapianPath(gen->path), opts);
  if (built) {
    if ((*built)->terms() > 0) {
      spdlog::info("search: top-weight lists of {} common terms ready ({:.0f} MB, {:.1f} s)",
                   (*built)->terms(), (*built)->bytes() / 1048576.0, (*built)->seconds());
    }
    gen->SetHeads(std::move(*built));
  } else if (built.error().code() != StatusCode::kCancelled) {
    spdlog::warn("search: {}", built.error().message());
  }
}

uint64_t HeadsBuilder::builds() {
  std::lock_guard lock(mu_);
  return builds_;
}

bool HeadsBuilder::pending() {
  std::lock_guard lock(mu_);
  return dirty_;
}

void HeadsBuilder::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cancel_ = true;
  }
  cv_.notify_all();
  changed_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HeadsBuilder::Notify() {
  {
    std::lock_guard lock(mu_);
    ++changes_;
  }
  changed_cv_.notify_all();
}

bool HeadsBuilder::Wait(const std::function<bool()>& ready, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  while (true) {
    const uint64_t seen = changes_;
    lock.unlock();
    if (ready()) return true;
    lock.lock();
    if (!changed_cv_.wait_until(lock, deadline,
                                [&] { return changes_ != seen || stop_; })) {
      return false;  // timed out with nothing new
    }
    if (stop_ && changes_ == seen) {
      lock.unlock();
      return ready();
    }
  }
}

}  // namespace coolpapers::search
