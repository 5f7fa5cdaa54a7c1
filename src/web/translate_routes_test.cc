#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "llm/client_limits.h"
#include "llm/llm_config.h"
#include "llm/translation_service.h"
#include "web/route_test_fixture.h"

namespace coolpapers::web {
namespace {

using ::testing::HasSubstr;
using testing::RouteTest;
using json = nlohmann::json;

// "Translates" by prefixing the title and abstract with "[zh] " (the language asked for).
class PrefixChat : public llm::ChatClient {
 public:
  std::string model() const override { return "fake-model"; }
  Result<llm::ChatResult> StreamChat(const llm::ChatRequest& req, const DeltaFn& on_delta,
                                     const std::atomic<bool>*, llm::ChatReport* report) override {
    ++calls;
    const std::string& user = req.messages.back().content;  // "[LANG] zh\n[TITLE]\n...[ABSTRACT]\n..."
    std::string lang = user.substr(7, user.find('\n') - 7);
    size_t t = user.find("[TITLE]\n") + 8;
    size_t a = user.find("\n[ABSTRACT]\n");
    llm::ChatResult r;
    r.content = "[TITLE]\n[" + lang + "] " + user.substr(t, a - t) + "\n[ABSTRACT]\n[" + lang +
                "] " + user.substr(a + 12);
    r.finish_reason = "stop";
    on_delta(r.content);
    if (report != nullptr) report->tokens = 100;
    return r;
  }
  std::atomic<int> calls{0};
};

class ChatRef : public llm::ChatClient {
 public:
  explicit ChatRef(PrefixChat& c) : c_(c) {}
  std::string model() const override { return c_.model(); }
  Result<llm::ChatResult> StreamChat(const llm::ChatRequest& req, const DeltaFn& f,
                                     const std::atomic<bool>* cancel,
                                     llm::ChatReport* report) override {
    return c_.StreamChat(req, f, cancel, report);
  }

 private:
  PrefixChat& c_;
};

class TranslateRoutesTest : public RouteTest {
 protected:
  void SetUp() override {
    RouteTest::SetUp();
    LoadFixture();
    RegisterTranslateRoutes(router_, services_);
  }
  void TearDown() override { service_.reset(); }

  void StartService(bool with_key = true, int64_t budget = 0) {
    budget_ = std::make_unique<llm::DailyTokenBudget>(budget, clock_);
    llm::SharedLlmLimits limits;
    limits.budget = budget_.get();
    limits.charge = [this](int64_t t) { budget_->Add(t); };
    llm::TranslationOptions options;
    options.rate_per_hour = 0;
    options.model = "fake-model";
    options.idle_poll = std::chrono::milliseconds(5);
    service_ = std::make_unique<llm::TranslationService>(
        options, *store_, with_key ? std::make_unique<ChatRef>(chat_) : nullptr, limits, clock_);
    service_->Start();
    services_.translate = service_.get();
  }

  Response GetWith(const std::string& target, std::map<std::string, std::string> headers) {
    Request req;
    req.method = "GET";
    req.target = target;
    req.client_ip = client_ip_;
    req.headers = std::move(headers);
    EXPECT_TRUE(ParseTarget(target, req).ok());
    const Handler* h = router_.Match(req);
    if (h == nullptr) {
      Response none;
      none.status = 404;
      return none;
    }
    return (*h)(req);
  }

  static json Json(const Response& r) { return json::parse(std::string(r.BodyView())); }
  static void ExpectError(const Response& r, int status, const std::string& part) {
    EXPECT_EQ(r.status, status) << r.BodyView();
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
    json j = Json(r);
    ASSERT_TRUE(j["error"].is_string());
    EXPECT_THAT(j["error"].get<std::string>(), HasSubstr(part));
    EXPECT_TRUE(j["hint"].is_string() && !j["hint"].get<std::string>().empty());
  }

