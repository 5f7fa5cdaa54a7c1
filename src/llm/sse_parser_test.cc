#include "llm/sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace coolpapers::llm {
namespace {

std::vector<SseEvent> ParseWhole(std::string_view stream) {
  SseParser p;
  std::vector<SseEvent> events;
  EXPECT_TRUE(p.Feed(stream, [&](const SseEvent& e) { events.push_back(e); }).ok());
  return events;
}

std::vector<SseEvent> ParseByteByByte(std::string_view stream) {
  SseParser p;
  std::vector<SseEvent> events;
  for (char c : stream) {
    EXPECT_TRUE(p.Feed(std::string_view(&c, 1), [&](const SseEvent& e) { events.push_back(e); })
                    .ok());
  }
  return events;
}

TEST(SseParserTest, OpenAiStyleChunksAndDone) {
  std::string s =
      "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n"
      "data: [DONE]\n\n";
  for (const auto& events : {ParseWhole(s), ParseByteByByte(s)}) {
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].event, "message");
    EXPECT_EQ(events[0].data, "{\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}");
    EXPECT_EQ(events[2].data, "[DONE]");
  }
}

TEST(SseParserTest, MultiLineDataCommentsEventAndIdFields) {
  std::string s =
      ": keep-alive comment\n"
      "event: progress\n"
      "id: 7\n"
      "data: first\n"
      "data:second\n"
      "data:  two spaces\n"
      "retry: 1000\n"
      "unknown: ignored\n"
      "\n";
  for (const auto& events : {ParseWhole(s), ParseByteByByte(s)}) {
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].event, "progress");
    EXPECT_EQ(events[0].id, "7");
    EXPECT_EQ(events[0].data, "first\nsecond\n two spaces");
  }
}

TEST(SseParserTest, CrLfAndBareCrLineEndings) {
  std::string crlf = "data: a\r\n\r\ndata: b\r\n\r\n";
  std::string cr = "data: a\r\rdata: b\r\r";
  for (const std::string& s : {crlf, cr}) {
    for (const auto& events : {ParseWhole(s), ParseByteByByte(s)}) {
      ASSERT_EQ(events.size(), 2u) << s;
      EXPECT_EQ(events[0].data, "a");
      EXPECT_EQ(events[1].data, "b");
    }
  }
}

TEST(SseParserTest, CrLfSplitAcrossFeedsCountsOnce) {
  SseParser p;
  std::vector<std::string> data;
  auto on = [&](const SseEvent& e) { data.push_back(e.data); };
  ASSERT_TRUE(p.Feed("data: x\r", on).ok());
  ASSERT_TRUE(p.Feed("\ndata: y\r", on).ok());  // the LF after "x\r" is not a blank line
  ASSERT_TRUE(p.Feed("\n", on).ok());            // nor is this one, after "y\r"
  EXPECT_EQ(data.size(), 0u);
  ASSERT_TRUE(p.Feed("\n", on).ok());
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0], "x\ny");
}

TEST(SseParserTest, EmptyDataIsNotDispatchedAndTypeResets) {
  auto events = ParseWhole("event: ping\ndata:\n\ndata: real\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "message");
  EXPECT_EQ(events[0].data, "real");
}

TEST(SseParserTest, LeadingBomIsSkipped) {
  auto events = ParseWhole("\xEF\xBB\xBF" "data: x\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "x");
}

TEST(SseParserTest, UnfinishedEventIsReportedAsPartialAndNotDispatched) {
  SseParser p;
  int n = 0;
  ASSERT_TRUE(p.Feed("data: complete\n\ndata: cut mid", [&](const SseEvent&) { ++n; }).ok());
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(p.HasPartialEvent());
  SseParser q;
  ASSERT_TRUE(q.Feed("data: complete\n\n", [&](const SseEvent&) {}).ok());
  EXPECT_FALSE(q.HasPartialEvent());
}

TEST(SseParserTest, OverlongLineFailsAndStaysFailed) {
  SseParser p(16);
  auto on = [](const SseEvent&) {};
  Status s = p.Feed("data: 0123456789abcdefghij", on);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_FALSE(p.Feed("\n\n", on).ok());
}

TEST(SseParserTest, OversizedEventAcrossManyLinesFails) {
  SseParser p(32);
  Status s = Status::Ok();
  for (int i = 0; i < 10 && s.ok(); ++i) s = p.Feed("data: 0123456789\n", [](const SseEvent&) {});
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace coolpapers::llm
