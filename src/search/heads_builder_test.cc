#include "search/heads_builder.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace coolpapers::search {
namespace {

// A generation the builder is held at: `live` blocks the build until Release().
class HeldGeneration {
 public:
  std::shared_ptr<IndexGeneration> Get() {
    std::unique_lock lock(mu_);
    ++calls_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return released_; });
    auto gen = std::make_shared<IndexGeneration>();
    gen->path = "/nonexistent/coolpapers-heads-test";  // the build fails at once: it still counts
    return gen;
  }
  void WaitForCall() {
    std::unique_lock lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(30), [this] { return calls_ > 0; }));
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
  bool released_ = false;
};

bool WaitForBuilds(HeadsBuilder& b, uint64_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (b.builds() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// The serve refresher's first catch-up asks for the lists of the revision whose build is
// already running: no second build of it is queued (it would cost a core for as long again).
TEST(HeadsBuilderTest, VersionAskedForDuringItsBuildIsNotBuiltAgain) {
  HeldGeneration held;
  HeadsBuilder builder([&held] { return held.Get(); }, ImpactHeadsOptions{});
  builder.Request("gen-1@5");
  held.WaitForCall();
  builder.Request("gen-1@5");
  builder.Request("gen-1@5");
  EXPECT_FALSE(builder.pending());
  held.Release();
  ASSERT_TRUE(WaitForBuilds(builder, 1));
  EXPECT_FALSE(builder.pending());
  builder.Stop();
  EXPECT_EQ(builder.builds(), 1u);
}

// A new revision (or generation) asked for during a build is built after it.
TEST(HeadsBuilderTest, NewVersionAskedForDuringABuildIsBuiltNext) {
  HeldGeneration held;
  HeadsBuilder builder([&held] { return held.Get(); }, ImpactHeadsOptions{});
  builder.Request("gen-1@5");
  held.WaitForCall();
  builder.Request("gen-1@6");
  EXPECT_TRUE(builder.pending());
  held.Release();
  ASSERT_TRUE(WaitForBuilds(builder, 2));
  EXPECT_FALSE(builder.pending());
  builder.Request("gen-2@6");
  ASSERT_TRUE(WaitForBuilds(builder, 3));
}

}  // namespace
}  // namespace coolpapers::search
