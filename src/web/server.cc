// Server: accept loop, per-connection sessions, streaming workers, graceful stop. The threading
// design is described in server.h.

#include "web/server.h"

#include <pthread.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <unordered_map>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "web/client_address.h"
#include "web/metrics.h"
#include "web/response_finish.h"
#include "web/sendfile_body.h"

namespace coolpapers::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

class Session;

class Server::Impl {
 public:
  Impl(const Router& router, ServerOptions options);
  ~Impl() { Stop(); }

  Status Listen(uint16_t& bound_port);
  void Run();
  void Stop();

  // Routes `req` (target already set) and runs its handler; never throws. `*route` receives
  // the matched pattern (or a fixed label) for metrics.
  Response Dispatch(Request& req, const std::string** route);
  // An error response built by options.error_page, or a plain-text one.
  Response Error(const Request& req, int status, std::string_view message, std::string_view hint);
  void RecordRequest(const std::string& route, int status, Clock::duration elapsed);

  // Session registry (for graceful stop, caps and eviction). Register fails once stopping.
  bool Register(const std::shared_ptr<Session>& s);
  void Unregister(Session* s);

  const ServerOptions& options() const { return opts_; }
  const TrustedProxies& trusted_proxies() const { return trusted_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  bool hard_stopped() const { return hard_stopped_.load(std::memory_order_acquire); }
  asio::thread_pool& stream_pool() { return *stream_pool_; }
  asio::thread_pool& cpu_pool() { return *cpu_pool_; }
  // Takes a place in the CPU pool's queue; false when it is full.
  bool TryReserveCpu();
  void ReleaseCpu() { cpu_queued_.fetch_sub(1, std::memory_order_acq_rel); }
  // The wait for the next request of an idle connection (shorter under pressure).
  std::chrono::milliseconds IdleWait(std::chrono::milliseconds normal) const;
  void Count(const std::string& name, const std::string& help, const MetricLabels& labels = {});

 private:
  void DoAccept();
  void OnAccept(error_code ec, tcp::socket socket);
  // Admits a new connection under the caps (see server.h); false: refuse it.
  bool Admit(const std::string& key, bool trusted_peer);
  // Closes (asynchronously) the oldest idle connection with `key` ("" = any); false if none.
  // The evicted session is added to `hold`, which the caller must destroy only after releasing
  // mu_: it may be the session's last owner, and ~Session takes mu_ (Unregister).
  bool EvictOldestIdleLocked(const std::string& key, std::vector<std::shared_ptr<Session>>& hold);
  bool UnderPressure() const;
  int64_t NowNs() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
  }

  const Router& router_;
  ServerOptions opts_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> hard_stopped_{false};
  bool started_ = false;
  bool stopped_ = false;
  Gauge* open_connections_ = nullptr;
  TrustedProxies trusted_;
  size_t max_connections_ = 0;  // options.max_connections, lowered to fit RLIMIT_NOFILE
  std::atomic<size_t> open_{0};
  std::atomic<int64_t> pressure_until_ns_{0};  // after a descriptor shortage
  std::atomic<size_t> cpu_queued_{0};

  // Declared before the io_context so they outlive the sessions it destroys.
  std::mutex mu_;
  std::condition_variable drained_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::unordered_map<std::string, size_t> per_key_;  // open connections per client key

  // The request counter and latency histogram of each (route, status) seen, so answering a
  // request costs one short lookup instead of building label sets under the registry's lock.
  struct RouteInstruments {
    Counter* requests = nullptr;
    Histogram* duration = nullptr;
  };
  std::mutex instruments_mu_;
  std::map<std::pair<const std::string*, int>, RouteInstruments> instruments_;

  // One io_context (one epoll) per I/O thread: a connection lives on one thread for its
  // whole life, so its completions never hop between threads nor contend on a shared
  // scheduler. The first also runs the acceptor.
  std::vector<std::unique_ptr<asio::io_context>> iocs_;
  std::atomic<size_t> next_ioc_{0};
  // Keeps every context running while it has no connection yet (run() would return at once).
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> io_work_;
  asio::io_context& ioc() { return *iocs_[0]; }
  // The context of the next accepted connection (round robin).
  asio::io_context& NextIoc() {
    return *iocs_[next_ioc_.fetch_add(1, std::memory_order_relaxed) % iocs_.size()];
  }
  std::unique_ptr<asio::thread_pool> stream_pool_;
  std::unique_ptr<asio::thread_pool> cpu_pool_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::unique_ptr<asio::steady_timer> accept_retry_;
  std::vector<std::thread> threads_;

  static const std::string kUnmatchedRoute;
  static const std::string kInvalidRoute;

  friend class Session;
};

const std::string Server::Impl::kUnmatchedRoute = "(unmatched)";
const std::string Server::Impl::kInvalidRoute = "(invalid)";

namespace {

// The sink a streaming handler writes to: each Write is posted onto the connection's strand as
// one chunk and waited for (see server.h).
class StreamSink : public ChunkSink {
 public:
  StreamSink(std::shared_ptr<Session> session, Server::Impl& server)
      : session_(std::move(session)), server_(server) {}
  bool Write(std::string_view data) override;
  bool failed() const { return failed_; }

 private:
  std::shared_ptr<Session> session_;
  Server::Impl& server_;
  bool failed_ = false;
};

// The sink an asynchronous streaming handler keeps (Response::async_stream). It refers to its
// connection weakly: a producer that outlives the connection (or the server) only gets false
// from its writes. Dropping the last reference before Close() cuts the body off.
class AsyncSink : public AsyncChunkSink {
 public:
  AsyncSink(std::weak_ptr<Session> session, uint64_t generation)
      : session_(std::move(session)), generation_(generation) {}
  ~AsyncSink() override;
  void Write(std::string data, std::function<void(bool ok)> done) override;
  void Post(std::function<void()> fn) override;
  void After(std::chrono::milliseconds delay, std::function<void()> fn) override;
  void Close() override;

