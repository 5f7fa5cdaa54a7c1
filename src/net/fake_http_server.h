#pragma once
// FakeHttpServer: a tiny HTTP/1.1 server on 127.0.0.1 for net, harvest and llm unit tests (test-only; never
// linked into the product). Each connection gets one scripted reply and is then closed. The
// reply can also misbehave: reset the connection, stall, or cut the body short. Every request's
// arrival time (steady clock), target and headers are recorded.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace coolpapers::testing {

struct FakeRequest {
  std::string method;
  std::string target;  // path + query
  std::map<std::string, std::string> headers;  // lower-case names
  std::chrono::steady_clock::time_point arrived;  // when the connection was accepted
};

struct FakeReply {
  enum class Action { kNormal, kReset, kStall, kTruncate };
  int status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
  Action action = Action::kNormal;
  std::chrono::milliseconds stall{0};  // kStall: sleep this long, then close without replying
};

class FakeHttpServer {
 public:
  using Handler = std::function<FakeReply(const FakeRequest&)>;

  explicit FakeHttpServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~FakeHttpServer() {
    stop_ = true;
    acceptor_.join();
    for (auto& t : workers_) t.join();
    ::close(fd_);
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::vector<FakeRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void AcceptLoop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      auto accepted = std::chrono::steady_clock::now();
      workers_.emplace_back([this, c, accepted] { Serve(c, accepted); });
    }
  }

  static std::string Lower(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }

  void Serve(int c, std::chrono::steady_clock::time_point accepted) {
    std::string in;
    char buf[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) break;
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
    }
    FakeRequest req;
    req.arrived = accepted;
    auto line_end = in.find("\r\n");
    std::string line = in.substr(0, line_end);
    auto sp1 = line.find(' ');
    auto sp2 = line.find(' ', sp1 + 1);
    if (sp1 != std::string::npos && sp2 != std::string::npos) {
      req.method = line.substr(0, sp1);
      req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    }
    size_t pos = line_end == std::string::npos ? in.size() : line_end + 2;
    while (pos < in.size()) {
      auto e = in.find("\r\n", pos);
      if (e == std::string::npos || e == pos) break;
      std::string h = in.substr(pos, e - pos);
      auto colon = h.find(':');
      if (colon != std::string::npos) {
        std::string v = h.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.erase(v.begin());
        req.headers[Lower(h.substr(0, colon))] = v;
      }
      pos = e + 2;
    }
    {
      std::lock_guard lock(mu_);
      requests_.push_back(req);
    }
    FakeReply reply = handler_(req);
    switch (reply.action) {
      case FakeReply::Action::kReset: {
        linger l{1, 0};
        ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        break;
      }
      case FakeReply::Action::kStall: {
        auto until = std::chrono::steady_clock::now() + reply.stall;
        while (!stop_ && std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        break;
      }
      case FakeReply::Action::kNormal:
      case FakeReply::Action::kTruncate: {
        std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\n";
        size_t declared = reply.body.size();
        std::string body = reply.body;
        if (reply.action == FakeReply::Action::kTruncate) body = body.substr(0, body.size() / 2);
        out += "Content-Length: " + std::to_string(declared) + "\r\nConnection: close\r\n";
        for (const auto& [k, v] : reply.headers) out += k + ": " + v + "\r\n";
        out += "\r\n" + body;
        size_t sent = 0;
        while (sent < out.size()) {
          ssize_t n = ::send(c, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
          if (n <= 0) break;
          sent += static_cast<size_t>(n);
        }
        break;
      }
    }
    ::close(c);
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::vector<std::thread> workers_;  // touched only by the acceptor thread until the join
  mutable std::mutex mu_;
  std::vector<FakeRequest> requests_;
};

}  // namespace coolpapers::testing
