// web::Server over real loopback sockets: a test Router, raw requests written with plain Asio,
// responses parsed with Beast's client-side parser.

#include "web/server.h"

// GCC 12 at -O2 reports a false -Wmaybe-uninitialized inside Beast's client-side (response)
// parser, instantiated only by this test.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <sys/socket.h>
#include <sys/time.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "web/compression.h"
#include "web/metrics.h"
#include "web/page_cache.h"
#include "web/sendfile_body.h"

namespace coolpapers::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ::testing::HasSubstr;
using ::testing::Not;

using ClientResponse = http::response<http::string_body>;

// A blocking HTTP/1.1 client over one connection; every read gives up after 10 s.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    timeval tv{10, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  }

  void Send(std::string_view raw) { asio::write(socket_, asio::buffer(raw.data(), raw.size())); }
  // Sends, ignoring errors (the server may close while we still write).
  void SendLenient(std::string_view raw) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(raw.data(), raw.size()), ec);
  }

  ClientResponse Read(bool head = false, int* chunks = nullptr) {
    http::response_parser<http::string_body> p;
    p.body_limit(64 << 20);
    p.header_limit(1 << 20);
    if (head) p.skip(true);
    auto on_chunk = [chunks](std::uint64_t size, std::string_view, boost::system::error_code&) {
      if (chunks && size > 0) ++*chunks;
    };
    p.on_chunk_header(on_chunk);
    http::read(socket_, buffer_, p);
    return p.release();
  }

  ClientResponse Get(std::string_view target, std::string extra_headers = "") {
    Send("GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + extra_headers + "\r\n");
    return Read();
  }

  // True when the server closed the connection (EOF or reset) before sending anything more.
  bool ClosedByServer() {
    char c;
    boost::system::error_code ec;
    if (buffer_.size() > 0) return false;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  // Reads raw bytes until at least `n` arrived (or the connection ended); returns the count.
  size_t ReadRaw(size_t n) {
    size_t got = buffer_.size();
    buffer_.clear();
    char buf[8192];
    boost::system::error_code ec;
    while (got < n && !ec) got += socket_.read_some(asio::buffer(buf), ec);
    return got;
  }

  void Close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

// Tells a test thread that a streaming handler saw Write() return false.
struct StreamOutcome {
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  bool saw_false = false;

  void Finish(bool write_failed) {
    std::lock_guard lock(mu);
    finished = true;
    saw_false = write_failed;
    cv.notify_all();
  }
  bool WaitFinished() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(20), [this] { return finished; });
  }
};

Response Text(std::string body, std::string type = "text/plain; charset=utf-8") {
  Response r;
  r.content_type = std::move(type);
  r.body = std::move(body);
  return r;
}

std::string BigHtml() {
  std::string s = "<html><body>";
  for (int i = 0; i < 2000; ++i) s += "<p class=\"paper\">Paper " + std::to_string(i) + "</p>\n";
  return s + "</body></html>";
}