 private:
  std::weak_ptr<Session> session_;
  const uint64_t generation_;  // which stream of the connection this sink belongs to
};

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

// One client connection. All members are touched only on the connection's strand, except
// `response_` (which the stream worker uses while the strand leaves it alone).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& server, tcp::socket socket, std::string peer_ip, std::string key,
          bool trusted_peer)
      : server_(server), stream_(std::move(socket)), client_ip_(std::move(peer_ip)),
        key_(std::move(key)), trusted_peer_(trusted_peer) {
    error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    stream_.socket().non_blocking(true, ec);  // for the direct send/sendfile calls
  }
  ~Session() { server_.Unregister(this); }

  auto executor() { return stream_.get_executor(); }
  void Start() { WaitForRequest(); }

  // The socket peer's client key (for the per-IP cap) and whether it is a trusted proxy.
  const std::string& key() const { return key_; }
  bool trusted_peer() const { return trusted_peer_; }

  // Before Start, for a connection over a cap: a best-effort short 503, then close.
  void Refuse() {
    static constexpr std::string_view kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: 55\r\nRetry-After: 5\r\nConnection: close\r\n\r\n"
        "Too many connections are open; retry in a few seconds.\n";
    [[maybe_unused]] ssize_t n = ::send(stream_.socket().native_handle(), kBusy.data(),
                                        kBusy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    Close();
  }
  // Since when the connection waits for a request (steady-clock ns), 0 when it does not.
  int64_t idle_since() const { return idle_since_.load(std::memory_order_acquire); }
  // Claims the connection for eviction (once).
  bool ClaimEviction() { return !evicting_.exchange(true, std::memory_order_acq_rel); }
  // On the strand: closes the connection if it still waits for a request.
  void OnEvict() {
    if (state_ == State::kIdle) {
      server_.Count("coolpapers_http_connections_evicted_total",
                    "Idle connections closed to make room for new ones");
      return Close();
    }
    evicting_ = false;
  }

  // Called on the strand when the server stops: a connection waiting for a request closes now,
  // a stream ends; one with a request in flight closes after answering it.
  void OnServerStop() {
    // A stream ends at stop anyway; cancelling also frees a write stuck on a client that does
    // not read.
    if (async_active_) return EndAsyncStream(false);
    if (state_ == State::kIdle || state_ == State::kReadingHeader ||
        state_ == State::kStreaming) {
      error_code ec;
      stream_.socket().cancel(ec);
    }
  }

  // ---- Asynchronous streams (AsyncSink forwards here; each hops onto the strand) ----

  void AsyncWrite(uint64_t gen, std::string data, std::function<void(bool)> done) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), gen, data = std::move(data),
                                        done = std::move(done)]() mutable {
      if (!self->AsyncCurrent(gen) || self->async_close_ || self->server_.stopping()) {
        return done(false);
      }
      if (data.empty()) return done(true);  // an empty chunk would end the body
      self->chunks_.emplace_back(std::make_shared<std::string>(std::move(data)), std::move(done));
      self->PumpChunks();
    });
  }

  void AsyncPost(uint64_t gen, std::function<void()> fn) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), gen, fn = std::move(fn)] {
      if (self->AsyncCurrent(gen)) fn();
    });
  }

  void AsyncAfter(uint64_t gen, std::chrono::milliseconds delay, std::function<void()> fn) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this(), gen, delay, fn = std::move(fn)]() mutable {
                 if (!self->AsyncCurrent(gen)) return;
                 self->timers_.emplace_back(self->stream_.get_executor());
                 auto it = std::prev(self->timers_.end());
                 it->expires_after(delay);
                 it->async_wait([self, it, gen, fn = std::move(fn)](error_code ec) {
                   self->timers_.erase(it);
                   if (!ec && self->AsyncCurrent(gen)) fn();
                 });
               });
  }

  void AsyncClose(uint64_t gen) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), gen] {
      if (!self->AsyncCurrent(gen)) return;
      self->async_close_ = true;
      self->PumpChunks();
    });
  }

  // The sink was dropped: a stream not closed by then is cut off.
  void AsyncSinkGone(uint64_t gen) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), gen] {
      if (self->AsyncCurrent(gen) && !self->async_close_) self->EndAsyncStream(false);
    });
  }

  // Writes one chunk from a stream worker; `done(ok)` runs on the strand when it completed.
  void WriteChunk(std::shared_ptr<std::string> data, std::function<void(bool)> done) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), data, done] {
      // Once stopping, OnServerStop may already have run: start no write it could not cancel.
      if (self->server_.stopping()) return done(false);
      self->stream_.expires_after(self->server_.options().idle_timeout);
      asio::async_write(self->stream_, http::make_chunk(asio::buffer(*data)),
                        [data, done](error_code ec, size_t) { done(!ec); });
    });
  }

 private:
  enum class State { kIdle, kReadingHeader, kReadingBody, kBusy, kStreaming, kClosed };

  const ServerOptions& opts() const { return server_.options(); }

  bool AsyncCurrent(uint64_t gen) const { return async_active_ && gen == stream_gen_; }

  // Waits for the first byte of the next request (idle timeout between keep-alive requests,
  // shorter under pressure), then reads the header under the header timeout.
  void WaitForRequest() {
    if (server_.stopping()) return Close();
    if (buffer_.size() > 0) return ReadHeader();
    state_ = State::kIdle;
    stream_.expires_after(
        server_.IdleWait(first_request_ ? opts().header_timeout : opts().idle_timeout));
    idle_since_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                          Clock::now().time_since_epoch())
                          .count(),
                      std::memory_order_release);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](error_code ec, size_t n) {
                              self->idle_since_.store(0, std::memory_order_release);
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    state_ = State::kReadingHeader;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(opts().header_limit));
    parser_->body_limit(opts().body_limit);
    // A complete header already in the buffer (the usual case: it came in one segment) is
    // parsed here, sparing a trip through the scheduler; otherwise the read continues below.
    if (buffer_.size() > 0) {
      error_code ec;
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (!ec && parser_->is_header_done()) return OnHeader({});
      if (ec && ec != http::error::need_more) return OnReadError(ec);
    }
    stream_.expires_after(opts().header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](error_code ec, size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(error_code ec) {
    if (ec) return OnReadError(ec);
    if (parser_->get().target().size() > opts().target_limit) {
      return SendErrorAndClose(414, "The address is too long.",
                               "Shorten the URL (at most " +
                                   std::to_string(opts().target_limit) + " bytes).");
    }
    if (parser_->is_done()) return Handle();
    state_ = State::kReadingBody;
    auto read_body = [self = shared_from_this()] {
      self->stream_.expires_after(self->opts().idle_timeout);
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self](error_code ec, size_t) {
                         if (ec) return self->OnReadError(ec);
                         self->Handle();
                       });
    };
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(opts().idle_timeout);
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this(), read_body](error_code ec, size_t) {
                          if (ec) return self->Close();
                          read_body();
                        });
      return;
    }
    read_body();
  }

  void OnReadError(error_code ec) {
    if (ec == http::error::header_limit) {
      if (RequestLineTooLong()) {
        return SendErrorAndClose(414, "The address is too long.",
                                 "Shorten the URL (at most " +
                                     std::to_string(opts().target_limit) + " bytes).");
      }
      return SendErrorAndClose(431, "The request headers are too large.",
                               "Send fewer or smaller headers (cookies?), at most " +
                                   std::to_string(opts().header_limit) + " bytes in total.");
    }
    if (ec == http::error::body_limit) {
      return SendErrorAndClose(413, "The request body is too large.",
                               "Send at most " + std::to_string(opts().body_limit) + " bytes.");
    }
    if (ec == beast::error::timeout || ec == http::error::end_of_stream ||
        ec == asio::error::eof || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == http::error::partial_message) {
      return Close();
    }
    SendErrorAndClose(400, "The request is malformed.",
                      "Send a valid HTTP/1.1 request (" + ec.message() + ").");
  }

  // After a header_limit error: did the request line overflow (414) rather than the fields?
  // Beast consumes the request line once parsed, so an empty target means it never completed.
  bool RequestLineTooLong() const {
    std::string_view target = parser_->get().target();
    return target.empty() || target.size() > opts().target_limit;
  }

  void Handle() {
    state_ = State::kBusy;
    started_ = Clock::now();
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& field : msg) {
      std::string name = LowerAscii(field.name_string());
      auto [it, inserted] = req.headers.try_emplace(std::move(name), field.value());
      if (!inserted) {
        it->second += ", ";
        it->second.append(field.value());
      }
    }
    req.body = std::move(msg.body());
    req.client_ip = client_ip_;
    if (!server_.trusted_proxies().empty()) {
      req.client_ip = ResolveClientIp(client_ip_, server_.trusted_proxies(),
                                      req.Header("forwarded"), req.Header("x-forwarded-for"));
    }
    req.client_key = ClientKey(req.client_ip);
    const std::string* route = nullptr;
    Response r = server_.Dispatch(req, &route);
    bool keep_alive = msg.keep_alive() && !server_.stopping();
    if (r.deferred) return RunDeferred(std::move(req), std::move(r.deferred), msg.version(),
                                       keep_alive, route);
    Send(req, std::move(r), msg.version(), keep_alive, route);
  }

  // Computes the response on the CPU pool; the strand is free meanwhile (state kBusy).
  void RunDeferred(Request req, std::function<Response()> fn, unsigned version, bool keep_alive,
                   const std::string* route) {
    if (!server_.TryReserveCpu()) {
      server_.Count("coolpapers_http_deferred_refused_total",
                    "Requests refused because the CPU pool's queue was full");
      Response busy = server_.Error(req, 503, "The server is busy right now.",
                                    "Retry in a few seconds.");
      busy.SetHeader("Retry-After", "2");
      return Send(req, std::move(busy), version, keep_alive, route);
    }
    auto shared_req = std::make_shared<Request>(std::move(req));
    asio::post(server_.cpu_pool(), [self = shared_from_this(), shared_req, fn = std::move(fn),
                                    version, keep_alive, route] {
      Response r;
      bool failed = false;
      try {
        r = fn();
      } catch (const std::exception& e) {
        spdlog::error("deferred handler for {} {} threw: {}", shared_req->method,
                      shared_req->path, e.what());
        failed = true;
      } catch (...) {
        spdlog::error("deferred handler for {} {} threw", shared_req->method, shared_req->path);
        failed = true;
      }
      if (failed) {
        r = self->server_.Error(*shared_req, 500, "Something went wrong on our side.",
                                "Try again in a moment; if it keeps happening, report the "
                                "address.");
      }
      r.deferred = nullptr;  // no second hop
      self->server_.ReleaseCpu();
      self->SendFromWorker(shared_req, std::move(r), version,
                           keep_alive && !self->server_.stopping(), route);
    });
  }

  // On the CPU-pool thread that computed `r`, while the strand leaves the connection alone
  // (state kBusy: no operation is pending on the socket and nothing else touches the members
  // below): a plain response goes out from here with one non-blocking sendmsg, so the client
  // does not wait for the I/O thread to be scheduled; the strand then only resumes reading (or
  // finishes what the socket did not take at once). Streams and sendfile bodies are handed to
  // the strand whole.
  void SendFromWorker(const std::shared_ptr<Request>& req, Response r, unsigned version,
                      bool keep_alive, const std::string* route) {
    auto self = shared_from_this();
    if (r.stream || r.async_stream) {
      asio::post(stream_.get_executor(),
                 [self, req, r = std::move(r), version, keep_alive, route]() mutable {
                   self->Send(*req, std::move(r), version, keep_alive, route);
                 });
      return;
    }
    route_ = route;
    status_ = r.status;
    response_ = std::move(r);
    wire_.emplace(FinishResponse(*req, response_, version, keep_alive));
    if (SendfileDescriptor(wire_->body().owner) >= 0) {
      asio::post(stream_.get_executor(), [self, keep_alive] {
        self->stream_.expires_after(self->opts().idle_timeout);
        self->SendWithSendfile(keep_alive);
      });
      return;
    }
    error_code ec;
    const size_t sent = TrySendHeadAndBody(ec);
    asio::post(stream_.get_executor(),
               [self, sent, ec, keep_alive] { self->FinishDirect(sent, ec, keep_alive); });
  }

  void Send(const Request& req, Response r, unsigned version, bool keep_alive,
            const std::string* route) {
    route_ = route;
    status_ = r.status;
    response_ = std::move(r);
    wire_.emplace(FinishResponse(req, response_, version, keep_alive));
    stream_.expires_after(opts().idle_timeout);
    if (response_.stream || response_.async_stream) {
      serializer_.emplace(*wire_);
      bool run_stream = req.method != "HEAD";
      http::async_write_header(
          stream_, *serializer_,
          [self = shared_from_this(), keep_alive, run_stream](error_code ec, size_t) {
            if (ec) return self->Close();
            if (!run_stream) return self->OnWritten({}, keep_alive);
            if (self->response_.async_stream) return self->StartAsyncStream(keep_alive);
            self->StartStream(keep_alive);
          });
      return;
    }
    if (SendfileDescriptor(wire_->body().owner) >= 0) return SendWithSendfile(keep_alive);
    SendDirect(keep_alive);
  }

  // Writes head and body with one non-blocking sendmsg; only what the socket did not take
  // right away goes through an asynchronous write. Most responses thus cost one syscall and
  // no extra trip through the scheduler.
  void SendDirect(bool keep_alive) {
    error_code ec;
    const size_t sent = TrySendHeadAndBody(ec);
    FinishDirect(sent, ec, keep_alive);
  }

  // Renders head_ from wire_ and sends head and body with one non-blocking sendmsg; returns the
  // bytes the socket took (`ec` set on a hard error). Touches no asio state.
  size_t TrySendHeadAndBody(error_code& ec) {
    head_ = RenderHead(*wire_);
    std::string_view body = wire_->body().view;
    iovec iov[2] = {{head_.data(), head_.size()},
                    {const_cast<char*>(body.data()), body.size()}};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = body.empty() ? 1 : 2;
    ssize_t n;
    do {
      n = ::sendmsg(stream_.socket().native_handle(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      ec = error_code(errno, boost::system::system_category());
    }
    return n > 0 ? static_cast<size_t>(n) : 0;
  }

  // On the strand, after TrySendHeadAndBody: done, failed, or the rest written asynchronously.
  void FinishDirect(size_t sent, error_code ec, bool keep_alive) {
    if (ec) return OnWritten(ec, keep_alive);
    std::string_view body = wire_->body().view;
    if (sent == head_.size() + body.size()) return OnWritten({}, keep_alive);
    stream_.expires_after(opts().idle_timeout);
    size_t head_sent = std::min(sent, head_.size());
    size_t body_sent = sent - head_sent;
    std::array<asio::const_buffer, 2> rest = {
        asio::buffer(head_.data() + head_sent, head_.size() - head_sent),
        asio::buffer(body.data() + body_sent, body.size() - body_sent)};
    asio::async_write(stream_, rest,
                      [self = shared_from_this(), keep_alive](error_code ec, size_t) {
                        self->OnWritten(ec, keep_alive);
                      });
  }

  // Large shared bodies with a memfd twin go out with sendfile(2): the header first (corked
  // with MSG_MORE), then the file, waiting for writability whenever the socket buffer is full.
  void SendWithSendfile(bool keep_alive) {
    file_body_ = std::move(wire_->body().owner);
    file_size_ = wire_->body().view.size();
    wire_->body().view = {};
    head_ = RenderHead(*wire_);
    ssize_t n = ::send(stream_.socket().native_handle(), head_.data(), head_.size(),
                       MSG_MORE | MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n == static_cast<ssize_t>(head_.size())) return SendFileFrom(0, keep_alive);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return OnWritten(error_code(errno, boost::system::system_category()), keep_alive);
    }
    size_t sent = n > 0 ? static_cast<size_t>(n) : 0;
    asio::async_write(stream_, asio::buffer(head_.data() + sent, head_.size() - sent),
                      [self = shared_from_this(), keep_alive](error_code ec, size_t) {
                        if (ec) return self->OnWritten(ec, keep_alive);
                        self->SendFileFrom(0, keep_alive);
                      });
  }

  void SendFileFrom(size_t offset, bool keep_alive) {
    const int sock = stream_.socket().native_handle();
    const int fd = SendfileDescriptor(file_body_);
    while (offset < file_size_) {
      off_t off = static_cast<off_t>(offset);
      ssize_t n = ::sendfile(sock, fd, &off, file_size_ - offset);
      if (n > 0) {
        offset += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        // Wait until writable, bounded by the idle timeout (the timer cancels the wait).
        write_timer_.expires_after(opts().idle_timeout);
        write_timer_.async_wait([self = shared_from_this()](error_code ec) {
          error_code ignored;
          if (!ec) self->stream_.socket().cancel(ignored);
        });
        stream_.socket().async_wait(
            tcp::socket::wait_write,
            [self = shared_from_this(), offset, keep_alive](error_code ec) {
              self->write_timer_.cancel();
              if (ec) return self->OnWritten(ec, keep_alive);
              self->SendFileFrom(offset, keep_alive);
            });
        return;
      }
      return OnWritten(error_code(n < 0 ? errno : EIO, boost::system::system_category()),
                       keep_alive);
    }
    OnWritten({}, keep_alive);
  }

  void StartStream(bool keep_alive) {
    state_ = State::kStreaming;
    // The stream has no operation pending on the io_context between chunks: keep the I/O
    // threads running until it has handed the connection back.
    auto work = asio::make_work_guard(stream_.get_executor());
    asio::post(server_.stream_pool(), [self = shared_from_this(), keep_alive, work] {
      StreamSink sink(self, self->server_);
      bool ok = true;
      try {
        self->response_.stream(sink);
      } catch (const std::exception& e) {
        spdlog::error("streaming response threw: {}", e.what());
        ok = false;
      } catch (...) {
        spdlog::error("streaming response threw a non-standard exception");
        ok = false;
      }
      ok = ok && !sink.failed();
      asio::post(self->stream_.get_executor(),
                 [self, ok, keep_alive] { self->FinishStream(ok, keep_alive); });
    });
  }

  void StartAsyncStream(bool keep_alive) {
    state_ = State::kStreaming;
    async_active_ = true;
    async_close_ = false;
    async_keep_alive_ = keep_alive;
    ++stream_gen_;
    // Nothing may be pending on the io_context while the producer waits: keep the connection
    // and the I/O threads alive until the stream ends.
    hold_ = shared_from_this();
    work_.emplace(asio::make_work_guard(stream_.get_executor()));
    auto sink = std::make_shared<AsyncSink>(weak_from_this(), stream_gen_);
    try {
      response_.async_stream(std::move(sink));
    } catch (const std::exception& e) {
      spdlog::error("asynchronous stream threw: {}", e.what());
    } catch (...) {
      spdlog::error("asynchronous stream threw a non-standard exception");
    }
  }

  // Writes queued chunks one at a time; after Close() and the last chunk, ends the body.
  void PumpChunks() {
    if (!async_active_ || chunk_writing_) return;
    if (chunks_.empty()) {
      if (async_close_) EndAsyncStream(true);
      return;
    }
    chunk_writing_ = true;
    std::shared_ptr<std::string> data = chunks_.front().first;
    stream_.expires_after(opts().idle_timeout);
    asio::async_write(stream_, http::make_chunk(asio::buffer(*data)),
                      [self = shared_from_this(), data](error_code ec, size_t) {
                        self->chunk_writing_ = false;
                        std::function<void(bool)> done = std::move(self->chunks_.front().second);
                        self->chunks_.pop_front();
                        if (ec) {
                          self->EndAsyncStream(false);
                          return done(false);
                        }
                        done(true);
                        self->PumpChunks();
                      });
  }

  // Ends the current asynchronous stream: with the terminating chunk (ok) or by closing.
  void EndAsyncStream(bool ok) {
    if (!async_active_) return;
    async_active_ = false;
    for (auto& t : timers_) t.cancel();
    // Fail the waiting chunks (the one being written reports through its own completion).
    std::deque<std::pair<std::shared_ptr<std::string>, std::function<void(bool)>>> failed;
    if (chunk_writing_ && !chunks_.empty()) {
      failed.swap(chunks_);
      chunks_.push_back(std::move(failed.front()));
      failed.pop_front();
    } else {
      failed.swap(chunks_);
    }
    for (auto& [data, done] : failed) done(false);
    auto self = std::move(hold_);  // keeps *this alive to the end of this call
    work_.reset();
    if (!ok || server_.stopping()) return Close();
    FinishStream(true, async_keep_alive_);
  }

  void FinishStream(bool ok, bool keep_alive) {
    if (!ok) return Close();  // no terminating chunk: the client sees a truncated body
    stream_.expires_after(opts().idle_timeout);
    asio::async_write(stream_, http::make_chunk_last(),
                      [self = shared_from_this(), keep_alive](error_code ec, size_t) {
                        self->OnWritten(ec, keep_alive);
                      });
  }

  void OnWritten(error_code ec, bool keep_alive) {
    server_.RecordRequest(route_ ? *route_ : Server::Impl::kInvalidRoute, status_,
                          Clock::now() - started_);
    wire_.reset();
    serializer_.reset();
    response_ = Response();
    file_body_.reset();
    head_.clear();
    if (ec || !keep_alive || server_.stopping()) return Close();
    first_request_ = false;
    WaitForRequest();
  }

  // Answers an error detected while reading, then closes without resetting the connection.
  void SendErrorAndClose(int status, std::string_view message, std::string hint) {
    state_ = State::kBusy;
    started_ = Clock::now();
    Request req;
    req.method = "GET";
    if (parser_ && parser_->got_some()) {
      req.method = std::string(parser_->get().method_string());
      req.target = std::string(parser_->get().target().substr(0, 256));
    }
    req.path = req.target.substr(0, req.target.find('?'));
    req.client_ip = client_ip_;
    req.client_key = ClientKey(client_ip_);
    Response r = server_.Error(req, status, message, hint);
    route_ = &Server::Impl::kInvalidRoute;
    status_ = r.status;
    response_ = std::move(r);
    wire_.emplace(FinishResponse(req, response_, 11, /*keep_alive=*/false));
    stream_.expires_after(opts().idle_timeout);
    http::async_write(stream_, *wire_, [self = shared_from_this()](error_code ec, size_t) {
      self->server_.RecordRequest(*self->route_, self->status_, Clock::now() - self->started_);
      if (ec) return self->Close();
      self->LingeringClose();
    });
  }

  // Shuts down our side, then reads and discards what the client still sends (bounded in time
  // and bytes) so closing does not reset the connection before it has read our answer.
  void LingeringClose() {
    state_ = State::kClosed;
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::min<std::chrono::milliseconds>(opts().idle_timeout,
                                                               std::chrono::seconds(2)));
    Drain();
  }

  void Drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this()](error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > (size_t{8} << 20)) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    state_ = State::kClosed;
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  Server::Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string client_ip_;  // the socket peer
  const std::string key_;  // its client key
  const bool trusted_peer_;
  State state_ = State::kIdle;
  bool first_request_ = true;
  size_t drained_ = 0;
  std::atomic<int64_t> idle_since_{0};
  std::atomic<bool> evicting_{false};

  // The asynchronous stream in flight (Response::async_stream).
  uint64_t stream_gen_ = 0;
  bool async_active_ = false;
  bool async_close_ = false;
  bool async_keep_alive_ = false;
  bool chunk_writing_ = false;
  std::deque<std::pair<std::shared_ptr<std::string>, std::function<void(bool)>>> chunks_;
  std::list<asio::steady_timer> timers_;
  std::shared_ptr<Session> hold_;
  std::optional<asio::executor_work_guard<asio::any_io_executor>> work_;

  // The response in flight.
  Response response_;
  std::optional<WireResponse> wire_;
  std::optional<http::serializer<false, SharedBody>> serializer_;
  std::shared_ptr<const std::string> file_body_;  // a body sent with sendfile
  size_t file_size_ = 0;
  std::string head_;
  asio::steady_timer write_timer_{stream_.get_executor()};
  const std::string* route_ = nullptr;
  int status_ = 0;
  Clock::time_point started_;
};

