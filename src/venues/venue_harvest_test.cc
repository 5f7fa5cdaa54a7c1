#include "venues/venue_harvest.h"

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/fixture_path.h"
#include "net/http_transport.h"
#include "net/polite_fetcher.h"
#include "sources/openreview/notes.h"
#include "store/testing/temp_store.h"

namespace coolpapers::venues {
namespace {

using std::chrono::milliseconds;
using nlohmann::json;

constexpr char kIclr2023[] = "ICLR.cc/2023/Conference";
constexpr char kBase[] = "http://openreview.test";

// The value of `name` in the query of `url`, percent-decoded; "" when absent.
std::string QueryParam(const std::string& url, const std::string& name) {
  size_t q = url.find('?');
  if (q == std::string::npos) return "";
  std::string query = url.substr(q + 1);
  for (size_t at = 0; at <= query.size();) {
    size_t amp = query.find('&', at);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(at, amp - at);
    if (pair.rfind(name + "=", 0) == 0) {
      std::string raw = pair.substr(name.size() + 1), out;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size()) {
          out += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += raw[i];
        }
      }
      return out;
    }
    at = amp + 1;
  }
  return "";
}

// OpenReview's /notes on a fake clock: the notes of the fixture whose content.venueid is the
// requested one, `limit` of them from `offset`, with the total as `count`. Each call takes
// 20 ms of fake time and is recorded; `fault` may replace the reply of any call.
class FakeOpenReview : public net::HttpTransport {
 public:
  struct Call {
    std::string url;
    std::chrono::steady_clock::time_point start, end;
  };
  using Fault = std::function<std::optional<net::HttpReply>(int call, const std::string& url)>;

  FakeOpenReview(core::FakeClock& clock, const std::string& fixture)
      : clock_(clock), notes_(json::parse(fixture)["notes"]) {}

  bool with_count = true;
  bool ignore_offset = false;
  Fault fault;

  net::HttpReply Send(const net::HttpRequest& req) override {
    std::lock_guard lock(mu_);
    Call c{req.url, clock_.Monotonic(), {}};
    net::HttpReply reply = Answer(static_cast<int>(calls_.size()), req.url);
    clock_.Advance(milliseconds(20));
    c.end = clock_.Monotonic();
    calls_.push_back(c);
    return reply;
  }
  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  net::HttpReply Answer(int call, const std::string& url) {
    if (fault) {
      if (std::optional<net::HttpReply> r = fault(call, url)) return *r;
    }
    net::HttpReply reply;
    reply.connected = true;
    reply.http_status = 200;
    std::string venue = QueryParam(url, "content.venueid");
    size_t offset = ignore_offset ? 0 : std::stoul(QueryParam(url, "offset"));
    size_t limit = std::stoul(QueryParam(url, "limit"));
    json match = json::array();
    for (const json& n : notes_) {
      if (n["content"]["venueid"]["value"] == venue) match.push_back(n);
    }
    json page = json::array();
    for (size_t i = offset; i < match.size() && i < offset + limit; ++i) page.push_back(match[i]);
    json body = {{"notes", page}};
    if (with_count) body["count"] = match.size();
    reply.body = body.dump();
    return reply;
  }

  core::FakeClock& clock_;
  json notes_;
  mutable std::mutex mu_;
  std::vector<Call> calls_;
};

