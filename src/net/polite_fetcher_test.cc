#include "net/polite_fetcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <functional>
#include <mutex>
#include <future>
#include <thread>
#include <vector>

#include "net/fake_http_server.h"
#include "net/http_transport.h"

namespace coolpapers::net {

namespace {

using std::chrono::milliseconds;
using testing::FakeHttpServer;
using testing::FakeReply;
using testing::FakeRequest;

PoliteFetcherOptions FastOptions(core::Clock* clock = nullptr) {
  PoliteFetcherOptions o;
  o.interval = milliseconds(0);
  o.retry.max_attempts = 4;
  o.retry.initial_backoff = milliseconds(5);
  o.retry.max_backoff = milliseconds(20);
  o.clock = clock;
  o.contact = "mailto:ops@example.org";
  return o;
}

FetchRequest Get(const FakeHttpServer& server, const std::string& path) {
  FetchRequest r;
  r.url = server.url(path);
  r.what = "test " + path;
  r.timeout = std::chrono::seconds(5);
  return r;
}

// Replies from a script, one entry per request; the last entry repeats.
FakeHttpServer::Handler Script(std::vector<FakeReply> replies) {
  auto state = std::make_shared<std::pair<std::mutex, size_t>>();
  return [replies = std::move(replies), state](const FakeRequest&) {
    std::lock_guard lock(state->first);
    size_t i = std::min(state->second++, replies.size() - 1);
    return replies[i];
  };
}

FakeReply Ok(std::string body = "hello") {
  FakeReply r;
  r.body = std::move(body);
  return r;
}

FakeReply Reply(int code, std::map<std::string, std::string> headers = {}) {
  FakeReply r;
  r.status = code;
  r.body = "status " + std::to_string(code);
  r.headers = std::move(headers);
  return r;
}

TEST(PoliteFetcherTest, RequestStartsAreAtLeastIntervalApartAcrossThreads) {
  FakeHttpServer server([](const FakeRequest&) { return Ok(); });
  PoliteFetcherOptions o = FastOptions();
  o.interval = milliseconds(100);
  PoliteFetcher fetcher(o);
  std::vector<std::future<Result<FetchResponse>>> futures;
  for (int i = 0; i < 6; ++i) futures.push_back(fetcher.FetchAsync(Get(server, "/x")));
  for (auto& f : futures) ASSERT_TRUE(f.get().has_value());
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 6u);
  // Arrival times carry the fake server's scheduling jitter (a late arrival shortens the next
  // gap), hence the 25 ms allowance; without spacing the gaps would be about 1 ms.
  for (size_t i = 1; i < reqs.size(); ++i) {
    auto gap = std::chrono::duration_cast<milliseconds>(reqs[i].arrived - reqs[i - 1].arrived);
    EXPECT_GE(gap.count(), 75) << "requests " << i - 1 << " and " << i << " too close";
  }
  auto span = std::chrono::duration_cast<milliseconds>(reqs.back().arrived - reqs.front().arrived);
  EXPECT_GE(span.count(), 5 * 100 - 25);
}

// Records the order of gate turns and requests; refuses the first `refusals` turns.
class RecordingGate : public SiteGate {
 public:
  explicit RecordingGate(int refusals = 0) : refusals_(refusals) {}
  Status Begin(const std::string& site, milliseconds interval,
               const std::function<bool()>&) override {
    std::lock_guard lock(mu_);
    if (refusals_ > 0) {
      --refusals_;
      events_.push_back("refused " + site);
      return Status::Unavailable("database unreachable");
    }
    EXPECT_FALSE(held_) << "Begin while a turn is held";
    held_ = true;
    events_.push_back("begin " + site + " " + std::to_string(interval.count()));
    return Status::Ok();
  }
  void End(const std::string& site) override {
    std::lock_guard lock(mu_);
    EXPECT_TRUE(held_) << "End without Begin";
    held_ = false;
    events_.push_back("end " + site);
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  int refusals_;
  bool held_ = false;
  std::vector<std::string> events_;
};

TEST(PoliteFetcherTest, GateGivesATurnForEveryAttemptRetriesIncluded) {
  FakeHttpServer server(Script({Reply(503), Ok("second")}));
  RecordingGate gate;
  PoliteFetcherOptions o = FastOptions();
  o.interval = milliseconds(7);
  o.gate = &gate;
  PoliteFetcher fetcher(o);
  auto res = fetcher.Fetch(Get(server, "/x"));
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(res->body, "second");
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(gate.events(), (std::vector<std::string>{"begin 127.0.0.1 7", "end 127.0.0.1",
                                                     "begin 127.0.0.1 7", "end 127.0.0.1"}));
}

TEST(PoliteFetcherTest, GateThatCannotCoordinateIsRetriedWithoutSending) {
  FakeHttpServer server([](const FakeRequest&) { return Ok(); });
  RecordingGate gate(/*refusals=*/1);
  PoliteFetcherOptions o = FastOptions();
  o.gate = &gate;
  PoliteFetcher fetcher(o);
  auto res = fetcher.Fetch(Get(server, "/x"));
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(gate.events(), (std::vector<std::string>{"refused 127.0.0.1", "begin 127.0.0.1 0",
                                                     "end 127.0.0.1"}));
  EXPECT_EQ(fetcher.Stats().retries, 1);
}

TEST(PoliteFetcherTest, GateWaitEndsWhenTheFetcherStops) {
  // A gate that never gives a turn until told to stop: destroying the fetcher must not hang.
  class BlockedGate : public SiteGate {
   public:
    Status Begin(const std::string&, milliseconds, const std::function<bool()>& stopped) override {
      entered.set_value();
      while (!stopped()) std::this_thread::sleep_for(milliseconds(5));
      return Status::Cancelled("stopping");
    }
    void End(const std::string&) override { ADD_FAILURE() << "End without a turn"; }
    std::promise<void> entered;
  } gate;
  FakeHttpServer server([](const FakeRequest&) { return Ok(); });
  PoliteFetcherOptions o = FastOptions();
  o.gate = &gate;
  std::future<Result<FetchResponse>> result;
  {
    PoliteFetcher fetcher(o);
    result = fetcher.FetchAsync(Get(server, "/x"));
    gate.entered.get_future().wait();
  }
  auto res = result.get();
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kCancelled);
  EXPECT_EQ(server.requests().size(), 0u);
}

TEST(PoliteFetcherTest, HigherPriorityRunsFirstAndOneAtATime) {
  std::atomic<int> concurrent{0}, max_concurrent{0};
  std::promise<void> first_arrived, release_first;
  std::shared_future<void> released = release_first.get_future().share();
  FakeHttpServer server([&](const FakeRequest& req) {
    int now = ++concurrent;
    max_concurrent = std::max(max_concurrent.load(), now);
    if (req.target == "/first") {
      first_arrived.set_value();
      released.wait();  // held in flight until the others are queued
    }
    --concurrent;
    return Ok(req.target);
  });
  PoliteFetcher fetcher(FastOptions());
  auto first = fetcher.FetchAsync(Get(server, "/first"));
  // Wait until /first is in flight so the others queue behind it.
  first_arrived.get_future().wait();
  FetchRequest backfill = Get(server, "/backfill");
  backfill.priority = FetchPriority::kBackfill;
  FetchRequest reader = Get(server, "/reader");
  reader.priority = FetchPriority::kReader;
  FetchRequest today = Get(server, "/today");
  today.priority = FetchPriority::kAnnouncement;
  auto b = fetcher.FetchAsync(backfill);
  auto r = fetcher.FetchAsync(reader);
  auto t = fetcher.FetchAsync(today);
  EXPECT_EQ(fetcher.QueueDepth(), 3u);
  release_first.set_value();
  ASSERT_TRUE(first.get().has_value());
  ASSERT_TRUE(b.get().has_value());
  ASSERT_TRUE(r.get().has_value());
  ASSERT_TRUE(t.get().has_value());
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[1].target, "/today");
  EXPECT_EQ(reqs[2].target, "/reader");
  EXPECT_EQ(reqs[3].target, "/backfill");
  EXPECT_EQ(max_concurrent.load(), 1);
}