namespace {

AsyncSink::~AsyncSink() {
  if (auto s = session_.lock()) s->AsyncSinkGone(generation_);
}

void AsyncSink::Write(std::string data, std::function<void(bool ok)> done) {
  auto s = session_.lock();
  if (!s) return done(false);
  s->AsyncWrite(generation_, std::move(data), std::move(done));
}

void AsyncSink::Post(std::function<void()> fn) {
  if (auto s = session_.lock()) s->AsyncPost(generation_, std::move(fn));
}

void AsyncSink::After(std::chrono::milliseconds delay, std::function<void()> fn) {
  if (auto s = session_.lock()) s->AsyncAfter(generation_, delay, std::move(fn));
}

void AsyncSink::Close() {
  if (auto s = session_.lock()) s->AsyncClose(generation_);
}

struct PendingChunk {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  bool ok = false;
};

bool StreamSink::Write(std::string_view data) {
  if (failed_ || server_.stopping()) {
    failed_ = true;
    return false;
  }
  if (data.empty()) return true;  // an empty chunk would end the body
  auto pending = std::make_shared<PendingChunk>();
  session_->WriteChunk(std::make_shared<std::string>(data), [pending](bool ok) {
    std::lock_guard lock(pending->mu);
    pending->done = true;
    pending->ok = ok;
    pending->cv.notify_all();
  });
  std::unique_lock lock(pending->mu);
  while (!pending->done) {
    pending->cv.wait_for(lock, std::chrono::milliseconds(100));
    if (!pending->done && server_.hard_stopped()) {
      failed_ = true;
      return false;
    }
  }
  if (!pending->ok) failed_ = true;
  return pending->ok;
}

}  // namespace

