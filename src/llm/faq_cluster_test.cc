// FaqService in cluster mode: two services (two nodes) sharing FAQ jobs on one PostgreSQL
// database, with fake models that count what they are asked.

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "llm/testing/chat_ref.h"
#include "llm/faq_prompt.h"
#include "llm/faq_service.h"
#include "store/faq_content.h"
#include "store/faq_jobs.h"
#include "store/testing/temp_pg.h"
#include "store/testing/temp_store.h"

namespace coolpapers::llm {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A model that answers "<node> answer N to <question>" and records every question it was
// asked with the number of earlier answers it was given. Closed, it holds every call; with
// HoldFrom(n), calls from the n-th on (0-based) are held until cancelled.
class CountingChat : public ChatClient {
 public:
  struct Call {
    std::string question;
    int history = 0;  // assistant turns in the request (answers given as the conversation)
  };
  explicit CountingChat(std::string node) : node_(std::move(node)) {}
  std::string model() const override { return "fake-model"; }

  Result<ChatResult> StreamChat(const ChatRequest& req, const DeltaFn& on_delta,
                                const std::atomic<bool>* cancel, ChatReport* report) override {
    if (report != nullptr) *report = ChatReport();
    Call call;
    call.question = req.messages.back().content;
    for (const ChatMessage& m : req.messages) call.history += m.role == "assistant" ? 1 : 0;
    int index;
    {
      std::unique_lock lock(mu_);
      if (call.history == 0) ++conversations_;
      index = static_cast<int>(calls_.size());
      calls_.push_back(call);
      cv_.notify_all();
      while ((closed_ || index >= hold_from_) && !(cancel && *cancel)) {
        cv_.wait_for(lock, milliseconds(5));
      }
      if (cancel && *cancel) return Err(Status::Cancelled("cancelled"));
    }
    std::string answer = node_ + " answer " + std::to_string(index + 1) + " to " + call.question;
    on_delta(answer.substr(0, answer.size() / 2));
    on_delta(answer.substr(answer.size() / 2));
    if (report != nullptr) report->tokens = 120;
    ChatResult r;
    r.content = answer;
    r.finish_reason = "stop";
    r.usage = {100, 20, 120, true};
    return r;
  }

  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  void Open() {
    std::lock_guard lock(mu_);
    closed_ = false;
    cv_.notify_all();
  }
  void HoldFrom(int n) {
    std::lock_guard lock(mu_);
    hold_from_ = n;
  }
  bool WaitForCalls(size_t n, milliseconds limit = milliseconds(10000)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return calls_.size() >= n; });
  }
  std::vector<Call> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  int conversations() {
    std::lock_guard lock(mu_);
    return conversations_;
  }

 private:
  const std::string node_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  int hold_from_ = 1 << 30;
  std::vector<Call> calls_;
  int conversations_ = 0;
};

using ChatRef = llm::testing::ChatRef<CountingChat>;

class PdfFetcher : public net::Fetcher {
 public:
  Result<net::FetchResponse> Fetch(const net::FetchRequest&) override {
    net::FetchResponse r;
    r.http_status = 200;
    std::ifstream in(std::string(COOLPAPERS_SOURCE_DIR) + "/tests/fixtures/pdfs/2304.02623v1.pdf",
                     std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    r.body = out.str();
    return r;
  }
  std::size_t QueueDepth() const override { return 0; }
};

// Forwards to real shared jobs until Kill(): from then on every call fails, as for a process
// that died (its lease is no longer renewed, nothing it does reaches the database).
class KillableJobs : public store::SharedFaqJobs {
 public:
  explicit KillableJobs(std::unique_ptr<store::SharedFaqJobs> j) : j_(std::move(j)) {}
  void Kill() { dead_ = true; }
  void Revive() { dead_ = false; }  // a node that was cut off from the database for a while

