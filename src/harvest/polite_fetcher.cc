#include "harvest/polite_fetcher.h"

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

std::string Trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
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
  if (options_.transport) {
    transport_ = options_.transport;
  } else {
    own_transport_ = MakeCurlTransport(user_agent_, options_.connect_timeout);
    transport_ = own_transport_.get();
  }
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
  for (auto& [key, queue] : queues_) {
    for (Job& job : queue) {
      job.done.set_value(Err(Status::Cancelled(Describe(job.req) + ": fetcher shut down")));
    }
  }
}

std::future<Result<FetchResponse>> PoliteFetcher::FetchAsync(const FetchRequest& req,
                                                             FetchAttempts* attempts) {
  Job job;
  job.req = req;
  job.attempts = attempts;
  auto future = job.done.get_future();
  std::lock_guard lock(mu_);
  if (stopping_) {
    job.done.set_value(Err(Status::Cancelled(Describe(req) + ": fetcher shut down")));
    return future;
  }
  job.seq = next_seq_++;
  queues_[{static_cast<int>(req.kind), static_cast<int>(req.priority)}].push_back(std::move(job));
  cv_.notify_all();
  return future;
}

Result<FetchResponse> PoliteFetcher::Fetch(const FetchRequest& req) {
  return FetchAsync(req).get();
}

Result<FetchResponse> PoliteFetcher::FetchCounted(const FetchRequest& req,
                                                  FetchAttempts* attempts) {
  return FetchAsync(req, attempts).get();
}

std::size_t PoliteFetcher::QueueDepth() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [key, queue] : queues_) n += queue.size();
  return n;
}

FetcherStats PoliteFetcher::Stats() const {
  std::lock_guard lock(mu_);
  FetcherStats s = stats_;
  s.queue_depth = 0;
  for (const auto& [key, queue] : queues_) s.queue_depth += queue.size();
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
        for (const auto& [key, queue] : queues_) {
          if (!queue.empty()) return true;
        }
        return false;
      });
      if (stopping_) return;
      for (auto& [key, queue] : queues_) {
        if (queue.empty()) continue;
        job = std::move(queue.front());
        queue.pop_front();
        break;
      }
      in_flight_ = true;
    }
    FetchAttempts attempts;
    Result<FetchResponse> result = Execute(job.req, attempts);
    {
      std::lock_guard lock(mu_);
      in_flight_ = false;
    }
    if (job.attempts) *job.attempts = attempts;
    job.done.set_value(std::move(result));
  }
}

bool PoliteFetcher::WaitForSlot() {
  if (sent_any_) {
    auto elapsed = clock_->Monotonic() - last_end_;
    if (elapsed < options_.interval) {
      // Rounded up so the gap is never a fraction of a millisecond short.
      stoppable_clock_->SleepFor(
          std::chrono::ceil<milliseconds>(options_.interval - elapsed));
    }
  }
  return !stoppable_clock_->stopped();
}

