#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "core/clock.h"
#include "web/click_dedup.h"
#include "web/paper_fetch_queue.h"
#include "web/route_test_fixture.h"

namespace coolpapers::web {
namespace {

using ::testing::HasSubstr;
using testing::RouteTest;
using json = nlohmann::json;

class ApiRoutesTest : public RouteTest {
 protected:
  void SetUp() override {
    RouteTest::SetUp();
    LoadFixture();
  }
  static json Json(const Response& r) { return json::parse(std::string(r.BodyView())); }
  static void ExpectError(const Response& r, int status) {
    EXPECT_EQ(r.status, status) << r.BodyView();
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
    json j = Json(r);
    EXPECT_TRUE(j["error"].is_string() && !j["error"].get<std::string>().empty());
    EXPECT_TRUE(j["hint"].is_string() && !j["hint"].get<std::string>().empty());
  }
};

TEST_F(ApiRoutesTest, PaperShape) {
  Response r = Get("/api/papers/2606.00001");
  ASSERT_EQ(r.status, 200) << r.BodyView();
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  json j = Json(r);
  EXPECT_EQ(j["id"], "2606.00001");
  EXPECT_EQ(j["version"], 2);
  EXPECT_EQ(j["title"], "A <script>alert(1)</script> & $\\alpha<\\beta$ title");
  EXPECT_EQ(j["authors"], json({"Ada Lovelace", "Alan Turing"}));
  EXPECT_EQ(j["categories"], json({"cs.CL", "cs.LG"}));
  for (const char* k : {"abstract", "comments", "journal_ref", "doi", "published", "updated"}) {
    EXPECT_TRUE(j[k].is_string()) << k;
  }
  EXPECT_EQ(j["pdf_url"], "https://arxiv.org/pdf/2606.00001v2");
  EXPECT_EQ(j["abs_url"], "https://arxiv.org/abs/2606.00001");
  ASSERT_EQ(j["memberships"].size(), 2u);
  EXPECT_EQ(j["memberships"][0].size(), 3u);
  EXPECT_TRUE(j["memberships"][0].contains("category"));
  EXPECT_TRUE(j["memberships"][0].contains("day"));
  EXPECT_TRUE(j["memberships"][0].contains("type"));
  EXPECT_EQ(j["clicks"], json({{"pdf", 0}, {"kimi", 0}, {"copy", 0}, {"rel", 0}}));

  EXPECT_EQ(Json(Get("/api/papers/hep-th/9901001"))["id"], "hep-th/9901001");
  EXPECT_EQ(Json(Get("/api/papers/1406.02661"))["id"], "1406.2661");
}

// A PaperFetchQueue answering what the test sets, recording what it was asked.
class ScriptedFetchQueue : public PaperFetchQueue {
 public:
  Result<PaperFetchState> Request(const std::string& id, const std::string& client) override {
    asked.push_back(id);
    return next;
  }
  Result<PaperFetchState> next = PaperFetchState::kQueued;
  std::vector<std::string> asked;
};

// A paper not in the store is asked of the fetch queue (the web layer knows no harvester);
// its answer decides the response.
TEST_F(ApiRoutesTest, MissingPaperIsAskedOfThePaperFetchQueue) {
  ScriptedFetchQueue queue;
  services_.paper_fetch_queue = &queue;
  Response queued = Get("/api/papers/2607.00001");
  EXPECT_EQ(queued.status, 202) << queued.BodyView();
  EXPECT_EQ(Json(queued)["state"], "queued");
  queue.next = PaperFetchState::kFetching;
  EXPECT_EQ(Json(Get("/api/papers/2607.00001"))["state"], "fetching");
  queue.next = PaperFetchState::kNotFound;
  ExpectError(Get("/api/papers/2607.00002"), 404);
  queue.next = Err(Status::ResourceExhausted("you already have 20 papers waiting"));
  ExpectError(Get("/api/papers/2607.00003"), 429);
  queue.next = Err(Status::Unavailable("the queue is full"));
  ExpectError(Get("/api/papers/2607.00004"), 503);
  ASSERT_EQ(queue.asked.size(), 5u);
  EXPECT_EQ(queue.asked[0], "2607.00001");
  Response stored = Get("/api/papers/2606.00001");  // stored papers never reach the queue
  EXPECT_EQ(stored.status, 200);
  EXPECT_EQ(queue.asked.size(), 5u);
}

TEST_F(ApiRoutesTest, PaperErrors) {
  ExpectError(Get("/api/papers/not-an-id"), 400);
  ExpectError(Get("/api/papers/2601.99999"), 404);
}

TEST_F(ApiRoutesTest, ListShape) {
  Response r = Get("/api/list?cat=cs.CL");
  ASSERT_EQ(r.status, 200) << r.BodyView();
  json j = Json(r);
  EXPECT_EQ(j["category"], "cs.CL");
  EXPECT_EQ(j["day"], "2026-06-30");
  EXPECT_EQ(j["days_available"], json({"2026-06-30", "2026-06-26"}));
  EXPECT_TRUE(j["complete"].is_null());
  ASSERT_EQ(j["papers"].size(), 3u);
  EXPECT_EQ(j["papers"][0]["id"], "2606.00001");
  EXPECT_EQ(j["papers"][0]["announce_type"], "new");
  EXPECT_EQ(j["papers"][2]["announce_type"], "cross");
  EXPECT_TRUE(j["papers"][0]["clicks"].is_object());

  json day = Json(Get("/api/list?cat=cs.CL,cs.LG&date=2026-06-26"));
  EXPECT_EQ(day["category"], "cs.CL,cs.LG");
  EXPECT_EQ(day["papers"].size(), 1u);

  ASSERT_TRUE(store_->SetDayStatus({"cs.CL", "2026-06-30", 3, 3}).ok());
  PublishSeq();
  EXPECT_EQ(Json(Get("/api/list?cat=cs.CL"))["complete"], true);
}

TEST_F(ApiRoutesTest, ListErrors) {
  ExpectError(Get("/api/list"), 400);
  ExpectError(Get("/api/list?cat=cs.XYZ"), 404);
  ExpectError(Get("/api/list?cat=cs.CL&date=2026-02-30"), 400);
}

TEST_F(ApiRoutesTest, Days) {
  Response r = Get("/api/days?cat=cs.CL");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json(r), json::parse(R"([{"day":"2026-06-30","count":3},{"day":"2026-06-26","count":1}])"));
  ExpectError(Get("/api/days"), 400);
  ExpectError(Get("/api/days?cat=bogus"), 404);
}

TEST_F(ApiRoutesTest, OneClickPerClientPaperAndKindPerDay) {
  using namespace std::chrono;
  core::FakeClock clock(sys_days(year{2026} / 7 / 1) + hours(23));
  ClickDedup dedup(clock);
  services_.click_dedup = &dedup;
  auto pdf = [&] { return Json(Get("/api/papers/2606.00002"))["clicks"]["pdf"].get<int>(); };
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Post("/api/click/2606.00002?kind=pdf").status, 204);
  EXPECT_EQ(pdf(), 1);  // the same client five times
  EXPECT_EQ(Post("/api/click/2606.00002?kind=rel").status, 204);  // another kind counts
  client_ip_ = "192.0.2.7";
  EXPECT_EQ(Post("/api/click/2606.00002?kind=pdf").status, 204);
  EXPECT_EQ(pdf(), 2);  // two clients
  clock.Advance(std::chrono::hours(1));  // 00:00 UTC: a new day
  EXPECT_EQ(Post("/api/click/2606.00002?kind=pdf").status, 204);
  client_ip_ = "127.0.0.1";
  EXPECT_EQ(Post("/api/click/2606.00002?kind=pdf").status, 204);
  EXPECT_EQ(Post("/api/click/2606.00002?kind=pdf").status, 204);
  EXPECT_EQ(pdf(), 4);
  EXPECT_EQ(Json(Get("/api/papers/2606.00002"))["clicks"]["rel"], 1);
  services_.click_dedup = nullptr;
}

TEST_F(ApiRoutesTest, Clicks) {
  Response r = Post("/api/click/2606.00002?kind=pdf");
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(Post("/api/click/2606.00002?kind=pdf").status, 204);
  EXPECT_EQ(Post("/api/click/2606.00002?kind=rel").status, 204);
  json j = Json(Get("/api/papers/2606.00002"));
  EXPECT_EQ(j["clicks"]["pdf"], 2);
  EXPECT_EQ(j["clicks"]["rel"], 1);
  ExpectError(Post("/api/click/2606.00002?kind=star"), 400);
  ExpectError(Post("/api/click/2606.00002"), 400);
  ExpectError(Post("/api/click/2601.99999?kind=pdf"), 404);
  ExpectError(Post("/api/click/bogus?kind=pdf"), 400);
  // Counters show on the list page once the cache sees the new sequence.
  PublishSeq();
  EXPECT_THAT(std::string(Get("/arxiv/cs.CL").BodyView()),
              HasSubstr("[PDF]</a><sup class=\"pdf-counter\">2</sup>"));
}

}  // namespace
}  // namespace coolpapers::web
