#include "harvest/polite_fetcher.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <locale>
#include <optional>
#include <sstream>

#include <spdlog/spdlog.h>

namespace coolpapers::harvest {
namespace {

using std::chrono::milliseconds;

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

// What one libcurl transfer produced.
struct RawResponse {
  CURLcode code = CURLE_OK;
  std::string curl_error;
  long http_status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names, last response only
  std::size_t max_bytes = 0;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* raw = static_cast<RawResponse*>(user);
  size_t len = size * n;
  if (raw->body.size() + len > raw->max_bytes) {
    raw->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  raw->body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* raw = static_cast<RawResponse*>(user);
  size_t len = size * n;
  std::string line(data, len);
  if (line.rfind("HTTP/", 0) == 0) {
    raw->headers.clear();  // a new response (after a redirect or 100-continue)
    return len;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    raw->headers[Lower(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
  }
  return len;
}

RawResponse Perform(CURL* curl, const FetchRequest& req, const std::string& user_agent,
                    const PoliteFetcherOptions& opt) {
  RawResponse raw;
  raw.max_bytes = req.max_bytes;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opt.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::chrono::duration_cast<milliseconds>(req.timeout).count()));
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, opt.max_redirects);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl can decode
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &raw);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &raw);
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : req.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  if (headers) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  raw.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &raw.http_status);
  raw.curl_error = errbuf[0] ? errbuf : curl_easy_strerror(raw.code);
  curl_slist_free_all(headers);
  return raw;
}

// Retry-After as seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT").
std::optional<milliseconds> ParseRetryAfter(const std::string& value,
                                            std::chrono::system_clock::time_point now) {
  std::string v = Trim(value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (v.size() > 9) return milliseconds(std::chrono::hours(24));
    return milliseconds(std::stol(v) * 1000);
  }
  std::tm tm{};
  std::istringstream in(v);
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
  if (in.fail()) return std::nullopt;
  auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
  auto delta = std::chrono::duration_cast<milliseconds>(when - now);
  return std::max(delta, milliseconds(0));
}

std::string Excerpt(const std::string& body) {
  std::string out;
  for (char c : body.substr(0, 200)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  return Trim(out);
}

std::string Describe(const FetchRequest& req) {
  return req.what.empty() ? req.url : req.what + " (" + req.url + ")";
}

}  // namespace

// A clock whose sleeps end early once the fetcher is stopping, so shutdown never waits out a
// long Retry-After.
class PoliteFetcher::StoppableClock : public core::Clock {
 public:
  explicit StoppableClock(core::Clock& base) : base_(base) {}
  std::chrono::system_clock::time_point Now() override { return base_.Now(); }
  std::chrono::steady_clock::time_point Monotonic() override { return base_.Monotonic(); }
  void SleepFor(milliseconds d) override {
    if (&base_ != &core::SystemClock()) {
      base_.SleepFor(d);
      return;
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, d, [&] { return stopped_; });
  }
  void Stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  bool stopped() {
    std::lock_guard lock(mu_);
    return stopped_;
  }

 private:
  core::Clock& base_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

int64_t FetcherStats::total_requests() const {
  int64_t n = 0;
  for (const auto& [outcome, count] : requests) n += count;
  return n;
}

std::string ContactFromEnv() {
  const char* v = std::getenv("COOLPAPERS_CONTACT");
  return v ? std::string(v) : std::string();
}

std::string UserAgentFor(const std::string& contact) {
  std::string c = contact.empty() ? "https://github.com/coolpapers/coolpapers" : contact;
  return "coolpapers/0.1 (+" + c + ")";
}

PoliteFetcher::PoliteFetcher(PoliteFetcherOptions options)
    : options_(std::move(options)),
      user_agent_(UserAgentFor(options_.contact)),
      clock_(options_.clock ? options_.clock : &core::SystemClock()),
      stoppable_clock_(std::make_unique<StoppableClock>(*clock_)) {
  EnsureCurlGlobalInit();
  curl_ = curl_easy_init();
  worker_ = std::thread([this] { WorkerLoop(); });
}

PoliteFetcher::~PoliteFetcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stoppable_clock_->Stop();
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  for (auto& [priority, queue] : queues_) {
    for (Job& job : queue) {
      job.done.set_value(Err(Status::Cancelled(Describe(job.req) + ": fetcher shut down")));
    }
  }
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::future<Result<FetchResponse>> PoliteFetcher::FetchAsync(const FetchRequest& req) {
  Job job;
  job.req = req;
  auto future = job.done.get_future();
  std::lock_guard lock(mu_);
  if (stopping_) {
    job.done.set_value(Err(Status::Cancelled(Describe(req) + ": fetcher shut down")));
    return future;
  }
  job.seq = next_seq_++;
  queues_[static_cast<int>(req.priority)].push_back(std::move(job));
  cv_.notify_all();
  return future;
}

Result<FetchResponse> PoliteFetcher::Fetch(const FetchRequest& req) {
  return FetchAsync(req).get();
}

std::size_t PoliteFetcher::QueueDepth() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [priority, queue] : queues_) n += queue.size();
  return n;
}