// ---- Server::Impl --------------------------------------------------------------------------

Server::Impl::Impl(const Router& router, ServerOptions options)
    : router_(router), opts_(std::move(options)) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int n = opts_.io_threads > 0 ? opts_.io_threads : cores;
  for (int i = 0; i < n; ++i) iocs_.push_back(std::make_unique<asio::io_context>(1));
  if (opts_.metrics) {
    open_connections_ = &opts_.metrics->GetGauge("coolpapers_http_open_connections",
                                                 "HTTP connections currently open");
  }
}

Status Server::Impl::Listen(uint16_t& bound_port) {
  if (acceptor_) return Status::FailedPrecondition("the server is already listening");
  Result<TrustedProxies> trusted = TrustedProxies::Parse(opts_.trusted_proxies);
  if (!trusted) return trusted.error();
  trusted_ = std::move(*trusted);
  error_code ec;
  asio::ip::address addr = asio::ip::make_address(opts_.host, ec);
  if (ec) {
    tcp::resolver resolver(ioc());
    auto results = resolver.resolve(opts_.host, std::to_string(opts_.port), ec);
    if (ec || results.empty()) {
      return Status::InvalidArgument("cannot resolve listen host '" + opts_.host +
                                     "'; use an IP address such as 127.0.0.1");
    }
    addr = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(addr, opts_.port);
  std::string where = opts_.host + ":" + std::to_string(opts_.port);
  acceptor_ = std::make_unique<tcp::acceptor>(asio::make_strand(ioc()));
  accept_retry_ = std::make_unique<asio::steady_timer>(acceptor_->get_executor());
  if (acceptor_->open(endpoint.protocol(), ec) ||
      acceptor_->set_option(asio::socket_base::reuse_address(true), ec) ||
      acceptor_->bind(endpoint, ec) ||
      acceptor_->listen(asio::socket_base::max_listen_connections, ec)) {
    return Status::Unavailable("cannot listen on " + where + ": " + ec.message() +
                               "; pick another address with --listen HOST:PORT");
  }
  bound_port = acceptor_->local_endpoint().port();
  return Status::Ok();
}

void Server::Impl::Run() {
  {
    std::lock_guard lock(mu_);
    if (!acceptor_ || started_) return;
    started_ = true;
  }
  stream_pool_ = std::make_unique<asio::thread_pool>(std::max(1, opts_.stream_threads));
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cpu_pool_ = std::make_unique<asio::thread_pool>(opts_.cpu_threads > 0 ? opts_.cpu_threads
                                                                         : cores);
  // Leave descriptors for files, the store and sendfile bodies: a quarter of the limit (at
  // least 32) is never used for connections.
  max_connections_ = std::max<size_t>(1, opts_.max_connections);
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    size_t reserve = std::max<size_t>(32, lim.rlim_cur / 4);
    size_t room = lim.rlim_cur > reserve ? lim.rlim_cur - reserve : 1;
    if (room < max_connections_) {
      spdlog::info("at most {} connections: the open-file limit is {}", room, lim.rlim_cur);
      max_connections_ = room;
    }
  }
  DoAccept();
  for (auto& ioc : iocs_) {
    io_work_.push_back(asio::make_work_guard(*ioc));
    threads_.emplace_back([&ioc] {
      // sendfile(2) has no MSG_NOSIGNAL: keep a peer's reset from killing the process with
      // SIGPIPE (the write then fails with EPIPE as it should).
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
      ioc->run();
    });
  }
}

