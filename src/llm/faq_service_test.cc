#include "llm/faq_service.h"
#include "llm/testing/chat_ref.h"

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
#include "store/faq_content.h"
#include "store/store.h"
#include "store/testing/temp_store.h"

namespace coolpapers::llm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using std::chrono::milliseconds;

// ---- fakes ----

// A scripted OpenAI-compatible model: answers "Answer N to <question>" in three deltas.
// A conversation starts with a request that has no assistant turn yet.
class FakeChat : public ChatClient {
 public:
  std::string model() const override { return "fake-model"; }

  Result<ChatResult> StreamChat(const ChatRequest& req, const DeltaFn& on_delta,
                                const std::atomic<bool>* cancel, ChatReport* report) override {
    if (report != nullptr) *report = ChatReport();
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
    const int64_t tokens = tokens_per_answer_;
    if (report != nullptr) report->tokens = tokens;  // reported even when the answer fails
    if (fail_call_ == call) {
      if (report != nullptr) report->detail = "http://llm.internal/v1 said: upstream secret";
      return Err(Status::Unavailable("the stream was cut mid-answer"));
    }
    on_delta(answer.substr(third, third));
    on_delta(answer.substr(2 * third));
    ChatResult r;
    r.content = answer;
    r.finish_reason = "stop";
    r.usage = {tokens - 20, 20, tokens, true};
    return r;
  }

  void SetTokensPerAnswer(int64_t t) { tokens_per_answer_ = t; }

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
  std::atomic<int64_t> tokens_per_answer_{120};
  std::string last_paper_message_;
};

using ChatRef = llm::testing::ChatRef<FakeChat>;

class FakeFetcher : public net::Fetcher {
 public:
  enum class Mode { kPdf, kNotFound, kGarbage };
  std::atomic<Mode> mode{Mode::kPdf};
  std::atomic<int> fetches{0};

  Result<net::FetchResponse> Fetch(const net::FetchRequest& req) override {
    ++fetches;
    {
      std::lock_guard lock(mu_);
      urls_.push_back(req.url);
    }
    EXPECT_EQ(req.priority, net::FetchPriority::kReader);
    if (mode == Mode::kNotFound) return Err(Status::NotFound("404 for " + req.url));
    net::FetchResponse r;
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
  std::vector<std::string> urls() {
    std::lock_guard lock(mu_);
    return urls_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> urls_;
};

// Forwards to a real store; PutFaq fails (database busy) the first `put_failures` times.
class FlakyStore : public store::Store {
 public:
  explicit FlakyStore(store::Store& s) : s_(s) {}
  std::atomic<int> put_failures{0};
  std::atomic<int> put_calls{0};

  Status PutFaq(const store::FaqRecord& f) override {
    ++put_calls;
    if (put_failures > 0) {
      --put_failures;
      return Status::Unavailable("database is locked (busy)");
    }
    return s_.PutFaq(f);
  }
  Result<store::UpsertCounts> Upsert(std::span<const core::Paper> p,
                                     std::span<const core::Membership> m) override {
    return s_.Upsert(p, m);
  }
  Result<std::optional<core::Paper>> GetPaper(const std::string& id) override {
    return s_.GetPaper(id);
  }
  Result<std::vector<core::Paper>> GetPapers(std::span<const std::string> ids) override {
    return s_.GetPapers(ids);
  }
  Result<std::vector<store::ListEntry>> ListDay(const store::ListQuery& q) override {
    return s_.ListDay(q);
  }
  Result<std::vector<store::DayCount>> Days(std::span<const std::string> c) override {
    return s_.Days(c);
  }
  Result<std::optional<std::string>> LatestDay(std::span<const std::string> c) override {
    return s_.LatestDay(c);
  }
  Result<std::vector<core::Membership>> MembershipsOf(const std::string& id) override {
    return s_.MembershipsOf(id);
  }
  Status AddClick(const std::string& id, const std::string& kind) override {
    return s_.AddClick(id, kind);
  }
  Result<std::map<std::string, store::ClickCounts>> GetClicks(
      std::span<const std::string> ids) override {
    return s_.GetClicks(ids);
  }
  Status SetDayStatus(const store::DayStatus& d) override { return s_.SetDayStatus(d); }
  Result<std::optional<store::DayStatus>> GetDayStatus(const std::string& c,
                                                       const std::string& d) override {
    return s_.GetDayStatus(c, d);
  }
  Result<std::optional<std::string>> GetState(const std::string& k) override {
    return s_.GetState(k);
  }
  Status SetState(const std::string& k, const std::string& v) override { return s_.SetState(k, v); }
  Result<std::vector<std::pair<std::string, std::string>>> ListState(
      const std::string& prefix) override {
    return s_.ListState(prefix);
  }
  Status DeleteState(const std::string& k) override { return s_.DeleteState(k); }
  Result<std::optional<store::FaqRecord>> GetFaq(const std::string& id, int v,
                                                 const std::string& lang, const std::string& m,
                                                 int pv) override {
    return s_.GetFaq(id, v, lang, m, pv);
  }
  Result<int64_t> ChangeSeq() override { return s_.ChangeSeq(); }
  Result<std::vector<std::pair<int64_t, core::Paper>>> ChangedSince(int64_t after,
                                                                   int limit) override {
    return s_.ChangedSince(after, limit);
  }
  Result<store::StoreStats> Stats() override { return s_.Stats(); }

 private:
  store::Store& s_;
};

// ---- fixture ----

class FaqServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Open());
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