TEST(PoliteFetcherTest, SendsUserAgentWithContact) {
  FakeHttpServer server([](const FakeRequest&) { return Ok(); });
  PoliteFetcher fetcher(FastOptions());
  ASSERT_TRUE(fetcher.Fetch(Get(server, "/ua")).has_value());
  EXPECT_EQ(server.requests().at(0).headers.at("user-agent"),
            "coolpapers/0.1 (+mailto:ops@example.org)");
}

TEST(PoliteFetcherTest, RetryAfterSecondsIsObeyed) {
  core::FakeClock clock(std::chrono::system_clock::now());
  FakeHttpServer server(Script({Reply(503, {{"Retry-After", "7"}}), Ok("done")}));
  PoliteFetcher fetcher(FastOptions(&clock));
  auto res = fetcher.Fetch(Get(server, "/oai"));
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(res->body, "done");
  EXPECT_EQ(res->attempts, 2);
  EXPECT_GE(clock.total_slept().count(), 7000);
  EXPECT_EQ(fetcher.Stats().retries, 1);
  EXPECT_EQ(fetcher.Stats().requests.at("server_error"), 1);
}

TEST(PoliteFetcherTest, RetryAfterHttpDateIsObeyed) {
  auto start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  core::FakeClock clock(start);
  std::time_t when = std::chrono::system_clock::to_time_t(start + std::chrono::seconds(30));
  std::tm tm{};
  gmtime_r(&when, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  FakeHttpServer server(Script({Reply(429, {{"Retry-After", date}}), Ok()}));
  PoliteFetcher fetcher(FastOptions(&clock));
  ASSERT_TRUE(fetcher.Fetch(Get(server, "/api")).has_value());
  EXPECT_GE(clock.total_slept().count(), 29000);
  EXPECT_LE(clock.total_slept().count(), 31000);
}

TEST(PoliteFetcherTest, TooManyRequestsIsRetried) {
  FakeHttpServer server(Script({Reply(429), Reply(429), Ok("third")}));
  PoliteFetcher fetcher(FastOptions());
  auto res = fetcher.Fetch(Get(server, "/api"));
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->body, "third");
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(fetcher.Stats().requests.at("rate_limited"), 2);
}

