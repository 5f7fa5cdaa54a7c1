#include "web/page_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "web/compression.h"

namespace coolpapers::web {
namespace {

Response Page(std::string body, int status = 200) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string BigHtml(char fill, size_t n = 10'000) {
  return "<html>" + std::string(n, fill) + "</html>";
}

TEST(PageCacheTest, HitReturnsSharedBodyAndPrecompressedVariants) {
  PageCache cache;
  Response put = cache.Put("k", 7, Page(BigHtml('a')));
  ASSERT_TRUE(put.shared_body);
  EXPECT_TRUE(put.body.empty());
  EXPECT_EQ(put.BodyView(), BigHtml('a'));
  ASSERT_TRUE(put.gzip_body);
  ASSERT_TRUE(put.brotli_body);
  EXPECT_EQ(GzipDecompress(*put.gzip_body).value_or(""), BigHtml('a'));
  EXPECT_EQ(BrotliDecompress(*put.brotli_body).value_or(""), BigHtml('a'));
  EXPECT_FALSE(put.etag.empty());

  std::optional<Response> hit = cache.Get("k", 7);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->shared_body.get(), put.shared_body.get());  // same bytes, not a copy
  EXPECT_EQ(hit->etag, put.etag);
  EXPECT_EQ(cache.GetStats().hits, 1u);
}

TEST(PageCacheTest, SmallBodiesAreNotCompressed) {
  PageCache cache;
  Response put = cache.Put("k", 1, Page("<p>hi</p>"));
  EXPECT_FALSE(put.gzip_body);
  EXPECT_FALSE(put.brotli_body);
  EXPECT_EQ(cache.Get("k", 1)->BodyView(), "<p>hi</p>");
}

TEST(PageCacheTest, MissesWhenChangeSequenceMoved) {
  PageCache cache;
  cache.Put("k", 1, Page("old"));
  EXPECT_FALSE(cache.Get("k", 2).has_value());
  EXPECT_FALSE(cache.Get("k", 1).has_value());  // the stale entry was dropped
  EXPECT_EQ(cache.GetStats().entries, 0u);
  EXPECT_EQ(cache.GetStats().misses, 2u);
}

TEST(PageCacheTest, DifferentBodiesGetDifferentEtags) {
  PageCache cache;
  EXPECT_NE(cache.Put("a", 1, Page("one")).etag, cache.Put("b", 1, Page("two")).etag);
}

TEST(PageCacheTest, DoesNotCacheErrorsOrStreams) {
  PageCache cache;
  Response r = cache.Put("e", 1, Page("missing", 404));
  EXPECT_EQ(r.body, "missing");
  EXPECT_FALSE(cache.Get("e", 1).has_value());
  Response s;
  s.stream = [](ChunkSink&) {};
  cache.Put("s", 1, std::move(s));
  EXPECT_FALSE(cache.Get("s", 1).has_value());
}

TEST(PageCacheTest, EvictsLeastRecentlyUsedWhenOverBudget) {
  PageCache cache(/*max_bytes=*/4'000);
  cache.Put("a", 1, Page(std::string(900, 'a')));
  cache.Put("b", 1, Page(std::string(900, 'b')));
  cache.Put("c", 1, Page(std::string(900, 'c')));
  ASSERT_TRUE(cache.Get("a", 1).has_value());  // a is now the most recently used
  cache.Put("d", 1, Page(std::string(900, 'd')));
  cache.Put("e", 1, Page(std::string(900, 'e')));
  EXPECT_TRUE(cache.Get("a", 1).has_value());
  EXPECT_FALSE(cache.Get("b", 1).has_value());
  EXPECT_LE(cache.GetStats().bytes, 4'000u);
  EXPECT_GT(cache.GetStats().evictions, 0u);
}

TEST(PageCacheTest, OversizedResponsesAreNotCached) {
  PageCache cache(/*max_bytes=*/4'000);
  Response r = cache.Put("big", 1, Page(std::string(2'000, 'x')));
  EXPECT_EQ(r.BodyView().size(), 2'000u);
  EXPECT_FALSE(cache.Get("big", 1).has_value());
}

TEST(PageCacheTest, OlderRenderingDoesNotReplaceNewer) {
  PageCache cache;
  cache.Put("k", 5, Page("new"));
  cache.Put("k", 4, Page("old"));
  ASSERT_TRUE(cache.Get("k", 5).has_value());
  EXPECT_EQ(cache.Get("k", 5)->BodyView(), "new");
}

TEST(PageCacheTest, CurrentSeqIsPublished) {
  PageCache cache;
  EXPECT_EQ(cache.current_seq(), 0);
  cache.set_current_seq(42);
  EXPECT_EQ(cache.current_seq(), 42);
}

TEST(PageCacheTest, ConcurrentPutsAndGetsStayConsistent) {
  PageCache cache(/*max_bytes=*/200'000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 300; ++i) {
        std::string key = "k" + std::to_string(i % 20);
        std::string body = key + ":" + std::string(2'000, static_cast<char>('a' + t));
        if (auto hit = cache.Get(key, 1)) {
          EXPECT_EQ(hit->BodyView().substr(0, key.size() + 1), key + ":");
        } else {
          cache.Put(key, 1, Page(body));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.GetStats().bytes, 200'000u);
}

}  // namespace
}  // namespace coolpapers::web

namespace coolpapers::web {
namespace {

TEST(PageCacheTest, ConcurrentMissesOfOneKeyRenderOnce) {
  constexpr int kThreads = 8;
  PageCache cache;
  std::atomic<int> renders{0};
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto render = [&] {
    renders.fetch_add(1);
    released.wait();  // the first caller holds the render until every other one is waiting
    return Page(BigHtml('c'));
  };
  std::vector<std::thread> threads;
  std::vector<std::string> bodies(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      bodies[i] = std::string(cache.GetOrRender("list:cs.CL|", 3, render).BodyView());
    });
  }
  // Wait (bounded in time, not in spins: the threads may be slow to start on a loaded
  // machine) until the other callers are parked on the first one's render.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (cache.GetStats().coalesced < kThreads - 1u &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(cache.GetStats().coalesced, kThreads - 1u);
  release.set_value();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(renders.load(), 1);
  EXPECT_EQ(cache.GetStats().renders, 1u);
  ASSERT_EQ(bodies.size(), static_cast<size_t>(kThreads));
  for (const std::string& b : bodies) EXPECT_EQ(b, BigHtml('c'));
  EXPECT_EQ(cache.GetStats().entries, 1u);
  // Later calls hit.
  cache.GetOrRender("list:cs.CL|", 3, render);
  EXPECT_EQ(renders.load(), 1);
}

TEST(PageCacheTest, WaiterRendersItselfWhenTheFirstRenderFails) {
  PageCache cache;
  int calls = 0;
  EXPECT_THROW(cache.GetOrRender("k", 1, [&]() -> Response {
    ++calls;
    throw std::runtime_error("render failed");
  }), std::runtime_error);
  // The failed flight is gone: the next caller renders and caches.
  Response r = cache.GetOrRender("k", 1, [&] {
    ++calls;
    return Page(BigHtml('d'));
  });
  EXPECT_EQ(r.BodyView(), BigHtml('d'));
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(cache.Get("k", 1).has_value());
}

TEST(PageCacheTest, LargeBodiesGetGzipAtOnceAndBrotliInTheBackground) {
  PageCache::Options o;
  o.inline_brotli_max = 4096;
  PageCache cache(o);
  Response small = cache.Put("small", 1, Page(BigHtml('s', 2000)));
  EXPECT_TRUE(small.gzip_body);
  EXPECT_TRUE(small.brotli_body);  // small: both inline
  Response big = cache.Put("big", 1, Page(BigHtml('b', 200'000)));
  ASSERT_TRUE(big.gzip_body);      // gzip at once
  EXPECT_FALSE(big.brotli_body);   // brotli not on the caller's thread
  size_t bytes_before = cache.GetStats().bytes;
  cache.WaitForBackground();
  std::optional<Response> hit = cache.Get("big", 1);
  ASSERT_TRUE(hit.has_value());
  ASSERT_TRUE(hit->brotli_body);
  EXPECT_EQ(BrotliDecompress(*hit->brotli_body).value_or(""), BigHtml('b', 200'000));
  EXPECT_GT(cache.GetStats().bytes, bytes_before);  // the variant is accounted for
  EXPECT_EQ(cache.GetStats().background_brotli, 1u);
}

}  // namespace
}  // namespace coolpapers::web