  std::unique_ptr<FaqService> Service(bool with_key = true) {
    auto s = std::make_unique<FaqService>(
        options_, service_store_ ? *service_store_ : *store_, &fetcher_,
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

  // Request (starts or joins) then Subscribe (only joins), as the panel does.
  static Result<std::shared_ptr<FaqSubscription>> Start(FaqService& s, const FaqRequest& req) {
    if (auto started = s.Request(req); !started) return Err(started.error());
    return s.Subscribe(req);
  }

  FaqView WaitDone(FaqService& s, const std::string& id, const std::string& lang = "en") {
    auto sub = Start(s, Req(id, lang));
    EXPECT_TRUE(sub.has_value());
    if (!sub) return {};
    Drain(**sub);
    return (*sub)->View();
  }

  // Waits (bounded, 10 s) until the service's workers have finished every job: a job's
  // subscribers see it complete before its worker has filed it away (Finish), and a request in
  // between joins the finished job instead of deciding anew.
  static bool WaitSettled(FaqService& s) {
    for (int i = 0; i < 1000; ++i) {
      FaqServiceStats st = s.Stats();
      if (st.pending + st.running == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  store::testing::TempStore store_{"cp_faq_test", "faq.db"};
  store::Store* service_store_ = nullptr;  // when set, the service uses this store instead
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
  std::vector<FaqView> views(kReaders);
  std::vector<std::map<int, std::string>> deltas(kReaders);
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] {
      auto sub = Start(*service, Req("2304.02623", "en", "10.0.0.1"));
      ASSERT_TRUE(sub.has_value()) << sub.error().ToString();
      ++subscribed;
      finals[i] = Drain(**sub, &deltas[i]);
      views[i] = (*sub)->View();
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
    EXPECT_EQ(views[i].state, FaqState::kComplete) << i;
    EXPECT_TRUE(views[i].derived) << i;  // where the web layer keeps the rendered FAQ
    ASSERT_EQ(views[i].items.size(), 6u) << i;
    EXPECT_THAT(views[i].items[5].a, HasSubstr("Answer 6 to Summarize the main content of the paper."));
    ASSERT_EQ(deltas[i].size(), 6u);
    EXPECT_EQ(deltas[i][0],
              "Answer 1 to What problem does this paper try to solve?: **key point** with $x_i^2$.");
  }
  auto rec = store_->GetFaq("2304.02623", 1, "en", "fake-model", kPromptVersion);
  ASSERT_TRUE(rec.has_value() && rec->has_value());
  EXPECT_EQ((*rec)->source, "pdf");
  EXPECT_EQ((*rec)->tokens, 6 * 120);
  Result<std::vector<FaqItem>> items = store::DecodeFaqContent((*rec)->content_json);
  ASSERT_TRUE(items) << items.error().ToString();
  ASSERT_EQ(items->size(), 6u);
  EXPECT_EQ((*items)[3].q, "What experiments does the paper conduct?");
  EXPECT_THAT(chat_.last_paper_message(), HasSubstr("Beyond Summarization"));
}

TEST_F(FaqServiceTest, LateReaderReplaysWhatWasGeneratedThenFollowsLive) {
  auto service = Service();
  chat_.CloseGate();
  auto first = Start(*service, Req("2304.02623"));
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
    ASSERT_TRUE(again->derived);
    EXPECT_EQ(again->items.size(), 6u);
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
  auto sub = Start(*service, Req("2304.02623"));
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
    auto sub = Start(*service, Req("2304.02623"));
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
  auto records = store_->ListState("faq_queue/");
  ASSERT_TRUE(records.has_value());
  EXPECT_TRUE(records->empty());  // every job done: every queue record removed
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
  options_.llm.daily_token_budget = 700;
  auto service = Service();
  // 600 used before the sixth question (below 700): it is asked; 720 after it.
  EXPECT_EQ(WaitDone(*service, "2401.00001").state, FaqState::kComplete);
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
  ASSERT_EQ(stored->items.size(), 1u);
  EXPECT_EQ(stored->items[0].a, "A **b**");
}

TEST_F(FaqServiceTest, LinkedVenuePapersFaqIsServedForTheArxivPaper) {
  core::VenuePaper v;
  v.id = "2024.acl-long.1@ACL";
  v.venue = "ACL.2024";
  v.group = "Long";
  v.title = "Paper 2401.00001";  // the arXiv paper's title and first author: linked by title
  v.authors = {"A. Author"};
  ASSERT_TRUE(store_->UpsertVenuePapers(std::vector<core::VenuePaper>{v}).has_value());
  auto service = Service();
  store::FaqRecord rec;
  rec.paper_id = v.id;
  rec.version = 1;
  rec.lang = "en";
  rec.model = service->model();
  rec.prompt_version = kPromptVersion;
  rec.content_json = R"([{"q":"Q?","a":"From the venue paper"}])";
  rec.source = "pdf";
  ASSERT_TRUE(store_->PutFaq(rec).ok());
  FaqView linked = WaitDone(*service, "2401.00001");
  EXPECT_EQ(linked.state, FaqState::kComplete);
  ASSERT_EQ(linked.items.size(), 1u);
  EXPECT_EQ(linked.items[0].a, "From the venue paper");
  // A paper without a link is generated.
  FaqView other = WaitDone(*service, "2401.00002");
  EXPECT_EQ(other.state, FaqState::kComplete);
  EXPECT_EQ(other.items.size(), 6u);
  EXPECT_EQ(chat_.calls(), 6);
}

TEST_F(FaqServiceTest, StoredFaqWithWrongTypesIsGeneratedAgainNotServed) {
  auto service = Service();
  store::FaqRecord rec;
  rec.paper_id = "2401.00002";
  rec.lang = "en";
  rec.model = service->model();
  rec.prompt_version = kPromptVersion;
  rec.content_json = R"([{"q":"Q?","a":3}])";  // an answer that is not a string
  rec.source = "pdf";
  ASSERT_TRUE(store_->PutFaq(rec).ok());
  FaqView v = WaitDone(*service, "2401.00002");
  EXPECT_EQ(v.state, FaqState::kComplete);
  ASSERT_EQ(v.items.size(), 6u);  // generated anew, not the one-item record
  EXPECT_EQ(chat_.calls(), 6);
  auto again = store_->GetFaq("2401.00002", 1, "en", service->model(), kPromptVersion);
  ASSERT_TRUE(again.has_value() && again->has_value());
  EXPECT_TRUE(store::DecodeFaqContent((*again)->content_json));  // replaced by a valid record
}

TEST_F(FaqServiceTest, MissingPdfFallsBackToTheAbstract) {
  fetcher_.mode = FakeFetcher::Mode::kNotFound;
  auto service = Service();
  FaqView v = WaitDone(*service, "2401.00001");
  EXPECT_EQ(v.state, FaqState::kComplete);
  EXPECT_EQ(v.source, "abstract");
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

// ---- issue 11: LLM spend ----

// Waits (bounded) until `pred` holds.
template <class Pred>
bool Eventually(Pred pred, std::chrono::seconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

TEST_F(FaqServiceTest, BudgetIsEnforcedBeforeEveryQuestionOfQueuedJobs) {
  options_.llm.daily_token_budget = 2000;
  options_.llm.concurrency = 2;
  auto service = Service();
  chat_.SetTokensPerAnswer(10000);
  chat_.CloseGate();
  // Three papers queued while the budget is untouched (the check at queueing passes).
  std::vector<std::shared_ptr<FaqSubscription>> subs;
  for (const char* id : {"2401.00001", "2401.00002", "2401.00003"}) {
    auto sub = Start(*service, Req(id));
    ASSERT_TRUE(sub.has_value()) << sub.error().ToString();
    subs.push_back(*sub);
  }
  chat_.WaitForCalls(1);
  chat_.OpenGate();  // the first answer reports 10,000 tokens
  ASSERT_EQ(subs.size(), 3u);
  for (auto& sub : subs) {
    FaqEvent last = Drain(*sub);
    ASSERT_EQ(last.kind, FaqEvent::Kind::kError);
    EXPECT_THAT(last.text, HasSubstr("daily FAQ token budget (2000 tokens) is used up"));
    EXPECT_THAT(last.text, HasSubstr("resets at 00:00 UTC, in 2 h 0 min"));
  }
  // The first request and at most one already in flight on the second worker.
  EXPECT_LE(chat_.calls(), 2);
  EXPECT_GE(service->Stats().tokens_today, 10000);
  for (const char* id : {"2401.00001", "2401.00002", "2401.00003"}) {
    auto rec = store_->GetFaq(id, 1, "en", "fake-model", kPromptVersion);
    ASSERT_TRUE(rec.has_value());
    EXPECT_FALSE(rec->has_value()) << id << " was stored as complete";
    EXPECT_THAT(service->Peek(id, 0, "en")->ProgressText(), HasSubstr("failed:"));
  }
  std::chrono::seconds wait{0};
  auto refused = service->Request(Req("2401.00001"), &wait);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(wait, std::chrono::hours(2));
}

TEST_F(FaqServiceTest, TokensOfAFailedAnswerAreCounted) {
  options_.llm.daily_token_budget = 5000;
  auto service = Service();
  chat_.SetTokensPerAnswer(6000);
  chat_.FailCall(0);  // cut mid-answer, after reporting 6,000 tokens
  FaqView v = WaitDone(*service, "2401.00001");
  EXPECT_EQ(v.state, FaqState::kFailed);
  EXPECT_EQ(service->Stats().tokens_today, 6000);
  EXPECT_EQ(chat_.calls(), 1);
  auto refused = service->Request(Req("2401.00002"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kResourceExhausted);
  // The failure text readers see is the client's short reason, not the logged detail.
  EXPECT_THAT(v.error, Not(HasSubstr("llm.internal")));
  EXPECT_THAT(v.error, Not(HasSubstr("secret")));
}

TEST_F(FaqServiceTest, StreamsOnlyJoinAndNeverStartAJob) {
  auto service = Service();
  auto none = service->Subscribe(Req("2401.00001"));
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), StatusCode::kNotFound);
  EXPECT_THAT(none.error().message(), HasSubstr("POST /arxiv/kimi?paper=2401.00001&lang=en"));
  EXPECT_EQ(service->Stats().pending + service->Stats().running, 0u);
  EXPECT_EQ(chat_.calls(), 0);
  EXPECT_FALSE(store_->ListState("faq_queue/")->size() > 0);

  // A job started by a POST is joined; its failure is seen by a stream opened afterwards.
  chat_.FailCall(0);
  EXPECT_EQ(WaitDone(*service, "2401.00001").state, FaqState::kFailed);
  auto late = service->Subscribe(Req("2401.00001"));
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(Drain(**late).kind, FaqEvent::Kind::kError);
  EXPECT_EQ(chat_.calls(), 1);

  auto no_key = Service(false);
  auto refused = no_key->Subscribe(Req("2401.00002"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kFailedPrecondition);
}

TEST_F(FaqServiceTest, VersionAboveTheStoredLatestIsRefusedNamingTheVersions) {
  auto service = Service();
  FaqRequest req = Req("2401.00001");
  req.version = 9999;
  auto r = service->Request(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.error().message(), HasSubstr("has no version v9999: only v1 exists"));
  EXPECT_FALSE(service->Peek("2401.00001", 2, "en").has_value());
  EXPECT_EQ(service->Stats().pending + service->Stats().running, 0u);
  req.version = 1;
  EXPECT_TRUE(service->Request(req).has_value());

  core::Paper p = **store_->GetPaper("2401.00002");
  p.version = 3;
  ASSERT_TRUE(store_->Upsert(std::vector<core::Paper>{p}, {}).has_value());
  FaqRequest v4 = Req("2401.00002");
  v4.version = 4;
  auto r4 = service->Request(v4);
  ASSERT_FALSE(r4.has_value());
  EXPECT_THAT(r4.error().message(), HasSubstr("v1 to v3 exist"));
}

TEST_F(FaqServiceTest, AbstractOnlyFaqIsLabelledAndTheFullTextIsTriedAgainLater) {
  options_.abstract_retry = std::chrono::hours(6);
  fetcher_.mode = FakeFetcher::Mode::kNotFound;
  auto service = Service();
  FaqView v = WaitDone(*service, "2401.00001");
  ASSERT_EQ(v.state, FaqState::kComplete);
  EXPECT_EQ(v.source, "abstract");
  ASSERT_EQ(v.items.size(), 6u);  // labelled by web/faq_html.h (FaqHtmlTest)
  auto rec = store_->GetFaq("2401.00001", 1, "en", "fake-model", kPromptVersion);
  ASSERT_TRUE(rec.has_value() && rec->has_value());
  EXPECT_EQ((*rec)->source, "abstract");  // stored as abstract-only, not as the full text
  EXPECT_EQ(chat_.calls(), 6);

  // Within the retry period: served as is, nothing fetched or generated.
  EXPECT_EQ(service->Request(Req("2401.00001"))->source, "abstract");
  EXPECT_EQ(fetcher_.fetches, 1);
  EXPECT_EQ(chat_.calls(), 6);

  // Later, still no PDF: the PDF is tried once more, the same FAQ is kept, no LLM call.
  ASSERT_TRUE(WaitSettled(*service));
  clock_.Advance(std::chrono::hours(7));
  EXPECT_EQ(WaitDone(*service, "2401.00001").source, "abstract");
  EXPECT_EQ(fetcher_.fetches, 2);
  EXPECT_EQ(chat_.calls(), 6);
  EXPECT_EQ(service->Request(Req("2401.00001"))->state, FaqState::kComplete);
  EXPECT_EQ(fetcher_.fetches, 2);  // the re-check restarted the retry period

  // Later again, the PDF is there: the full-text FAQ replaces it.
  ASSERT_TRUE(WaitSettled(*service));
  clock_.Advance(std::chrono::hours(7));
  fetcher_.mode = FakeFetcher::Mode::kPdf;
  FaqView full = WaitDone(*service, "2401.00001");
  EXPECT_EQ(full.state, FaqState::kComplete);
  EXPECT_EQ(full.source, "pdf");
  EXPECT_EQ(chat_.calls(), 12);
  rec = store_->GetFaq("2401.00001", 1, "en", "fake-model", kPromptVersion);
  ASSERT_TRUE(rec.has_value() && rec->has_value());
  EXPECT_EQ((*rec)->source, "pdf");
  ASSERT_EQ(full.items.size(), 6u);
}

TEST_F(FaqServiceTest, AFaqOfAnEarlierVersionIsShownUntilTheLatestIsAskedForByVersion) {
  auto service = Service();
  ASSERT_EQ(WaitDone(*service, "2401.00001").state, FaqState::kComplete);
  ASSERT_TRUE(WaitSettled(*service));
  ASSERT_EQ(chat_.conversations(), 1);

  // arXiv announces v2: the v1 FAQ is what a reader gets, saying v2 exists; nothing is started.
  core::Paper p = **store_->GetPaper("2401.00001");
  p.version = 2;
  ASSERT_TRUE(store_->Upsert(std::vector<core::Paper>{p}, {}).has_value());
  auto shown = service->Request(Req("2401.00001"));
  ASSERT_TRUE(shown.has_value()) << shown.error().ToString();
  EXPECT_EQ(shown->state, FaqState::kComplete);
  EXPECT_EQ(shown->key.version, 1);
  EXPECT_EQ(shown->newer_version, 2);
  ASSERT_EQ(shown->items.size(), 6u);
  auto peeked = service->Peek("2401.00001", 0, "en");
  ASSERT_TRUE(peeked.has_value());
  EXPECT_EQ(peeked->key.version, 1);
  EXPECT_EQ(peeked->newer_version, 2);
  ASSERT_TRUE(WaitSettled(*service));
  EXPECT_EQ(chat_.conversations(), 1);
  // v1 asked for by version is simply v1's FAQ.
  FaqRequest v1 = Req("2401.00001");
  v1.version = 1;
  EXPECT_EQ(service->Request(v1)->newer_version, 0);

  // "Regenerate for v2": a normal job for v2; afterwards v2's FAQ is the answer.
  FaqRequest v2 = Req("2401.00001");
  v2.version = 2;
  auto sub = Start(*service, v2);
  ASSERT_TRUE(sub.has_value());
  Drain(**sub);
  EXPECT_EQ((*sub)->View().key.version, 2);
  ASSERT_TRUE(WaitSettled(*service));
  EXPECT_EQ(chat_.conversations(), 2);
  auto latest = service->Request(Req("2401.00001"));
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->key.version, 2);
  EXPECT_EQ(latest->newer_version, 0);
  EXPECT_EQ(chat_.conversations(), 2);
}

TEST_F(FaqServiceTest, StoredAbstractOnlyFaqIsRetriedByANewProcessAfterTheRetryTime) {
  fetcher_.mode = FakeFetcher::Mode::kNotFound;
  { EXPECT_EQ(WaitDone(*Service(), "2401.00001").source, "abstract"); }
  clock_.Advance(std::chrono::hours(7));
  fetcher_.mode = FakeFetcher::Mode::kPdf;
  auto fresh = Service();
  EXPECT_EQ(fresh->Peek("2401.00001", 0, "en")->source, "abstract");  // a poll starts nothing
  EXPECT_EQ(WaitDone(*fresh, "2401.00001").source, "pdf");
  EXPECT_EQ(chat_.conversations(), 2);
}

TEST_F(FaqServiceTest, FinishedFaqWhoseSaveFailsIsKeptAndSavedLater) {
  FlakyStore flaky(*store_);
  flaky.put_failures = 3;
  service_store_ = &flaky;
  auto service = Service();
  FaqView v = WaitDone(*service, "2401.00001");
  EXPECT_EQ(v.state, FaqState::kComplete);  // readers get it at once, from memory
  ASSERT_TRUE(Eventually([&] {
    auto rec = store_->GetFaq("2401.00001", 1, "en", "fake-model", kPromptVersion);
    return rec.has_value() && rec->has_value();
  }));
  EXPECT_EQ(flaky.put_calls, 4);  // three failures, then saved (backoff on the fake clock)
  EXPECT_GE(clock_.total_slept(), std::chrono::seconds(1));
  EXPECT_EQ(chat_.conversations(), 1);
  auto again = service->Request(Req("2401.00001"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->state, FaqState::kComplete);
  EXPECT_EQ(chat_.conversations(), 1);  // never generated twice
  ASSERT_TRUE(Eventually([&] { return store_->ListState("faq_queue/")->empty(); }));
}

TEST_F(FaqServiceTest, UnsavedFaqIsServedFromMemoryWhileTheSaveIsRetried) {
  FlakyStore flaky(*store_);
  flaky.put_failures = 1000;  // never saved within the retry policy
  options_.save_retry.max_attempts = 3;
  options_.cache_entries = 1;  // evicted from the cache: still served from the unsaved set
  service_store_ = &flaky;
  auto service = Service();
  EXPECT_EQ(WaitDone(*service, "2401.00001").state, FaqState::kComplete);
  EXPECT_EQ(WaitDone(*service, "2401.00002").state, FaqState::kComplete);
  ASSERT_TRUE(Eventually([&] { return flaky.put_calls >= 6; }));
  EXPECT_EQ(service->Request(Req("2401.00001"))->state, FaqState::kComplete);
  EXPECT_EQ(chat_.conversations(), 2);
  // Not saved: its queue record stays, so a restart generates it rather than losing it.
  auto records = store_->ListState("faq_queue/");
  EXPECT_EQ(records->size(), 2u);
}

TEST_F(FaqServiceTest, QueueCapRefusesNewJobsWithRetryAfter) {
  options_.queue_cap = 2;
  auto service = Service();
  chat_.CloseGate();
  ASSERT_TRUE(service->Request(Req("2401.00001")).has_value());
  chat_.WaitForCalls(1);  // running: not waiting
  ASSERT_TRUE(service->Request(Req("2401.00002")).has_value());
  ASSERT_TRUE(service->Request(Req("2401.00003")).has_value());
  std::chrono::seconds wait{0};
  auto full = service->Request(Req("2304.02623"), &wait);
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().code(), StatusCode::kUnavailable);
  EXPECT_THAT(full.error().message(), HasSubstr("queue is full"));
  EXPECT_GT(wait.count(), 0);
  EXPECT_TRUE(service->Request(Req("2401.00002")).has_value());  // joining is never capped
  FaqRequest admin = Req("2304.02623");
  admin.admin = true;
  EXPECT_TRUE(service->Request(admin).has_value());
  chat_.OpenGate();
}

TEST_F(FaqServiceTest, QueueIsPersistedPerJobAndRestored) {
  {
    auto service = Service();
    chat_.CloseGate();
    ASSERT_TRUE(service->Request(Req("2401.00001")).has_value());
    chat_.WaitForCalls(1);
    ASSERT_TRUE(service->Request(Req("2401.00002")).has_value());
    ASSERT_TRUE(service->Request(Req("2401.00003", "zh")).has_value());
    auto records = store_->ListState("faq_queue/");
    ASSERT_TRUE(records.has_value());
    ASSERT_EQ(records->size(), 3u);
    EXPECT_EQ((*records)[0].first, "faq_queue/2401.00001v1|en|fake-model|p" +
                                       std::to_string(kPromptVersion));
    service->Stop();
  }
  chat_.OpenGate();
  // The previous format (one array) is read too, and replaced by per-job records.
  ASSERT_TRUE(store_->SetState("faq_queue", R"([{"paper":"2304.02623","lang":"en"}])").ok());
  auto restarted = Service();
  EXPECT_EQ(restarted->Stats().pending + restarted->Stats().running, 4u);
  for (auto [id, lang] : {std::pair{"2401.00001", "en"}, std::pair{"2401.00002", "en"},
                          std::pair{"2401.00003", "zh"}, std::pair{"2304.02623", "en"}}) {
    auto sub = restarted->Subscribe(Req(id, lang));
    ASSERT_TRUE(sub.has_value()) << id;
    EXPECT_EQ(Drain(**sub).kind, FaqEvent::Kind::kDone) << id;
  }
  restarted.reset();
  EXPECT_TRUE(store_->ListState("faq_queue/")->empty());
  auto legacy = store_->GetState("faq_queue");
  EXPECT_FALSE(legacy->has_value() && !(*legacy)->empty());
}

TEST_F(FaqServiceTest, TenThousandQueuedJobsEnqueueInBoundedWork) {
  constexpr int kJobs = 10000;
  std::vector<core::Paper> papers;
  for (int i = 0; i < kJobs; ++i) {
    core::Paper p;
    char id[32];
    std::snprintf(id, sizeof id, "2402.%05d", i);
    p.id = id;
    p.version = 1;
    p.title = "Queued paper";
    p.abstract = "Abstract.";
    p.published = p.updated = "2024-02-01 00:00:00";
    papers.push_back(p);
  }
  ASSERT_TRUE(store_->Upsert(papers, {}).has_value());
  options_.queue_cap = kJobs;
  auto service = Service();
  chat_.CloseGate();
  for (int i = 0; i < kJobs; ++i) {
    auto r = service->Request(Req(papers[i].id));
    ASSERT_TRUE(r.has_value()) << i << ": " << r.error().ToString();
  }
  chat_.WaitForCalls(1);
  EXPECT_EQ(service->Stats().pending, static_cast<size_t>(kJobs - 1));
  EXPECT_EQ(service->Peek(papers[kJobs - 1].id, 0, "en")->ProgressText(),
            "pending:" + std::to_string(kJobs - 2));
  EXPECT_EQ(store_->ListState("faq_queue/")->size(), static_cast<size_t>(kJobs));
  ASSERT_TRUE(service->Request(Req("2401.00001")).has_value());  // the 10,000th waiting
  auto over = service->Request(Req("2401.00002"));
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code(), StatusCode::kUnavailable);
  service->Stop();
}

TEST(FaqPendingQueueTest, MostUrgentFirstFifoWithinAPriorityAndPositions) {
  FaqPendingQueue q;
  std::vector<std::shared_ptr<FaqJob>> jobs;
  int prio[] = {2, 1, 2, 0, 1};
  for (int i = 0; i < 5; ++i) {
    jobs.push_back(std::make_shared<FaqJob>(FaqKey{"p" + std::to_string(i), 1, "en", "m", 1}, core::Paper{},
                                            prio[i], static_cast<uint64_t>(i)));
    q.Push(jobs.back());
  }
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q.Ahead(*jobs[3]), 0);  // admin
  EXPECT_EQ(q.Ahead(*jobs[1]), 1);
  EXPECT_EQ(q.Ahead(*jobs[4]), 2);
  EXPECT_EQ(q.Ahead(*jobs[0]), 3);
  EXPECT_EQ(q.Ahead(*jobs[2]), 4);
  ASSERT_TRUE(q.Remove(*jobs[2]));
  jobs[2]->priority = 0;
  q.Push(jobs[2]);  // bumped: among the admin jobs by its (older) order
  EXPECT_EQ(q.Ahead(*jobs[2]), 0);
  EXPECT_EQ(q.Ahead(*jobs[3]), 1);
  std::vector<std::string> order;
  while (auto j = q.Pop()) order.push_back(j->key().paper_id);
  EXPECT_EQ(order, (std::vector<std::string>{"p2", "p3", "p1", "p4", "p0"}));
  EXPECT_TRUE(q.empty());
}


// ---- venue papers ----

class VenueFaqTest : public FaqServiceTest {
 protected:
  void SetUp() override {
    FaqServiceTest::SetUp();
    core::VenuePaper acl;
    acl.id = "2024.acl-long.3@ACL";
    acl.venue = "ACL.2024";
    acl.group = "Long";
    acl.title = "Beyond Summarization at ACL";
    acl.abstract = "The venue abstract.";
    acl.authors = {"Ada Lovelace"};
    acl.pdf_url = "https://aclanthology.org/2024.acl-long.3.pdf";
    core::VenuePaper pmlr = acl;
    pmlr.id = "agarwal24a@v235@PMLR";
    pmlr.venue = "ICML.2024";
    pmlr.pdf_url = "https://proceedings.mlr.press/v235/agarwal24a/agarwal24a.pdf";
    pmlr.other_ids = {"Hyc2TvX2Wu@OpenReview"};
    core::VenuePaper elsewhere = acl;
    elsewhere.id = "2024.acl-long.4@ACL";
    elsewhere.pdf_url = "http://127.0.0.1:22/2024.acl-long.4.pdf";  // not a venue's host
    std::vector<core::VenuePaper> papers = {acl, pmlr, elsewhere};
    auto r = store_->UpsertVenuePapers(papers);
    ASSERT_TRUE(r) << r.error().ToString();
  }
};

TEST_F(VenueFaqTest, VenuePaperFaqComesFromTheVenuePdfOnceForConcurrentReadersAndIsCached) {
  auto service = Service();
  chat_.CloseGate();
  constexpr int kReaders = 2;
  std::vector<FaqEvent> finals(kReaders);
  std::atomic<int> subscribed{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] {
      auto sub = Start(*service, Req("2024.acl-long.3@ACL", "en", "10.0.0.1"));
      ASSERT_TRUE(sub.has_value()) << sub.error().ToString();
      ++subscribed;
      finals[i] = Drain(**sub);
    });
  }
  while (subscribed < kReaders) std::this_thread::sleep_for(milliseconds(5));
  chat_.OpenGate();
  for (auto& t : readers) t.join();
  EXPECT_EQ(chat_.conversations(), 1);
  ASSERT_EQ(finals.size(), 2u);
  for (const FaqEvent& e : finals) EXPECT_EQ(e.kind, FaqEvent::Kind::kDone);
  std::vector<std::string> urls = fetcher_.urls();
  ASSERT_EQ(urls.size(), 1u);
  EXPECT_EQ(urls[0], "https://aclanthology.org/2024.acl-long.3.pdf");
  EXPECT_THAT(chat_.last_paper_message(), HasSubstr("Beyond Summarization"));  // the PDF's text
  // Stored as v1 of the venue id, from the PDF.
  auto rec = store_->GetFaq("2024.acl-long.3@ACL", 1, "en", "fake-model", kPromptVersion);
  ASSERT_TRUE(rec.has_value() && rec->has_value());
  EXPECT_EQ((*rec)->source, "pdf");
  // Asked again (and by a new process): served without the venue or the model.
  auto again = service->Request(Req("2024.acl-long.3@ACL"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->state, FaqState::kComplete);
  service.reset();
  auto fresh = Service();
  auto stored = fresh->Request(Req("2024.acl-long.3@ACL"));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->state, FaqState::kComplete);
  EXPECT_EQ(stored->items.size(), 6u);
  EXPECT_EQ(fetcher_.urls().size(), 1u);
  EXPECT_EQ(chat_.calls(), 6);
}

TEST_F(VenueFaqTest, TheVenuesTestBaseRedirectsThePdfDownload) {
  options_.venue_pdf.base = "http://127.0.0.1:9";
  auto service = Service();
  EXPECT_EQ(WaitDone(*service, "agarwal24a@v235@PMLR").state, FaqState::kComplete);
  std::vector<std::string> urls = fetcher_.urls();
  ASSERT_EQ(urls.size(), 1u);
  EXPECT_EQ(urls[0], "http://127.0.0.1:9/v235/agarwal24a/agarwal24a.pdf");
}

TEST_F(VenueFaqTest, AnotherIdOfAVenuePaperIsTheSameFaq) {
  auto service = Service();
  FaqView v = WaitDone(*service, "Hyc2TvX2Wu@OpenReview");
  EXPECT_EQ(v.state, FaqState::kComplete);
  EXPECT_EQ(v.key.paper_id, "agarwal24a@v235@PMLR");
  EXPECT_EQ(v.key.version, 1);
  auto same = service->Request(Req("agarwal24a@v235@PMLR"));
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->state, FaqState::kComplete);
  EXPECT_EQ(chat_.conversations(), 1);
  EXPECT_EQ(fetcher_.urls().size(), 1u);
}

