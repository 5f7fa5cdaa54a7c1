#include "llm/chat_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include <nlohmann/json.hpp>

#include "net/fake_http_server.h"

namespace coolpapers::llm {
namespace {

using testing::FakeHttpServer;
using testing::FakeReply;
using testing::FakeRequest;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Chunk(const std::string& content) {
  nlohmann::json j = {{"choices", {{{"index", 0}, {"delta", {{"content", content}}}}}}};
  return "data: " + j.dump() + "\n\n";
}

std::string Stream(const std::vector<std::string>& pieces, bool done = true) {
  std::string s = ": keep-alive\n\n";
  for (const auto& p : pieces) s += Chunk(p);
  if (done) {
    s += "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
    s += "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":7,"
         "\"total_tokens\":107}}\n\n";
    s += "data: [DONE]\n\n";
  }
  return s;
}

FakeReply Sse(std::string body) {
  FakeReply r;
  r.body = std::move(body);
  r.headers["Content-Type"] = "text/event-stream";
  return r;
}

FakeReply Json(int status, const std::string& body) {
  FakeReply r;
  r.status = status;
  r.body = body;
  r.headers["Content-Type"] = "application/json";
  return r;
}

class ChatClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<ChatClient> Client(const FakeHttpServer& server, int attempts = 4) {
    LlmConfig c;
    c.base_url = server.url("/v1/");
    c.api_key = "sk-test-secret-key";
    c.model = "test-model";
    c.max_attempts = attempts;
    c.idle_timeout = std::chrono::seconds(1);
    return MakeHttpChatClient(c, clock_);
  }

  Result<ChatResult> Ask(ChatClient& client, std::string* streamed = nullptr,
                         const std::atomic<bool>* cancel = nullptr) {
    ChatRequest req{{{"system", "be brief"}, {"user", "hi"}}, "test"};
    std::string local;
    std::string& out = streamed ? *streamed : local;
    return client.StreamChat(req, [&](std::string_view d) { out.append(d); }, cancel, &report_);
  }

  ChatReport report_;

  core::FakeClock clock_;
};

TEST_F(ChatClientTest, StreamsDeltasAndReportsUsage) {
  FakeHttpServer server([](const FakeRequest&) { return Sse(Stream({"Hel", "lo", " 世界"})); });
  auto client = Client(server);
  std::string streamed;
  auto res = Ask(*client, &streamed);
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(res->content, "Hello 世界");
  EXPECT_EQ(streamed, "Hello 世界");
  EXPECT_EQ(res->finish_reason, "stop");
  EXPECT_TRUE(res->usage.reported);
  EXPECT_EQ(res->usage.total_tokens, 107);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/v1/chat/completions");
  EXPECT_EQ(reqs[0].headers["authorization"], "Bearer sk-test-secret-key");
}

TEST_F(ChatClientTest, RequestBodyAsksForAStreamWithUsage) {
  auto body = nlohmann::json::parse(ChatRequestBody("m", 0.3, {{"user", "q\xff"}}));
  EXPECT_EQ(body["model"], "m");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_EQ(body["messages"][0]["role"], "user");
  EXPECT_EQ(body["messages"][0]["content"], "q\xEF\xBF\xBD");
}

TEST_F(ChatClientTest, RetriesRateLimitHonouringRetryAfter) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const FakeRequest&) {
    if (calls++ == 0) {
      FakeReply r = Json(429, R"({"error":{"message":"slow down"}})");
      r.headers["Retry-After"] = "7";
      return r;
    }
    return Sse(Stream({"ok"}));
  });
  auto client = Client(server);
  auto res = Ask(*client);
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(res->content, "ok");
  EXPECT_EQ(res->attempts, 2);
  EXPECT_GE(clock_.total_slept(), std::chrono::seconds(7));
}

// Retry-After may also be an HTTP-date (the fake clock starts at 1970-01-01 00:00:00 UTC).
TEST_F(ChatClientTest, RetriesRateLimitHonouringARetryAfterDate) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const FakeRequest&) {
    if (calls++ == 0) {
      FakeReply r = Json(503, R"({"error":{"message":"overloaded"}})");
      r.headers["Retry-After"] = "Thu, 01 Jan 1970 00:00:45 GMT";
      return r;
    }
    return Sse(Stream({"ok"}));
  });
  auto client = Client(server);
  auto res = Ask(*client);
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(res->attempts, 2);
  EXPECT_GE(clock_.total_slept(), std::chrono::seconds(45));
}

TEST_F(ChatClientTest, Retries5xxThenGivesUp) {
  FakeHttpServer server([](const FakeRequest&) { return Json(500, R"({"error":"boom"})"); });
  auto client = Client(server, 3);
  auto res = Ask(*client);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kUnavailable);
  EXPECT_THAT(res.error().message(), HasSubstr("HTTP 500"));
  EXPECT_THAT(res.error().message(), Not(HasSubstr("boom")));  // the upstream body: log only
  EXPECT_THAT(report_.detail, HasSubstr("boom"));
  EXPECT_EQ(report_.tokens, 0);  // refused before any stream: nothing spent
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST_F(ChatClientTest, ErrorMessagesHoldNeitherTheEndpointNorTheUpstreamBody) {
  FakeHttpServer server([](const FakeRequest&) {
    return Json(500, R"({"error":{"message":"db password hunter2-SECRET at 10.1.2.3"}})");
  });
  auto client = Client(server, 2);
  auto res = Ask(*client);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().message(),
            "the language model service returned HTTP 500; try again later");
  EXPECT_THAT(res.error().message(), Not(HasSubstr(server.url(""))));
  EXPECT_THAT(res.error().message(), Not(HasSubstr("127.0.0.1")));
  EXPECT_THAT(report_.detail, HasSubstr("hunter2-SECRET"));
  EXPECT_THAT(report_.detail, HasSubstr(server.url("/v1/")));
}

