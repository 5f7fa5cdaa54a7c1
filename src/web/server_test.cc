// web::Server over real loopback sockets: a test Router, raw requests written with plain Asio,
// responses parsed with Beast's client-side parser.

#include "web/server.h"

// GCC 12 at -O2 reports a false -Wmaybe-uninitialized inside Beast's client-side (response)
// parser, instantiated only by this test.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <future>
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

#include "llm/faq_job.h"
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

  // Waits up to `limit` for the connection to become readable (data, EOF or reset).
  bool WaitReadable(std::chrono::milliseconds limit) {
    if (buffer_.size() > 0) return true;
    pollfd p{socket_.native_handle(), POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(limit.count())) > 0;
  }

  // Bytes the kernel holds for this client that it has not read yet.
  size_t Unread() {
    int n = 0;
    return ::ioctl(socket_.native_handle(), FIONREAD, &n) == 0 ? static_cast<size_t>(n) : 0;
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

// Polls `done` until it holds or `limit` passed; true when it held. Tests wait on a real state
// change this way (a counter, a socket, a gauge), never on a fixed delay.
template <class Pred>
bool WaitUntil(Pred done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Holds handlers until the test opens it, so a test knows a handler is running (and still
// running) instead of sleeping and hoping. Pass() gives up after `limit`, so a server that
// wrongly waits for a held handler makes the test fail, not hang.
class Gate {
 public:
  // Called by a handler: counts itself in, then blocks until Open() (or the limit).
  void Pass(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    std::unique_lock lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait_for(lock, limit, [this] { return open_; });
    ++left_;
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Waits until `n` handlers are inside (or have passed); false after 10 s.
  bool WaitEntered(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return entered_ >= n; });
  }
  // Handlers that came out again (the gate opened, or they gave up waiting).
  int left() {
    std::lock_guard lock(mu_);
    return left_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int entered_ = 0;
  int left_ = 0;
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

// A raw non-blocking-free loopback connection (no io_context per client: tests open many).
int RawConnect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Raises the soft open-file limit to at least `want` (up to the hard limit); false if it cannot.
bool RaiseNoFile(rlim_t want) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
  if (lim.rlim_cur >= want) return true;
  if (lim.rlim_max < want) return false;
  lim.rlim_cur = want;
  return setrlimit(RLIMIT_NOFILE, &lim) == 0;
}

// An asynchronous reader of a FaqJob, as the FAQ route's stream does it: all steps on the
// connection's strand; events as "data: <kind>:<text>" lines, then the body ends.
struct JobPump : std::enable_shared_from_this<JobPump> {
  std::shared_ptr<llm::FaqJob> job;
  llm::FaqCursor cursor;
  std::shared_ptr<AsyncChunkSink> sink;
  bool writing = false;
  bool registered = false;

  void Write(std::string text) {
    writing = true;
    sink->Write(std::move(text), [self = shared_from_this()](bool ok) {
      self->writing = false;
      if (ok) self->Step();
    });
  }
  void Step() {
    if (writing) return;
    std::vector<llm::FaqEvent> events;
    if (!job->Wait(cursor, events, std::chrono::milliseconds(0))) return sink->Close();
    if (!events.empty()) {
      std::string out;
      for (const auto& e : events) {
        out += "data: " + std::to_string(static_cast<int>(e.kind)) + ":" + e.text + "\n\n";
      }
      return Write(out);
    }
    if (registered) return;
    registered = true;
    job->NotifyOnNews(cursor, [self = shared_from_this()] {
      self->sink->Post([self] {
        self->registered = false;
        self->Step();
      });
    });
  }
};

std::shared_ptr<llm::FaqJob> NewJob(const std::string& id) {
  llm::FaqKey key;
  key.paper_id = id;
  key.lang = "en";
  core::Paper paper;
  paper.id = id;
  return std::make_shared<llm::FaqJob>(key, paper, 2, 1);
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
      out += ";x-test=" + req.Header("x-test") + ";ip=" + req.client_ip + ";key=" + req.client_key;
      return Text(out);
    });
    router_.Add("POST", "/upload", [](const Request& req) {
      return Text("got " + std::to_string(req.body.size()));
    });
    router_.Add("GET", "/throw", [](const Request&) -> Response {
      throw std::runtime_error("secret internal detail");
    });
    router_.Add("GET", "/slow", [this](const Request&) {
      gate_.Pass();
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
        // Each Write is flushed before it returns, so a client that does not read holds the
        // producer back: 200 MB is never reached in practice.
        for (int i = 0; i < 200'000; ++i) {
          if (!sink.Write("data: " + std::string(1000, 'x') + "\n\n")) {
            outcome_.Finish(true);
            return;
          }
        }
        outcome_.Finish(false);
      };
      return r;
    });
    router_.Add("DELETE", "/hello", [](const Request&) { return Text("deleted"); });
    router_.Add("GET", "/job/*", [this](const Request& req) {
      Response r;
      r.content_type = "text/event-stream";
      auto job = req.captures.at(0) == "a" ? job_a_ : job_b_;
      r.async_stream = [job](std::shared_ptr<AsyncChunkSink> sink) {
        auto pump = std::make_shared<JobPump>();
        pump->job = job;
        pump->sink = std::move(sink);
        pump->Write(": stream\n\n");
      };
      return r;
    });
    router_.Add("GET", "/async/chunks", [](const Request&) {
      Response r;
      r.content_type = "text/event-stream";
      r.async_stream = [](std::shared_ptr<AsyncChunkSink> sink) {
        sink->Write("one\n", [](bool) {});
        sink->Write("two\n", [](bool) {});
        // A timer on the connection's strand, then the last chunk and the end of the body.
        sink->After(std::chrono::milliseconds(50), [sink] {
          sink->Write("three\n", [sink](bool ok) {
            if (ok) sink->Close();
          });
        });
      };
      return r;
    });
    router_.Add("GET", "/async/dropped", [](const Request&) {
      Response r;
      r.content_type = "text/event-stream";
      r.async_stream = [](std::shared_ptr<AsyncChunkSink> sink) {
        sink->Write("partial\n", [](bool) {});
      };  // the sink is dropped without Close: the body is cut off
      return r;
    });
    router_.Add("GET", "/async/parked", [this](const Request&) {
      Response r;
      r.content_type = "text/event-stream";
      r.async_stream = [this](std::shared_ptr<AsyncChunkSink> sink) {
        std::lock_guard lock(parked_mu_);
        parked_.push_back(std::move(sink));  // never written: waits for news forever
      };
      return r;
    });
    router_.Add("GET", "/deferred/slow", [this](const Request& req) {
      Response r;
      std::string who = req.Param("n");
      r.deferred = [this, who] {
        gate_.Pass();
        return Text("deferred done " + who);
      };
      return r;
    });
  }

  void StartServer(ServerOptions opts = {}) {
    opts.host = "127.0.0.1";
    opts.port = 0;
    if (opts.io_threads == 0) opts.io_threads = 2;
    opts.stream_threads = 2;
    opts.metrics = &metrics_;
    server_ = std::make_unique<Server>(router_, opts);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  void TearDown() override {
    gate_.Open();  // a failed test may leave a handler held
    if (server_) server_->Stop();
  }

  // The server's open-connections gauge (connections it accepted and still holds).
  int OpenConnections() {
    return static_cast<int>(
        metrics_.GetGauge("coolpapers_http_open_connections", "HTTP connections currently open")
            .value());
  }
  // True once the listener is closed: a fresh connection is refused.
  bool ListenerClosed() {
    int fd = RawConnect(server_->port());
    if (fd < 0) return true;
    ::close(fd);
    return false;
  }

  Router router_;
  // Both compressed variants at once (no background brotli) for the encoding tests.
  PageCache cache_{PageCache::Options{.inline_brotli_max = size_t{1} << 20}};
  Metrics metrics_;
  StreamOutcome outcome_;
  Gate gate_;  // holds /slow and /deferred/slow
  std::shared_ptr<llm::FaqJob> job_a_ = NewJob("2401.00001");
  std::shared_ptr<llm::FaqJob> job_b_ = NewJob("2401.00002");
  std::mutex parked_mu_;
  std::vector<std::shared_ptr<AsyncChunkSink>> parked_;
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
  // The reader falls behind: 64 KiB wait unread in its socket before it starts reading.
  ASSERT_TRUE(WaitUntil([&] { return c.Unread() >= 64 * 1024; }));
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
  opts.header_timeout = std::chrono::milliseconds(100);
  StartServer(opts);
  Client c(server_->port());
  std::string request = "GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: ";
  // Dribble one byte at least every 10 ms until the server hangs up (at most 400 bytes, 4 s);
  // the header never completes, and the gaps are far shorter than the header timeout.
  auto t0 = std::chrono::steady_clock::now();
  int sent = 0;
  for (; sent < 400 && !c.WaitReadable(std::chrono::milliseconds(10)); ++sent) {
    c.SendLenient(sent < static_cast<int>(request.size()) ? request.substr(sent, 1) : "a");
  }
  EXPECT_LT(sent, 400) << "the server kept reading a header that never completes";
  EXPECT_GE(std::chrono::steady_clock::now() - t0, opts.header_timeout);
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
  ASSERT_TRUE(gate_.WaitEntered(1));  // the handler runs, held by the gate
  std::thread stopper([this] { server_->Stop(); });
  // Stop has begun once the listener refuses connections; only then may the handler finish.
  bool closed = WaitUntil([this] { return ListenerClosed(); });
  gate_.Open();
  ClientResponse r = c.Read();
  EXPECT_TRUE(closed);
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
  ASSERT_GT(streaming.ReadRaw(1), 0u);  // the stream is running
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
  WaitUntil([&] {
    text = metrics_.Exposition();
    return text.find("status=\"404\"") != std::string::npos;
  });
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

// ---- Asynchronous streams (Response::async_stream) ----

TEST_F(ServerTest, AsyncStreamWritesChunksRunsTimersAndKeepsTheConnection) {
  StartServer();
  Client c(server_->port());
  c.Send("GET /async/chunks HTTP/1.1\r\nHost: t\r\n\r\n");
  int chunks = 0;
  ClientResponse r = c.Read(false, &chunks);
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "one\ntwo\nthree\n");
  EXPECT_EQ(chunks, 3);
  EXPECT_EQ(c.Get("/hello").body(), "hello world");  // reusable after the terminating chunk
}