// Large enough to be sent with sendfile from the page cache (sendfile_body.h), and
// incompressible enough that its gzip variant is too.
std::string HugeText() {
  std::string s;
  uint64_t x = 88172645463325252ull;
  while (s.size() < 3 * kSendfileMinBytes) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    s += static_cast<char>('a' + x % 26);
  }
  return s;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/hello", [](const Request&) { return Text("hello world"); });
    router_.Add("GET", "/big", [](const Request&) { return Text(BigHtml(), "text/html"); });
    router_.Add("GET", "/cached", [this](const Request&) {
      if (auto hit = cache_.Get("cached", 1)) return *std::move(hit);
      return cache_.Put("cached", 1, Text(BigHtml(), "text/html; charset=utf-8"));
    });
    router_.Add("GET", "/huge", [this](const Request&) {
      if (auto hit = cache_.Get("huge", 1)) return *std::move(hit);
      return cache_.Put("huge", 1, Text(HugeText(), "text/plain; charset=utf-8"));
    });
    router_.Add("GET", "/echo/**", [](const Request& req) {
      std::string out = "path=" + req.path + ";cap=" + req.captures.at(0);
      for (const auto& [k, v] : req.query) out += ";" + k + "=" + v;
      out += ";x-test=" + req.Header("x-test") + ";ip=" + req.client_ip;
      return Text(out);
    });
    router_.Add("POST", "/upload", [](const Request& req) {
      return Text("got " + std::to_string(req.body.size()));
    });
    router_.Add("GET", "/throw", [](const Request&) -> Response {
      throw std::runtime_error("secret internal detail");
    });
    router_.Add("GET", "/slow", [](const Request&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return Text("slow done");
    });
    router_.Add("GET", "/sse", [](const Request&) {
      Response r;
      r.content_type = "text/event-stream";
      r.stream = [](ChunkSink& sink) {
        sink.Write("event: progress\ndata: 1\n\n");
        sink.Write("event: delta\ndata: hello\n\n");
        sink.Write("event: done\ndata: \n\n");
      };
      return r;
    });
    router_.Add("GET", "/endless", [this](const Request&) {
      Response r;
      r.content_type = "text/event-stream";
      r.stream = [this](ChunkSink& sink) {
        for (int i = 0; i < 20'000; ++i) {
          if (!sink.Write("data: " + std::string(1000, 'x') + "\n\n")) {
            outcome_.Finish(true);
            return;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        outcome_.Finish(false);
      };
      return r;
    });
    router_.Add("DELETE", "/hello", [](const Request&) { return Text("deleted"); });
  }

  void StartServer(ServerOptions opts = {}) {
    opts.host = "127.0.0.1";
    opts.port = 0;
    opts.io_threads = 2;
    opts.stream_threads = 2;
    opts.metrics = &metrics_;
    server_ = std::make_unique<Server>(router_, opts);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  Router router_;
  // Both compressed variants at once (no background brotli) for the encoding tests.
  PageCache cache_{PageCache::Options{.inline_brotli_max = size_t{1} << 20}};
  Metrics metrics_;
  StreamOutcome outcome_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  Client c(server_->port());
  ClientResponse a = c.Get("/hello");
  EXPECT_EQ(a.result_int(), 200);
  EXPECT_EQ(a.body(), "hello world");
  EXPECT_TRUE(a.keep_alive());
  ClientResponse b = c.Get("/echo/x");
  EXPECT_EQ(b.result_int(), 200);
  EXPECT_THAT(b.body(), HasSubstr("cap=x"));
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  Client c(server_->port());
  std::string batch;
  for (int i = 1; i <= 5; ++i) batch += "GET /echo/" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n";
  c.Send(batch);
  for (int i = 1; i <= 5; ++i) {
    ClientResponse r = c.Read();
    EXPECT_EQ(r.result_int(), 200);
    EXPECT_THAT(r.body(), HasSubstr("cap=" + std::to_string(i) + ";"));
  }
}

TEST_F(ServerTest, RequestDetailsReachTheHandler) {
  StartServer();
  Client c(server_->port());
  ClientResponse r = c.Get("/echo/hep-th%2F9901001?q=a+b&x=%41%42&flag", "X-Test: Yes\r\n");
  EXPECT_THAT(r.body(), HasSubstr("path=/echo/hep-th/9901001;cap=hep-th/9901001"));
  EXPECT_THAT(r.body(), HasSubstr(";flag=;"));
  EXPECT_THAT(r.body(), HasSubstr(";q=a b;"));
  EXPECT_THAT(r.body(), HasSubstr(";x=AB;"));
  EXPECT_THAT(r.body(), HasSubstr(";x-test=Yes;"));
  EXPECT_THAT(r.body(), HasSubstr(";ip=127.0.0.1"));
}

TEST_F(ServerTest, PostBodyWithinLimitIsRead) {
  StartServer();
  Client c(server_->port());
  std::string body(10'000, 'b');
  c.Send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10000\r\n\r\n" + body);
  ClientResponse r = c.Read();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "got 10000");
}

TEST_F(ServerTest, DeclaredBodyOverLimitGets413) {
  StartServer();
  Client c(server_->port());
  c.Send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n");
  c.SendLenient(std::string(100'000, 'b'));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.result_int(), 413);
  EXPECT_FALSE(r.keep_alive());
}

TEST_F(ServerTest, ChunkedBodyOverLimitGets413) {
  StartServer();
  Client c(server_->port());
  c.Send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk(256 * 1024, 'b');
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
  for (int i = 0; i < 6; ++i) c.SendLenient(size + chunk + "\r\n");
  ClientResponse r = c.Read();
  EXPECT_EQ(r.result_int(), 413);
}

TEST_F(ServerTest, HundredKilobyteUrlGets414) {
  StartServer();
  Client c(server_->port());
  c.SendLenient("GET /echo/" + std::string(100'000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n");
  ClientResponse r = c.Read();
  EXPECT_EQ(r.result_int(), 414);
}

TEST_F(ServerTest, UrlOverTargetLimitButUnderHeaderLimitGets414) {
  StartServer();
  Client c(server_->port());
  ClientResponse r = c.Get("/echo/" + std::string(10'000, 'a'));
  EXPECT_EQ(r.result_int(), 414);
}

TEST_F(ServerTest, HugeHeaderGets431) {
  StartServer();
  Client c(server_->port());
  c.SendLenient("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(20'000, 'h') +
                "\r\n\r\n");
  ClientResponse r = c.Read();
  EXPECT_EQ(r.result_int(), 431);
}

TEST_F(ServerTest, MalformedRequestLineGets400) {
  StartServer();
  Client c(server_->port());
  c.Send("THIS IS NOT HTTP\r\n\r\n");
  ClientResponse r = c.Read();
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_FALSE(r.keep_alive());
}

TEST_F(ServerTest, TraversalAndBadEscapesGet400) {
  StartServer();
  for (const char* target : {"/../etc/passwd", "/static/../../etc/passwd", "/echo/%2e%2e/x",
                             "/echo/%zz", "/echo/%4", "/echo/a%00b"}) {
    Client c(server_->port());
    ClientResponse r = c.Get(target);
    EXPECT_EQ(r.result_int(), 400) << target;
  }
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  StartServer();
  Client c(server_->port());
  EXPECT_EQ(c.Get("/nope").result_int(), 404);
  c.Send("PUT /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  ClientResponse r = c.Read();
  EXPECT_EQ(r.result_int(), 405);
  EXPECT_EQ(r[http::field::allow], "GET, HEAD, DELETE");
}

TEST_F(ServerTest, HeadSendsHeadersWithoutBody) {
  StartServer();
  Client c(server_->port());
  c.Send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  ClientResponse h = c.Read(/*head=*/true);
  EXPECT_EQ(h.result_int(), 200);
  EXPECT_EQ(h[http::field::content_length], "11");
  EXPECT_TRUE(h.body().empty());
  // No stray body bytes: the next response on the connection parses cleanly.
  ClientResponse g = c.Get("/hello");
  EXPECT_EQ(g.body(), "hello world");
}

TEST_F(ServerTest, IfNoneMatchGets304) {
  StartServer();
  Client c(server_->port());
  ClientResponse first = c.Get("/cached");
  std::string etag(first[http::field::etag]);
  ASSERT_FALSE(etag.empty());
  ClientResponse second = c.Get("/cached", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(second.result_int(), 304);
  EXPECT_TRUE(second.body().empty());
  EXPECT_EQ(second[http::field::etag], etag);
  // Works for dynamic bodies too (ETag computed by the server), and for encoded variants.
  ClientResponse dyn = c.Get("/hello");
  std::string dyn_etag(dyn[http::field::etag]);
  ASSERT_FALSE(dyn_etag.empty());
  EXPECT_EQ(c.Get("/hello", "If-None-Match: \"x\", " + dyn_etag + "\r\n").result_int(), 304);
  ClientResponse br = c.Get("/cached", "Accept-Encoding: br\r\n");
  std::string br_etag(br[http::field::etag]);
  EXPECT_NE(br_etag, etag);
  EXPECT_EQ(c.Get("/cached", "Accept-Encoding: br\r\nIf-None-Match: " + br_etag + "\r\n")
                .result_int(),
            304);
  EXPECT_EQ(c.Get("/cached", "If-None-Match: \"other\"\r\n").result_int(), 200);
}

TEST_F(ServerTest, SecurityHeadersOnEveryResponse) {
  StartServer();
  Client c(server_->port());
  std::vector<ClientResponse> responses;
  responses.push_back(c.Get("/hello"));
  responses.push_back(c.Get("/nope"));
  responses.push_back(c.Get("/throw"));
  Client bad(server_->port());
  responses.push_back(bad.Get("/%zz"));
  for (const ClientResponse& r : responses) {
    SCOPED_TRACE(r.result_int());
    EXPECT_THAT(std::string(r["Content-Security-Policy"]), HasSubstr("frame-ancestors 'none'"));
    EXPECT_THAT(std::string(r["Content-Security-Policy"]), HasSubstr("object-src 'none'"));
    EXPECT_THAT(std::string(r["Content-Security-Policy"]), HasSubstr("https://arxiv.org"));
    EXPECT_EQ(r["X-Content-Type-Options"], "nosniff");
    EXPECT_EQ(r["Referrer-Policy"], "strict-origin-when-cross-origin");
    EXPECT_EQ(r["X-Frame-Options"], "DENY");
    EXPECT_EQ(r[http::field::server], "coolpapers");
  }
}

TEST_F(ServerTest, CompressesTextOnTheFlyPerAcceptEncoding) {
  StartServer();
  Client c(server_->port());
  ClientResponse plain = c.Get("/big");
  EXPECT_EQ(plain.body(), BigHtml());
  EXPECT_EQ(plain[http::field::content_encoding], "");
  EXPECT_EQ(plain[http::field::vary], "Accept-Encoding");

  ClientResponse br = c.Get("/big", "Accept-Encoding: gzip, deflate, br\r\n");
  EXPECT_EQ(br[http::field::content_encoding], "br");
  EXPECT_EQ(BrotliDecompress(br.body()).value_or(""), BigHtml());

  ClientResponse gz = c.Get("/big", "Accept-Encoding: gzip;q=1, br;q=0.5\r\n");
  EXPECT_EQ(gz[http::field::content_encoding], "gzip");
  EXPECT_EQ(GzipDecompress(gz.body()).value_or(""), BigHtml());

  ClientResponse small = c.Get("/hello", "Accept-Encoding: gzip, br\r\n");
  EXPECT_EQ(small[http::field::content_encoding], "");
  EXPECT_EQ(small.body(), "hello world");
}

TEST_F(ServerTest, ServesPrecompressedCachedBodies) {
  StartServer();
  Client c(server_->port());
  ClientResponse gz = c.Get("/cached", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(gz[http::field::content_encoding], "gzip");
  EXPECT_EQ(GzipDecompress(gz.body()).value_or(""), BigHtml());
  ClientResponse br = c.Get("/cached", "Accept-Encoding: br, gzip\r\n");
  EXPECT_EQ(br[http::field::content_encoding], "br");
  EXPECT_EQ(BrotliDecompress(br.body()).value_or(""), BigHtml());
  EXPECT_EQ(c.Get("/cached").body(), BigHtml());
}

TEST_F(ServerTest, LargeCachedBodiesAreSentWithSendfile) {
  StartServer();
  ASSERT_GE(SendfileDescriptor(cache_.Put("probe", 1, Text(HugeText())).shared_body), 0);
  Client c(server_->port());
  const std::string expected = HugeText();
  for (int i = 0; i < 2; ++i) {  // twice on one connection: keep-alive survives sendfile
    ClientResponse r = c.Get("/huge");
    EXPECT_EQ(r.result_int(), 200);
    EXPECT_EQ(r[http::field::content_length], std::to_string(expected.size()));
    EXPECT_THAT(std::string(r["Content-Security-Policy"]), HasSubstr("default-src"));
    EXPECT_TRUE(r.body() == expected);
  }
  ClientResponse gz = c.Get("/huge", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(gz[http::field::content_encoding], "gzip");
  EXPECT_TRUE(GzipDecompress(gz.body()).value_or("") == expected);
  c.Send("GET /huge HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_TRUE(c.Read().body() == expected);
  EXPECT_EQ(c.Read().body(), "hello world");
  c.Send("HEAD /huge HTTP/1.1\r\nHost: t\r\n\r\n");
  ClientResponse head = c.Read(/*head=*/true);
  EXPECT_EQ(head[http::field::content_length], std::to_string(expected.size()));
  EXPECT_EQ(c.Get("/hello").body(), "hello world");
}

TEST_F(ServerTest, ClientsHangingUpDuringSendfileDoNotHurtTheServer) {
  StartServer();
  for (int i = 0; i < 20; ++i) {
    Client c(server_->port());
    c.Send("GET /huge HTTP/1.1\r\nHost: t\r\n\r\n");
    c.ReadRaw(1);
    c.Close();  // with most of the body unsent: the server's sendfile sees EPIPE/ECONNRESET
  }
  Client c(server_->port());
  EXPECT_EQ(c.Get("/hello").body(), "hello world");
}

TEST_F(ServerTest, SendfileToASlowReaderCompletes) {
  StartServer();
  Client c(server_->port());
  c.Send("GET /huge HTTP/1.1\r\nHost: t\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the socket buffer fill
  ClientResponse r = c.Read();
  EXPECT_TRUE(r.body() == HugeText());
}

TEST_F(ServerTest, StreamingResponseArrivesInChunks) {
  StartServer();
  Client c(server_->port());
  c.Send("GET /sse HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip, br\r\n\r\n");
  int chunks = 0;
  ClientResponse r = c.Read(false, &chunks);
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(chunks, 3);
  EXPECT_EQ(r.body(),
            "event: progress\ndata: 1\n\nevent: delta\ndata: hello\n\nevent: done\ndata: \n\n");
  EXPECT_EQ(r[http::field::content_type], "text/event-stream");
  EXPECT_EQ(r[http::field::cache_control], "no-cache");
  EXPECT_EQ(r["X-Accel-Buffering"], "no");
  EXPECT_EQ(r[http::field::content_encoding], "");
  EXPECT_TRUE(r.chunked());
  // The connection stays usable after the stream ended.
  EXPECT_EQ(c.Get("/hello").body(), "hello world");
}

TEST_F(ServerTest, SinkReportsFalseAfterClientDisconnects) {
  StartServer();
  {
    Client c(server_->port());
    c.Send("GET /endless HTTP/1.1\r\nHost: t\r\n\r\n");
    // Read the header and a few chunks, then hang up.
    EXPECT_GE(c.ReadRaw(5000), 5000u);
    c.Close();
  }
  ASSERT_TRUE(outcome_.WaitFinished());
  EXPECT_TRUE(outcome_.saw_false);
}

TEST_F(ServerTest, HandlerExceptionGives500WithoutDetailsAndServerKeepsRunning) {
  StartServer();
  Client c(server_->port());
  ClientResponse r = c.Get("/throw");
  EXPECT_EQ(r.result_int(), 500);
  EXPECT_THAT(r.body(), Not(HasSubstr("secret internal detail")));
  EXPECT_EQ(c.Get("/hello").body(), "hello world");
  Client other(server_->port());
  EXPECT_EQ(other.Get("/hello").result_int(), 200);
}

TEST_F(ServerTest, UsesTheErrorResponder) {
  ServerOptions opts;
  opts.error_page = [](const Request& req, int status, std::string_view message,
                       std::string_view hint) {
    Response r = Text("custom " + std::to_string(status) + " for " + req.path);
    r.status = status;
    return r;
  };
  StartServer(opts);
  Client c(server_->port());
  ClientResponse r = c.Get("/missing");
  EXPECT_EQ(r.result_int(), 404);
  EXPECT_EQ(r.body(), "custom 404 for /missing");
}

TEST_F(ServerTest, SlowLorisClientIsDisconnected) {
  ServerOptions opts;
  opts.header_timeout = std::chrono::milliseconds(300);
  StartServer(opts);
  Client c(server_->port());
  std::string request = "GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: ";
  // Dribble one byte every 20 ms for well over the header timeout; the header never completes.
  for (int i = 0; i < 40; ++i) {
    c.SendLenient(i < static_cast<int>(request.size()) ? request.substr(i, 1) : "a");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions opts;
  opts.idle_timeout = std::chrono::milliseconds(200);
  StartServer(opts);
  Client c(server_->port());
  EXPECT_EQ(c.Get("/hello").result_int(), 200);
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ServerTest, StopFinishesInFlightRequests) {
  StartServer();
  Client c(server_->port());
  c.Send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the handler start
  std::thread stopper([this] { server_->Stop(); });
  ClientResponse r = c.Read();
  stopper.join();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "slow done");
  EXPECT_FALSE(r.keep_alive());
}

TEST_F(ServerTest, StopClosesIdleConnectionsAndEndsStreams) {
  StartServer();
  Client idle(server_->port());
  EXPECT_EQ(idle.Get("/hello").result_int(), 200);
  Client streaming(server_->port());
  streaming.Send("GET /endless HTTP/1.1\r\nHost: t\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server_->Stop();
  EXPECT_TRUE(idle.ClosedByServer());
  ASSERT_TRUE(outcome_.WaitFinished());
  EXPECT_TRUE(outcome_.saw_false);
}

TEST_F(ServerTest, RecordsRequestMetricsByRoutePattern) {
  StartServer();
  Client c(server_->port());
  c.Get("/echo/a");
  c.Get("/echo/b");
  c.Get("/nope");
  // The server records a request once its write completed, which may be just after the client
  // read the response: wait (bounded) for the third one.
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text = metrics_.Exposition();
    if (text.find("status=\"404\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_THAT(text,
              HasSubstr("coolpapers_http_requests_total{route=\"/echo/**\",status=\"200\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("coolpapers_http_requests_total{route=\"(unmatched)\",status=\"404\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("coolpapers_http_request_duration_seconds_count{route=\"/echo/**\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("coolpapers_http_open_connections 1\n"));
}

TEST_F(ServerTest, ListenFailsClearlyWhenPortIsTaken) {
  StartServer();
  ServerOptions opts;
  opts.port = server_->port();
  Server second(router_, opts);
  Status st = second.Start();
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr(std::to_string(server_->port())));
}

TEST(ParseTargetTest, SplitsAndDecodes) {
  Request req;
  ASSERT_TRUE(ParseTarget("/arxiv/cs.CL?date=2024-01-02&show=5&q=a+b%2Bc", req).ok());
  EXPECT_EQ(req.path, "/arxiv/cs.CL");
  EXPECT_EQ(req.Param("date"), "2024-01-02");
  EXPECT_EQ(req.Param("show"), "5");
  EXPECT_EQ(req.Param("q"), "a b+c");
  EXPECT_EQ(req.Param("missing", "dflt"), "dflt");
}

TEST(ParseTargetTest, KeepsRepeatedParametersAndLenientQueryEscapes) {
  Request req;
  ASSERT_TRUE(ParseTarget("/s?c=a&c=b&p=100%&e", req).ok());
  EXPECT_EQ(req.query.count("c"), 2u);
  EXPECT_EQ(req.Param("p"), "100%");
  EXPECT_TRUE(req.HasParam("e"));
}

TEST(ParseTargetTest, RejectsUnsafeTargets) {
  for (const char* t : {"", "arxiv", "http://x/a", "/a/../b", "/..", "/a/%2E%2E", "/%zz", "/a%",
                        "/a%0", "/a%00", "/q?x=%00"}) {
    Request req;
    EXPECT_FALSE(ParseTarget(t, req).ok()) << t;
  }
  Request ok;
  EXPECT_TRUE(ParseTarget("/a/..b/c..", ok).ok());
  EXPECT_TRUE(ParseTarget("/a/./b", ok).ok());
}

TEST(ParseListenAddressTest, ParsesForms) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseListenAddress("127.0.0.1:8080", host, port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(ParseListenAddress("[::1]:0", host, port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(ParseListenAddress(":9000", host, port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_FALSE(ParseListenAddress("localhost", host, port).ok());
  EXPECT_FALSE(ParseListenAddress("h:99999", host, port).ok());
  EXPECT_FALSE(ParseListenAddress("h:8x", host, port).ok());
}

}  // namespace
}  // namespace coolpapers::web
