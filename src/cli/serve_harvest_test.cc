#include "cli/serve_harvest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "core/clock.h"
#include "web/metrics.h"

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

// serve's arXiv side: fetching a reader's missing paper is on by default (no follow list needed),
// and --offline, COOLPAPERS_OFFLINE=1 or fetch_on_demand = false turn it off.
class ServeHarvestCreateTest : public HarvesterPaperFetchQueueTest {
 protected:
  void SetUp() override {
    HarvesterPaperFetchQueueTest::SetUp();
    ::unsetenv("COOLPAPERS_OFFLINE");
    ::unsetenv("COOLPAPERS_FETCH_ON_DEMAND");
    ::unsetenv("COOLPAPERS_HARVEST_FOLLOW");
  }
  void TearDown() override {
    ::unsetenv("COOLPAPERS_OFFLINE");
    ::unsetenv("COOLPAPERS_FETCH_ON_DEMAND");
    HarvesterPaperFetchQueueTest::TearDown();
  }
  Result<std::unique_ptr<ServeHarvest>> Create(const std::string& toml, bool offline_flag) {
    auto cfg = ConfigFile::Parse(toml, "serve.toml");
    if (!cfg) return Err(cfg.error());
    return ServeHarvest::Create(*cfg, "http://127.0.0.1:9", /*harvest_flag=*/false, offline_flag,
                                *store_, metrics_);
  }
  web::Metrics metrics_;
};

TEST_F(ServeHarvestCreateTest, MissingPapersAreFetchedOnDemandByDefault) {
  auto h = Create("", false);
  ASSERT_TRUE(h.has_value()) << h.error().ToString();
  EXPECT_NE((*h)->paper_fetch_queue(), nullptr);
  ASSERT_NE((*h)->harvester(), nullptr);
}

TEST_F(ServeHarvestCreateTest, OfflineFlagEnvOrSettingTurnFetchingOnDemandOff) {
  auto flag = Create("[harvest]\nfollow = [\"cs.CL\"]\n", true);
  ASSERT_TRUE(flag.has_value()) << flag.error().ToString();
  EXPECT_EQ((*flag)->paper_fetch_queue(), nullptr);
  EXPECT_EQ((*flag)->harvester(), nullptr);  // the follow list is ignored offline too

  ::setenv("COOLPAPERS_OFFLINE", "1", 1);
  auto env = Create("", false);
  ASSERT_TRUE(env.has_value()) << env.error().ToString();
  EXPECT_EQ((*env)->paper_fetch_queue(), nullptr);
  ::unsetenv("COOLPAPERS_OFFLINE");

  auto setting = Create("[harvest]\nfetch_on_demand = false\n", false);
  ASSERT_TRUE(setting.has_value()) << setting.error().ToString();
  EXPECT_EQ((*setting)->paper_fetch_queue(), nullptr);
}

TEST_F(ServeHarvestCreateTest, AnUnreadableFlagNamesTheSetting) {
  ::setenv("COOLPAPERS_FETCH_ON_DEMAND", "maybe", 1);
  auto h = Create("", false);
  ASSERT_FALSE(h.has_value());
  EXPECT_NE(h.error().message().find("COOLPAPERS_FETCH_ON_DEMAND"), std::string::npos)
      << h.error().message();
  EXPECT_NE(h.error().message().find("maybe"), std::string::npos);
}

}  // namespace
}  // namespace coolpapers::cli