void Server::Impl::DoAccept() {
  acceptor_->async_accept(NextIoc().get_executor(), [this](error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void Server::Impl::OnAccept(error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
  if (ec) {
    // E.g. out of file descriptors: back off briefly instead of spinning; meanwhile free some
    // descriptors held by idle connections and wait less for idle ones from now on.
    Count("coolpapers_http_accept_errors_total", "Failed accept calls (e.g. out of descriptors)");
    if (ec == asio::error::no_descriptors || ec.value() == ENFILE ||
        ec == asio::error::no_buffer_space || ec == asio::error::no_memory) {
      pressure_until_ns_.store(NowNs() + std::chrono::nanoseconds(std::chrono::seconds(10)).count());
      std::vector<std::shared_ptr<Session>> evicted;  // destroyed after the lock (see Evict...)
      std::lock_guard lock(mu_);
      for (int i = 0; i < 8 && EvictOldestIdleLocked("", evicted); ++i) {
      }
    }
    spdlog::warn("accept failed: {}; retrying in 100 ms", ec.message());
    accept_retry_->expires_after(std::chrono::milliseconds(100));
    accept_retry_->async_wait([this](error_code wec) {
      if (!wec && acceptor_->is_open()) DoAccept();
    });
    return;
  }
  error_code pec;
  tcp::endpoint peer = socket.remote_endpoint(pec);
  std::string peer_ip = pec ? std::string() : peer.address().to_string();
  std::optional<IpAddress> parsed = IpAddress::Parse(peer_ip);
  if (parsed) peer_ip = parsed->ToString();  // ::ffff:a.b.c.d -> a.b.c.d
  std::string key = ClientKey(peer_ip);
  bool trusted_peer = parsed && trusted_.Contains(*parsed);
  auto session = std::make_shared<Session>(*this, std::move(socket), peer_ip, key, trusted_peer);
  if (Register(session)) {
    asio::post(session->executor(), [session] { session->Start(); });
  }
  DoAccept();
}

bool Server::Impl::EvictOldestIdleLocked(const std::string& key,
                                         std::vector<std::shared_ptr<Session>>& hold) {
  Session* oldest = nullptr;
  int64_t oldest_since = 0;
  for (auto& [ptr, weak] : sessions_) {
    int64_t since = ptr->idle_since();
    if (since == 0 || (!key.empty() && ptr->key() != key)) continue;
    if (oldest == nullptr || since < oldest_since) {
      oldest = ptr;
      oldest_since = since;
    }
  }
  if (oldest == nullptr) return false;
  std::shared_ptr<Session> victim = sessions_[oldest].lock();
  if (!victim) return false;
  hold.push_back(victim);
  if (!victim->ClaimEviction()) return false;
  asio::post(victim->executor(), [victim] { victim->OnEvict(); });
  return true;
}

bool Server::Impl::Register(const std::shared_ptr<Session>& s) {
  std::vector<std::shared_ptr<Session>> evicted;  // destroyed after the lock (see Evict...)
  std::unique_lock lock(mu_);
  if (stopping_) return false;
  const char* refused = nullptr;
  if (!s->trusted_peer() && opts_.max_connections_per_ip > 0) {
    auto it = per_key_.find(s->key());
    if (it != per_key_.end() && it->second >= opts_.max_connections_per_ip &&
        !EvictOldestIdleLocked(s->key(), evicted)) {
      refused = "per_ip";
    }
  }
  if (!refused && sessions_.size() >= max_connections_ && !EvictOldestIdleLocked("", evicted)) {
    refused = "total";
  }
  if (refused) {
    lock.unlock();
    Count("coolpapers_http_connections_refused_total",
          "Connections refused at accept because a connection cap was reached",
          {{"cap", refused}});
    s->Refuse();
    return false;
  }
  sessions_.emplace(s.get(), s);
  ++per_key_[s->key()];
  open_.store(sessions_.size(), std::memory_order_release);
  if (open_connections_) open_connections_->Add(1);
  return true;
}

void Server::Impl::Unregister(Session* s) {
  std::lock_guard lock(mu_);
  if (sessions_.erase(s) == 0) return;
  if (auto it = per_key_.find(s->key()); it != per_key_.end() && --it->second == 0) {
    per_key_.erase(it);
  }
  open_.store(sessions_.size(), std::memory_order_release);
  if (open_connections_) open_connections_->Add(-1);
  if (sessions_.empty()) drained_.notify_all();
}

bool Server::Impl::UnderPressure() const {
  size_t open = open_.load(std::memory_order_acquire);
  return open > max_connections_ / 5 * 4 ||
         NowNs() < pressure_until_ns_.load(std::memory_order_acquire);
}

std::chrono::milliseconds Server::Impl::IdleWait(std::chrono::milliseconds normal) const {
  return UnderPressure() ? std::min(normal, opts_.pressure_idle_timeout) : normal;
}

bool Server::Impl::TryReserveCpu() {
  size_t queued = cpu_queued_.fetch_add(1, std::memory_order_acq_rel);
  if (queued >= std::max<size_t>(1, opts_.cpu_queue_limit)) {
    cpu_queued_.fetch_sub(1, std::memory_order_acq_rel);
    return false;
  }
  return true;
}

void Server::Impl::Count(const std::string& name, const std::string& help,
                         const MetricLabels& labels) {
  if (opts_.metrics) opts_.metrics->GetCounter(name, help, labels).Inc();
}

void Server::Impl::Stop() {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopped_) return;
    stopped_ = true;
    stopping_ = true;
    for (auto& [ptr, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  // io_work_ keeps the I/O threads alive until the sessions drained, even when the listener
  // closes before the per-session stop notices below are queued.
  asio::post(acceptor_->get_executor(), [this] {
    error_code ec;
    acceptor_->close(ec);
    accept_retry_->cancel();
  });
  for (auto& s : live) asio::post(s->executor(), [s] { s->OnServerStop(); });
  live.clear();
  {
    std::unique_lock lock(mu_);
    drained_.wait_for(lock, opts_.stop_grace, [this] { return sessions_.empty(); });
  }
  hard_stopped_ = true;
  io_work_.clear();
  for (auto& ioc : iocs_) ioc->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  stream_pool_->join();
  cpu_pool_->join();
}

Response Server::Impl::Error(const Request& req, int status, std::string_view message,
                             std::string_view hint) {
  if (opts_.error_page) {
    try {
      return opts_.error_page(req, status, message, hint);
    } catch (const std::exception& e) {
      spdlog::error("error page for {} failed: {}", status, e.what());
    } catch (...) {
      spdlog::error("error page for {} failed", status);
    }
  }
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::to_string(status) + " " + std::string(message) + "\n" + std::string(hint) + "\n";
  return r;
}

Response Server::Impl::Dispatch(Request& req, const std::string** route) {
  *route = &kInvalidRoute;
  if (Status st = ParseTarget(req.target, req); !st.ok()) {
    return Error(req, 400, st.message(), "Check the address for typos.");
  }
  std::vector<std::string> allowed;
  const Handler* handler = router_.Match(req, &allowed, route);
  if (!handler) {
    *route = &kUnmatchedRoute;
    if (!allowed.empty()) {
      std::string allow;
      for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
      Response r = Error(req, 405, "This address does not accept " + req.method + " requests.",
                         "Use " + allow + ".");
      r.SetHeader("Allow", allow);
      return r;
    }
    return Error(req, 404, "There is no page at this address.",
                 "Check the address, or start from the home page.");
  }
  try {
    return (*handler)(req);
  } catch (const std::exception& e) {
    spdlog::error("handler for {} {} threw: {}", req.method, req.path, e.what());
  } catch (...) {
    spdlog::error("handler for {} {} threw a non-standard exception", req.method, req.path);
  }
  return Error(req, 500, "Something went wrong on our side.",
               "Try again in a moment; if it keeps happening, report the address.");
}

void Server::Impl::RecordRequest(const std::string& route, int status, Clock::duration elapsed) {
  if (!opts_.metrics) return;
  RouteInstruments in;
  {
    std::lock_guard lock(instruments_mu_);
    in = instruments_[{&route, status}];
  }
  if (!in.requests) {
    // First answer with this (route, status): register the pair (route strings outlive the
    // server: they are the router's patterns or the fixed labels above).
    in.requests = &opts_.metrics->GetCounter("coolpapers_http_requests_total",
                                             "HTTP requests answered, by route and status",
                                             {{"route", route}, {"status", std::to_string(status)}});
    in.duration = &opts_.metrics->GetHistogram(
        "coolpapers_http_request_duration_seconds",
        "Time from a complete request header to the end of its response", {{"route", route}});
    std::lock_guard lock(instruments_mu_);
    instruments_[{&route, status}] = in;
  }
  in.requests->Inc();
  in.duration->Observe(std::chrono::duration<double>(elapsed).count());
}

// ---- Server --------------------------------------------------------------------------------

Server::Server(const Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

Server::~Server() { Stop(); }

Status Server::Listen() { return impl_->Listen(bound_port_); }

void Server::Run() { impl_->Run(); }

Status Server::Start() {
  Status st = Listen();
  if (st.ok()) Run();
  return st;
}

void Server::Stop() { impl_->Stop(); }

std::string Server::url() const {
  std::string host = impl_->options().host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(bound_port_);
}

Status ParseListenAddress(std::string_view listen, std::string& host, uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument("listen address '" + std::string(listen) +
                                   "' has no port; use HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string_view h = listen.substr(0, colon);
  std::string_view p = listen.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  int value = 0;
  bool digits = !p.empty() && p.size() <= 5;
  for (char c : p) {
    if (c < '0' || c > '9') digits = false;
    else value = value * 10 + (c - '0');
  }
  if (!digits || value > 65535) {
    return Status::InvalidArgument("listen address '" + std::string(listen) +
                                   "' has a bad port; use HOST:PORT with PORT in 0-65535");
  }
  host = h.empty() ? "127.0.0.1" : std::string(h);
  port = static_cast<uint16_t>(value);
  return Status::Ok();
}

}  // namespace coolpapers::web