  const std::string& node_id() const override { return j_->node_id(); }
  seconds lease() const override { return j_->lease(); }
  Result<store::ClaimResult> Claim(const store::SharedFaqJobSpec& s, bool r) override {
    if (dead_) return Err(Dead());
    return j_->Claim(s, r);
  }
  Result<bool> Renew(const std::string& k, int64_t g) override {
    if (dead_) return Err(Dead());
    return j_->Renew(k, g);
  }
  Result<bool> Progress(const std::string& k, int64_t g,
                        const store::SharedFaqProgress& p) override {
    if (dead_) return Err(Dead());
    return j_->Progress(k, g, p);
  }
  Result<bool> Complete(const std::string& k, int64_t g, const store::SharedFaqProgress& p,
                        const std::string& c) override {
    if (dead_) return Err(Dead());
    return j_->Complete(k, g, p, c);
  }
  Result<bool> Fail(const std::string& k, int64_t g, const std::string& e) override {
    if (dead_) return Err(Dead());
    return j_->Fail(k, g, e);
  }
  Result<bool> Release(const std::string& k, int64_t g) override {
    if (dead_) return Err(Dead());
    return j_->Release(k, g);
  }
  Result<std::optional<store::SharedFaqJob>> Get(const std::string& k) override {
    if (dead_) return Err(Dead());
    return j_->Get(k);
  }
  Result<std::vector<store::SharedFaqJob>> Expired(int limit) override {
    if (dead_) return Err(Dead());
    return j_->Expired(limit);
  }
  Result<bool> TakeClientStart(const std::string& c, int per_hour, seconds* wait) override {
    if (dead_) return Err(Dead());
    return j_->TakeClientStart(c, per_hour, wait);
  }
  Result<int64_t> AddTokens(const std::string& day, int64_t t) override {
    if (dead_) return Err(Dead());
    return j_->AddTokens(day, t);
  }
  Result<int64_t> TokensOn(const std::string& day) override {
    if (dead_) return Err(Dead());
    return j_->TokensOn(day);
  }

 private:
  static Status Dead() { return Status::Unavailable("node is dead"); }
  std::unique_ptr<store::SharedFaqJobs> j_;
  std::atomic<bool> dead_{false};
};

class FaqClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pg_.ok()) << pg_.error();
    ASSERT_TRUE(store_.Open());
    std::vector<core::Paper> papers;
    for (const char* id : {"2304.02623", "2401.00001"}) {
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
    options_.follow_poll = milliseconds(50);
  }

  std::unique_ptr<KillableJobs> Jobs(const std::string& node, seconds lease = seconds(30)) {
    auto j = store::OpenSharedFaqJobs(pg_.url(), node, lease);
    EXPECT_TRUE(j && *j) << (j ? "not PostgreSQL" : j.error().ToString());
    return j && *j ? std::make_unique<KillableJobs>(*std::move(j)) : nullptr;
  }

  // A node: the FAQ service on the shared store (as nodes share one database) and `jobs`.
  std::unique_ptr<FaqService> Node(CountingChat& chat, store::SharedFaqJobs* jobs) {
    FaqServiceOptions o = options_;
    o.shared_jobs = jobs;
    auto s = std::make_unique<FaqService>(o, *store_, &fetcher_, std::make_unique<ChatRef>(chat),
                                          clock_);
    EXPECT_TRUE(s->Start().ok());
    return s;
  }

  static FaqRequest Req(const std::string& id, const std::string& client = "") {
    FaqRequest r;
    r.paper_id = id;
    r.lang = "en";
    r.client = client;
    return r;
  }

  static Result<std::shared_ptr<FaqSubscription>> Start(FaqService& s, const FaqRequest& req) {
    if (auto started = s.Request(req); !started) return Err(started.error());
    return s.Subscribe(req);
  }

  // Follows a subscription to its end (bounded: 30 s); returns the final event.
  static FaqEvent Drain(FaqSubscription& sub) {
    std::vector<FaqEvent> events;
    FaqEvent last;
    auto until = std::chrono::steady_clock::now() + seconds(30);
    while (std::chrono::steady_clock::now() < until && sub.Next(events, milliseconds(200))) {
      if (!events.empty()) last = events.back();
      events.clear();
    }
    return last;
  }

  // The shared row of the test paper, read through a connection of its own.
  std::optional<store::SharedFaqJob> Row(const std::string& id = "2304.02623") {
    auto reader = store::OpenSharedFaqJobs(pg_.url(), "reader");
    if (!reader || !*reader) return std::nullopt;
    FaqKey key{id, 1, "en", "fake-model", kPromptVersion};
    auto row = (*reader)->Get(key.ToString());
    return row ? *row : std::nullopt;
  }

  store::testing::TempPgDatabase pg_;
  store::testing::TempStore store_{"cp_faq_cluster", "faq.db"};
  FaqServiceOptions options_;
  PdfFetcher fetcher_;
  core::FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1782943200))};
};