TEST_F(ServerTest, AsyncStreamWhoseSinkIsDroppedIsCutOff) {
  StartServer();
  Client c(server_->port());
  c.Send("GET /async/dropped HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_THROW(c.Read(), boost::system::system_error);  // partial message: no last chunk
}

TEST_F(ServerTest, StopEndsParkedAsyncStreamsWithoutWaitingForTheGrace) {
  StartServer();
  Client c(server_->port());
  c.Send("GET /async/parked HTTP/1.1\r\nHost: t\r\n\r\n");
  WaitUntil([this] {
    std::lock_guard lock(parked_mu_);
    return !parked_.empty();
  });
  std::shared_ptr<AsyncChunkSink> sink;
  {
    std::lock_guard lock(parked_mu_);
    ASSERT_EQ(parked_.size(), 1u);
    sink = parked_.front();
  }
  auto t0 = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  // The producer learns the stream is over.
  std::promise<bool> result;
  sink->Write("late", [&result](bool ok) { result.set_value(ok); });
  EXPECT_FALSE(result.get_future().get());
}

// Regression (issue 11 item 9): streams used to hold one of 16 stream threads each while
// waiting, so the 17th stream starved. 1,000 streams joined to one running job plus one on
// another job all receive their events.
TEST_F(ServerTest, ThousandConcurrentAsyncStreamsOnOneJobAndOneOnAnotherAllGetEvents) {
  constexpr int kStreams = 1000;
  if (!RaiseNoFile(2 * kStreams + 200)) GTEST_SKIP() << "cannot raise RLIMIT_NOFILE";
  ServerOptions opts;
  opts.max_connections_per_ip = 0;  // all come from 127.0.0.1
  opts.stream_threads = 2;
  StartServer(opts);
  std::vector<int> fds;
  for (int i = 0; i <= kStreams; ++i) {
    int fd = RawConnect(server_->port());
    ASSERT_GE(fd, 0) << "connection " << i << ": " << std::strerror(errno);
    fds.push_back(fd);
    std::string req = std::string("GET /job/") + (i < kStreams ? "a" : "b") +
                      " HTTP/1.1\r\nHost: t\r\n\r\n";
    ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  }
  // Every reader parks on its job without holding a thread.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  WaitUntil(
      [&] { return job_a_->waiting_callbacks() >= kStreams && job_b_->waiting_callbacks() >= 1; },
      std::chrono::seconds(60));
  ASSERT_EQ(job_a_->waiting_callbacks(), static_cast<size_t>(kStreams));
  ASSERT_EQ(job_b_->waiting_callbacks(), 1u);
  job_a_->SetLoading();
  job_a_->BeginQuestion(0, "What is new?");
  job_a_->AppendDelta(0, "live-delta");
  job_b_->SetLoading();
  job_b_->BeginQuestion(0, "Other paper?");
  job_a_->EndAnswer(0, "live-delta");
  job_a_->Complete(1, "2026-07-01");
  job_b_->Fail("b-failed");
  // Read every stream to its terminating chunk.
  std::vector<std::string> got(fds.size());
  std::vector<bool> ended(fds.size(), false);
  size_t open = fds.size();
  while (open > 0 && std::chrono::steady_clock::now() < deadline) {
    std::vector<pollfd> pfds;
    std::vector<size_t> idx;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!ended[i]) {
        pfds.push_back({fds[i], POLLIN, 0});
        idx.push_back(i);
      }
    }
    if (::poll(pfds.data(), pfds.size(), 1000) <= 0) continue;
    for (size_t k = 0; k < pfds.size(); ++k) {
      if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      size_t i = idx[k];
      char buf[16384];
      ssize_t n = ::recv(fds[i], buf, sizeof(buf), 0);
      if (n > 0) got[i].append(buf, static_cast<size_t>(n));
      if (n <= 0 || got[i].find("\r\n0\r\n\r\n") != std::string::npos) {
        ended[i] = true;
        --open;
      }
    }
  }
  for (int fd : fds) ::close(fd);
  ASSERT_EQ(got.size(), static_cast<size_t>(kStreams + 1));
  int complete_a = 0;
  for (int i = 0; i < kStreams; ++i) {
    if (got[i].find("live-delta") != std::string::npos &&
        got[i].find("\r\n0\r\n\r\n") != std::string::npos) {
      ++complete_a;
    }
  }
  EXPECT_EQ(complete_a, kStreams);
  EXPECT_NE(got[kStreams].find("Other paper?"), std::string::npos);
  EXPECT_NE(got[kStreams].find("b-failed"), std::string::npos);
  EXPECT_EQ(got[kStreams].find("live-delta"), std::string::npos);
}

