#include "core/progress.h"

#include <gtest/gtest.h>

#include <string>

namespace coolpapers::core {
namespace {

std::string ReadAll(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

TEST(ProgressTest, NonTtyPrintsOnlyTheSummaryForShortWork) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("import", 100, f);
    for (int i = 0; i < 100; ++i) p.Add(1);
    p.SetNote("file.jsonl");
    EXPECT_EQ(p.count(), 100);
    EXPECT_GE(p.elapsed_seconds(), 0.0);
    p.Finish("100 papers (100 new, 0 updated) in 0.1 s");
  }
  std::string text = ReadAll(f);
  std::fclose(f);
  // Not a terminal: no carriage returns or escape codes, exactly one summary line.
  EXPECT_EQ(text, "import: 100 papers (100 new, 0 updated) in 0.1 s\n");
}

TEST(ProgressTest, FinishIsIdempotent) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("index", 0, f);
    p.Add(3);
    p.Finish("3 done");
    p.Finish("again");
  }
  std::string text = ReadAll(f);
  std::fclose(f);
  EXPECT_EQ(text, "index: 3 done\n");
}

TEST(ProgressTest, UnfinishedProgressReportsWhereItStopped) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("harvest", 10, f);
    p.Add(4);
    p.SetTotal(20);
  }
  std::string text = ReadAll(f);
  std::fclose(f);
  EXPECT_TRUE(text.starts_with("harvest: stopped after 4 in ")) << text;
  EXPECT_TRUE(text.ends_with(" s\n")) << text;
}

}  // namespace
}  // namespace coolpapers::core