TEST_F(FaqClusterTest, FiftyReadersOverTwoNodesCauseOneConversation) {
  CountingChat chat_a("A"), chat_b("B");
  chat_a.Close();
  chat_b.Close();
  auto jobs_a = Jobs("node-a");
  auto jobs_b = Jobs("node-b");
  ASSERT_TRUE(jobs_a && jobs_b);
  auto a = Node(chat_a, jobs_a.get());
  auto b = Node(chat_b, jobs_b.get());
  constexpr int kReaders = 50;
  std::atomic<int> subscribed{0};
  std::vector<FaqEvent> finals(kReaders);
  std::vector<FaqView> views(kReaders);
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] {
      FaqService& node = i % 2 == 0 ? *a : *b;
      auto sub = Start(node, Req("2304.02623", "10.0.0." + std::to_string(i)));
      ASSERT_TRUE(sub.has_value()) << sub.error().ToString();
      ++subscribed;
      finals[i] = Drain(**sub);
      views[i] = (*sub)->View();
    });
  }
  for (int i = 0; i < 1000 && subscribed < kReaders; ++i) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_EQ(subscribed, kReaders);
  // Exactly one node asks its model (held at the first question); the other follows it.
  for (int i = 0; i < 500 && chat_a.calls().size() + chat_b.calls().size() == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  chat_a.Open();
  chat_b.Open();
  for (auto& t : readers) t.join();

  EXPECT_EQ(chat_a.conversations() + chat_b.conversations(), 1);
  EXPECT_EQ(chat_a.calls().size() + chat_b.calls().size(), static_cast<size_t>(kFaqQuestionCount));
  EXPECT_EQ(a->Stats().followed + b->Stats().followed, 0u);  // all finished
  const std::string first_answer = views[0].items.empty() ? "" : views[0].items[0].a;
  for (int i = 0; i < kReaders; ++i) {
    ASSERT_EQ(finals[i].kind, FaqEvent::Kind::kDone) << i;
    EXPECT_EQ(views[i].state, FaqState::kComplete) << i;
    ASSERT_EQ(views[i].items.size(), 6u) << i;
    EXPECT_EQ(views[i].items[0].a, first_answer) << i;  // the same generation on both nodes
  }
  std::optional<store::SharedFaqJob> row = Row();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->state, store::SharedFaqJob::State::kComplete);
  EXPECT_EQ(row->tokens, 6 * 120);
}

TEST_F(FaqClusterTest, WhenTheOwnerDiesAnotherNodeResumesAskingOnlyTheRemainingQuestions) {
  CountingChat chat_a("A"), chat_b("B");
  chat_a.HoldFrom(3);  // A answers three questions, then hangs on the fourth
  auto jobs_a = Jobs("node-a", seconds(1));
  auto jobs_b = Jobs("node-b", seconds(1));
  ASSERT_TRUE(jobs_a && jobs_b);
  auto a = Node(chat_a, jobs_a.get());
  auto sub_a = Start(*a, Req("2304.02623"));
  ASSERT_TRUE(sub_a.has_value()) << sub_a.error().ToString();
  ASSERT_TRUE(chat_a.WaitForCalls(4));
  std::optional<store::SharedFaqJob> row;
  for (int i = 0; i < 500 && !(row && row->answered == 3); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
    row = Row();
  }
  ASSERT_TRUE(row);
  ASSERT_EQ(row->answered, 3);
  EXPECT_EQ(row->owner, "node-a");

  // B's reader joins A's job: B starts nothing and follows.
  auto b = Node(chat_b, jobs_b.get());
  auto sub_b = Start(*b, Req("2304.02623"));
  ASSERT_TRUE(sub_b.has_value()) << sub_b.error().ToString();
  EXPECT_EQ(b->Stats().followed, 1u);
  EXPECT_EQ(chat_b.calls().size(), 0u);

  // A dies: its lease is no longer renewed and nothing it does reaches the database.
  jobs_a->Kill();
  a->Stop();

  FaqEvent last = Drain(**sub_b);
  ASSERT_EQ(last.kind, FaqEvent::Kind::kDone);
  FaqView v = (*sub_b)->View();
  ASSERT_EQ(v.items.size(), 6u);
  for (int i = 0; i < 3; ++i) EXPECT_THAT(v.items[i].a, HasSubstr("A answer")) << i;
  for (int i = 3; i < 6; ++i) EXPECT_THAT(v.items[i].a, HasSubstr("B answer")) << i;

  // B asked only the three questions left, with A's three answers as the conversation.
  const auto& questions = FaqQuestions("en");
  std::vector<CountingChat::Call> calls = chat_b.calls();
  ASSERT_EQ(calls.size(), 3u);
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].question, questions[3 + i]) << i;
    EXPECT_EQ(calls[i].history, static_cast<int>(3 + i)) << i;
  }
  EXPECT_EQ(chat_b.conversations(), 0);  // a resumed conversation, not a new one
  EXPECT_EQ(b->Stats().resumed, 1);
  auto rec = store_->GetFaq("2304.02623", 1, "en", "fake-model", kPromptVersion);
  ASSERT_TRUE(rec.has_value() && rec->has_value());
  EXPECT_EQ((*rec)->tokens, 6 * 120);  // three answers paid by A, three by B
  Result<std::vector<FaqItem>> items = store::DecodeFaqContent((*rec)->content_json);
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 6u);
  EXPECT_THAT((*items)[0].a, HasSubstr("A answer 1"));
  EXPECT_EQ(b->Stats().tokens_today, 6 * 120);  // the shared daily counter
}