// ---- Deferred (CPU pool) responses ----

// Regression (issue 11 item 8): CPU-heavy handlers ran on the I/O thread and blocked every
// other connection of a one-thread server.
TEST_F(ServerTest, SlowDeferredHandlerDoesNotBlockOtherRequestsOnOneIoThread) {
  ServerOptions opts;
  opts.io_threads = 1;
  opts.cpu_threads = 1;
  StartServer(opts);
  Client slow(server_->port());
  slow.Send("GET /deferred/slow?n=1 HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(gate_.WaitEntered(1));  // the slow handler runs, held by the gate
  Client other(server_->port());
  EXPECT_EQ(other.Get("/hello").body(), "hello world");
  // Answered while the slow handler was still held: it had not blocked the only I/O thread.
  EXPECT_EQ(gate_.left(), 0);
  gate_.Open();
  ClientResponse r = slow.Read();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "deferred done 1");
  EXPECT_EQ(slow.Get("/hello").body(), "hello world");  // keep-alive after a deferred answer
}

// The CPU-pool thread that computed a deferred response sends it itself: the client does not
// wait for the connection's I/O thread (here held by a synchronous handler of another
// connection) to be scheduled again.
TEST_F(ServerTest, DeferredResponseReachesTheClientWhileItsIoThreadIsBusy) {
  std::atomic<bool> deferred_started{false};
  router_.Add("GET", "/deferred/after-slow", [this, &deferred_started](const Request&) {
    Response r;
    r.deferred = [this, &deferred_started] {
      deferred_started = true;
      gate_.WaitEntered(1);  // until /slow holds the only I/O thread
      return Text("computed");
    };
    return r;
  });
  ServerOptions opts;
  opts.io_threads = 1;
  opts.cpu_threads = 1;
  StartServer(opts);
  Client deferred(server_->port());
  deferred.Send("GET /deferred/after-slow HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(WaitUntil([&] { return deferred_started.load(); }));
  Client slow(server_->port());
  slow.Send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(gate_.WaitEntered(1));
  ClientResponse r = deferred.Read();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "computed");
  EXPECT_EQ(gate_.left(), 0);  // answered while the I/O thread was still held
  gate_.Open();
  EXPECT_EQ(slow.Read().body(), "slow done");
  // The connection goes on reading once its I/O thread is free again.
  EXPECT_EQ(deferred.Get("/hello").body(), "hello world");
  EXPECT_EQ(deferred.Get("/hello").body(), "hello world");
}

