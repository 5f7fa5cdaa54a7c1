#include "llm/faq_service.h"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "llm/faq_prompt.h"
#include "llm/faq_render.h"
#include "store/store.h"

namespace coolpapers::llm {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;

// ---- fakes ----

// A scripted OpenAI-compatible model: answers "Answer N to <question>" in three deltas.
// A conversation starts with a request that has no assistant turn yet.
class FakeChat : public ChatClient {
 public:
  std::string model() const override { return "fake-model"; }

  Result<ChatResult> StreamChat(const ChatRequest& req, const DeltaFn& on_delta,
                                const std::atomic<bool>* cancel) override {
    int call;
    {
      std::unique_lock lock(mu_);
      bool new_conversation = std::none_of(req.messages.begin(), req.messages.end(),
                                           [](const ChatMessage& m) { return m.role == "assistant"; });
      if (new_conversation) ++conversations_;
      call = calls_++;
      last_paper_message_ = req.messages.size() > 1 ? req.messages[1].content : "";
      cv_.notify_all();
      // Held at the gate (if closed) until opened or cancelled.
      while (gate_closed_ && !(cancel && *cancel)) cv_.wait_for(lock, milliseconds(5));
      if (cancel && *cancel) return Err(Status::Cancelled("cancelled"));
    }
    const std::string& question = req.messages.back().content;
    std::string answer = "Answer " + std::to_string(call + 1) + " to " + question +
                         ": **key point** with $x_i^2$.";
    size_t third = answer.size() / 3;
    on_delta(answer.substr(0, third));
    if (fail_call_ == call) return Err(Status::Unavailable("the stream was cut mid-answer"));
    on_delta(answer.substr(third, third));
    on_delta(answer.substr(2 * third));
    ChatResult r;
    r.content = answer;
    r.finish_reason = "stop";
    r.usage = {100, 20, 120, true};
    return r;
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
  // Blocks until at least `n` calls have started.
  void WaitForCalls(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return calls_ >= n; });
  }
  void FailCall(int call) { fail_call_ = call; }
  int conversations() {
    std::lock_guard lock(mu_);
    return conversations_;
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::string last_paper_message() {
    std::lock_guard lock(mu_);
    return last_paper_message_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool gate_closed_ = false;
  int calls_ = 0, conversations_ = 0;
  std::atomic<int> fail_call_{-1};
  std::string last_paper_message_;
};

// Forwards to a FakeChat owned by the test, so it outlives services.
class ChatRef : public ChatClient {
 public:
  explicit ChatRef(FakeChat& chat) : chat_(chat) {}
  std::string model() const override { return chat_.model(); }
  Result<ChatResult> StreamChat(const ChatRequest& req, const DeltaFn& f,
                                const std::atomic<bool>* c) override {
    return chat_.StreamChat(req, f, c);
  }

 private:
  FakeChat& chat_;
};

class FakeFetcher : public harvest::Fetcher {
 public:
  enum class Mode { kPdf, kNotFound, kGarbage };
  std::atomic<Mode> mode{Mode::kPdf};
  std::atomic<int> fetches{0};

  Result<harvest::FetchResponse> Fetch(const harvest::FetchRequest& req) override {
    ++fetches;
    EXPECT_EQ(req.priority, harvest::FetchPriority::kReader);
    if (mode == Mode::kNotFound) return Err(Status::NotFound("404 for " + req.url));
    harvest::FetchResponse r;
    r.http_status = 200;
    if (mode == Mode::kGarbage) {
      r.body = "<html>not a pdf</html>";
      return r;
    }
    std::ifstream in(std::string(COOLPAPERS_SOURCE_DIR) + "/tests/fixtures/pdfs/2304.02623v1.pdf",
                     std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    r.body = out.str();
    return r;
  }
  std::size_t QueueDepth() const override { return 0; }
};

// ---- fixture ----

class FaqServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cp_faq_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = store::OpenStore("sqlite:" + (dir_ / "faq.db").string());
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = std::move(*store);
    std::vector<core::Paper> papers;
    for (const char* id : {"2304.02623", "2401.00001", "2401.00002", "2401.00003"}) {
      core::Paper p;
      p.id = id;
      p.version = 1;
      p.title = std::string("Paper ") + id;
      p.abstract = std::string("Abstract of ") + id + ".";
      p.authors = {"A. Author"};
      p.categories = {"cs.CL"};
      p.published = p.updated = "2024-01-02 00:00:00";
      papers.push_back(p);
    }
    ASSERT_TRUE(store_->Upsert(papers, {}).has_value());
    options_.llm.concurrency = 1;
    options_.llm.rate_per_hour = 0;
    options_.llm.daily_token_budget = 0;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<FaqService> Service(bool with_key = true) {
    auto s = std::make_unique<FaqService>(
        options_, *store_, &fetcher_,
        with_key ? std::make_unique<ChatRef>(chat_) : std::unique_ptr<ChatClient>(), clock_);
    EXPECT_TRUE(s->Start().ok());
    return s;
  }

  static FaqRequest Req(const std::string& id, const std::string& lang = "en",
                        const std::string& client = "") {
    FaqRequest r;
    r.paper_id = id;
    r.lang = lang;
    r.client = client;
    return r;
  }

  // Follows a subscription to its end; returns the final event.
  static FaqEvent Drain(FaqSubscription& sub, std::map<int, std::string>* deltas = nullptr) {
    std::vector<FaqEvent> events;
    FaqEvent last;
    while (sub.Next(events, milliseconds(200))) {
      for (const FaqEvent& e : events) {
        if (e.kind == FaqEvent::Kind::kDelta && deltas) (*deltas)[e.index] += e.text;
        last = e;
      }
      events.clear();
    }
    return last;
  }

  FaqView WaitDone(FaqService& s, const std::string& id, const std::string& lang = "en") {
    auto sub = s.Subscribe(Req(id, lang));
    EXPECT_TRUE(sub.has_value());
    if (!sub) return {};
    Drain(**sub);
    return (*sub)->View();
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  FaqServiceOptions options_;
  FakeChat chat_;
  FakeFetcher fetcher_;
  core::FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1782943200))};
};

