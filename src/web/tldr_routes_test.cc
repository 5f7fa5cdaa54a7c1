// GET /api/tldr: the TL;DR of papers whose FAQ is stored, from the store only (no FAQ job is
// ever started), preferred language first, newest version first.

#include "web/tldr_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "llm/faq_prompt.h"
#include "llm/faq_service.h"
#include "store/faq_content.h"
#include "web/route_test_fixture.h"

namespace coolpapers::web {
namespace {

using json = nlohmann::json;
using testing::RouteTest;

constexpr char kModel[] = "tldr-test-model";

class TldrRoutesTest : public RouteTest {
 protected:
  void SetUp() override {
    RouteTest::SetUp();
    LoadFixture();
    llm::FaqServiceOptions options;
    options.llm.model = kModel;
    options.persist_queue = false;
    // Never started and without a chat client: only its model names the stored FAQs.
    faq_ = std::make_unique<llm::FaqService>(options, *store_.get(), nullptr, nullptr);
    services_.faq = faq_.get();
  }

  void PutFaq(const std::string& id, int version, const std::string& lang,
              const std::string& summary, const std::string& model = kModel) {
    std::vector<store::FaqItem> items;
    for (int i = 0; i + 1 < llm::kFaqQuestionCount; ++i) {
      items.push_back({"Q" + std::to_string(i), "Not the summary. Really not."});
    }
    items.push_back({"Summary?", summary});
    store::FaqRecord rec;
    rec.paper_id = id;
    rec.version = version;
    rec.lang = lang;
    rec.model = model;
    rec.prompt_version = llm::kPromptVersion;
    rec.content_json = store::EncodeFaqContent(items);
    rec.source = "pdf";
    rec.created = "2026-07-01 10:00:00";
    ASSERT_TRUE(store_->PutFaq(rec).ok());
    ASSERT_TRUE(store_->Flush().ok());
    PublishSeq();
  }

  static json Json(const Response& r) { return json::parse(std::string(r.BodyView())); }

  std::unique_ptr<llm::FaqService> faq_;
};

TEST_F(TldrRoutesTest, AnswersOnlyPapersWithAStoredFaq) {
  PutFaq("2606.00001", 2, "en", "**Sparse attention** in $O(n \\log n)$. More detail.");
  Response r = Get("/api/tldr?ids=2606.00001,2606.00002,2601.99999&lang=en");
  ASSERT_EQ(r.status, 200) << r.BodyView();
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  json j = Json(r);
  EXPECT_EQ(j["lang"], "en");
  ASSERT_EQ(j["tldr"].size(), 1u) << j.dump();
  EXPECT_EQ(j["tldr"]["2606.00001"]["text"], "Sparse attention in $O(n \\log n)$.");
  EXPECT_EQ(j["tldr"]["2606.00001"]["lang"], "en");
  EXPECT_EQ(j["tldr"]["2606.00001"]["version"], 2);
  EXPECT_EQ(faq_->Stats().pending, 0u);  // reading never queues a FAQ job
}

TEST_F(TldrRoutesTest, PrefersTheAskedLanguageThenTheOther) {
  PutFaq("2606.00001", 2, "zh", "论文提出了稀疏注意力。其余。");
  PutFaq("2606.00002", 2, "zh", "中文总结。");
  PutFaq("2606.00002", 2, "en", "English summary. Rest.");
  json j = Json(Get("/api/tldr?ids=2606.00001,2606.00002&lang=en"));
  ASSERT_EQ(j["tldr"].size(), 2u) << j.dump();
  EXPECT_EQ(j["tldr"]["2606.00001"]["text"], "论文提出了稀疏注意力。");
  EXPECT_EQ(j["tldr"]["2606.00001"]["lang"], "zh");
  EXPECT_EQ(j["tldr"]["2606.00002"]["text"], "English summary.");
  j = Json(Get("/api/tldr?ids=2606.00002&lang=zh"));
  EXPECT_EQ(j["tldr"]["2606.00002"]["text"], "中文总结。");
}

TEST_F(TldrRoutesTest, AFaqOfAnEarlierVersionStillGivesATldr) {
  PutFaq("2606.00003", 1, "en", "Written for v1. Rest.");
  json j = Json(Get("/api/tldr?ids=2606.00003v2&lang=en"));
  ASSERT_EQ(j["tldr"].size(), 1u) << j.dump();
  EXPECT_EQ(j["tldr"]["2606.00003"]["version"], 1);
}

TEST_F(TldrRoutesTest, AFaqOfAnotherModelIsNotThisSitesFaq) {
  PutFaq("2606.00001", 2, "en", "Other model. Rest.", "another-model");
  json j = Json(Get("/api/tldr?ids=2606.00001&lang=en"));
  EXPECT_TRUE(j["tldr"].empty()) << j.dump();
}

TEST_F(TldrRoutesTest, ANewFaqShowsUpDespiteTheCachedAnswer) {
  json j = Json(Get("/api/tldr?ids=2606.00004&lang=en"));
  EXPECT_TRUE(j["tldr"].empty());
  PutFaq("2606.00004", 2, "en", "Now it exists. Rest.");
  j = Json(Get("/api/tldr?ids=2606.00004&lang=en"));
  EXPECT_EQ(j["tldr"]["2606.00004"]["text"], "Now it exists.");
}

TEST_F(TldrRoutesTest, BadRequestsSayWhatToFix) {
  for (const char* target : {"/api/tldr", "/api/tldr?ids=", "/api/tldr?ids=2606.00001&lang=fr"}) {
    Response r = Get(target);
    EXPECT_EQ(r.status, 400) << target;
    json j = Json(r);
    EXPECT_FALSE(j["error"].get<std::string>().empty()) << target;
    EXPECT_FALSE(j["hint"].get<std::string>().empty()) << target;
  }
  std::string many;
  for (size_t i = 0; i <= kTldrMaxIds; ++i) many += (i ? "," : "") + std::string("2606.00001");
  Response r = Get("/api/tldr?ids=" + many);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(Json(r)["error"].get<std::string>(), ::testing::HasSubstr("at most 100"));
  // Venue ids and typos are not errors: they simply have no TL;DR here.
  r = Get("/api/tldr?ids=2024.acl-long.3@ACL,nonsense&lang=en");
  ASSERT_EQ(r.status, 200) << r.BodyView();
  EXPECT_TRUE(Json(r)["tldr"].empty());
}

TEST_F(TldrRoutesTest, WithoutAFaqServiceTheAnswerIsEmpty) {
  services_.faq = nullptr;
  PutFaq("2606.00001", 2, "en", "Unseen. Rest.");
  Response r = Get("/api/tldr?ids=2606.00001");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(Json(r)["tldr"].empty());
}

}  // namespace
}  // namespace coolpapers::web