// Each connection lives on one I/O thread (its own io_context), and connections are dealt to
// the threads in turn, so a connection's requests never hop between threads.
TEST_F(ServerTest, EachConnectionStaysOnOneIoThreadAndConnectionsAreSpread) {
  router_.Add("GET", "/thread", [](const Request&) {
    return Text(std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())));
  });
  ServerOptions opts;
  opts.io_threads = 2;
  StartServer(opts);
  Client a(server_->port());
  Client b(server_->port());
  std::vector<std::string> on_a, on_b;
  for (int i = 0; i < 30; ++i) {
    on_a.push_back(a.Get("/thread").body());
    on_b.push_back(b.Get("/thread").body());
  }
  ASSERT_EQ(on_a.size(), 30u);
  ASSERT_EQ(on_b.size(), 30u);
  for (size_t i = 0; i < on_a.size(); ++i) {
    EXPECT_EQ(on_a[i], on_a[0]) << "request " << i;
    EXPECT_EQ(on_b[i], on_b[0]) << "request " << i;
  }
  EXPECT_NE(on_a[0], on_b[0]);  // two connections in a row go to the two threads
}

// A request line and headers already in the buffer are parsed at once; a header split over
// several segments is still read to its end.
TEST_F(ServerTest, HeaderSplitOverSegmentsIsStillRead) {
  StartServer();
  Client c(server_->port());
  c.Send("GET /echo/sp");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.Send("lit?a=1 HTTP/1.1\r\nHost: t\r\nX-Te");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.Send("st: yes\r\n\r\n");
  ClientResponse r = c.Read();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_THAT(r.body(), HasSubstr("cap=split;a=1;x-test=yes;"));
  EXPECT_EQ(c.Get("/hello").body(), "hello world");
}