net::HttpReply Reply(int code, std::map<std::string, std::string> headers = {},
                      std::string body = "{\"name\": \"Error\"}") {
  net::HttpReply r;
  r.connected = true;
  r.http_status = code;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

class VenueHarvestTest : public ::testing::Test {
 protected:
  VenueHarvestTest()
      : clock_(std::chrono::system_clock::now()),
        server_(clock_, testing::ReadFixture("venues/openreview/iclr2023.notes.json")) {}

  // A polite client as `harvest venue` makes it: one request per second to the host.
  std::unique_ptr<net::PoliteFetcher> Fetcher() {
    net::PoliteFetcherOptions o;
    o.interval = milliseconds(1000);
    o.retry.max_attempts = 3;
    o.retry.initial_backoff = milliseconds(5);
    o.retry.max_backoff = milliseconds(20);
    o.clock = &clock_;
    o.transport = &server_;
    return std::make_unique<net::PoliteFetcher>(o);
  }

  OpenReviewHarvestOptions Options(int page_size) {
    OpenReviewHarvestOptions o;
    o.venue_id = kIclr2023;
    o.base_url = kBase;
    o.page_size = page_size;
    o.clock = &clock_;
    return o;
  }

  std::vector<int64_t> Offsets() const {
    std::vector<int64_t> out;
    for (const auto& c : server_.calls()) out.push_back(std::stoll(QueryParam(c.url, "offset")));
    return out;
  }

  core::FakeClock clock_;
  FakeOpenReview server_;
};

TEST(VenueHarvestPolitenessTest, OpenReviewHasAHostBudgetOfItsOwn) {
  // The polite client spaces requests per site: OpenReview's API is one site, arXiv another.
  std::string notes = sources::openreview::NotesUrl("", kIclr2023, 0, 1000);
  EXPECT_EQ(notes.rfind(std::string(kOpenReviewApiUrl) + "/notes?", 0), 0u) << notes;
  EXPECT_EQ(net::PolitenessKey(notes), "openreview.net");
  EXPECT_NE(net::PolitenessKey(notes), net::PolitenessKey("https://export.arxiv.org/api/query"));
}

TEST_F(VenueHarvestTest, PagesWithOffsetUntilTheCountIsReached) {
  auto fetcher = Fetcher();
  std::vector<HarvestProgress> seen;
  OpenReviewHarvestOptions o = Options(2);
  o.on_page = [&](const HarvestProgress& p) { seen.push_back(p); };
  auto r = FetchOpenReviewVenue(*fetcher, o);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  // 6 accepted papers in the fixture, 2 a page: 3 pages, and no 4th request (count says done).
  ASSERT_EQ(server_.calls().size(), 3u);
  EXPECT_EQ(Offsets(), (std::vector<int64_t>{0, 2, 4}));
  EXPECT_EQ(server_.calls()[0].url,
            std::string(kBase) +
                "/notes?content.venueid=ICLR.cc%2F2023%2FConference&offset=0&limit=2");
  EXPECT_EQ(r->edition, "ICLR.2023");
  ASSERT_EQ(r->papers.size(), 6u);
  EXPECT_EQ(r->papers[0].id, "VWqiPBB_EM@OpenReview");
  for (size_t i = 0; i < r->papers.size(); ++i) {
    EXPECT_EQ(r->papers[i].position, static_cast<int>(i));
    EXPECT_EQ(r->papers[i].venue, "ICLR.2023");
  }
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_EQ(r->progress.requests, 3);
  ASSERT_EQ(seen.size(), 3u);
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].pages, static_cast<int>(i + 1));
    EXPECT_EQ(seen[i].papers, static_cast<int64_t>(2 * (i + 1)));
    EXPECT_EQ(seen[i].count, 6);
  }
  EXPECT_EQ(seen[2].eta_seconds(), 0);
  // After page 1 (20 ms of fake time), 2 pages are left: at least 1 s each with the gap.
  HarvestProgress first = seen[0];
  EXPECT_NEAR(first.eta_seconds(), 0.04, 0.001);
  first.min_seconds_per_page = 1.0;
  EXPECT_NEAR(first.eta_seconds(), 2.0, 0.001);
}

TEST_F(VenueHarvestTest, WithoutACountStopsAtTheFirstShortPage) {
  server_.with_count = false;
  auto fetcher = Fetcher();
  auto r = FetchOpenReviewVenue(*fetcher, Options(4));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(Offsets(), (std::vector<int64_t>{0, 4}));  // 4 notes, then 2 < 4: done
  EXPECT_EQ(r->papers.size(), 6u);
  EXPECT_EQ(r->progress.count, -1);
  EXPECT_EQ(r->progress.eta_seconds(), -1);

  auto r3 = FetchOpenReviewVenue(*fetcher, Options(3));  // 3, 3, then an empty page
  ASSERT_TRUE(r3.has_value()) << r3.error().ToString();
  EXPECT_EQ(Offsets(), (std::vector<int64_t>{0, 4, 0, 3, 6}));
  EXPECT_EQ(r3->papers.size(), 6u);
}

