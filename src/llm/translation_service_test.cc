#include "llm/translation_service.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "llm/faq_service.h"
#include "llm/llm_config.h"
#include "store/testing/temp_store.h"

namespace coolpapers::llm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using std::chrono::milliseconds;

// A model that "translates" by echoing what it is sent in a recognisable form: each line of the
// title and abstract prefixed with "<<lang>> ". In `lose_math` mode it also rewrites every '$'
// as '#', as a careless model might.
class EchoChat : public ChatClient {
 public:
  std::string model() const override { return "echo-model"; }

  Result<ChatResult> StreamChat(const ChatRequest& req, const DeltaFn& on_delta,
                                const std::atomic<bool>* cancel, ChatReport* report) override {
    {
      std::unique_lock lock(mu_);
      ++calls_;
      last_system_ = req.messages.front().content;
      cv_.notify_all();
      while (gate_closed_ && !(cancel && *cancel)) cv_.wait_for(lock, milliseconds(5));
      if (cancel && *cancel) return Err(Status::Cancelled("cancelled"));
    }
    const std::string& user = req.messages.back().content;
    if (user.rfind("[LANG] ", 0) != 0 || user.find("\n[ABSTRACT]\n") == std::string::npos) {
      ChatResult faq;  // a FAQ question (the FAQ service shares the fake in some tests)
      faq.content = "An answer.";
      faq.finish_reason = "stop";
      on_delta(faq.content);
      if (report != nullptr) report->tokens = 10;
      return faq;
    }
    // "[LANG] zh\n[TITLE]\n<title>\n[ABSTRACT]\n<abstract>"
    std::string lang = user.substr(7, user.find('\n') - 7);
    size_t t = user.find("[TITLE]\n") + 8;
    size_t a = user.find("\n[ABSTRACT]\n");
    std::string title = user.substr(t, a - t);
    std::string abstract = user.substr(a + 12);
    if (lose_math_) {
      for (std::string* s : {&title, &abstract}) std::replace(s->begin(), s->end(), '$', '#');
    }
    std::string answer =
        "[TITLE]\n<<" + lang + ">> " + title + "\n[ABSTRACT]\n<<" + lang + ">> " + abstract;
    on_delta(answer);
    if (report != nullptr) report->tokens = 300;
    ChatResult r;
    r.content = answer;
    r.finish_reason = "stop";
    r.usage = {280, 20, 300, true};
    return r;
  }

  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::string last_system() {
    std::lock_guard lock(mu_);
    return last_system_;
  }
  void CloseGate() {
    std::lock_guard lock(mu_);
    gate_closed_ = true;
  }
  void OpenGate() {
    std::lock_guard lock(mu_);
    gate_closed_ = false;
    cv_.notify_all();
  }
  void WaitForCalls(int n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return calls_ >= n; });
  }
  std::atomic<bool> lose_math_{false};

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool gate_closed_ = false;
  int calls_ = 0;
  std::string last_system_;
};

class ChatRef : public ChatClient {
 public:
  explicit ChatRef(EchoChat& chat) : chat_(chat) {}
  std::string model() const override { return chat_.model(); }
  Result<ChatResult> StreamChat(const ChatRequest& req, const DeltaFn& f,
                                const std::atomic<bool>* c, ChatReport* report) override {
    return chat_.StreamChat(req, f, c, report);
  }

 private:
  EchoChat& chat_;
};

class TranslationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Open());
    std::vector<core::Paper> papers;
    for (const char* id : {"2401.00001", "2401.00002", "2401.00003"}) {
      core::Paper p;
      p.id = id;
      p.version = 2;
      p.title = std::string("Paper ") + id + " on $\\mathcal{O}(n)$ attention";
      p.abstract = std::string("We show $$\\sum_i x_i = 1$$ and \\(a<b\\) for ") + id +
                   "; it costs 5\\$ per run.";
      p.authors = {"A. Author"};
      p.categories = {"cs.CL"};
      p.published = p.updated = "2024-01-02 00:00:00";
      papers.push_back(p);
    }
    ASSERT_TRUE(store_->Upsert(papers, {}).has_value());
    options_.rate_per_hour = 0;
    options_.idle_poll = milliseconds(5);
    limits_.faq_waiting = [this] { return faq_waiting_.load(); };
  }

  std::unique_ptr<TranslationService> Service(bool with_key = true) {
    auto s = std::make_unique<TranslationService>(
        options_, *store_, with_key ? std::make_unique<ChatRef>(chat_) : nullptr, limits_,
        clock_);
    s->Start();
    return s;
  }

  // One id's view (start = true unless told).
  static Result<TranslationView> Ask(TranslationService& s, const std::string& id,
                                     const std::string& lang = "zh", bool start = true,
                                     const std::string& client = "") {
    std::chrono::seconds wait{0};
    auto r = s.Request({id}, lang, client, start, &wait);
    if (!r) return Err(r.error());
    EXPECT_EQ(r->size(), 1u);
    return std::move(r->front());
  }

  // Asks until done (bounded: 10 s).
  static TranslationView WaitDone(TranslationService& s, const std::string& id,
                                  const std::string& lang = "zh") {
    for (int i = 0; i < 1000; ++i) {
      auto v = Ask(s, id, lang);
      if (!v) {
        ADD_FAILURE() << v.error().ToString();
        return {};
      }
      if (v->state == TranslationState::kDone || v->state == TranslationState::kFailed) return *v;
      std::this_thread::sleep_for(milliseconds(10));
    }
    ADD_FAILURE() << "translation of " << id << " not done in 10 s";
    return {};
  }

  store::testing::TempStore store_{"cp_translate_test", "t.db"};
  TranslationOptions options_;
  SharedLlmLimits limits_;
  std::atomic<bool> faq_waiting_{false};
  EchoChat chat_;
  core::FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1782943200))};
};

TEST(MathSpansTest, FindsEveryDelimiterKindAndSkipsEscapedAndUnterminated) {
  EXPECT_THAT(MathSpans("a $x$ b $$y$$ c \\(z\\) d \\[w\\] e"),
              ElementsAre("$x$", "$$y$$", "\\(z\\)", "\\[w\\]"));
  EXPECT_THAT(MathSpans("costs 5\\$ and $a\\$b$"), ElementsAre("$a\\$b$"));
  EXPECT_TRUE(MathSpans("Broken $\\frac{1}{ in a title").empty());
  EXPECT_TRUE(MathSurvived("a $x^2$ and $y$", "<<zh>> $y$ 和 $x^2$"));
  EXPECT_FALSE(MathSurvived("a $x^2$ and $y$", "<<zh>> $x^{2}$ 和 $y$"));
  EXPECT_FALSE(MathSurvived("$x$ and $x$", "only one $x$"));
  EXPECT_TRUE(MathSurvived("no math", "没有公式"));
}

TEST_F(TranslationServiceTest, TranslatesOncePerKeyAndServesEveryoneFromTheStore) {
  auto service = Service();
  auto first = Ask(*service, "2401.00001");
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->state == TranslationState::kQueued ||
              first->state == TranslationState::kRunning);
  TranslationView done = WaitDone(*service, "2401.00001");
  ASSERT_EQ(done.state, TranslationState::kDone);
  ASSERT_TRUE(done.translation.has_value());
  EXPECT_EQ(done.version, 2);
  EXPECT_EQ(done.translation->title, "<<zh>> Paper 2401.00001 on $\\mathcal{O}(n)$ attention");
  EXPECT_THAT(done.translation->abstract, HasSubstr("<<zh>> We show $$\\sum_i x_i = 1$$"));
  EXPECT_TRUE(done.translation->kept_original.empty());
  EXPECT_EQ(chat_.calls(), 1);
  // Stored under its key, as JSON.
  auto stored = store_->GetState("translation/2401.00001/v2/zh/echo-model");
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ(nlohmann::json::parse(**stored)["title"], done.translation->title);
  // Asked again, and by a new process: no upstream call.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Ask(*service, "2401.00001")->state, TranslationState::kDone);
  service.reset();
  auto again = Service();
  EXPECT_EQ(Ask(*again, "2401.00001")->state, TranslationState::kDone);
  EXPECT_EQ(chat_.calls(), 1);
  // Another language is another translation.
  EXPECT_EQ(WaitDone(*again, "2401.00001", "ja").translation->title.substr(0, 8), "<<ja>> P");
  EXPECT_EQ(chat_.calls(), 2);
}