TEST_F(FaqServiceTest, HundredConcurrentReadersCauseOneGenerationAndAllSeeItAll) {
  options_.llm.rate_per_hour = 1;  // joining a running job never counts
  auto service = Service();
  chat_.CloseGate();
  constexpr int kReaders = 100;
  std::atomic<int> subscribed{0};
  std::vector<FaqEvent> finals(kReaders);
  std::vector<std::map<int, std::string>> deltas(kReaders);
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] {
      auto sub = service->Subscribe(Req("2304.02623", "en", "10.0.0.1"));
      ASSERT_TRUE(sub.has_value()) << sub.error().ToString();
      ++subscribed;
      finals[i] = Drain(**sub, &deltas[i]);
    });
  }
  while (subscribed < kReaders) std::this_thread::sleep_for(milliseconds(5));
  chat_.OpenGate();
  for (auto& t : readers) t.join();

  EXPECT_EQ(chat_.conversations(), 1);
  EXPECT_EQ(chat_.calls(), kFaqQuestionCount);
  EXPECT_EQ(fetcher_.fetches, 1);
  for (int i = 0; i < kReaders; ++i) {
    ASSERT_EQ(finals[i].kind, FaqEvent::Kind::kDone) << i;
    EXPECT_THAT(finals[i].text, HasSubstr("data-state=\"1\""));
    EXPECT_THAT(finals[i].text, HasSubstr("Answer 6 to Summarize the main content of the paper."));
    ASSERT_EQ(deltas[i].size(), 6u);
    EXPECT_EQ(deltas[i][0],
              "Answer 1 to What problem does this paper try to solve?: **key point** with $x_i^2$.");
  }
  auto rec = store_->GetFaq("2304.02623", 1, "en", "fake-model", kPromptVersion);
  ASSERT_TRUE(rec.has_value() && rec->has_value());
  EXPECT_EQ((*rec)->source, "pdf");
  EXPECT_EQ((*rec)->tokens, 6 * 120);
  std::vector<FaqItem> items;
  ASSERT_TRUE(ParseFaqItemsJson((*rec)->content_json, items));
  ASSERT_EQ(items.size(), 6u);
  EXPECT_EQ(items[3].q, "What experiments does the paper conduct?");
  EXPECT_THAT(chat_.last_paper_message(), HasSubstr("Beyond Summarization"));
}

TEST_F(FaqServiceTest, LateReaderReplaysWhatWasGeneratedThenFollowsLive) {
  auto service = Service();
  chat_.CloseGate();
  auto first = service->Subscribe(Req("2304.02623"));
  ASSERT_TRUE(first.has_value());
  chat_.WaitForCalls(1);
  FaqView v = (*first)->View();
  EXPECT_EQ(v.state, FaqState::kLoading);
  EXPECT_EQ(v.ProgressText(), "loading:0");
  chat_.OpenGate();
  auto late = WaitDone(*service, "2304.02623");
  EXPECT_EQ(late.state, FaqState::kComplete);
  std::map<int, std::string> d;
  EXPECT_EQ(Drain(**first, &d).kind, FaqEvent::Kind::kDone);  // the first reader too
  EXPECT_EQ(d.size(), 6u);
}