TEST_F(FaqClusterTest, AnOrphanedJobWithoutReadersIsSweptAndCompletedByAnotherNode) {
  CountingChat chat_a("A"), chat_b("B");
  chat_a.HoldFrom(2);
  auto jobs_a = Jobs("node-a", seconds(1));
  auto jobs_b = Jobs("node-b", seconds(1));
  ASSERT_TRUE(jobs_a && jobs_b);
  auto a = Node(chat_a, jobs_a.get());
  ASSERT_TRUE(a->Request(Req("2304.02623")).has_value());
  ASSERT_TRUE(chat_a.WaitForCalls(3));
  auto b = Node(chat_b, jobs_b.get());  // nobody asks B for this FAQ
  jobs_a->Kill();
  a->Stop();
  std::optional<store::SharedFaqJob> row;
  for (int i = 0; i < 1000; ++i) {
    row = Row();
    if (row && row->state == store::SharedFaqJob::State::kComplete) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_TRUE(row);
  EXPECT_EQ(row->state, store::SharedFaqJob::State::kComplete);
  EXPECT_EQ(row->owner, "node-b");
  std::vector<CountingChat::Call> calls = chat_b.calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].question, FaqQuestions("en")[2]);
  auto view = b->Request(Req("2304.02623"));
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->state, FaqState::kComplete);
}

TEST_F(FaqClusterTest, AWorkerThatLostItsLeaseStopsAndItsReadersFollowTheNewOwner) {
  CountingChat chat_a("A"), chat_b("B");
  chat_a.HoldFrom(0);  // A's model never answers
  auto jobs_a = Jobs("node-a", seconds(1));
  auto jobs_b = Jobs("node-b", seconds(1));
  ASSERT_TRUE(jobs_a && jobs_b);
  auto a = Node(chat_a, jobs_a.get());
  auto sub_a = Start(*a, Req("2304.02623"));
  ASSERT_TRUE(sub_a.has_value()) << sub_a.error().ToString();
  ASSERT_TRUE(chat_a.WaitForCalls(1));
  jobs_a->Kill();  // A is cut off from the database: its lease runs out
  auto b = Node(chat_b, jobs_b.get());
  ASSERT_TRUE(chat_b.WaitForCalls(6, milliseconds(20000)));  // B's sweep took the job over
  std::optional<store::SharedFaqJob> row;
  for (int i = 0; i < 500 && !(row && row->state == store::SharedFaqJob::State::kComplete);
       ++i) {
    std::this_thread::sleep_for(milliseconds(10));
    row = Row();
  }
  ASSERT_TRUE(row);
  ASSERT_EQ(row->state, store::SharedFaqJob::State::kComplete);
  jobs_a->Revive();  // A's next renewal finds the job lost: A stops and follows B's result
  FaqEvent last = Drain(**sub_a);
  ASSERT_EQ(last.kind, FaqEvent::Kind::kDone);
  FaqView v = (*sub_a)->View();
  ASSERT_EQ(v.items.size(), 6u);
  EXPECT_THAT(v.items[0].a, HasSubstr("B answer 1"));
  EXPECT_EQ(chat_a.calls().size(), 1u);
  EXPECT_EQ(row->owner, "node-b");
  EXPECT_EQ(a->Stats().followed, 0u);
}

