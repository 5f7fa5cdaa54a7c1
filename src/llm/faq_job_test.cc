// FaqJob::NotifyOnNews: the asynchronous readers' wake-up (web/faq_routes.cc streams).

#include "llm/faq_job.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace coolpapers::llm {
namespace {

std::shared_ptr<FaqJob> NewJob() {
  FaqKey key;
  key.paper_id = "2402.12354";
  key.version = 1;
  key.lang = "en";
  core::Paper paper;
  paper.id = key.paper_id;
  return std::make_shared<FaqJob>(key, paper, 2, 1);
}

// Takes everything the cursor has not seen (never waits).
std::vector<FaqEvent> Drain(FaqJob& job, FaqCursor& c) {
  std::vector<FaqEvent> out;
  job.Wait(c, out, std::chrono::milliseconds(0));
  return out;
}

TEST(FaqJobNotifyTest, FiresAtOnceWhenTheCursorHasNews) {
  auto job = NewJob();
  FaqCursor c;  // has not seen the initial progress yet
  int fired = 0;
  job->NotifyOnNews(c, [&] { ++fired; });
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(job->waiting_callbacks(), 0u);
}

TEST(FaqJobNotifyTest, FiresOnceOnTheNextChangeAndNotUnderTheLock) {
  auto job = NewJob();
  FaqCursor c;
  ASSERT_FALSE(Drain(*job, c).empty());
  int fired = 0;
  FaqState seen = FaqState::kNone;
  // The callback reads the job: it would deadlock if called with the job's mutex held.
  job->NotifyOnNews(c, [&] {
    ++fired;
    seen = job->state();
  });
  EXPECT_EQ(fired, 0);
  EXPECT_EQ(job->waiting_callbacks(), 1u);
  job->SetLoading();
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(seen, FaqState::kLoading);
  job->BeginQuestion(0, "Q?");
  EXPECT_EQ(fired, 1);  // once only
  EXPECT_EQ(job->waiting_callbacks(), 0u);
}

TEST(FaqJobNotifyTest, FiresAtOnceAfterTheFinalEventWasDelivered) {
  auto job = NewJob();
  job->Fail("upstream refused");
  FaqCursor c;
  std::vector<FaqEvent> events = Drain(*job, c);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, FaqEvent::Kind::kError);
  int fired = 0;
  job->NotifyOnNews(c, [&] { ++fired; });
  EXPECT_EQ(fired, 1);  // so an asynchronous reader learns the stream is over
  std::vector<FaqEvent> more;
  EXPECT_FALSE(job->Wait(c, more, std::chrono::milliseconds(0)));
}

// Many readers registered while a worker appends: each callback fires exactly once and every
// reader ends up with the whole log.
TEST(FaqJobNotifyTest, ThousandConcurrentReadersEachFireOnceAndSeeEverything) {
  auto job = NewJob();
  constexpr int kReaders = 1000;
  std::vector<FaqCursor> cursors(kReaders);
  for (auto& c : cursors) Drain(*job, c);
  std::vector<std::atomic<int>> fired(kReaders);
  for (int i = 0; i < kReaders; ++i) {
    job->NotifyOnNews(cursors[i], [&fired, i] { fired[i].fetch_add(1); });
  }
  EXPECT_EQ(job->waiting_callbacks(), static_cast<size_t>(kReaders));
  std::thread worker([&] {
    job->SetLoading();
    job->BeginQuestion(0, "What?");
    job->AppendDelta(0, "An ");
    job->AppendDelta(0, "answer.");
    job->EndAnswer(0, "An answer.");
    job->Complete(10, "2026-07-01");
  });
  worker.join();
  ASSERT_EQ(fired.size(), static_cast<size_t>(kReaders));
  for (int i = 0; i < kReaders; ++i) EXPECT_EQ(fired[i].load(), 1) << i;
  size_t log_events = 0;
  for (auto& c : cursors) {
    std::vector<FaqEvent> ev = Drain(*job, c);
    ASSERT_FALSE(ev.empty());
    EXPECT_EQ(ev.back().kind, FaqEvent::Kind::kDone);
    log_events += ev.size();
  }
  EXPECT_EQ(log_events, static_cast<size_t>(kReaders) * 5);  // q, 2 deltas, answer, done
}

}  // namespace
}  // namespace coolpapers::llm