TEST_F(FaqServiceTest, SecondRequestIsServedFromCacheWithoutUpstreamCalls) {
  {
    auto service = Service();
    EXPECT_EQ(WaitDone(*service, "2304.02623").state, FaqState::kComplete);
    EXPECT_EQ(chat_.calls(), 6);
    auto again = service->Request(Req("2304.02623"));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->state, FaqState::kComplete);
    ASSERT_TRUE(again->html);
    EXPECT_THAT(*again->html, HasSubstr("class=\"faq-q\""));
  }
  auto fresh = Service();  // a new process: from the store
  auto view = fresh->Request(Req("2304.02623"));
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->state, FaqState::kComplete);
  EXPECT_EQ(view->items.size(), 6u);
  auto sub = fresh->Subscribe(Req("2304.02623"));
  ASSERT_TRUE(sub.has_value());
  std::map<int, std::string> d;
  EXPECT_EQ(Drain(**sub, &d).kind, FaqEvent::Kind::kDone);
  EXPECT_EQ(d.size(), 6u);
  EXPECT_EQ(chat_.calls(), 6);
  EXPECT_EQ(fetcher_.fetches, 1);
}

TEST_F(FaqServiceTest, LanguagesAreSeparateGenerations) {
  auto service = Service();
  EXPECT_EQ(WaitDone(*service, "2304.02623", "en").state, FaqState::kComplete);
  FaqView zh = WaitDone(*service, "2304.02623", "zh");
  EXPECT_EQ(zh.state, FaqState::kComplete);
  ASSERT_EQ(zh.items.size(), 6u);
  EXPECT_EQ(zh.items[0].q, "这篇论文试图解决什么问题？");
  EXPECT_EQ(chat_.conversations(), 2);
}

TEST_F(FaqServiceTest, CutStreamIsNotStoredAndTheNextRequestRegenerates) {
  auto service = Service();
  chat_.FailCall(2);  // third answer cut mid-way
  auto sub = service->Subscribe(Req("2304.02623"));
  ASSERT_TRUE(sub.has_value());
  FaqEvent last = Drain(**sub);
  EXPECT_EQ(last.kind, FaqEvent::Kind::kError);
  EXPECT_THAT(last.text, HasSubstr("cut mid-answer"));
  auto rec = store_->GetFaq("2304.02623", 1, "en", "fake-model", kPromptVersion);
  ASSERT_TRUE(rec.has_value());
  EXPECT_FALSE(rec->has_value());
  auto peek = service->Peek("2304.02623", 0, "en");
  ASSERT_TRUE(peek.has_value());
  EXPECT_EQ(peek->state, FaqState::kFailed);
  EXPECT_THAT(peek->ProgressText(), HasSubstr("failed:"));

  chat_.FailCall(-1);
  EXPECT_EQ(WaitDone(*service, "2304.02623").state, FaqState::kComplete);
  EXPECT_EQ(chat_.conversations(), 2);
  rec = store_->GetFaq("2304.02623", 1, "en", "fake-model", kPromptVersion);
  ASSERT_TRUE(rec.has_value() && rec->has_value());
}

TEST_F(FaqServiceTest, JobInterruptedByShutdownIsRequeuedAtNextStart) {
  {
    auto service = Service();
    chat_.CloseGate();
    auto sub = service->Subscribe(Req("2304.02623"));
    ASSERT_TRUE(sub.has_value());
    ASSERT_TRUE(service->Request(Req("2401.00001")).has_value());  // waiting behind it
    chat_.WaitForCalls(1);
    service->Stop();
    FaqEvent last = Drain(**sub);
    EXPECT_EQ(last.kind, FaqEvent::Kind::kError);
    EXPECT_THAT(last.text, HasSubstr("resumes when it restarts"));
  }
  auto rec = store_->GetFaq("2304.02623", 1, "en", "fake-model", kPromptVersion);
  ASSERT_TRUE(rec.has_value());
  EXPECT_FALSE(rec->has_value());
  chat_.OpenGate();
  auto restarted = Service();  // nobody asks again: the queue itself resumes
  for (const char* id : {"2304.02623", "2401.00001"}) {
    auto sub = restarted->Subscribe(Req(id));
    ASSERT_TRUE(sub.has_value());
    EXPECT_EQ(Drain(**sub).kind, FaqEvent::Kind::kDone) << id;
  }
  EXPECT_EQ(chat_.conversations(), 3);  // the interrupted one twice, the waiting one once
  restarted.reset();                    // workers joined: the queue is written
  auto state = store_->GetState("faq_queue");
  ASSERT_TRUE(state.has_value() && state->has_value());
  EXPECT_EQ(**state, "[]");
}

