#include "cli/serve_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace coolpapers::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ServeConfigTest, FlattensSectionsAndReadsTypes) {
  Result<ConfigFile> cfg = ConfigFile::Parse(R"(
listen = "0.0.0.0:9000"
threads = 4
[harvest]
follow = ["cs.CL", "cs.LG"]
interval = 600
[llm]
model = "kimi"
)", "test.toml");
  ASSERT_TRUE(cfg.has_value()) << cfg.error().ToString();
  EXPECT_EQ(cfg->GetString("listen").value_or(""), "0.0.0.0:9000");
  EXPECT_EQ(cfg->GetInt("threads").value().value_or(-1), 4);
  EXPECT_THAT(cfg->GetList("harvest.follow"), ElementsAre("cs.CL", "cs.LG"));
  EXPECT_EQ(cfg->GetString("harvest.interval").value_or(""), "600");
  EXPECT_FALSE(cfg->GetString("missing").has_value());
  EXPECT_THAT(cfg->UnreadKeys(), ElementsAre("llm.model"));
  cfg->MarkKnown({"llm.model"});
  EXPECT_TRUE(cfg->UnreadKeys().empty());
}

TEST(ServeConfigTest, NonIntegerWhereIntegerExpectedIsAnError) {
  Result<ConfigFile> cfg = ConfigFile::Parse("threads = \"four\"\n", "t.toml");
  ASSERT_TRUE(cfg.has_value());
  Result<std::optional<int64_t>> threads = cfg->GetInt("threads");
  ASSERT_FALSE(threads.has_value());
  EXPECT_THAT(threads.error().message(), HasSubstr("threads"));
}

TEST(ServeConfigTest, SyntaxErrorNamesFileAndLine) {
  Result<ConfigFile> cfg = ConfigFile::Parse("listen = \"a\"\nbroken = \n", "bad.toml");
  ASSERT_FALSE(cfg.has_value());
  EXPECT_THAT(cfg.error().message(), HasSubstr("bad.toml:2"));
}

TEST(ServeConfigTest, MissingFileIsNotFound) {
  Result<ConfigFile> cfg = ConfigFile::Load("/nonexistent/coolpapers.toml");
  ASSERT_FALSE(cfg.has_value());
  EXPECT_EQ(cfg.error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace coolpapers::cli