Result<FetchResponse> PoliteFetcher::Execute(const FetchRequest& req, FetchAttempts& attempts) {
  const std::string what = Describe(req);
  const bool conditional = req.headers.count("If-Modified-Since") ||
                           req.headers.count("If-None-Match");
  const bool pdf = req.kind == FetchKind::kPdf;
  core::RetryPolicy policy = options_.retry;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (pdf) {
    policy.max_attempts = std::max(1, std::min(policy.max_attempts, options_.pdf_max_attempts));
    policy.max_backoff = std::min(policy.max_backoff, options_.pdf_total);
    policy.max_retry_after = std::min(policy.max_retry_after, options_.pdf_total);
    deadline = clock_->Monotonic() + options_.pdf_total;
  }
  auto remaining = [&]() -> milliseconds {
    if (!deadline) return std::chrono::duration_cast<milliseconds>(req.timeout);
    auto left = std::chrono::duration_cast<milliseconds>(*deadline - clock_->Monotonic());
    return std::min(left, std::chrono::duration_cast<milliseconds>(req.timeout));
  };
  auto give_up = [&](core::Retry& r) {
    r.abort(Status::DeadlineExceeded(
        what + ": gave up after " + std::to_string(options_.pdf_total.count() / 1000) +
        " s, the limit for a PDF download (" + std::to_string(attempts.attempts) +
        " attempts; last: " + r.status().message() + "); it is tried again when asked again"));
  };

  FetchResponse response;
  core::Retry r(policy, what, *stoppable_clock_);
  for (; r.next();) {
    if (r.attempts() > 1) {
      std::lock_guard lock(mu_);
      ++stats_.retries;
    }
    // One attempt: the request and any redirect hops, each spaced like a request of its own.
    TransportReply raw;
    std::string url = req.url;
    bool stopped = false, out_of_time = false, redirect_loop = false;
    for (long hop = 0;; ++hop) {
      if (!WaitForSlot()) {
        stopped = true;
        break;
      }
      milliseconds budget = remaining();
      if (budget <= milliseconds(0)) {
        out_of_time = true;
        break;
      }
      if (hop == 0) ++attempts.attempts;
      raw = transport_->Get(url, req, budget);
      sent_any_ = true;
      last_end_ = clock_->Monotonic();
      if (raw.failure != TransportReply::Failure::kNone || raw.redirect_url.empty() ||
          raw.http_status < 300 || raw.http_status >= 400 || raw.http_status == 304) {
        break;
      }
      if (hop >= options_.max_redirects) {
        redirect_loop = true;
        break;
      }
      url = raw.redirect_url;
    }
    if (stopped) {
      Count("cancelled");
      r.abort(Status::Cancelled(what + ": fetcher shut down"));
      break;
    }
    if (out_of_time) {
      give_up(r);
      break;
    }
    if (redirect_loop) {
      Count("client_error");
      r.abort(Status::InvalidArgument(what + ": more than " +
                                      std::to_string(options_.max_redirects) +
                                      " redirects; check the URL"));
      break;
    }
    auto transient = [&](const std::string& outcome, Status why) {
      Count(outcome);
      ++attempts.failed;
      {
        std::lock_guard lock(mu_);
        ++stats_.failed_attempts;
      }
      r.fail(std::move(why));
      // A PDF out of time stops here rather than after one more backoff.
      if (deadline && remaining() <= milliseconds(0)) give_up(r);
    };
    using F = TransportReply::Failure;
    if (raw.failure == F::kTooLarge) {
      Count("too_large");
      r.abort(Status::ResourceExhausted(what + ": response larger than " +
                                        std::to_string(req.max_bytes) +
                                        " bytes; raise max_bytes if this is expected"));
      break;
    }
    if (raw.failure == F::kTimeout) {
      transient("timeout", Status::DeadlineExceeded(what + ": timed out: " + raw.error));
      continue;
    }
    if (raw.failure == F::kTruncated) {
      transient("truncated", Status::Unavailable(what + ": body cut short: " + raw.error));
      continue;
    }
    if (raw.failure == F::kBadUrl) {
      Count("client_error");
      r.abort(Status::InvalidArgument(what + ": " + raw.error + "; check the URL"));
      break;
    }
    if (raw.failure == F::kNetwork) {
      transient("network_error", Status::Unavailable(what + ": " + raw.error));
      continue;
    }
    const int code = raw.http_status;
    auto retry_after = raw.headers.count("retry-after")
                           ? ParseRetryAfter(raw.headers["retry-after"], clock_->Now())
                           : std::nullopt;
    if (code == 429 || code >= 500) {
      if (retry_after) r.retry_after(*retry_after);
      transient(code == 429 ? "rate_limited" : "server_error",
                Status::Unavailable(what + ": HTTP " + std::to_string(code) +
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
    response.http_status = code;
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
  response.failed_attempts = attempts.failed;
  return response;
}

}  // namespace coolpapers::harvest