TEST_F(ChatClientTest, ReportsUsageOfAnAnswerThatFailsAfterIt) {
  // Usage arrives, then the stream breaks before [DONE]: the reported tokens still count.
  FakeHttpServer server([](const FakeRequest&) {
    return Sse(Chunk("partial") +
               "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9000,"
               "\"completion_tokens\":1000,\"total_tokens\":10000}}\n\n" +
               "data: {\"error\":{\"message\":\"overloaded\"}}\n\n");
  });
  auto client = Client(server);
  auto res = Ask(*client);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(report_.tokens, 10000);
  EXPECT_FALSE(report_.estimated);
  EXPECT_THAT(report_.detail, HasSubstr("overloaded"));
  EXPECT_THAT(res.error().message(), Not(HasSubstr("overloaded")));
}

TEST_F(ChatClientTest, RejectedKeyIsNotRetriedAndNamesTheVariable) {
  FakeHttpServer server([](const FakeRequest&) {
    return Json(401, R"({"error":{"message":"Invalid key sk-test-secret-key"}})");
  });
  auto client = Client(server);
  auto res = Ask(*client);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(res.error().message(), HasSubstr("API key rejected"));
  EXPECT_THAT(res.error().message(), HasSubstr("COOLPAPERS_LLM_API_KEY"));
  EXPECT_THAT(res.error().message(), Not(HasSubstr("sk-test-secret-key")));  // never echoed
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(ChatClientTest, BadRequestShowsUpstreamMessage) {
  FakeHttpServer server([](const FakeRequest&) {
    return Json(400, R"({"error":{"message":"context length exceeded: 200000 tokens"}})");
  });
  auto client = Client(server);
  auto res = Ask(*client);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(res.error().message(), HasSubstr("HTTP 400"));
  EXPECT_THAT(report_.detail, HasSubstr("context length exceeded"));
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(ChatClientTest, StreamCutMidAnswerFailsWithoutRetry) {
  FakeHttpServer server([](const FakeRequest&) {
    FakeReply r = Sse(Stream({"first part ", "second part ", "third part"}));
    r.action = FakeReply::Action::kTruncate;  // half the body, then close
    return r;
  });
  auto client = Client(server);
  std::string streamed;
  auto res = Ask(*client, &streamed);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kUnavailable);
  EXPECT_THAT(res.error().message(), HasSubstr("cut"));
  EXPECT_FALSE(streamed.empty());
  EXPECT_EQ(server.requests().size(), 1u);  // text was already delivered: no silent retry
  // No usage came before the cut: the prompt and the bytes received are estimated.
  EXPECT_TRUE(report_.estimated);
  EXPECT_GE(report_.tokens, static_cast<int64_t>((8 + 2 + streamed.size()) / 4));
  EXPECT_GT(report_.tokens, 0);
}

TEST_F(ChatClientTest, StreamEndingWithoutDoneIsIncomplete) {
  FakeHttpServer server([](const FakeRequest&) { return Sse(Stream({"a", "b"}, false)); });
  auto client = Client(server);
  auto res = Ask(*client);
  ASSERT_FALSE(res.has_value());
  EXPECT_THAT(res.error().message(), HasSubstr("ended before it was complete"));
}

TEST_F(ChatClientTest, MalformedChunkFailsTheAnswer) {
  FakeHttpServer server([](const FakeRequest&) {
    return Sse(Chunk("good ") + "data: {\"choices\":[{\"delta\":{\"content\":\"x\"\n\n" +
               Stream({"more"}));
  });
  auto client = Client(server);
  auto res = Ask(*client);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kCorruption);
  EXPECT_THAT(res.error().message(), HasSubstr("malformed chunk"));
}

TEST_F(ChatClientTest, StallHitsTheIdleTimeout) {
  FakeHttpServer server([](const FakeRequest&) {
    FakeReply r;
    r.action = FakeReply::Action::kStall;
    r.stall = std::chrono::milliseconds(4000);
    return r;
  });
  auto client = Client(server, 1);
  auto res = Ask(*client);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(res.error().message(), HasSubstr("idle timeout"));
}

TEST_F(ChatClientTest, CancelFlagStopsPromptly) {
  FakeHttpServer server([](const FakeRequest&) {
    FakeReply r;
    r.action = FakeReply::Action::kStall;
    r.stall = std::chrono::milliseconds(4000);
    return r;
  });
  auto client = Client(server);
  std::atomic<bool> cancel{true};
  auto res = Ask(*client, nullptr, &cancel);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kCancelled);
}

TEST_F(ChatClientTest, UnreachableEndpointIsRetriedThenExplained) {
  LlmConfig c;
  c.base_url = "http://127.0.0.1:1/v1";  // nothing listens on port 1
  c.api_key = "k";
  c.max_attempts = 2;
  auto client = MakeHttpChatClient(c, clock_);
  auto res = Ask(*client);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kUnavailable);
  EXPECT_THAT(res.error().message(), HasSubstr("COOLPAPERS_LLM_BASE_URL"));
}

}  // namespace
}  // namespace coolpapers::llm
