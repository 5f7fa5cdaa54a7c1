#include "net/polite_fetcher.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <optional>

#include <spdlog/spdlog.h>

#include "net/retry_after.h"

namespace coolpapers::net {
namespace {

using std::chrono::milliseconds;

std::string Trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
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

std::string PolitenessKey(const std::string& url) {
  auto scheme = url.find("://");
  std::string host = url.substr(scheme == std::string::npos ? 0 : scheme + 3);
  host = host.substr(0, host.find_first_of("/?#"));
  if (auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);  // IPv6
  host = host.substr(0, host.find(':'));
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!host.empty() && host.back() == '.') host.pop_back();
  const bool ip = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
  if (ip) return host;
  auto last_dot = host.rfind('.');
  if (last_dot == std::string::npos || last_dot == 0) return host;
  auto second = host.rfind('.', last_dot - 1);
  return second == std::string::npos ? host : host.substr(second + 1);
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
    own_transport_ = MakeCurlTransport(user_agent_);
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
  job.host = PolitenessKey(req.url);
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
      if (!TakeNextJob(job)) return;
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

bool PoliteFetcher::TakeNextJob(Job& job) {
  if (stopping_) return false;
  auto take = [&](std::deque<Job>& queue, std::deque<Job>::iterator it) {
    job = std::move(*it);
    queue.erase(it);
    return true;
  };
  // The first job (in queue order) whose host is free; else the first job, which then waits
  // out its host's gap.
  std::deque<Job>* first_queue = nullptr;
  std::deque<Job>::iterator first;
  for (auto& [key, queue] : queues_) {
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      if (SlotFree(it->host)) return take(queue, it);
      if (!first_queue) {
        first_queue = &queue;
        first = it;
      }
    }
  }
  return first_queue != nullptr && take(*first_queue, first);
}

bool PoliteFetcher::SlotFree(const std::string& host) {
  auto last = last_end_.find(host);
  return last == last_end_.end() || clock_->Monotonic() - last->second >= options_.interval;
}

bool PoliteFetcher::WaitForSlot(const std::string& host) {
  auto last = last_end_.find(host);
  if (last != last_end_.end()) {
    auto elapsed = clock_->Monotonic() - last->second;
    if (elapsed < options_.interval) {
      // Rounded up so the gap is never a fraction of a millisecond short.
      stoppable_clock_->SleepFor(
          std::chrono::ceil<milliseconds>(options_.interval - elapsed));
    }
  }
  return !stoppable_clock_->stopped();
}

struct PoliteFetcher::Attempting {
  const FetchRequest& req;
  std::string what;  // for logs and errors
  core::RetryPolicy policy;
  std::optional<std::chrono::steady_clock::time_point> deadline;  // a PDF's total time
  FetchAttempts& attempts;
};

struct PoliteFetcher::Verdict {
  enum class Kind { kAccept, kRetry, kFail };
  Kind kind = Kind::kAccept;
  Status why;  // kRetry, kFail
  std::optional<milliseconds> retry_after;
};

Result<FetchResponse> PoliteFetcher::Execute(const FetchRequest& req, FetchAttempts& attempts) {
  Attempting a{req, Describe(req), options_.retry, std::nullopt, attempts};
  if (req.kind == FetchKind::kPdf) {
    a.policy.max_attempts = std::max(1, std::min(a.policy.max_attempts, options_.pdf_max_attempts));
    a.policy.max_backoff = std::min(a.policy.max_backoff, options_.pdf_total);
    a.policy.max_retry_after = std::min(a.policy.max_retry_after, options_.pdf_total);
    a.deadline = clock_->Monotonic() + options_.pdf_total;
  }
  FetchResponse response;
  core::Retry r(a.policy, a.what, *stoppable_clock_);
  while (r.next()) {
    if (r.attempts() > 1) {
      std::lock_guard lock(mu_);
      ++stats_.retries;
    }
    HttpReply raw;
    if (Status s = SendFollowingRedirects(a, r, raw); !s.ok()) {
      r.abort(std::move(s));
      break;
    }
    Verdict v = Judge(a, raw);
    if (v.kind == Verdict::Kind::kFail) {
      r.abort(std::move(v.why));
      break;
    }
    if (v.kind == Verdict::Kind::kRetry) {
      ++attempts.failed;
      {
        std::lock_guard lock(mu_);
        ++stats_.failed_attempts;
      }
      if (v.retry_after) r.retry_after(*v.retry_after);
      r.fail(std::move(v.why));
      // A PDF out of time stops here rather than after one more backoff.
      if (a.deadline && *a.deadline <= clock_->Monotonic()) r.abort(GiveUp(a, r));
      continue;
    }
    response.http_status = raw.http_status;
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

Status PoliteFetcher::GiveUp(const Attempting& a, const core::Retry& r) const {
  return Status::DeadlineExceeded(
      a.what + ": gave up after " + std::to_string(options_.pdf_total.count() / 1000) +
      " s, the limit for a PDF download (" + std::to_string(a.attempts.attempts) +
      " attempts; last: " + r.status().message() + "); it is tried again when asked again");
}

Status PoliteFetcher::SendFollowingRedirects(Attempting& a, const core::Retry& r,
                                             HttpReply& reply) {
  HttpRequest http;
  http.url = a.req.url;
  http.headers = a.req.headers;
  http.max_bytes = a.req.max_bytes;
  http.connect_timeout = options_.connect_timeout;
  for (long hop = 0;; ++hop) {
    const std::string host = PolitenessKey(http.url);
    if (!WaitForSlot(host)) {
      Count("cancelled");
      return Status::Cancelled(a.what + ": fetcher shut down");
    }
    http.timeout = std::chrono::duration_cast<milliseconds>(a.req.timeout);
    if (a.deadline) {
      auto left = std::chrono::duration_cast<milliseconds>(*a.deadline - clock_->Monotonic());
      http.timeout = std::min(left, http.timeout);
    }
    if (http.timeout <= milliseconds(0)) return GiveUp(a, r);
    if (hop == 0) ++a.attempts.attempts;
    if (options_.gate != nullptr) {
      Status turn = options_.gate->Begin(host, options_.interval,
                                         [this] { return stoppable_clock_->stopped(); });
      if (turn.code() == StatusCode::kCancelled) {
        Count("cancelled");
        return Status::Cancelled(a.what + ": fetcher shut down");
      }
      if (!turn.ok()) {  // no turn: a transient failure of this attempt, retried like one
        reply = HttpReply{};
        reply.failure = HttpReply::Failure::kNetwork;
        reply.error = turn.message();
        last_end_[host] = clock_->Monotonic();
        return Status::Ok();
      }
    }
    reply = transport_->Send(http);
    if (options_.gate != nullptr) options_.gate->End(host);
    last_end_[host] = clock_->Monotonic();
    if (reply.failure != HttpReply::Failure::kNone || reply.redirect_url.empty() ||
        reply.http_status < 300 || reply.http_status >= 400 || reply.http_status == 304) {
      return Status::Ok();
    }
    if (hop >= options_.max_redirects) {
      Count("client_error");
      return Status::InvalidArgument(a.what + ": more than " +
                                     std::to_string(options_.max_redirects) +
                                     " redirects; check the URL");
    }
    http.url = reply.redirect_url;
  }
}

PoliteFetcher::Verdict PoliteFetcher::Judge(const Attempting& a, HttpReply& raw) {
  using K = Verdict::Kind;
  auto verdict = [&](const char* outcome, K kind, Status why = Status::Ok()) {
    Count(outcome);
    return Verdict{kind, std::move(why), std::nullopt};
  };
  const std::string& what = a.what;
  using F = HttpReply::Failure;
  switch (raw.failure) {
    case F::kNone:
      break;
    case F::kTooLarge:
      return verdict("too_large", K::kFail,
                     Status::ResourceExhausted(what + ": response larger than " +
                                               std::to_string(a.req.max_bytes) +
                                               " bytes; raise max_bytes if this is expected"));
    case F::kTimeout:
    case F::kIdleTimeout:
      return verdict("timeout", K::kRetry,
                     Status::DeadlineExceeded(what + ": timed out: " + raw.error));
    case F::kTruncated:
      return verdict("truncated", K::kRetry,
                     Status::Unavailable(what + ": body cut short: " + raw.error));
    case F::kBadUrl:
      return verdict("client_error", K::kFail,
                     Status::InvalidArgument(what + ": " + raw.error + "; check the URL"));
    case F::kCancelled:
      return verdict("cancelled", K::kFail, Status::Cancelled(what + ": " + raw.error));
    case F::kNetwork:
    case F::kStopped:
      return verdict("network_error", K::kRetry, Status::Unavailable(what + ": " + raw.error));
  }
  const int code = raw.http_status;
  if (code == 429 || code >= 500) {
    auto it = raw.headers.find("retry-after");
    auto retry_after = it == raw.headers.end() ? std::nullopt
                                               : ParseRetryAfter(it->second, clock_->Now());
    Verdict v = verdict(
        code == 429 ? "rate_limited" : "server_error", K::kRetry,
        Status::Unavailable(what + ": HTTP " + std::to_string(code) +
                            (retry_after ? " (Retry-After " +
                                               std::to_string(retry_after->count() / 1000) + " s)"
                                         : std::string())));
    v.retry_after = retry_after;
    return v;
  }
  if (code == 404 || code == 410) {
    return verdict("not_found", K::kFail,
                   Status::NotFound(what + ": HTTP " + std::to_string(code) + " not found"));
  }
  const bool conditional =
      a.req.headers.count("If-Modified-Since") || a.req.headers.count("If-None-Match");
  if (code == 304 && conditional) return verdict("not_modified", K::kAccept);
  if (code >= 400 && code < 500 && a.req.accept_client_errors) {
    return verdict("client_error", K::kAccept);
  }
  if (code < 200 || code >= 300) {
    return verdict("client_error", K::kFail,
                   Status::InvalidArgument(what + ": HTTP " + std::to_string(code) + ": " +
                                           Excerpt(raw.body)));
  }
  return verdict("ok", K::kAccept);
}

}  // namespace coolpapers::net
