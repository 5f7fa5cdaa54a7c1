// The libcurl HttpTransport (http_transport.h): the only file of coolpapers that calls libcurl.

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

#include "net/http_transport.h"

namespace coolpapers::net {
namespace {

using Steady = std::chrono::steady_clock;

void EnsureCurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

// State of one curl_easy_perform.
struct Transfer {
  const HttpRequest* req = nullptr;
  CURL* curl = nullptr;
  HttpReply reply;
  std::size_t received = 0;  // body bytes, streamed or kept
  bool too_large = false, stopped = false, cancelled = false, idle = false;
  int sends = 0;  // requests libcurl was about to send (PREREQFUNCTION calls)
  bool resend_blocked = false;
  Steady::time_point last_byte = Steady::now();
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  t->last_byte = Steady::now();
  if (t->received + len > t->req->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->received += len;
  if (!t->req->on_body) {
    t->reply.body.append(data, len);
    return len;
  }
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (!t->req->on_body(static_cast<int>(status), std::string_view(data, len))) {
    t->stopped = true;
    return 0;
  }
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  t->last_byte = Steady::now();
  std::string line(data, len);
  if (line.rfind("HTTP/", 0) == 0) {
    t->reply.headers.clear();  // a new response (e.g. after 100-continue)
    return len;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    t->reply.headers[Lower(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
  }
  return len;
}

// Called about once a second while nothing arrives, more often while data flows.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->req->cancel != nullptr && t->req->cancel->load()) t->cancelled = true;
  if (t->req->idle_timeout.count() > 0 && Steady::now() - t->last_byte > t->req->idle_timeout) {
    t->idle = true;
  }
  return (t->cancelled || t->idle) ? 1 : 0;
}

// Called before every request libcurl sends. A second call within one perform is libcurl
// re-sending on a fresh connection because the kept-alive one died ("Connection died,
// retrying a fresh connect"): that would be a request the caller did not space or count, so
// unless the caller allows it, it is refused and the caller retries in its own way instead.
int OnPrereq(void* user, char*, char*, int, int) {
  auto* t = static_cast<Transfer*>(user);
  if (++t->sends > 1 && !t->req->allow_resend) {
    t->resend_blocked = true;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

void Configure(CURL* curl, Transfer& t, const std::string& user_agent, char* errbuf,
               curl_slist* headers) {
  const HttpRequest& req = *t.req;
  curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  auto connect = req.timeout.count() > 0 ? std::min(req.connect_timeout, req.timeout)
                                         : req.connect_timeout;
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect.count()));
  if (req.timeout.count() > 0) {
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<int64_t>(1, req.timeout.count())));
  }
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // callers follow, politely
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl can decode
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_PREREQFUNCTION, &OnPrereq);
  curl_easy_setopt(curl, CURLOPT_PREREQDATA, &t);
  if (req.cancel != nullptr || req.idle_timeout.count() > 0) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
  }
  if (req.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }
  if (headers) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
}

// What went wrong, from the callbacks' flags and libcurl's code.
void Classify(CURLcode code, const Transfer& t, const std::string& text, HttpReply& r) {
  using F = HttpReply::Failure;
  if (t.too_large) {
    r.failure = F::kTooLarge;
    r.error = "the body exceeded " + std::to_string(t.req->max_bytes) + " bytes";
  } else if (t.stopped) {
    r.failure = F::kStopped;
    r.error = "stopped by the receiver";
  } else if (t.cancelled) {
    r.failure = F::kCancelled;
    r.error = "cancelled";
  } else if (t.idle) {
    r.failure = F::kIdleTimeout;
    r.error = "nothing arrived for " + std::to_string(t.req->idle_timeout.count()) + " ms";
  } else if (t.resend_blocked) {
    r.failure = F::kNetwork;
    r.error = "the kept-alive connection closed before a reply";
  } else if (code == CURLE_OK) {
    r.failure = F::kNone;
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    r.failure = F::kTimeout;
  } else if (code == CURLE_PARTIAL_FILE) {
    r.failure = F::kTruncated;
  } else if (code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT) {
    r.failure = F::kBadUrl;
  } else {
    r.failure = F::kNetwork;
  }
  if (r.failure != F::kNone && r.error.empty()) r.error = text;
  if (r.failure != F::kNone) r.body.clear();
}

class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(std::string user_agent) : user_agent_(std::move(user_agent)) {
    EnsureCurlGlobalInit();
  }
  ~CurlTransport() override {
    for (CURL* c : idle_) curl_easy_cleanup(c);
  }

  HttpReply Send(const HttpRequest& req) override {
    Transfer t;
    t.req = &req;
    CURL* curl = Take();
    if (!curl) {
      t.reply.failure = HttpReply::Failure::kNetwork;
      t.reply.error = "libcurl could not be initialised";
      return std::move(t.reply);
    }
    t.curl = curl;
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_reset(curl);
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : req.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    Configure(curl, t, user_agent_, errbuf, headers);
    t.last_byte = Steady::now();
    CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    char* location = nullptr;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location);
    HttpReply& r = t.reply;
    r.http_status = static_cast<int>(status);
    r.connected = t.sends > 0;
    if (location && status >= 300 && status < 400) r.redirect_url = location;
    Classify(code, t, errbuf[0] ? errbuf : curl_easy_strerror(code), r);
    curl_slist_free_all(headers);
    Give(curl);
    return std::move(t.reply);
  }

 private:
  // A handle with its kept-alive connections, one per concurrent caller.
  CURL* Take() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        CURL* c = idle_.back();
        idle_.pop_back();
        return c;
      }
    }
    return curl_easy_init();
  }
  void Give(CURL* c) {
    std::lock_guard lock(mu_);
    idle_.push_back(c);
  }

  std::string user_agent_;
  std::mutex mu_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::unique_ptr<HttpTransport> MakeCurlTransport(std::string user_agent) {
  return std::make_unique<CurlTransport>(std::move(user_agent));
}

}  // namespace coolpapers::net