TEST(PoliteFetcherTest, ClientErrorsAreNotRetried) {
  FakeHttpServer server(Script({Reply(400), Ok()}));
  PoliteFetcher fetcher(FastOptions());
  auto res = fetcher.Fetch(Get(server, "/api?id_list=abc"));
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(res.error().message().find("HTTP 400"), std::string::npos);
  EXPECT_NE(res.error().message().find("status 400"), std::string::npos);  // body excerpt
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(PoliteFetcherTest, NotFoundIsNotRetried) {
  FakeHttpServer server(Script({Reply(404), Ok()}));
  PoliteFetcher fetcher(FastOptions());
  auto res = fetcher.Fetch(Get(server, "/pdf/2401.00001v1"));
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(PoliteFetcherTest, PersistentServerErrorGivesUpAfterMaxAttempts) {
  FakeHttpServer server(Script({Reply(502)}));
  PoliteFetcher fetcher(FastOptions());
  auto res = fetcher.Fetch(Get(server, "/rss/cs.CL"));
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(server.requests().size(), 4u);
  EXPECT_EQ(fetcher.Stats().retries, 3);
}

TEST(PoliteFetcherTest, TruncatedBodyIsRetried) {
  FakeReply cut = Ok(std::string(1000, 'x'));
  cut.action = FakeReply::Action::kTruncate;
  FakeHttpServer server(Script({cut, Ok("whole")}));
  PoliteFetcher fetcher(FastOptions());
  auto res = fetcher.Fetch(Get(server, "/oai"));
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->body, "whole");
  EXPECT_EQ(fetcher.Stats().requests.at("truncated"), 1);
}

TEST(PoliteFetcherTest, ResetConnectionIsRetried) {
  FakeReply reset;
  reset.action = FakeReply::Action::kReset;
  FakeHttpServer server(Script({reset, Ok("after reset")}));
  PoliteFetcher fetcher(FastOptions());
  auto res = fetcher.Fetch(Get(server, "/rss/cs.LG"));
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(res->body, "after reset");
  EXPECT_EQ(fetcher.Stats().requests.at("network_error"), 1);
}

TEST(PoliteFetcherTest, TimeoutIsRetried) {
  FakeReply stall;
  stall.action = FakeReply::Action::kStall;
  stall.stall = milliseconds(1500);
  FakeHttpServer server(Script({stall, Ok("in time")}));
  PoliteFetcher fetcher(FastOptions());
  FetchRequest req = Get(server, "/api");
  req.timeout = std::chrono::seconds(1);
  auto res = fetcher.Fetch(req);
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(res->body, "in time");
  EXPECT_EQ(fetcher.Stats().requests.at("timeout"), 1);
}

TEST(PoliteFetcherTest, OversizedBodyFailsWithoutRetry) {
  FakeHttpServer server([](const FakeRequest&) { return Ok(std::string(100000, 'p')); });
  PoliteFetcher fetcher(FastOptions());
  FetchRequest req = Get(server, "/pdf/big");
  req.max_bytes = 1000;
  auto res = fetcher.Fetch(req);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(PoliteFetcherTest, ConditionalRequestReturnsNotModified) {
  FakeHttpServer server([](const FakeRequest& req) {
    return req.headers.count("if-modified-since") ? Reply(304) : Ok();
  });
  PoliteFetcher fetcher(FastOptions());
  FetchRequest req = Get(server, "/rss/cs.CL");
  req.headers["If-Modified-Since"] = "Mon, 20 Jul 2026 00:00:00 GMT";
  auto res = fetcher.Fetch(req);
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->http_status, 304);
}

TEST(PoliteFetcherTest, ConnectionRefusedFailsAsUnavailable) {
  int port;
  {
    FakeHttpServer server([](const FakeRequest&) { return Ok(); });
    port = std::stoi(server.url("").substr(std::string("http://127.0.0.1:").size()));
  }
  PoliteFetcher fetcher(FastOptions());
  FetchRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/gone";
  auto res = fetcher.Fetch(req);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kUnavailable);
}

