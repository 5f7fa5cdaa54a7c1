// The libcurl HttpTransport against FakeHttpServer on 127.0.0.1: streaming, cutting a stream
// (receiver, size cap, cancel, idle), POST, unreachable servers.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "net/fake_http_server.h"
#include "net/http_transport.h"

namespace coolpapers::net {
namespace {

using std::chrono::milliseconds;
using testing::FakeHttpServer;
using testing::FakeReply;
using testing::FakeRequest;

FakeReply Body(std::string body, int status = 200) {
  FakeReply r;
  r.status = status;
  r.body = std::move(body);
  r.headers["Retry-After"] = "3";
  return r;
}

FakeReply Stall(milliseconds how_long) {
  FakeReply r;
  r.action = FakeReply::Action::kStall;
  r.stall = how_long;
  return r;
}

HttpRequest To(const FakeHttpServer& server, const std::string& path) {
  HttpRequest req;
  req.url = server.url(path);
  req.timeout = std::chrono::seconds(10);
  return req;
}

TEST(CurlTransportTest, GetKeepsTheBodyAndLowerCaseHeaders) {
  FakeHttpServer server([](const FakeRequest&) { return Body("hello", 503); });
  auto transport = MakeCurlTransport("coolpapers-test");
  HttpReply r = transport->Send(To(server, "/x"));
  EXPECT_EQ(r.failure, HttpReply::Failure::kNone) << r.error;
  EXPECT_TRUE(r.connected);
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.headers["retry-after"], "3");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].method, "GET");
  EXPECT_EQ(server.requests()[0].headers.at("user-agent"), "coolpapers-test");
}

TEST(CurlTransportTest, PostSendsTheHeadersGiven) {
  FakeHttpServer server([](const FakeRequest&) { return Body("{}"); });
  auto transport = MakeCurlTransport("ua");
  HttpRequest req = To(server, "/v1/embeddings");
  req.method = "POST";
  req.body = R"({"input":["x"]})";
  req.headers["Content-Type"] = "application/json";
  req.headers["Authorization"] = "Bearer k";
  HttpReply r = transport->Send(req);
  EXPECT_EQ(r.failure, HttpReply::Failure::kNone) << r.error;
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].headers["content-type"], "application/json");
  EXPECT_EQ(reqs[0].headers["authorization"], "Bearer k");
  EXPECT_EQ(reqs[0].headers["content-length"], std::to_string(req.body.size()));
}

TEST(CurlTransportTest, StreamedBodyGoesToTheCallbackWithTheStatus) {
  FakeHttpServer server([](const FakeRequest&) { return Body(std::string(100000, 's')); });
  auto transport = MakeCurlTransport("ua");
  HttpRequest req = To(server, "/stream");
  std::string got;
  std::vector<int> statuses;
  req.on_body = [&](int status, std::string_view piece) {
    statuses.push_back(status);
    got.append(piece);
    return true;
  };
  HttpReply r = transport->Send(req);
  EXPECT_EQ(r.failure, HttpReply::Failure::kNone) << r.error;
  EXPECT_EQ(got.size(), 100000u);
  EXPECT_TRUE(r.body.empty());  // streamed, not kept
  ASSERT_FALSE(statuses.empty());
  for (int s : statuses) EXPECT_EQ(s, 200);
}

TEST(CurlTransportTest, TheReceiverCanCutTheStream) {
  FakeHttpServer server([](const FakeRequest&) { return Body(std::string(1 << 20, 's')); });
  auto transport = MakeCurlTransport("ua");
  HttpRequest req = To(server, "/stream");
  size_t pieces = 0;
  req.on_body = [&](int, std::string_view) { return ++pieces < 2; };
  HttpReply r = transport->Send(req);
  EXPECT_EQ(r.failure, HttpReply::Failure::kStopped);
  EXPECT_EQ(pieces, 2u);
}

TEST(CurlTransportTest, AStreamOverTheSizeCapFails) {
  FakeHttpServer server([](const FakeRequest&) { return Body(std::string(100000, 's')); });
  auto transport = MakeCurlTransport("ua");
  HttpRequest req = To(server, "/big");
  req.max_bytes = 1000;
  size_t received = 0;
  req.on_body = [&](int, std::string_view piece) {
    received += piece.size();
    return true;
  };
  HttpReply r = transport->Send(req);
  EXPECT_EQ(r.failure, HttpReply::Failure::kTooLarge);
  EXPECT_LE(received, 1000u);
}

TEST(CurlTransportTest, CancelEndsAStalledExchangePromptly) {
  FakeHttpServer server([](const FakeRequest&) { return Stall(milliseconds(3000)); });
  auto transport = MakeCurlTransport("ua");
  std::atomic<bool> cancel{true};
  HttpRequest req = To(server, "/stall");
  req.cancel = &cancel;
  auto start = std::chrono::steady_clock::now();
  HttpReply r = transport->Send(req);
  EXPECT_EQ(r.failure, HttpReply::Failure::kCancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
}

TEST(CurlTransportTest, SilenceEndsTheExchangeAfterTheIdleTimeout) {
  FakeHttpServer server([](const FakeRequest&) { return Stall(milliseconds(4000)); });
  auto transport = MakeCurlTransport("ua");
  HttpRequest req = To(server, "/stall");
  req.idle_timeout = milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  HttpReply r = transport->Send(req);
  EXPECT_EQ(r.failure, HttpReply::Failure::kIdleTimeout);
  EXPECT_TRUE(r.connected);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
}

TEST(CurlTransportTest, AnUnreachableServerIsANetworkFailureWithoutConnection) {
  int port;
  {
    FakeHttpServer gone([](const FakeRequest&) { return Body(""); });
    port = std::stoi(gone.url("").substr(std::string("http://127.0.0.1:").size()));
  }
  auto transport = MakeCurlTransport("ua");
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  HttpReply r = transport->Send(req);
  EXPECT_EQ(r.failure, HttpReply::Failure::kNetwork);
  EXPECT_FALSE(r.connected);
  EXPECT_FALSE(r.error.empty());
}

TEST(CurlTransportTest, OtherProtocolsAreRefused) {
  auto transport = MakeCurlTransport("ua");
  HttpRequest req;
  req.url = "file:///etc/passwd";
  HttpReply r = transport->Send(req);
  EXPECT_EQ(r.failure, HttpReply::Failure::kBadUrl);
}

}  // namespace
}  // namespace coolpapers::net