// The per-(route, status) instruments are looked up once: later answers still count under
// their own status.
TEST_F(ServerTest, RequestMetricsKeepRoutesAndStatusesApartAcrossManyRequests) {
  StartServer();
  Client c(server_->port());
  for (int i = 0; i < 3; ++i) {
    c.Get("/hello");
    c.Get("/nope");
    c.Send("DELETE /nope HTTP/1.1\r\nHost: t\r\n\r\n");
    c.Read();
  }
  c.Get("/hello");
  std::string text;
  WaitUntil([&] {
    text = metrics_.Exposition();
    return text.find("route=\"/hello\",status=\"200\"} 4\n") != std::string::npos;
  });
  EXPECT_THAT(text, HasSubstr("coolpapers_http_requests_total{route=\"/hello\",status=\"200\"} 4\n"));
  EXPECT_THAT(text,
              HasSubstr("coolpapers_http_requests_total{route=\"(unmatched)\",status=\"404\"} 6\n"));
  EXPECT_THAT(text, HasSubstr("coolpapers_http_request_duration_seconds_count{route=\"/hello\"} 4\n"));
}

TEST_F(ServerTest, FullCpuQueueAnswers503WithRetryAfter) {
  ServerOptions opts;
  opts.cpu_threads = 1;
  opts.cpu_queue_limit = 1;
  StartServer(opts);
  Client first(server_->port());
  first.Send("GET /deferred/slow?n=1 HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(gate_.WaitEntered(1));  // the one CPU worker is busy with the first
  Client second(server_->port());
  ClientResponse busy = second.Get("/deferred/slow?n=2");
  EXPECT_EQ(busy.result_int(), 503);
  EXPECT_EQ(busy[http::field::retry_after], "2");
  EXPECT_EQ(gate_.left(), 0);  // refused at once, not after the first finished
  gate_.Open();
  EXPECT_EQ(first.Read().body(), "deferred done 1");
}

// ---- Connection caps ----

TEST_F(ServerTest, PerIpCapRefusesAConnectionWhenNoneIsIdle) {
  ServerOptions opts;
  opts.max_connections_per_ip = 3;
  opts.cpu_threads = 3;
  StartServer(opts);
  std::vector<std::unique_ptr<Client>> busy;
  for (int i = 0; i < 3; ++i) {
    busy.push_back(std::make_unique<Client>(server_->port()));
    busy.back()->Send("GET /deferred/slow?n=" + std::to_string(i) +
                      " HTTP/1.1\r\nHost: t\r\n\r\n");
  }
  ASSERT_TRUE(gate_.WaitEntered(3));  // all three are inside a handler: none is idle
  Client over(server_->port());
  ClientResponse r = over.Read();
  EXPECT_EQ(r.result_int(), 503);
  EXPECT_THAT(r.body(), HasSubstr("Too many connections"));
  EXPECT_TRUE(over.ClosedByServer());
  // The busy ones are unaffected.
  gate_.Open();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(busy[i]->Read().body(), "deferred done " + std::to_string(i));
  }
  EXPECT_THAT(metrics_.Exposition(),
              HasSubstr("coolpapers_http_connections_refused_total{cap=\"per_ip\"} 1\n"));
}

