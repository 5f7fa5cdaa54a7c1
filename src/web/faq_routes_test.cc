// FAQ routes of venue papers: POST /venue/kimi, /venue/progress and /api/faq/<id>@<Source>[/stream]
// against a real store and FaqService (a scripted model, a fetcher that records the PDF asked
// for): venue ids are accepted, validated and looked up, with errors that name the id and say
// what to do; cross-site POSTs are refused as for arXiv.

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "llm/chat_client.h"
#include "llm/faq_service.h"
#include "web/route_test_fixture.h"

namespace coolpapers::web {
namespace {

using ::testing::HasSubstr;

// Answers every question at once with "Answer to <question>".
class ScriptedChat : public llm::ChatClient {
 public:
  std::string model() const override { return "fake-model"; }
  Result<llm::ChatResult> StreamChat(const llm::ChatRequest& req, const DeltaFn& on_delta,
                                     const std::atomic<bool>*, llm::ChatReport* report) override {
    ++calls;
    llm::ChatResult r;
    r.content = "Answer to " + req.messages.back().content;
    r.finish_reason = "stop";
    on_delta(r.content);
    if (report != nullptr) report->tokens = 10;
    return r;
  }
  std::atomic<int> calls{0};
};

// The venue has no PDF (404): the FAQ is made from the abstract. Records the URLs asked for.
class NoPdfFetcher : public net::Fetcher {
 public:
  Result<net::FetchResponse> Fetch(const net::FetchRequest& req) override {
    std::lock_guard lock(mu_);
    urls_.push_back(req.url);
    return Err(Status::NotFound("HTTP 404 for " + req.url));
  }
  std::size_t QueueDepth() const override { return 0; }
  std::vector<std::string> urls() {
    std::lock_guard lock(mu_);
    return urls_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> urls_;
};

class VenueFaqRoutesTest : public testing::RouteTest {
 protected:
  void SetUp() override {
    RouteTest::SetUp();
    core::VenuePaper v;
    v.id = "2024.acl-long.3@ACL";
    v.venue = "ACL.2024";
    v.group = "Long";
    v.title = "A venue paper";
    v.abstract = "Its abstract.";
    v.authors = {"Ada Lovelace"};
    v.pdf_url = "https://aclanthology.org/2024.acl-long.3.pdf";
    v.other_ids = {"Hyc2TvX2Wu@OpenReview"};
    std::vector<core::VenuePaper> papers = {v};
    auto r = store_->UpsertVenuePapers(papers);
    ASSERT_TRUE(r) << r.error().ToString();
    llm::FaqServiceOptions options;
    options.persist_queue = false;
    options.llm.concurrency = 1;
    options.llm.rate_per_hour = 0;
    options.llm.daily_token_budget = 0;
    auto chat = std::make_unique<ScriptedChat>();
    chat_ = chat.get();
    faq_ = std::make_unique<llm::FaqService>(options, *store_, &fetcher_, std::move(chat));
    ASSERT_TRUE(faq_->Start().ok());
    services_.faq = faq_.get();
    RegisterFaqRoutes(router_, services_);
  }
  void TearDown() override {
    services_.faq = nullptr;
    faq_.reset();
  }

