#pragma once
// Server: the HTTP/1.1 server (Boost.Beast + Asio) in front of a Router.
//
// Threading design:
// - N I/O threads, each running its own io_context (its own epoll); accepted connections are
//   dealt to them in turn. Each connection is a Session that lives on one I/O thread, which
//   serialises its handlers (its "strand" below) with no hand-over between threads: it reads
//   one request, runs the (synchronous, fast) handler on the I/O thread, writes the response,
//   then reads the next. Pipelined requests wait in the read buffer, so responses keep order.
// - Responses go out with one non-blocking sendmsg of head + body (the body is never copied:
//   shared bodies are referenced); what the socket does not take at once is finished
//   asynchronously. Large shared bodies with a memfd twin (web/sendfile_body.h) are sent with
//   sendfile(2), sparing the kernel's copy of every byte.
// - A handler returning Response::stream gets its header written with chunked encoding on the
//   I/O side; then `stream(sink)` runs on a separate worker pool (never an I/O thread). Each
//   sink.Write posts the chunk back onto the connection's strand (async_write with the write
//   timeout) and waits for its completion, so the socket is only ever touched by its strand and
//   every Write is flushed before it returns (what SSE needs). Write returns false once a write
//   failed (client gone, timed out) or the server is stopping. The connection resumes reading
//   after the terminating chunk.
// - A handler returning Response::async_stream gets its header written, then async_stream(sink)
//   is called once on the connection's strand. The handler keeps the AsyncChunkSink and writes
//   to it from any thread; chunks are queued and written by the strand, each completion
//   reported to its callback; timers (sink.After) run on the strand too. No thread waits for
//   the producer, so any number of such streams costs no threads. The stream ends with
//   sink.Close() (terminating chunk), or when the sink is dropped, the client goes, a write
//   times out or the server stops (each write's callback then reports false).
// - A handler returning Response::deferred: the I/O thread queues deferred() on the bounded
//   CPU pool (cpu_threads workers, at most cpu_queue_limit waiting; beyond, 503 + Retry-After)
//   and returns to other connections. The pool thread sends the result itself with one
//   non-blocking write (the connection has nothing pending meanwhile), so the client never
//   waits for the I/O thread to be scheduled again; the strand then resumes reading, or writes
//   what the socket did not take (streams and sendfile bodies go through the strand whole).
// - Connection caps: at most max_connections open (lowered to what RLIMIT_NOFILE leaves room
//   for) and max_connections_per_ip per client key (the /64 of an IPv6 peer; trusted proxies
//   are exempt). A connection over a cap first displaces the oldest idle connection (one
//   waiting for a request) of the same scope; when there is none it gets a short 503 and is
//   closed at once, so the listener keeps draining. Over 80% of the total cap, or after an
//   accept failed for lack of descriptors (then also some idle connections are closed), the
//   wait for the next keep-alive request shrinks to pressure_idle_timeout. Accept errors back
//   off 100 ms and retry.
// - Client address: the socket peer, or, when the peer is in trusted_proxies, what
//   Forwarded / X-Forwarded-For report (web/client_address.h); Request::client_key buckets it.
// - Stop(): closes the listener, closes idle connections, lets in-flight requests finish (their
//   responses carry Connection: close), ends streams (Write -> false), then joins the threads;
//   anything still open after `stop_grace` is cut.
//
// Limits: a header block over header_limit -> 431, a request target over target_limit -> 414
// (also when the request line alone overflows the header limit), a body over body_limit -> 413,
// a malformed request -> 400; these close the connection after the answer.
// Timeouts: header_timeout to receive a complete header block (from its first byte, or from
// accept for a new connection), idle_timeout between keep-alive requests, for the body, and
// for each write.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"
#include "web/http.h"
#include "web/router.h"

namespace coolpapers::web {

class Metrics;

// Builds the response for an error the server itself detects (400/404/405/413/414/431/500).
using ErrorResponder = std::function<Response(const Request& req, int status,
                                              std::string_view message, std::string_view hint)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;          // 0: an ephemeral port (see Server::port())
  int io_threads = 0;            // 0: one per core
  int stream_threads = 16;       // workers running Response::stream
  int cpu_threads = 0;           // workers running Response::deferred; 0: one per core
  size_t cpu_queue_limit = 256;  // deferred responses waiting; beyond, 503 + Retry-After
  size_t max_connections = 10'000;
  size_t max_connections_per_ip = 256;  // 0: no per-IP cap
  // Addresses / CIDR blocks of reverse proxies whose Forwarded / X-Forwarded-For is believed.
  std::vector<std::string> trusted_proxies;
  std::chrono::milliseconds pressure_idle_timeout{5'000};
  size_t body_limit = size_t{1} << 20;
  size_t header_limit = size_t{16} << 10;
  size_t target_limit = size_t{8} << 10;
  std::chrono::milliseconds header_timeout{15'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds stop_grace{10'000};
  Metrics* metrics = nullptr;    // request counters, latencies, open connections (optional)
  // HTML/JSON error pages (cmd_serve passes ErrorPage/JsonError from render.h); when unset a
  // plain-text body is used.
  ErrorResponder error_page;
};

// Parses "HOST:PORT" (also "[::1]:PORT" and ":PORT" = 127.0.0.1) into `host` and `port`.
Status ParseListenAddress(std::string_view listen, std::string& host, uint16_t& port);

// Splits a request target into Request::path (percent-decoded) and Request::query. Rejects
// (InvalidArgument, with a message a person can act on) a target not starting with '/', a
// malformed escape or NUL in the path, any ".." segment, and NUL in the query. Malformed escapes
// in the query are kept literally; '+' in the query is a space.
Status ParseTarget(std::string_view target, Request& req);
Status ParseQueryString(std::string_view qs, std::multimap<std::string, std::string>& out);

class Server {
 public:
  Server(const Router& router, ServerOptions options);
  ~Server();  // Stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens (no request is accepted yet). Fails with a message naming the address
  // when the address is malformed or in use.
  Status Listen();
  // Starts accepting and the threads; requires a successful Listen().
  void Run();
  // Listen() then Run().
  Status Start();
  // The bound port (useful with port 0) and "http://HOST:PORT"; valid after Start().
  uint16_t port() const { return bound_port_; }
  std::string url() const;

  // Graceful stop (see above); idempotent; blocks until the threads have finished.
  void Stop();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
  uint16_t bound_port_ = 0;
};

}  // namespace coolpapers::web