TEST_F(VenueHarvestTest, RequestsAreASecondApartRetriesIncluded) {
  // Call 1 (page 2) gets a 500, call 3 (page 3) a 429 asking for 2 s: 5 requests for 3 pages.
  server_.fault = [](int call, const std::string&) -> std::optional<net::HttpReply> {
    if (call == 1) return Reply(500);
    if (call == 3) return Reply(429, {{"retry-after", "2"}});
    return std::nullopt;
  };
  auto fetcher = Fetcher();
  auto r = FetchOpenReviewVenue(*fetcher, Options(2));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  auto calls = server_.calls();
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(Offsets(), (std::vector<int64_t>{0, 2, 2, 4, 4}));
  EXPECT_EQ(r->progress.requests, 5);
  EXPECT_EQ(r->papers.size(), 6u);
  for (size_t i = 1; i < calls.size(); ++i) {
    auto gap = std::chrono::duration_cast<milliseconds>(calls[i].start - calls[i - 1].end);
    EXPECT_GE(gap.count(), 1000) << "request " << i;
  }
  auto after_429 = std::chrono::duration_cast<milliseconds>(calls[4].start - calls[3].end);
  EXPECT_GE(after_429.count(), 2000);
}

TEST_F(VenueHarvestTest, MalformedPageStoresNothingAndARerunCompletesThenChangesNothing) {
  store::testing::TempStore db("cp_venues");
  ASSERT_TRUE(db.Open());
  server_.fault = [](int call, const std::string&) -> std::optional<net::HttpReply> {
    if (call == 1) return Reply(200, {}, "{\"notes\": [{\"id\": \"x\"");
    return std::nullopt;
  };
  auto fetcher = Fetcher();
  auto bad = HarvestOpenReviewVenue(*db, *fetcher, Options(2));
  ASSERT_FALSE(bad.has_value());
  const std::string& m = bad.error().message();
  EXPECT_NE(m.find("ICLR.cc/2023/Conference failed at page 2 (offset 2)"), std::string::npos) << m;
  EXPECT_NE(m.find("/notes?content.venueid=ICLR.cc%2F2023%2FConference&offset=2&limit=2"),
            std::string::npos) << m;
  EXPECT_NE(m.find("nothing was stored"), std::string::npos) << m;
  auto editions = db->VenueEditions();
  ASSERT_TRUE(editions.has_value());
  EXPECT_TRUE(editions->empty());

  server_.fault = nullptr;
  auto first = HarvestOpenReviewVenue(*db, *fetcher, Options(2));
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_EQ(first->counts.inserted, 6);
  auto second = HarvestOpenReviewVenue(*db, *fetcher, Options(4));
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  EXPECT_EQ(second->counts.inserted, 0);
  EXPECT_EQ(second->counts.updated, 0);
  EXPECT_EQ(second->counts.unchanged, 6);
  auto listed = db->ListVenue("ICLR.2023", "");
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 6u);
  EXPECT_EQ((*listed)[0].id, "VWqiPBB_EM@OpenReview");
}

TEST_F(VenueHarvestTest, AVenueIdWithoutPapersIsAClearError) {
  auto fetcher = Fetcher();
  OpenReviewHarvestOptions o = Options(2);
  o.venue_id = "ICLR.cc/2042/Conference";
  auto r = FetchOpenReviewVenue(*fetcher, o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kNotFound);
  const std::string& m = r.error().message();
  EXPECT_NE(m.find("no papers for venue id ICLR.cc/2042/Conference"), std::string::npos) << m;
  EXPECT_NE(m.find("https://openreview.net/group?id=ICLR.cc/2042/Conference"), std::string::npos);
  EXPECT_EQ(server_.calls().size(), 1u);
}

TEST_F(VenueHarvestTest, AVenueIdOfTheWrongShapeMakesNoRequest) {
  auto fetcher = Fetcher();
  OpenReviewHarvestOptions o = Options(2);
  o.venue_id = "ICLR 2024";
  auto r = FetchOpenReviewVenue(*fetcher, o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("\"ICLR 2024\""), std::string::npos);
  EXPECT_TRUE(server_.calls().empty());
}

