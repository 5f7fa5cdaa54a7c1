#include "core/progress.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "core/clock.h"

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

TEST(ProgressTest, NonTtyPrintsALineEveryTenSeconds) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  FakeClock clock;
  {
    Progress p("import", 100, f, clock);
    p.Add(5);
    clock.Advance(std::chrono::seconds(9));
    p.Add(5);  // 9 s: still quiet
    clock.Advance(std::chrono::seconds(1));
    p.SetNote("file.jsonl");
    p.Add(0);  // 10 s: 10 done at 1/s, 90 to go
    clock.Advance(std::chrono::seconds(5));
    p.Add(10);  // only 5 s since the last line
    EXPECT_DOUBLE_EQ(p.elapsed_seconds(), 15.0);
    p.Finish("20 papers");
  }
  std::string text = ReadAll(f);
  std::fclose(f);
  EXPECT_EQ(text, "import: 10/100 (10.0%) 1/s ETA 1m30s file.jsonl\nimport: 20 papers\n");
}

TEST(ProgressTest, UnknownTotalShowsCountAndRateOnly) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  FakeClock clock;
  {
    Progress p("harvest", 0, f, clock);
    clock.Advance(std::chrono::seconds(20));
    p.Add(50);
    p.Finish("done");
  }
  std::string text = ReadAll(f);
  std::fclose(f);
  EXPECT_EQ(text, "harvest: 50 2/s\nharvest: done\n");
}

TEST(ProgressTest, TerminalRedrawsOneLineAndClearsItOnFinish) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(slave, 0);
  std::FILE* out = fdopen(slave, "w");
  ASSERT_NE(out, nullptr);
  FakeClock clock;
  {
    Progress p("index", 4, out, clock);
    clock.Advance(std::chrono::milliseconds(100));
    p.Add(1);  // < 200 ms: no redraw
    clock.Advance(std::chrono::milliseconds(150));
    p.Add(1);  // redraw
    p.Finish("4 documents");
  }
  std::fclose(out);
  std::string text;
  char buf[1024];
  fcntl(master, F_SETFL, O_NONBLOCK);
  ssize_t n;
  while ((n = read(master, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(master);
  EXPECT_EQ(text.find("index: 1/4"), std::string::npos) << text;
  EXPECT_NE(text.find("\rindex: 2/4 (50.0%) 8/s ETA 0s\x1b[K"), std::string::npos) << text;
  EXPECT_NE(text.find("\r\x1b[Kindex: 4 documents"), std::string::npos) << text;
}

}  // namespace
}  // namespace coolpapers::core