TEST(PoliteFetcherTest, ShutdownCancelsQueuedRequests) {
  FakeHttpServer server([](const FakeRequest&) { return Ok(); });
  std::future<Result<FetchResponse>> queued;
  {
    PoliteFetcherOptions o = FastOptions();
    o.interval = std::chrono::seconds(30);
    PoliteFetcher fetcher(o);
    ASSERT_TRUE(fetcher.Fetch(Get(server, "/one")).has_value());
    queued = fetcher.FetchAsync(Get(server, "/two"));  // waits 30 s for its slot
  }
  auto res = queued.get();
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kCancelled);
  EXPECT_EQ(server.requests().size(), 1u);
}

// A transport on a fake clock: each call takes the time the script says (the clock advances by
// it) and is recorded with its start and end.
class FakeTransport : public HttpTransport {
 public:
  struct Call {
    std::string url;
    std::chrono::steady_clock::time_point start, end;
    milliseconds timeout{0};
  };
  using Script = std::function<HttpReply(const std::string& url, milliseconds timeout,
                                         milliseconds* took)>;
  FakeTransport(core::FakeClock& clock, Script script)
      : clock_(clock), script_(std::move(script)) {}

  HttpReply Send(const HttpRequest& req) override {
    Call c;
    c.url = req.url;
    c.timeout = req.timeout;
    c.start = clock_.Monotonic();
    milliseconds took{0};
    HttpReply r = script_(req.url, req.timeout, &took);
    clock_.Advance(took);
    c.end = clock_.Monotonic();
    std::lock_guard lock(mu_);
    calls_.push_back(c);
    return r;
  }
  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  core::FakeClock& clock_;
  Script script_;
  mutable std::mutex mu_;
  std::vector<Call> calls_;
};

HttpReply Answer(std::string body = "ok", int status = 200) {
  HttpReply r;
  r.http_status = status;
  r.body = std::move(body);
  return r;
}

HttpReply Broken(HttpReply::Failure f, std::string why) {
  HttpReply r;
  r.failure = f;
  r.error = std::move(why);
  return r;
}

FetchRequest At(const std::string& url, FetchKind kind = FetchKind::kMetadata) {
  FetchRequest r;
  r.url = url;
  r.kind = kind;
  r.what = "test " + url;
  return r;
}