TEST_F(VenueFaqTest, VenuePdfMissingOrOfAnotherHostFallsBackToTheAbstract) {
  auto service = Service();
  // Another host (here loopback) is never fetched.
  FaqView v = WaitDone(*service, "2024.acl-long.4@ACL");
  EXPECT_EQ(v.state, FaqState::kComplete);
  EXPECT_EQ(v.source, "abstract");
  EXPECT_EQ(fetcher_.fetches, 0);
  // The venue answers 404.
  fetcher_.mode = FakeFetcher::Mode::kNotFound;
  FaqView missing = WaitDone(*service, "2024.acl-long.3@ACL");
  EXPECT_EQ(missing.state, FaqState::kComplete);
  EXPECT_EQ(missing.source, "abstract");
  EXPECT_EQ(fetcher_.fetches, 1);
  EXPECT_THAT(chat_.last_paper_message(), HasSubstr("The venue abstract."));
}

TEST_F(VenueFaqTest, UnknownMalformedOrVersionedVenueIdsAreRefusedSayingWhatToDo) {
  auto service = Service();
  auto unknown = service->Request(Req("2099.acl-long.1@ACL"));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), StatusCode::kNotFound);
  EXPECT_THAT(unknown.error().message(), HasSubstr("2099.acl-long.1@ACL"));
  EXPECT_THAT(unknown.error().message(), HasSubstr("coolpapers import venue"));
  EXPECT_THAT(unknown.error().message(), HasSubstr("/venue/"));
  auto malformed = service->Request(Req("2024.acl-long.3@"));
  ASSERT_FALSE(malformed.has_value());
  EXPECT_EQ(malformed.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(malformed.error().message(), HasSubstr("not a venue paper id"));
  FaqRequest v2 = Req("2024.acl-long.3@ACL");
  v2.version = 2;
  auto versioned = service->Request(v2);
  ASSERT_FALSE(versioned.has_value());
  EXPECT_EQ(versioned.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(versioned.error().message(), HasSubstr("only v1 exists"));
  // A stream never starts one, and says which route does.
  auto none = service->Subscribe(Req("2024.acl-long.3@ACL"));
  ASSERT_FALSE(none.has_value());
  EXPECT_THAT(none.error().message(), HasSubstr("POST /venue/kimi?paper=2024.acl-long.3@ACL"));
  EXPECT_EQ(chat_.calls(), 0);
  EXPECT_EQ(fetcher_.fetches, 0);
}

TEST_F(VenueFaqTest, QueuedVenueJobIsRestoredByTheNextProcess) {
  {
    auto service = Service();
    chat_.CloseGate();
    ASSERT_TRUE(service->Request(Req("2024.acl-long.3@ACL")).has_value());
    chat_.WaitForCalls(1);
  }  // stopped mid-job
  chat_.OpenGate();
  auto service = Service();
  auto sub = service->Subscribe(Req("2024.acl-long.3@ACL"));
  ASSERT_TRUE(sub.has_value()) << sub.error().ToString();
  EXPECT_EQ(Drain(**sub).kind, FaqEvent::Kind::kDone);
  std::vector<std::string> urls = fetcher_.urls();
  ASSERT_EQ(urls.size(), 2u);
  EXPECT_EQ(urls[1], "https://aclanthology.org/2024.acl-long.3.pdf");
}

}  // namespace
}  // namespace coolpapers::llm