TEST_F(FaqClusterTest, ARestartedNodeDoesNotRunAJobAnotherNodeOwns) {
  // A queue record left by this node's previous process, for a job another node now runs.
  ASSERT_TRUE(store_->SetState("faq_queue/2304.02623v1|en|fake-model|p" +
                                   std::to_string(kPromptVersion),
                               R"({"paper":"2304.02623","version":1,"lang":"en","priority":2,)"
                               R"("order":0})")
                  .ok());
  auto other = Jobs("node-other");
  ASSERT_TRUE(other);
  store::SharedFaqJobSpec spec;
  spec.key = FaqKey{"2304.02623", 1, "en", "fake-model", kPromptVersion}.ToString();
  spec.paper_id = "2304.02623";
  spec.lang = "en";
  auto claim = other->Claim(spec, false);
  ASSERT_TRUE(claim && claim->outcome == store::ClaimOutcome::kClaimed);
  CountingChat chat("A");
  auto jobs = Jobs("node-a");
  ASSERT_TRUE(jobs);
  options_.persist_queue = true;
  auto a = Node(chat, jobs.get());
  std::this_thread::sleep_for(milliseconds(300));  // a few follow polls and a sweep
  FaqServiceStats st = a->Stats();
  EXPECT_EQ(st.pending + st.running, 0u);
  EXPECT_EQ(st.followed, 0u);  // the jobs table is the queue: the old record is not restored
  EXPECT_EQ(chat.calls().size(), 0u);
  // Asked for it, the node follows the owner instead of starting its own generation.
  auto view = a->Request(Req("2304.02623"));
  ASSERT_TRUE(view.has_value()) << view.error().ToString();
  EXPECT_EQ(a->Stats().followed, 1u);
  EXPECT_EQ(chat.calls().size(), 0u);
  std::optional<store::SharedFaqJob> row = Row();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->owner, "node-other");
}

TEST_F(FaqClusterTest, RateLimitIsSharedButFollowingAnotherNodesJobIsNotCounted) {
  options_.llm.rate_per_hour = 1;
  CountingChat chat_a("A"), chat_b("B");
  chat_a.Close();
  auto jobs_a = Jobs("node-a");
  auto jobs_b = Jobs("node-b");
  ASSERT_TRUE(jobs_a && jobs_b);
  auto a = Node(chat_a, jobs_a.get());
  auto b = Node(chat_b, jobs_b.get());
  ASSERT_TRUE(a->Request(Req("2304.02623", "10.0.0.9")).has_value());
  ASSERT_TRUE(chat_a.WaitForCalls(1));
  auto joined = b->Request(Req("2304.02623", "10.0.0.9"));  // follows A's job: free
  ASSERT_TRUE(joined.has_value()) << joined.error().ToString();
  EXPECT_EQ(b->Stats().followed, 1u);
  seconds wait{0};
  auto refused = b->Request(Req("2401.00001", "10.0.0.9"), &wait);  // a new start: limited
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.error().message(), HasSubstr("Too many new FAQ requests"));
  EXPECT_GT(wait.count(), 3000);
  chat_a.Open();
}

TEST_F(FaqClusterTest, DailyTokenBudgetIsShared) {
  options_.llm.daily_token_budget = 500;
  CountingChat chat_a("A"), chat_b("B");
  auto jobs_a = Jobs("node-a");
  auto jobs_b = Jobs("node-b");
  ASSERT_TRUE(jobs_a && jobs_b);
  auto a = Node(chat_a, jobs_a.get());
  auto b = Node(chat_b, jobs_b.get());
  auto sub = Start(*a, Req("2304.02623"));
  ASSERT_TRUE(sub.has_value());
  Drain(**sub);  // A spends its tokens (the budget stops it after 500)
  EXPECT_GE(b->Stats().tokens_today, 500);
  seconds wait{0};
  auto refused = b->Request(Req("2401.00001"), &wait);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.error().message(), HasSubstr("daily FAQ token budget"));
  EXPECT_GT(wait.count(), 0);
  EXPECT_EQ(chat_b.calls().size(), 0u);
}

}  // namespace
}  // namespace coolpapers::llm