TEST_F(ServerTest, ANewConnectionDisplacesTheOldestIdleOneAtTheCap) {
  ServerOptions opts;
  opts.max_connections = 2;
  StartServer(opts);
  Client idle1(server_->port());
  ASSERT_TRUE(WaitUntil([this] { return OpenConnections() == 1; }));  // idle1 is the oldest
  Client idle2(server_->port());
  ASSERT_TRUE(WaitUntil([this] { return OpenConnections() == 2; }));
  Client active(server_->port());
  EXPECT_EQ(active.Get("/hello").body(), "hello world");
  EXPECT_TRUE(idle1.ClosedByServer());  // the oldest idle one made room
  EXPECT_EQ(idle2.Get("/hello").body(), "hello world");
}

TEST_F(ServerTest, UnderPressureIdleKeepAliveConnectionsAreClosedSooner) {
  ServerOptions opts;
  opts.max_connections = 5;
  opts.idle_timeout = std::chrono::seconds(60);
  opts.pressure_idle_timeout = std::chrono::milliseconds(200);
  StartServer(opts);
  std::vector<std::unique_ptr<Client>> others;
  for (int i = 0; i < 4; ++i) {
    others.push_back(std::make_unique<Client>(server_->port()));
    others.back()->Send("GET /hello HTTP/1.1\r\nHost: t\r\n");  // busy, not idle
  }
  Client c(server_->port());  // 5 of 5: over 80% of the cap
  ASSERT_TRUE(WaitUntil([this] { return OpenConnections() == 5; }));
  EXPECT_EQ(c.Get("/hello").result_int(), 200);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

// Regression (issue 11 item 10): under `ulimit -n 256` with 300 idle sockets open, /healthz
// still answers. The server runs in a forked child with the low limit.
TEST(ServerLimitsTest, HealthzAnswersWithThreeHundredIdleSocketsUnderUlimit256) {
  if (!RaiseNoFile(1024)) GTEST_SKIP() << "cannot raise RLIMIT_NOFILE for the client side";
  int port_pipe[2], stop_pipe[2];
  ASSERT_EQ(::pipe(port_pipe), 0);
  ASSERT_EQ(::pipe(stop_pipe), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(port_pipe[0]);
    ::close(stop_pipe[1]);
    rlimit lim{256, 256};
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(2);
    Router router;
    router.Add("GET", "/healthz", [](const Request&) { return Text("ok"); });
    ServerOptions opts;
    opts.host = "127.0.0.1";
    opts.port = 0;
    opts.io_threads = 2;
    opts.stream_threads = 1;
    opts.cpu_threads = 1;
    Server server(router, opts);
    if (!server.Start().ok()) _exit(3);
    uint16_t port = server.port();
    if (::write(port_pipe[1], &port, sizeof(port)) != sizeof(port)) _exit(4);
    char c;
    while (::read(stop_pipe[0], &c, 1) < 0 && errno == EINTR) {
    }
    server.Stop();
    _exit(0);
  }
  ::close(port_pipe[1]);
  ::close(stop_pipe[0]);
  uint16_t port = 0;
  ASSERT_EQ(::read(port_pipe[0], &port, sizeof(port)), static_cast<ssize_t>(sizeof(port)));
  std::vector<int> idle;
  for (int i = 0; i < 300; ++i) {
    int fd = RawConnect(port);
    if (fd >= 0) idle.push_back(fd);
  }
  EXPECT_EQ(idle.size(), 300u);
  // The server is still taking in the 300 sockets for a moment (closing the oldest idle ones
  // to make room) and refuses while the connection it would close is still closing: ask again
  // (each time on a new connection) until /healthz answers 200, for at most 5 s.
  auto t0 = std::chrono::steady_clock::now();
  int status = 0;
  WaitUntil(
      [&] {
        Client c(port);
        status = c.Get("/healthz").result_int();
        return status == 200;
      },
      std::chrono::seconds(5));
  auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(status, 200);
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  for (int fd : idle) ::close(fd);
  ::close(stop_pipe[1]);  // the child stops its server and exits
  int wstatus = 0;
  bool exited = WaitUntil([&] { return ::waitpid(pid, &wstatus, WNOHANG) != 0; },
                          std::chrono::seconds(15));
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &wstatus, 0);
  }
  ::close(port_pipe[0]);
}