FetcherStats PoliteFetcher::Stats() const {
  std::lock_guard lock(mu_);
  FetcherStats s = stats_;
  s.queue_depth = 0;
  for (const auto& [priority, queue] : queues_) s.queue_depth += queue.size();
  s.in_flight = in_flight_;
  return s;
}

void PoliteFetcher::Count(const std::string& outcome) {
  std::lock_guard lock(mu_);
  ++stats_.requests[outcome];
}

void PoliteFetcher::WorkerLoop() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] {
        if (stopping_) return true;
        for (const auto& [priority, queue] : queues_) {
          if (!queue.empty()) return true;
        }
        return false;
      });
      if (stopping_) return;
      for (auto& [priority, queue] : queues_) {
        if (queue.empty()) continue;
        job = std::move(queue.front());
        queue.pop_front();
        break;
      }
      in_flight_ = true;
    }
    Result<FetchResponse> result = Execute(job.req);
    {
      std::lock_guard lock(mu_);
      in_flight_ = false;
    }
    job.done.set_value(std::move(result));
  }
}

bool PoliteFetcher::WaitForSlot() {
  if (started_any_) {
    auto elapsed = clock_->Monotonic() - last_start_;
    if (elapsed < options_.interval) {
      stoppable_clock_->SleepFor(
          std::chrono::duration_cast<milliseconds>(options_.interval - elapsed) +
          milliseconds(1));
    }
  }
  if (stoppable_clock_->stopped()) return false;
  started_any_ = true;
  last_start_ = clock_->Monotonic();
  return true;
}

Result<FetchResponse> PoliteFetcher::Execute(const FetchRequest& req) {
  auto* curl = static_cast<CURL*>(curl_);
  const std::string what = Describe(req);
  if (!curl) return Err(Status::Internal(what + ": libcurl could not be initialised"));
  const bool conditional = req.headers.count("If-Modified-Since") ||
                           req.headers.count("If-None-Match");
  FetchResponse response;
  core::Retry r(options_.retry, what, *stoppable_clock_);
  for (; r.next();) {
    if (!WaitForSlot()) {
      Count("cancelled");
      r.abort(Status::Cancelled(what + ": fetcher shut down"));
      break;
    }
    if (r.attempts() > 1) {
      std::lock_guard lock(mu_);
      ++stats_.retries;
    }
    RawResponse raw = Perform(curl, req, user_agent_, options_);
    if (raw.too_large) {
      Count("too_large");
      r.abort(Status::ResourceExhausted(what + ": response larger than " +
                                        std::to_string(req.max_bytes) +
                                        " bytes; raise max_bytes if this is expected"));
      break;
    }
    if (raw.code == CURLE_OPERATION_TIMEDOUT) {
      Count("timeout");
      r.fail(Status::DeadlineExceeded(what + ": timed out: " + raw.curl_error));
      continue;
    }
    if (raw.code == CURLE_PARTIAL_FILE) {
      Count("truncated");
      r.fail(Status::Unavailable(what + ": body cut short: " + raw.curl_error));
      continue;
    }
    if (raw.code == CURLE_TOO_MANY_REDIRECTS || raw.code == CURLE_UNSUPPORTED_PROTOCOL ||
        raw.code == CURLE_URL_MALFORMAT) {
      Count("client_error");
      r.abort(Status::InvalidArgument(what + ": " + raw.curl_error + "; check the URL"));
      break;
    }
    if (raw.code != CURLE_OK) {
      Count("network_error");
      r.fail(Status::Unavailable(what + ": " + raw.curl_error));
      continue;
    }
    const long code = raw.http_status;
    auto retry_after = raw.headers.count("retry-after")
                           ? ParseRetryAfter(raw.headers["retry-after"], clock_->Now())
                           : std::nullopt;
    if (code == 429 || code >= 500) {
      Count(code == 429 ? "rate_limited" : "server_error");
      if (retry_after) r.retry_after(*retry_after);
      r.fail(Status::Unavailable(what + ": HTTP " + std::to_string(code) +
                                 (retry_after ? " (Retry-After " +
                                                    std::to_string(retry_after->count() / 1000) +
                                                    " s)"
                                              : std::string())));
      continue;
    }
    if (code == 404 || code == 410) {
      Count("not_found");
      r.abort(Status::NotFound(what + ": HTTP " + std::to_string(code) + " not found"));
      break;
    }
    if (code == 304 && conditional) {
      Count("not_modified");
    } else if (code >= 400 && code < 500 && req.accept_client_errors) {
      Count("client_error");
    } else if (code < 200 || code >= 300) {
      Count("client_error");
      r.abort(Status::InvalidArgument(what + ": HTTP " + std::to_string(code) + ": " +
                                      Excerpt(raw.body)));
      break;
    } else {
      Count("ok");
    }
    response.http_status = static_cast<int>(code);
    response.body = std::move(raw.body);
    response.headers = std::move(raw.headers);
    response.content_type =
        response.headers.count("content-type") ? response.headers["content-type"] : "";
    {
      std::lock_guard lock(mu_);
      stats_.bytes += static_cast<int64_t>(response.body.size());
    }
    r.ok();
  }
  if (!r.succeeded()) return Err(r.status());
  response.attempts = r.attempts();
  return response;
}

}  // namespace coolpapers::harvest