  // Polls until 200 (bounded: 10 s).
  Response WaitFor(const std::string& target) {
    Response r;
    for (int i = 0; i < 1000; ++i) {
      r = Get(target);
      if (r.status != 202) return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return r;
  }

  PrefixChat chat_;
  core::FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1782943200))};
  std::unique_ptr<llm::DailyTokenBudget> budget_;
  std::unique_ptr<llm::TranslationService> service_;
};

TEST_F(TranslateRoutesTest, StoredTranslationIs200WithoutAnUpstreamCall) {
  StartService();
  ASSERT_TRUE(store_->SetState("translation/2606.00002/v2/zh/fake-model",
                               R"({"title":"标题 $x$","abstract":"摘要"})").ok());
  Response r = Get("/api/translate/2606.00002v1?lang=zh");
  ASSERT_EQ(r.status, 200) << r.BodyView();
  json j = Json(r);
  EXPECT_EQ(j["title"], "标题 $x$");
  EXPECT_EQ(j["abstract"], "摘要");
  EXPECT_EQ(j["lang"], "zh");
  EXPECT_EQ(j["version"], 2);
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "public, max-age=300");
  EXPECT_EQ(chat_.calls.load(), 0);
}

TEST_F(TranslateRoutesTest, FirstRequestQueues202ThenTheTranslationIs200) {
  StartService();
  Response first = Get("/api/translate/2606.00001?lang=ja");
  ASSERT_EQ(first.status, 202) << first.BodyView();
  EXPECT_THAT(Json(first)["state"].get<std::string>(), ::testing::AnyOf("queued", "running"));
  EXPECT_EQ(HeaderOf(first, "Retry-After"), "3");
  Response done = WaitFor("/api/translate/2606.00001?lang=ja");
  ASSERT_EQ(done.status, 200) << done.BodyView();
  json j = Json(done);
  EXPECT_EQ(j["title"], "[ja] A <script>alert(1)</script> & $\\alpha<\\beta$ title");
  EXPECT_EQ(j["abstract"], "[ja] Abstract of 2606.00001 with $x<y$ & TeX.");
  EXPECT_EQ(j["lang"], "ja");
  EXPECT_EQ(chat_.calls.load(), 1);
}