// Every request, the retry after a reset included, starts at least `interval` after the
// previous one ended (a reset used to be re-sent 4 ms later), and the reset is reported as a
// failed attempt.
TEST(PoliteFetcherTest, EveryRequestIncludingTheRetryAfterAResetWaitsTheIntervalFromTheLastEnd) {
  core::FakeClock clock(std::chrono::system_clock::now());
  std::atomic<int> n{0};
  FakeTransport transport(clock, [&](const std::string&, milliseconds, milliseconds* took) {
    int i = ++n;
    *took = milliseconds(i % 2 ? 700 : 50);  // some requests last longer than the interval
    if (i == 3) return Broken(HttpReply::Failure::kNetwork, "Connection reset by peer");
    return Answer();
  });
  PoliteFetcherOptions o = FastOptions(&clock);
  o.interval = milliseconds(300);
  o.retry.initial_backoff = milliseconds(10);  // smaller than the interval: the interval rules
  o.transport = &transport;
  PoliteFetcher fetcher(o);
  std::vector<FetchAttempts> attempts(5);
  for (int i = 0; i < 5; ++i) {
    auto res = fetcher.FetchCounted(At("http://arxiv.test/oai?page=" + std::to_string(i)), &attempts[i]);
    ASSERT_TRUE(res.has_value()) << res.error().ToString();
  }
  auto calls = transport.calls();
  ASSERT_EQ(calls.size(), 6u);  // 5 requests + 1 retry
  EXPECT_EQ(calls[2].url, calls[3].url);  // the reset one, retried
  for (size_t i = 1; i < calls.size(); ++i) {
    EXPECT_GE(calls[i].start - calls[i - 1].end, o.interval) << "requests " << i - 1 << ", " << i;
  }
  EXPECT_EQ(attempts[2].attempts, 2);
  EXPECT_EQ(attempts[2].failed, 1);
  EXPECT_EQ(attempts[1].failed, 0);
  EXPECT_EQ(fetcher.Stats().failed_attempts, 1);
  EXPECT_EQ(fetcher.Stats().requests.at("network_error"), 1);
}

// Transport errors back off exponentially like 503s: the waits before retries 2, 3, 4 grow
// (at least half of 1 s, 2 s, 4 s), whatever the jitter draws.
TEST(PoliteFetcherTest, RepeatedResetsBackOffExponentially) {
  core::FakeClock clock(std::chrono::system_clock::now());
  FakeTransport transport(clock, [&](const std::string&, milliseconds, milliseconds* took) {
    *took = milliseconds(5);
    return Broken(HttpReply::Failure::kNetwork, "Connection reset by peer");
  });
  PoliteFetcherOptions o;
  o.interval = milliseconds(300);
  o.clock = &clock;
  o.transport = &transport;
  o.retry.max_attempts = 4;
  o.retry.initial_backoff = milliseconds(1000);
  o.retry.max_backoff = milliseconds(60000);
  PoliteFetcher fetcher(o);
  FetchAttempts a;
  auto res = fetcher.FetchCounted(At("http://arxiv.test/oai"), &a);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(a.attempts, 4);
  EXPECT_EQ(a.failed, 4);
  auto calls = transport.calls();
  ASSERT_EQ(calls.size(), 4u);
  for (size_t i = 1; i < calls.size(); ++i) {
    auto gap = calls[i].start - calls[i - 1].end;
    EXPECT_GE(gap, milliseconds(500LL << (i - 1))) << "retry " << i;
    EXPECT_LE(gap, milliseconds(1000LL << (i - 1)) + milliseconds(1)) << "retry " << i;
  }
}

TEST(PoliteFetcherTest, RedirectHopsAreSpacedLikeRequests) {
  core::FakeClock clock(std::chrono::system_clock::now());
  FakeTransport transport(clock, [&](const std::string& url, milliseconds, milliseconds* took) {
    *took = milliseconds(20);
    if (url.find("/old") != std::string::npos) {
      HttpReply r = Answer("", 301);
      r.redirect_url = "http://arxiv.test/new";
      return r;
    }
    return Answer("moved here");
  });
  PoliteFetcherOptions o = FastOptions(&clock);
  o.interval = milliseconds(300);
  o.transport = &transport;
  PoliteFetcher fetcher(o);
  auto res = fetcher.Fetch(At("http://arxiv.test/old"));
  ASSERT_TRUE(res.has_value()) << res.error().ToString();
  EXPECT_EQ(res->body, "moved here");
  auto calls = transport.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].url, "http://arxiv.test/new");
  EXPECT_GE(calls[1].start - calls[0].end, o.interval);
}