// ---- Client address (trusted proxies) ----

// Regression (issue 11 item 4): a client could pick its own rate-limit bucket with a spoofed
// X-Forwarded-For.
TEST_F(ServerTest, SpoofedForwardedForFromAnUntrustedPeerIsIgnored) {
  StartServer();
  Client c(server_->port());
  ClientResponse r = c.Get("/echo/x", "X-Forwarded-For: 203.0.113.9\r\nForwarded: for=1.2.3.4\r\n");
  EXPECT_THAT(r.body(), HasSubstr(";ip=127.0.0.1"));
  EXPECT_THAT(r.body(), HasSubstr(";key=127.0.0.1"));
}

TEST_F(ServerTest, ForwardedForFromATrustedProxyNamesTheClient) {
  ServerOptions opts;
  opts.trusted_proxies = {"127.0.0.0/8"};
  StartServer(opts);
  Client c(server_->port());
  ClientResponse r =
      c.Get("/echo/x", "X-Forwarded-For: 198.51.100.1, 2001:db8:1:2:3:4:5:6, 127.0.0.2\r\n");
  EXPECT_THAT(r.body(), HasSubstr(";ip=2001:db8:1:2:3:4:5:6"));
  EXPECT_THAT(r.body(), HasSubstr(";key=2001:db8:1:2::/64"));
}

