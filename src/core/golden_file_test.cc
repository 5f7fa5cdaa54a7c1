#include "core/golden_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace coolpapers::testing {
namespace {

using ::testing::HasSubstr;

TEST(GoldenFileTest, ParsesCasesWithTheirLines) {
  auto cases = ParseGoldenFile(
      "# comment\n"
      "\n"
      "case: first\n"
      "input:\n"
      "# a heading, not a comment\n"
      "\n"
      "two\n"
      "----\n"
      "<h3>a</h3>\n"
      "\n"
      "====\n"
      "# between cases\n"
      "case:  second\n"
      "input:\n"
      "x\n"
      "----\n"
      "y\n"
      "case: third\n"
      "input:\n"
      "----\n",
      "t.test");
  ASSERT_TRUE(cases) << cases.error().ToString();
  ASSERT_EQ(cases->size(), 3u);
  EXPECT_EQ((*cases)[0].name, "first");
  EXPECT_EQ((*cases)[0].line, 3);
  EXPECT_EQ((*cases)[0].input, "# a heading, not a comment\n\ntwo");
  EXPECT_EQ((*cases)[0].expected, "<h3>a</h3>");
  EXPECT_EQ((*cases)[0].Where(), "t.test:3 (first)");
  EXPECT_EQ((*cases)[1].name, "second");
  EXPECT_EQ((*cases)[1].input, "x");
  EXPECT_EQ((*cases)[1].expected, "y");
  EXPECT_EQ((*cases)[2].line, 18);
  EXPECT_EQ((*cases)[2].input, "");
  EXPECT_EQ((*cases)[2].expected, "");
}

TEST(GoldenFileTest, MalformedFilesNameTheLine) {
  EXPECT_THAT(ParseGoldenFile("stray\n", "t.test").error().message(),
              HasSubstr("t.test:1: text outside a case"));
  EXPECT_THAT(ParseGoldenFile("case: a\nx\n", "t.test").error().message(),
              HasSubstr("t.test:2: expected \"input:\""));
  EXPECT_THAT(ParseGoldenFile("case: a\ninput:\nx\n", "t.test").error().message(),
              HasSubstr("has no \"----\""));
}

class GoldenSuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("golden-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(root_ / "empty");
    std::ofstream(root_ / "empty" / "only-comments.test") << "# nothing yet\n";
    std::filesystem::create_directories(root_ / "two");
    std::ofstream(root_ / "two" / "b.test") << "case: b\ninput:\n2\n----\nB\n";
    std::ofstream(root_ / "two" / "a.test") << "case: a\ninput:\n1\n----\nA\n";
    std::ofstream(root_ / "two" / "notes.txt") << "not a test file";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::filesystem::path root_;
};

TEST_F(GoldenSuiteTest, ASuiteWithoutCasesIsAnError) {
  auto empty = LoadGoldenSuite("empty", root_.string());
  ASSERT_FALSE(empty);
  EXPECT_THAT(empty.error().message(), HasSubstr("has no case"));
  auto missing = LoadGoldenSuite("missing", root_.string());
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message(), HasSubstr("is missing"));
}

TEST_F(GoldenSuiteTest, FilesAreReadInNameOrder) {
  auto cases = LoadGoldenSuite("two", root_.string());
  ASSERT_TRUE(cases) << cases.error().ToString();
  ASSERT_EQ(cases->size(), 2u);
  EXPECT_EQ((*cases)[0].file, "tests/golden/two/a.test");
  EXPECT_EQ((*cases)[1].expected, "B");
}

}  // namespace
}  // namespace coolpapers::testing