// A listing queued after a PDF still goes first (then metadata, then PDFs).
TEST(PoliteFetcherTest, ListingsGoBeforeMetadataBeforePdfs) {
  core::FakeClock clock(std::chrono::system_clock::now());
  std::promise<void> release, first_started;
  std::shared_future<void> released = release.get_future().share();
  FakeTransport transport(clock, [&](const std::string& url, milliseconds, milliseconds* took) {
    *took = milliseconds(10);
    if (url.find("/first") != std::string::npos) {
      first_started.set_value();
      released.wait();
    }
    return Answer(url);
  });
  PoliteFetcherOptions o = FastOptions(&clock);
  o.transport = &transport;
  PoliteFetcher fetcher(o);
  auto first = fetcher.FetchAsync(At("http://arxiv.test/first"));
  first_started.get_future().wait();
  FetchRequest pdf = At("http://arxiv.test/pdf/2401.00001v1", FetchKind::kPdf);
  pdf.priority = FetchPriority::kAnnouncement;  // even a reader's PDF waits for listings
  FetchRequest meta = At("http://arxiv.test/api/query", FetchKind::kMetadata);
  FetchRequest listing = At("http://arxiv.test/oai", FetchKind::kListing);
  listing.priority = FetchPriority::kBackfill;
  auto p = fetcher.FetchAsync(pdf);
  auto m = fetcher.FetchAsync(meta);
  auto l = fetcher.FetchAsync(listing);
  EXPECT_EQ(fetcher.QueueDepth(), 3u);
  release.set_value();
  ASSERT_TRUE(first.get().has_value());
  ASSERT_TRUE(p.get().has_value());
  ASSERT_TRUE(m.get().has_value());
  ASSERT_TRUE(l.get().has_value());
  auto calls = transport.calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[1].url, "http://arxiv.test/oai");
  EXPECT_EQ(calls[2].url, "http://arxiv.test/api/query");
  EXPECT_EQ(calls[3].url, "http://arxiv.test/pdf/2401.00001v1");
}

// A PDF that stalls gives up once its total time is spent, after at most two tries, instead
// of holding the worker for its 120 s timeout times five attempts.
TEST(PoliteFetcherTest, StalledPdfGivesUpAfterItsTotalLimit) {
  core::FakeClock clock(std::chrono::system_clock::now());
  FakeTransport transport(clock, [&](const std::string&, milliseconds timeout, milliseconds* took) {
    *took = timeout;  // stalls until the transport's timeout
    return Broken(HttpReply::Failure::kTimeout, "Operation timed out");
  });
  PoliteFetcherOptions o = FastOptions(&clock);
  o.retry.max_attempts = 5;
  o.pdf_total = milliseconds(5000);
  o.pdf_max_attempts = 2;
  o.transport = &transport;
  PoliteFetcher fetcher(o);
  FetchRequest pdf = At("http://arxiv.test/pdf/2401.00001v1", FetchKind::kPdf);
  pdf.timeout = std::chrono::seconds(120);
  auto start = clock.Monotonic();
  auto res = fetcher.Fetch(pdf);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LE(clock.Monotonic() - start, milliseconds(5000));
  auto calls = transport.calls();
  ASSERT_GE(calls.size(), 1u);
  EXPECT_LE(calls.size(), 2u);
  EXPECT_LE(calls[0].timeout, milliseconds(5000));
}

TEST(PoliteFetcherTest, FailingPdfGetsTwoTriesNotFive) {
  core::FakeClock clock(std::chrono::system_clock::now());
  FakeTransport transport(clock, [&](const std::string&, milliseconds, milliseconds* took) {
    *took = milliseconds(10);
    return Answer("busy", 503);
  });
  PoliteFetcherOptions o = FastOptions(&clock);
  o.retry.max_attempts = 5;
  o.transport = &transport;
  PoliteFetcher fetcher(o);
  FetchAttempts a;
  auto res = fetcher.FetchCounted(At("http://arxiv.test/pdf/2401.00001v1", FetchKind::kPdf), &a);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(transport.calls().size(), 2u);
  EXPECT_EQ(a.attempts, 2);
  EXPECT_EQ(a.failed, 2);
}

// The same limit against a real socket: the server stalls, the download is abandoned in time.
TEST(PoliteFetcherTest, StalledPdfFromAServerIsAbandonedWithinTheLimit) {
  FakeReply stall;
  stall.action = FakeReply::Action::kStall;
  stall.stall = milliseconds(1500);
  FakeHttpServer server(Script({stall}));
  PoliteFetcherOptions o = FastOptions();
  o.pdf_total = milliseconds(400);
  PoliteFetcher fetcher(o);
  FetchRequest req = Get(server, "/pdf/2401.00001v1");
  req.kind = FetchKind::kPdf;
  req.timeout = std::chrono::seconds(120);
  auto start = std::chrono::steady_clock::now();
  auto res = fetcher.Fetch(req);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(took, milliseconds(1200));
  EXPECT_LE(server.requests().size(), 2u);
}