TEST(ServerOptionsTest, MalformedTrustedProxyFailsListenNamingIt) {
  Router router;
  ServerOptions opts;
  opts.port = 0;
  opts.trusted_proxies = {"10.0.0.0/8", "proxy.example"};
  Server server(router, opts);
  Status st = server.Listen();
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("proxy.example"));
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

// Browsers send some characters raw that RFC 3986 does not allow; they keep their meaning.
TEST(ParseTargetTest, KeepsCharactersBrowsersSendRaw) {
  Request req;
  ASSERT_TRUE(ParseTarget("/search?q=cs.CL|cs.LG&k={a}^b\"c\"&u=\xc3\xa9t\xc3\xa9#top", req).ok());
  EXPECT_EQ(req.path, "/search");
  EXPECT_EQ(req.Param("q"), "cs.CL|cs.LG");
  EXPECT_EQ(req.Param("k"), "{a}^b\"c\"");
  EXPECT_EQ(req.Param("u"), "\xc3\xa9t\xc3\xa9");  // the fragment is dropped
  EXPECT_EQ(req.query.size(), 3u);
  ASSERT_TRUE(ParseTarget("/venue/\xc3\xa9t\xc3\xa9 x|y/a#b?=&&x=1&", req).ok());
  EXPECT_EQ(req.path, "/venue/\xc3\xa9t\xc3\xa9 x|y/a#b");
  ASSERT_EQ(req.query.size(), 2u);  // "" (from "=") and "x"; empty pairs are skipped
  EXPECT_EQ(req.Param("x"), "1");
  EXPECT_TRUE(req.HasParam(""));
  ASSERT_TRUE(ParseTarget("//a/%2Fb/c%20d?%zz=%4", req).ok());
  EXPECT_EQ(req.path, "//a//b/c d");
  EXPECT_EQ(req.Param("%zz"), "%4");
  ASSERT_TRUE(ParseTarget("/q?", req).ok());
  EXPECT_TRUE(req.query.empty());
  // ".." reached through an escaped slash is still a ".." segment.
  EXPECT_FALSE(ParseTarget("/a/%2F..", req).ok());
  EXPECT_FALSE(ParseTarget("/a/%2F../b", req).ok());
}

TEST(ParseTargetTest, ParseQueryStringDecodesLikeTheTarget) {
  std::multimap<std::string, std::string> q;
  ASSERT_TRUE(ParseQueryString("a=1+2&b=%E2%82%AC&c=50%&&d|e={x}#frag", q).ok());
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q.find("a")->second, "1 2");
  EXPECT_EQ(q.find("b")->second, "\xe2\x82\xac");
  EXPECT_EQ(q.find("c")->second, "50%");
  EXPECT_EQ(q.find("d|e")->second, "{x}");
  EXPECT_FALSE(ParseQueryString("x=%00", q).ok());
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