TEST_F(FaqServiceTest, PriorityQueueReportsPositionsAndAdminJumps) {
  auto service = Service();
  chat_.CloseGate();
  ASSERT_TRUE(service->Request(Req("2401.00001")).has_value());
  chat_.WaitForCalls(1);  // running
  ASSERT_TRUE(service->Request(Req("2401.00002")).has_value());
  ASSERT_TRUE(service->Request(Req("2401.00003")).has_value());
  EXPECT_EQ(service->Peek("2401.00002", 0, "en")->ProgressText(), "pending:0");
  EXPECT_EQ(service->Peek("2401.00003", 0, "en")->ProgressText(), "pending:1");
  FaqRequest admin = Req("2401.00003");
  admin.admin = true;
  ASSERT_TRUE(service->Request(admin).has_value());
  EXPECT_EQ(service->Peek("2401.00003", 0, "en")->ProgressText(), "pending:0");
  EXPECT_EQ(service->Peek("2401.00002", 0, "en")->ProgressText(), "pending:1");
  EXPECT_EQ(service->Stats().pending, 2u);
  EXPECT_EQ(service->Stats().running, 1u);
  chat_.OpenGate();
}

TEST_F(FaqServiceTest, RateLimitPerClientSaysWhyAndWhen) {
  options_.llm.rate_per_hour = 1;
  auto service = Service();
  ASSERT_TRUE(service->Request(Req("2401.00001", "en", "10.0.0.1")).has_value());
  std::chrono::seconds wait{0};
  auto refused = service->Request(Req("2401.00002", "en", "10.0.0.1"), &wait);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.error().message(), HasSubstr("Too many new FAQ requests"));
  EXPECT_THAT(refused.error().message(), HasSubstr("Try again in"));
  EXPECT_GT(wait.count(), 0);
  EXPECT_TRUE(service->Request(Req("2401.00002", "en", "10.0.0.2")).has_value());
  EXPECT_TRUE(service->Request(Req("2401.00001", "en", "10.0.0.1")).has_value());  // joining
}

TEST_F(FaqServiceTest, DailyTokenBudgetStopsNewGenerations) {
  options_.llm.daily_token_budget = 100;
  auto service = Service();
  EXPECT_EQ(WaitDone(*service, "2401.00001").state, FaqState::kComplete);  // uses 720
  std::chrono::seconds wait{0};
  auto refused = service->Request(Req("2401.00002"), &wait);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.error().message(), HasSubstr("daily FAQ token budget"));
  EXPECT_EQ(wait, std::chrono::hours(2));  // until 00:00 UTC
  auto cached = service->Request(Req("2401.00001"));
  ASSERT_TRUE(cached.has_value());  // generated FAQs stay available
  EXPECT_EQ(cached->state, FaqState::kComplete);
}

TEST_F(FaqServiceTest, NoApiKeySaysHowToSetItButServesStoredFaqs) {
  auto service = Service(false);
  EXPECT_FALSE(service->configured());
  auto r = service->Request(Req("2401.00001"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.error().message(), kNoApiKeyMessage);
  store::FaqRecord rec;
  rec.paper_id = "2401.00002";
  rec.lang = "en";
  rec.model = service->model();
  rec.prompt_version = kPromptVersion;
  rec.content_json = R"([{"q":"Q?","a":"A **b**"}])";
  rec.source = "abstract";
  ASSERT_TRUE(store_->PutFaq(rec).ok());
  auto stored = service->Request(Req("2401.00002"));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->state, FaqState::kComplete);
  EXPECT_THAT(*stored->html, HasSubstr("A <strong>b</strong>"));
}

TEST_F(FaqServiceTest, MissingPdfFallsBackToTheAbstract) {
  fetcher_.mode = FakeFetcher::Mode::kNotFound;
  auto service = Service();
  FaqView v = WaitDone(*service, "2401.00001");
  EXPECT_EQ(v.state, FaqState::kComplete);
  EXPECT_EQ(v.source, "abstract");
  EXPECT_THAT(*v.html, HasSubstr("Generated from the title and abstract only"));
  EXPECT_THAT(chat_.last_paper_message(), HasSubstr("Abstract of 2401.00001."));
}

TEST_F(FaqServiceTest, UnreadablePdfIsAClearFailureNotAnEmptyFaq) {
  fetcher_.mode = FakeFetcher::Mode::kGarbage;
  auto service = Service();
  FaqView v = WaitDone(*service, "2401.00001");
  EXPECT_EQ(v.state, FaqState::kFailed);
  EXPECT_THAT(v.error, HasSubstr("is not a PDF"));
  EXPECT_EQ(chat_.calls(), 0);
}

TEST_F(FaqServiceTest, UnknownPaperAndLanguageAreRefused) {
  auto service = Service();
  auto missing = service->Request(Req("2501.99999"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.error().message(), HasSubstr("not in the database"));
  auto lang = service->Request(Req("2401.00001", "fr"));
  ASSERT_FALSE(lang.has_value());
  EXPECT_EQ(lang.error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace coolpapers::llm