TEST_F(TranslationServiceTest, ConcurrentReadersJoinOneJob) {
  auto service = Service();
  chat_.CloseGate();
  constexpr int kReaders = 20;
  std::vector<std::thread> readers;
  std::atomic<int> ok{0};
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&] {
      auto v = Ask(*service, "2401.00002");
      if (v && v->state != TranslationState::kFailed) ++ok;
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(ok.load(), kReaders);
  chat_.WaitForCalls(1);
  chat_.OpenGate();
  EXPECT_EQ(WaitDone(*service, "2401.00002").state, TranslationState::kDone);
  EXPECT_EQ(chat_.calls(), 1);
}

TEST_F(TranslationServiceTest, WaitsWhileFaqJobsAreWaiting) {
  faq_waiting_ = true;
  auto service = Service();
  ASSERT_TRUE(Ask(*service, "2401.00001").has_value());
  for (int i = 0; i < 1000 && service->Stats().held_back < 3; ++i) {
    std::this_thread::sleep_for(milliseconds(2));
  }
  ASSERT_GE(service->Stats().held_back, 3);
  EXPECT_EQ(chat_.calls(), 0);
  EXPECT_EQ(Ask(*service, "2401.00001")->state, TranslationState::kQueued);
  faq_waiting_ = false;
  EXPECT_EQ(WaitDone(*service, "2401.00001").state, TranslationState::kDone);
  EXPECT_EQ(chat_.calls(), 1);
}

TEST_F(TranslationServiceTest, JobWhoseTranslationWasStoredMeanwhileMakesNoUpstreamCall) {
  faq_waiting_ = true;  // hold the job in the queue
  auto service = Service();
  ASSERT_EQ(Ask(*service, "2401.00001")->state, TranslationState::kQueued);
  ASSERT_TRUE(store_->SetState("translation/2401.00001/v2/zh/echo-model",
                               R"({"title":"made","abstract":"elsewhere"})").ok());
  faq_waiting_ = false;
  TranslationView v = WaitDone(*service, "2401.00001");
  ASSERT_EQ(v.state, TranslationState::kDone);
  EXPECT_EQ(v.translation->title, "made");
  for (int i = 0; i < 1000 && service->Stats().pending + service->Stats().running > 0; ++i) {
    std::this_thread::sleep_for(milliseconds(2));
  }
  EXPECT_EQ(service->Stats().pending + service->Stats().running, 0u);
  EXPECT_EQ(chat_.calls(), 0);
}

TEST_F(TranslationServiceTest, RealFaqQueueHoldsTranslationsBack) {
  // The FaqService's own queue: its only worker is held (closed gate) by a first FAQ, so a
  // second FAQ waits; meanwhile no translation runs.
  FaqServiceOptions faq_options;
  faq_options.persist_queue = false;
  faq_options.llm.daily_token_budget = 0;
  faq_options.llm.rate_per_hour = 0;
  faq_options.llm.concurrency = 1;
  EchoChat faq_chat;
  faq_chat.CloseGate();
  FaqService faq(faq_options, *store_, nullptr, std::make_unique<ChatRef>(faq_chat), clock_);
  ASSERT_TRUE(faq.Start().ok());
  FaqRequest a;
  a.paper_id = "2401.00001";
  a.lang = "en";
  ASSERT_TRUE(faq.Request(a).has_value());
  faq_chat.WaitForCalls(1);  // the worker is busy with the first FAQ
  FaqRequest b = a;
  b.paper_id = "2401.00002";
  ASSERT_TRUE(faq.Request(b).has_value());  // waits for a worker
  ASSERT_EQ(faq.Stats().pending, 1u);
  limits_ = ShareWithFaq(faq);
  auto service = Service();
  ASSERT_TRUE(Ask(*service, "2401.00003").has_value());
  for (int i = 0; i < 1000 && service->Stats().held_back < 2; ++i) {
    std::this_thread::sleep_for(milliseconds(2));
  }
  EXPECT_GE(service->Stats().held_back, 2);
  EXPECT_EQ(chat_.calls(), 0);
  faq_chat.OpenGate();  // the FAQs run; then the translation
  EXPECT_EQ(WaitDone(*service, "2401.00003").state, TranslationState::kDone);
  EXPECT_EQ(chat_.calls(), 1);
  service.reset();
  faq.Stop();
}