TEST_F(VenueHarvestTest, AClientErrorFailsAtOnceNamingTheVenueAndUrl) {
  server_.fault = [](int, const std::string&) -> std::optional<net::HttpReply> {
    return Reply(403, {}, "{\"name\": \"ForbiddenError\", \"message\": \"Forbidden\"}");
  };
  auto fetcher = Fetcher();
  auto r = FetchOpenReviewVenue(*fetcher, Options(2));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(server_.calls().size(), 1u);  // a 4xx is not retried
  const std::string& m = r.error().message();
  EXPECT_NE(m.find("ICLR.cc/2023/Conference failed at page 1"), std::string::npos) << m;
  EXPECT_NE(m.find("HTTP 403"), std::string::npos) << m;
  EXPECT_NE(m.find("offset=0&limit=2"), std::string::npos) << m;
  EXPECT_NE(m.find("check the venue id"), std::string::npos) << m;
}

TEST_F(VenueHarvestTest, PersistentServerErrorsGiveUpAfterTheFetchersTries) {
  server_.fault = [](int, const std::string&) -> std::optional<net::HttpReply> {
    return Reply(503);
  };
  auto fetcher = Fetcher();
  auto r = FetchOpenReviewVenue(*fetcher, Options(2));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(server_.calls().size(), 3u);  // max_attempts
  EXPECT_NE(r.error().message().find("run the same command again later"), std::string::npos)
      << r.error().message();
}

TEST_F(VenueHarvestTest, AServerThatIgnoresOffsetIsStoppedNotPagedForEver) {
  server_.ignore_offset = true;
  server_.with_count = false;
  auto fetcher = Fetcher();
  auto r = FetchOpenReviewVenue(*fetcher, Options(2));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(server_.calls().size(), 2u);
  EXPECT_NE(r.error().message().find("repeated papers already received"), std::string::npos)
      << r.error().message();
}

TEST_F(VenueHarvestTest, PapersSeenTwiceWhenTheListShiftsAreKeptOnce) {
  // The second page starts one note early (as when a note was added before it while paging).
  server_.with_count = false;
  server_.fault = [](int call, const std::string&) -> std::optional<net::HttpReply> {
    if (call != 1) return std::nullopt;
    json notes = json::array();
    json all = json::parse(testing::ReadFixture("venues/openreview/iclr2023.notes.json"))["notes"];
    for (const json& n : all) {
      if (n["content"]["venueid"]["value"] == kIclr2023) notes.push_back(n);
    }
    json page = {{"notes", {notes[3], notes[4], notes[5]}}};
    return Reply(200, {}, page.dump());
  };
  auto fetcher = Fetcher();
  auto r = FetchOpenReviewVenue(*fetcher, Options(4));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->papers.size(), 6u);
  std::set<std::string> ids;
  for (const auto& p : r->papers) ids.insert(p.id);
  EXPECT_EQ(ids.size(), 6u);
  EXPECT_EQ(r->papers.back().position, 5);
}

TEST_F(VenueHarvestTest, FewerDistinctNotesThanTheCountIsAWarningToRunAgain) {
  // Page 2 starts one note early (a note moved while paging): 5 distinct notes of 6 arrive.
  server_.fault = [](int call, const std::string& url) -> std::optional<net::HttpReply> {
    if (call != 1) return std::nullopt;
    json all = json::parse(testing::ReadFixture("venues/openreview/iclr2023.notes.json"))["notes"];
    json accepted = json::array();
    for (const json& n : all) {
      if (n["content"]["venueid"]["value"] == kIclr2023) accepted.push_back(n);
    }
    json page = {{"notes", {accepted[1], accepted[2]}}, {"count", 6}};
    return Reply(200, {}, page.dump());
  };
  auto fetcher = Fetcher();
  auto r = FetchOpenReviewVenue(*fetcher, Options(2));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(server_.calls().size(), 3u);
  EXPECT_EQ(r->papers.size(), 5u);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("announced 6 notes for ICLR.cc/2023/Conference but 5 distinct"),
            std::string::npos)
      << r->warnings[0];
}

}  // namespace
}  // namespace coolpapers::venues
