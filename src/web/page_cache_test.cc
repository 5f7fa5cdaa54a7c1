#include "web/page_cache.h"

#include <gtest/gtest.h>

#include <thread>

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
