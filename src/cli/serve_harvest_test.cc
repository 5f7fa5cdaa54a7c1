#include "cli/serve_harvest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "core/clock.h"

namespace coolpapers::cli {
namespace {

// A fetcher that must not be called: these tests never start the harvester's reader queue.
class UnusedFetcher : public net::Fetcher {
 public:
  Result<net::FetchResponse> Fetch(const net::FetchRequest& req) override {
    ADD_FAILURE() << "unexpected fetch of " << req.url;
    return Err(Status::Unavailable("no network in this test"));
  }
  std::size_t QueueDepth() const override { return 0; }
};

class HarvesterPaperFetchQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("serve_harvest_test_" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path_);
    auto s = store::OpenStore("sqlite:" + path_.string());
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    store_ = std::move(*s);
    core::Paper p;
    p.id = "2607.00001";
    p.version = 1;
    p.title = "A stored paper";
    p.categories = {"cs.CL"};
    p.published = "2026-07-01 00:00:00";
    std::vector<core::Paper> papers = {p};
    ASSERT_TRUE(store_->Upsert(papers, {}).has_value());
    harvest::HarvesterOptions o;
    o.clock = &clock_;
    harvester_ = std::make_unique<harvest::Harvester>(*store_, fetcher_, o);
  }
  void TearDown() override {
    harvester_.reset();
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix);
  }

  core::FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 7 / 15}};
  std::filesystem::path path_;
  std::unique_ptr<store::Store> store_;
  UnusedFetcher fetcher_;
  std::unique_ptr<harvest::Harvester> harvester_;
};

// The web layer's queue answers with the harvester's states and refusals, mapped to its own.
TEST_F(HarvesterPaperFetchQueueTest, PassesTheHarvestersAnswersThrough) {
  HarvesterPaperFetchQueue queue(*harvester_);
  auto stored = queue.Request("2607.00001", "10.0.0.1");
  ASSERT_TRUE(stored.has_value()) << stored.error().ToString();
  EXPECT_EQ(*stored, web::PaperFetchState::kStored);
  auto not_started = queue.Request("2607.00002", "10.0.0.1");  // nobody would fetch it
  ASSERT_TRUE(not_started.has_value()) << not_started.error().ToString();
  EXPECT_EQ(*not_started, web::PaperFetchState::kUnknown);
  auto invented = queue.Request("2613.00001", "10.0.0.1");  // month 13
  ASSERT_FALSE(invented.has_value());
  EXPECT_EQ(invented.error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace coolpapers::cli