TEST_F(TranslateRoutesTest, CrossSiteRequestsReadButNeverStartAJob) {
  StartService();
  for (const auto& headers : std::vector<std::map<std::string, std::string>>{
           {{"sec-fetch-site", "cross-site"}},
           {{"sec-fetch-site", "same-site"}},
           {{"origin", "https://evil.example"}, {"host", "127.0.0.1:8080"}}}) {
    ExpectError(GetWith("/api/translate/2606.00003?lang=zh", headers), 403, "another site");
    Response batch = GetWith("/api/translate?ids=2606.00003,2606.00004&lang=zh", headers);
    ASSERT_EQ(batch.status, 200) << batch.BodyView();
    EXPECT_EQ(Json(batch)["errors"].size(), 2u);
  }
  EXPECT_EQ(service_->Stats().pending + service_->Stats().running, 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(chat_.calls.load(), 0);
  // Made from this site, it is readable cross-site.
  ASSERT_EQ(WaitFor("/api/translate/2606.00003?lang=zh").status, 200);
  Response cross = GetWith("/api/translate/2606.00003?lang=zh", {{"sec-fetch-site", "cross-site"}});
  EXPECT_EQ(cross.status, 200) << cross.BodyView();
  EXPECT_EQ(chat_.calls.load(), 1);
}

TEST_F(TranslateRoutesTest, BatchServesMadeOnesQueuesTheRestAndReportsBadIds) {
  StartService();
  ASSERT_TRUE(store_->SetState("translation/2606.00002/v2/zh/fake-model",
                               R"({"title":"T2","abstract":"A2"})").ok());
  Response r = Get("/api/translate?ids=2606.00001,2606.00002,not-an-id,2612.99999&lang=zh");
  ASSERT_EQ(r.status, 200) << r.BodyView();
  json j = Json(r);
  EXPECT_EQ(j["lang"], "zh");
  ASSERT_EQ(j["translations"].size(), 1u);
  EXPECT_EQ(j["translations"]["2606.00002"]["title"], "T2");
  EXPECT_EQ(j["translations"]["2606.00002"]["version"], 2);
  ASSERT_EQ(j["pending"].size(), 1u);
  EXPECT_TRUE(j["pending"].contains("2606.00001"));
  ASSERT_EQ(j["errors"].size(), 2u);
  EXPECT_THAT(j["errors"]["not-an-id"]["error"].get<std::string>(), HasSubstr("not an arXiv id"));
  EXPECT_THAT(j["errors"]["2612.99999"]["error"].get<std::string>(), HasSubstr("not in the database"));
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "3");
  json later;
  for (int i = 0; i < 1000; ++i) {
    later = Json(Get("/api/translate?ids=2606.00001,2606.00002&lang=zh"));
    if (later["pending"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(later["translations"].size(), 2u);
  EXPECT_EQ(later["translations"]["2606.00001"]["abstract"],
            "[zh] Abstract of 2606.00001 with $x<y$ & TeX.");
  EXPECT_EQ(chat_.calls.load(), 1);
  std::string many = "/api/translate?lang=zh&ids=";
  for (int i = 1; i <= 51; ++i) many += "2606." + std::to_string(10000 + i) + ",";
  ExpectError(Get(many), 400, "at most 50");
  ExpectError(Get("/api/translate?lang=zh"), 400, "missing ids");
}

TEST_F(TranslateRoutesTest, BadLanguageIdUnknownPaperAndMissingServiceAreClearErrors) {
  Response off = Get("/api/translate/2606.00001?lang=zh");
  ExpectError(off, 503, "translation is turned off");
  StartService();
  Response bad_lang = Get("/api/translate/2606.00001?lang=xx");
  ExpectError(bad_lang, 400, "zh, ja, ko, fr, de, es");
  ExpectError(Get("/api/translate/2606.00001"), 400, "missing lang");
  ExpectError(Get("/api/translate/not-an-id?lang=zh"), 400, "not an arXiv id");
  ExpectError(Get("/api/translate/2612.99999?lang=zh"), 404, "not in the database");
  ExpectError(Get("/api/translate?ids=2606.00001&lang=xx"), 400, "zh, ja");
  EXPECT_EQ(chat_.calls.load(), 0);
}

TEST_F(TranslateRoutesTest, NoApiKeyIs503WithTheKeyMessageButStoredOnesAreServed) {
  StartService(/*with_key=*/false);
  ASSERT_TRUE(store_->SetState("translation/2606.00002/v2/zh/fake-model",
                               R"({"title":"T2","abstract":"A2"})").ok());
  EXPECT_EQ(Get("/api/translate/2606.00002?lang=zh").status, 200);
  Response r = Get("/api/translate/2606.00001?lang=zh");
  ExpectError(r, 503, "COOLPAPERS_LLM_API_KEY");
  Response batch = Get("/api/translate?ids=2606.00001,2606.00002&lang=zh");
  EXPECT_EQ(batch.status, 503);
  json j = Json(batch);
  EXPECT_EQ(j["translations"].size(), 1u);
  EXPECT_EQ(j["error"], llm::kNoApiKeyMessage);
}

TEST_F(TranslateRoutesTest, ExhaustedBudgetIs429WithTheResetTime) {
  StartService(true, /*budget=*/100);
  budget_->Add(100);
  Response r = Get("/api/translate/2606.00001?lang=zh");
  ExpectError(r, 429, "00:00 UTC");
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "7200");  // the fake clock is at 22:00 UTC
  EXPECT_EQ(chat_.calls.load(), 0);
}

}  // namespace
}  // namespace coolpapers::web