TEST_F(TranslationServiceTest, SharesTheFaqDailyTokenBudget) {
  FaqServiceOptions faq_options;
  faq_options.persist_queue = false;
  faq_options.llm.daily_token_budget = 1000;
  faq_options.llm.rate_per_hour = 0;
  EchoChat faq_chat;
  FaqService faq(faq_options, *store_, nullptr, std::make_unique<ChatRef>(faq_chat), clock_);
  ASSERT_TRUE(faq.Start().ok());
  limits_ = ShareWithFaq(faq);
  auto service = Service();
  ASSERT_EQ(WaitDone(*service, "2401.00001").state, TranslationState::kDone);
  EXPECT_EQ(faq.Stats().tokens_today, 300);  // charged to the FAQs' budget
  faq.ChargeTokens(700);                     // FAQs use the rest
  std::chrono::seconds wait{0};
  auto refused = service->Request({"2401.00002"}, "zh", "", true, &wait);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.error().message(), HasSubstr("00:00 UTC"));
  EXPECT_EQ(wait, std::chrono::hours(2));  // the fake clock is at 22:00 UTC
  // What is stored stays available; FAQs are refused by the same budget.
  EXPECT_EQ(Ask(*service, "2401.00001")->state, TranslationState::kDone);
  FaqRequest r;
  r.paper_id = "2401.00003";
  r.lang = "en";
  auto faq_refused = faq.Request(r);
  ASSERT_FALSE(faq_refused.has_value());
  EXPECT_EQ(faq_refused.error().code(), StatusCode::kResourceExhausted);
  service.reset();
  faq.Stop();
}

TEST_F(TranslationServiceTest, MathLostByTheModelFallsBackToTheOriginalText) {
  chat_.lose_math_ = true;
  auto service = Service();
  TranslationView v = WaitDone(*service, "2401.00001");
  ASSERT_EQ(v.state, TranslationState::kDone);
  EXPECT_EQ(v.translation->title, "Paper 2401.00001 on $\\mathcal{O}(n)$ attention");
  EXPECT_THAT(v.translation->kept_original, ElementsAre("title", "abstract"));
  EXPECT_EQ(service->Stats().math_fallbacks, 1);
  EXPECT_THAT(chat_.last_system(), HasSubstr("copy every math span"));
}

TEST_F(TranslationServiceTest, WithoutStartNothingIsQueued) {
  auto service = Service();
  auto v = Ask(*service, "2401.00001", "zh", /*start=*/false);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->state, TranslationState::kNone);
  EXPECT_EQ(service->Stats().pending, 0u);
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(chat_.calls(), 0);
  // Once someone on the site has asked, it is readable without start.
  ASSERT_EQ(WaitDone(*service, "2401.00001").state, TranslationState::kDone);
  EXPECT_EQ(Ask(*service, "2401.00001", "zh", false)->state, TranslationState::kDone);
}

TEST_F(TranslationServiceTest, BadLanguageUnknownPaperAndNoKeyAreClear) {
  auto service = Service();
  std::chrono::seconds wait{0};
  auto bad = service->Request({"2401.00001"}, "xx", "", true, &wait);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.error().message(), HasSubstr("zh, ja, ko, fr, de, es"));
  auto batch = service->Request({"2401.00001", "2499.99999"}, "zh", "", true, &wait);
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_TRUE((*batch)[0].has_value());
  ASSERT_FALSE((*batch)[1].has_value());
  EXPECT_EQ((*batch)[1].error().code(), StatusCode::kNotFound);
  ASSERT_EQ(WaitDone(*service, "2401.00001").state, TranslationState::kDone);
  service.reset();
  auto keyless = Service(false);
  EXPECT_FALSE(keyless->configured());
  // No model: nothing stored under a model name can be found, and nothing can start.
  auto none = keyless->Request({"2401.00002"}, "zh", "", true, &wait);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(none.error().message(), kNoApiKeyMessage);
}

TEST_F(TranslationServiceTest, RateLimitCountsABatchOnce) {
  options_.rate_per_hour = 1;
  auto service = Service();
  std::chrono::seconds wait{0};
  auto batch = service->Request({"2401.00001", "2401.00002"}, "zh", "198.51.100.7", true, &wait);
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->size(), 2u);
  for (const auto& v : *batch) EXPECT_NE(v->state, TranslationState::kNone);
  // Polling for the same papers starts nothing new, so it is not limited.
  EXPECT_TRUE(service->Request({"2401.00001", "2401.00002"}, "zh", "198.51.100.7", true, &wait)
                  .has_value());
  auto refused = service->Request({"2401.00003"}, "zh", "198.51.100.7", true, &wait);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.error().message(), HasSubstr("per hour"));
  EXPECT_GT(wait.count(), 0);
}

}  // namespace
}  // namespace coolpapers::llm
