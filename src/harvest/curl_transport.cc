// The libcurl FetchTransport (fetch_transport.h).

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "harvest/fetch_transport.h"

namespace coolpapers::harvest {
namespace {

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
  TransportReply reply;
  std::size_t max_bytes = 0;
  bool too_large = false;
  int sends = 0;            // requests libcurl was about to send (PREREQFUNCTION calls)
  bool resend_blocked = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (t->reply.body.size() + len > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->reply.body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
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

// Called before every request libcurl sends. A second call within one perform is libcurl
// re-sending on a fresh connection because the kept-alive one died ("Connection died,
// retrying a fresh connect"): that would be an unspaced request, so it is refused and the
// fetcher retries politely instead.
int OnPrereq(void* user, char*, char*, int, int) {
  auto* t = static_cast<Transfer*>(user);
  if (++t->sends > 1) {
    t->resend_blocked = true;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

class CurlTransport : public FetchTransport {
 public:
  CurlTransport(std::string user_agent, std::chrono::milliseconds connect_timeout)
      : user_agent_(std::move(user_agent)), connect_timeout_(connect_timeout) {
    EnsureCurlGlobalInit();
    curl_ = curl_easy_init();
  }
  ~CurlTransport() override {
    if (curl_) curl_easy_cleanup(curl_);
  }

  TransportReply Get(const std::string& url, const FetchRequest& req,
                     std::chrono::milliseconds timeout) override {
    Transfer t;
    t.max_bytes = req.max_bytes;
    if (!curl_) {
      t.reply.failure = TransportReply::Failure::kNetwork;
      t.reply.error = "libcurl could not be initialised";
      return std::move(t.reply);
    }
    char errbuf[CURL_ERROR_SIZE] = {0};
    CURL* curl = curl_;
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent_.c_str());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min(connect_timeout_, timeout).count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, timeout.count())));
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // the fetcher follows, politely
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl can decode
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_PREREQFUNCTION, &OnPrereq);
    curl_easy_setopt(curl, CURLOPT_PREREQDATA, &t);
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : req.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    if (headers) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    char* location = nullptr;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location);
    curl_slist_free_all(headers);

    TransportReply& r = t.reply;
    r.http_status = static_cast<int>(status);
    if (location && status >= 300 && status < 400) r.redirect_url = location;
    const std::string text = errbuf[0] ? errbuf : curl_easy_strerror(code);
    using F = TransportReply::Failure;
    if (t.too_large) {
      r.failure = F::kTooLarge;
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
    return std::move(t.reply);
  }

 private:
  std::string user_agent_;
  std::chrono::milliseconds connect_timeout_;
  CURL* curl_ = nullptr;
};

}  // namespace

std::unique_ptr<FetchTransport> MakeCurlTransport(std::string user_agent,
                                                  std::chrono::milliseconds connect_timeout) {
  return std::make_unique<CurlTransport>(std::move(user_agent), connect_timeout);
}

}  // namespace coolpapers::harvest