  // Polls `progress_path` until it answers "1" (at most ~10 s).
  std::string WaitComplete(const std::string& progress_path) {
    std::string last;
    for (int i = 0; i < 1000; ++i) {
      last = Body(Get(progress_path));
      if (last == "1" || last.rfind("failed:", 0) == 0) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return last;
  }

  Response PostWithHeaders(const std::string& target,
                           const std::map<std::string, std::string>& headers) {
    Request req;
    req.method = "POST";
    req.target = target;
    req.client_ip = client_ip_;
    EXPECT_TRUE(ParseTarget(target, req).ok());
    req.headers = headers;
    const Handler* h = router_.Match(req);
    EXPECT_NE(h, nullptr);
    return h ? (*h)(req) : Response{};
  }

  NoPdfFetcher fetcher_;
  ScriptedChat* chat_ = nullptr;
  std::unique_ptr<llm::FaqService> faq_;
};

TEST_F(VenueFaqRoutesTest, VenueKimiStartsTheFaqAndTheApiServesIt) {
  // Before: the JSON says which POST generates it.
  Response before = Get("/api/faq/2024.acl-long.3@ACL?lang=en");
  EXPECT_EQ(before.status, 404);
  EXPECT_THAT(Body(before), HasSubstr("POST /venue/kimi?paper=2024.acl-long.3@ACL&lang=en"));
  Response stream_before = Get("/api/faq/2024.acl-long.3@ACL/stream?lang=en");
  EXPECT_EQ(stream_before.status, 404);
  EXPECT_THAT(Body(stream_before), HasSubstr("/venue/kimi"));

  Response started = Post("/venue/kimi?paper=2024.acl-long.3@ACL&lang=en");
  ASSERT_EQ(started.status, 200) << Body(started);
  EXPECT_THAT(Body(started), HasSubstr("2024.acl-long.3@ACL"));
  EXPECT_EQ(WaitComplete("/venue/progress?paper=2024.acl-long.3@ACL&lang=en"), "1");

  // The id as the panel's script sends it ('@' percent-encoded) and as typed.
  for (const std::string path : {"/api/faq/2024.acl-long.3%40ACL?lang=en",
                                 "/api/faq/2024.acl-long.3@ACL?lang=en"}) {
    Response r = Get(path);
    ASSERT_EQ(r.status, 200) << path << ": " << Body(r);
    auto j = nlohmann::json::parse(Body(r));
    ASSERT_TRUE(j.contains("faq")) << Body(r);
    EXPECT_EQ(j["faq"].size(), 6u);
    EXPECT_EQ(j.value("source", ""), "abstract");  // the venue had no PDF
  }
  Response stream = Get("/api/faq/2024.acl-long.3@ACL/stream?lang=en");
  EXPECT_EQ(stream.status, 200);
  EXPECT_THAT(stream.content_type, HasSubstr("text/event-stream"));
  // Asked again: the cached FAQ, no new generation.
  Response again = Post("/venue/kimi?paper=2024.acl-long.3@ACL&lang=en");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(chat_->calls, 6);
  std::vector<std::string> urls = fetcher_.urls();
  ASSERT_EQ(urls.size(), 1u);
  EXPECT_EQ(urls[0], "https://aclanthology.org/2024.acl-long.3.pdf");
}

TEST_F(VenueFaqRoutesTest, UnknownVenuePaperIs404SayingToImportIt) {
  Response r = Post("/venue/kimi?paper=2099.acl-long.1@ACL&lang=en");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(Body(r), HasSubstr("2099.acl-long.1@ACL"));
  EXPECT_THAT(Body(r), HasSubstr("coolpapers import venue"));
  EXPECT_THAT(Body(r), HasSubstr("/venue/"));
  Response api = Get("/api/faq/2099.acl-long.1@ACL?lang=en");
  EXPECT_EQ(api.status, 404);
  auto j = nlohmann::json::parse(Body(api));
  EXPECT_THAT(j.value("error", ""), HasSubstr("2099.acl-long.1@ACL"));
  EXPECT_THAT(j.value("hint", ""), HasSubstr("/venue/kimi"));
  EXPECT_THAT(j.value("hint", ""), HasSubstr("import"));
  EXPECT_EQ(Get("/venue/progress?paper=2099.acl-long.1@ACL&lang=en").status, 404);
  EXPECT_EQ(chat_->calls, 0);
}

TEST_F(VenueFaqRoutesTest, MalformedIdsAre400NamingTheIdAndTheForm) {
  for (const std::string id : {"2024.acl-long.3@", "@ACL", "a%20b@ACL"}) {
    Response r = Post("/venue/kimi?paper=" + id + "&lang=en");
    EXPECT_EQ(r.status, 400) << id;
    EXPECT_THAT(Body(r), HasSubstr("not a venue paper id")) << id;
    EXPECT_THAT(Body(r), HasSubstr("2024.acl-long.3@ACL")) << id;  // the form, by example
  }
  Response not_arxiv = Post("/venue/kimi?paper=nonsense&lang=en");
  EXPECT_EQ(not_arxiv.status, 400);
  EXPECT_THAT(Body(not_arxiv), HasSubstr("nonsense"));
  Response api = Get("/api/faq/2024.acl-long.3@/stream?lang=en");
  EXPECT_EQ(api.status, 400);
  EXPECT_THAT(Body(api), HasSubstr("not a venue paper id"));
  EXPECT_EQ(chat_->calls, 0);
}

TEST_F(VenueFaqRoutesTest, AnotherIdOfTheVenuePaperAnswersWithTheSameFaq) {
  ASSERT_EQ(Post("/venue/kimi?paper=Hyc2TvX2Wu@OpenReview&lang=en").status, 200);
  EXPECT_EQ(WaitComplete("/venue/progress?paper=2024.acl-long.3@ACL&lang=en"), "1");
  EXPECT_EQ(Get("/api/faq/Hyc2TvX2Wu@OpenReview?lang=en").status, 200);
  EXPECT_EQ(chat_->calls, 6);
}

TEST_F(VenueFaqRoutesTest, CrossSitePostIsRefusedAsForArxiv) {
  Response r = PostWithHeaders("/venue/kimi?paper=2024.acl-long.3@ACL&lang=en",
                               {{"sec-fetch-site", "cross-site"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(chat_->calls, 0);
  EXPECT_EQ(fetcher_.urls().size(), 0u);
  Response same = PostWithHeaders("/venue/kimi?paper=2024.acl-long.3@ACL&lang=en",
                                  {{"sec-fetch-site", "same-origin"}});
  EXPECT_EQ(same.status, 200);
}

TEST_F(VenueFaqRoutesTest, GetVenueKimiLinksToThePaperPageWithoutStartingAnything) {
  Response r = Get("/venue/kimi?paper=2024.acl-long.3@ACL&lang=en");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(HeaderOf(r, "Location"), "/venue/2024.acl-long.3@ACL");
  Response arxiv = Get("/venue/kimi?paper=2402.12354v2");
  EXPECT_EQ(arxiv.status, 302);
  EXPECT_EQ(HeaderOf(arxiv, "Location"), "/arxiv/2402.12354");
  Response bad = Get("/venue/kimi?paper=2024.acl-long.3@");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(Body(bad), HasSubstr("not a venue paper id"));
  EXPECT_EQ(Get("/venue/progress?paper=2024.acl-long.3@ACL&lang=en").status, 200);
  EXPECT_EQ(Body(Get("/venue/progress?paper=2024.acl-long.3@ACL&lang=en")), "none");
  EXPECT_EQ(chat_->calls, 0);
  EXPECT_EQ(fetcher_.urls().size(), 0u);
}

}  // namespace
}  // namespace coolpapers::web