TEST(PolitenessKeyTest, HostsOfOneSiteShareAKey) {
  EXPECT_EQ(PolitenessKey("https://export.arxiv.org/api/query?id_list=1"), "arxiv.org");
  EXPECT_EQ(PolitenessKey("http://rss.arxiv.org/rss/cs.CL"), "arxiv.org");
  EXPECT_EQ(PolitenessKey("https://arxiv.org/pdf/2401.00001v1"), "arxiv.org");
  EXPECT_EQ(PolitenessKey("https://user@ACLanthology.org.:443/x"), "aclanthology.org");
  EXPECT_EQ(PolitenessKey("http://127.0.0.1:8080/oai"), "127.0.0.1");
  EXPECT_EQ(PolitenessKey("http://localhost:9/x"), "localhost");
  EXPECT_EQ(PolitenessKey("http://[::1]:80/x"), "[::1]");
  EXPECT_EQ(PolitenessKey("http://arxiv.test/old"), "arxiv.test");
}

// Each host keeps its own gap: a request to another site goes at once, the next one to the
// first site still waits `interval` from that site's last request.
TEST(PoliteFetcherTest, OtherHostsDoNotWaitForAHostsGap) {
  core::FakeClock clock(std::chrono::system_clock::now());
  FakeTransport transport(clock, [&](const std::string&, milliseconds, milliseconds* took) {
    *took = milliseconds(10);
    return Answer();
  });
  PoliteFetcherOptions o = FastOptions(&clock);
  o.interval = milliseconds(300);
  o.transport = &transport;
  PoliteFetcher fetcher(o);
  ASSERT_TRUE(fetcher.Fetch(At("https://export.arxiv.org/api/query?a")).has_value());
  ASSERT_TRUE(fetcher.Fetch(At("https://aclanthology.org/volumes/1.xml")).has_value());
  ASSERT_TRUE(fetcher.Fetch(At("https://arxiv.org/pdf/2401.00001v1")).has_value());
  auto calls = transport.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_LT(calls[1].start - calls[0].end, o.interval);  // another site: no wait
  EXPECT_GE(calls[2].start - calls[0].end, o.interval);  // arXiv again (another arXiv host)
}

// A queued request whose host is free goes before one whose host is still in its gap.
TEST(PoliteFetcherTest, ARequestToAFreeHostGoesBeforeOneWaitingForItsGap) {
  core::FakeClock clock(std::chrono::system_clock::now());
  std::promise<void> release, first_started;
  std::shared_future<void> released = release.get_future().share();
  FakeTransport transport(clock, [&](const std::string& url, milliseconds, milliseconds* took) {
    *took = milliseconds(10);
    if (url.find("/first") != std::string::npos) {
      first_started.set_value();
      released.wait();
    }
    return Answer(url);
  });
  PoliteFetcherOptions o = FastOptions(&clock);
  o.interval = milliseconds(300);
  o.transport = &transport;
  PoliteFetcher fetcher(o);
  auto first = fetcher.FetchAsync(At("http://arxiv.test/first"));
  first_started.get_future().wait();
  FetchRequest same_host = At("http://arxiv.test/second", FetchKind::kListing);
  same_host.priority = FetchPriority::kAnnouncement;
  FetchRequest other_host = At("http://venue.test/volume", FetchKind::kPdf);
  other_host.priority = FetchPriority::kBackfill;
  auto a = fetcher.FetchAsync(same_host);
  auto b = fetcher.FetchAsync(other_host);
  release.set_value();
  ASSERT_TRUE(first.get().has_value());
  ASSERT_TRUE(a.get().has_value());
  ASSERT_TRUE(b.get().has_value());
  auto calls = transport.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].url, "http://venue.test/volume");
  EXPECT_EQ(calls[2].url, "http://arxiv.test/second");
  EXPECT_GE(calls[2].start - calls[0].end, o.interval);
}

}  // namespace
}  // namespace coolpapers::net
