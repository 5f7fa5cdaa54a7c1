#pragma once
// PageCache: rendered responses kept in memory so hot list pages are served without touching
// the store or re-rendering. Thread-safe; LRU, bounded by total bytes (identity + gzip + brotli).
//
// Each entry is tagged with the store change sequence it was rendered at; a lookup with a newer
// sequence misses, so any write to the store invalidates every cached page at once. The current
// sequence is published by `coolpapers serve` (a background thread polls Store::ChangeSeq()
// about once a second into current_seq()), so request paths never query the database for it.
//
// Usage in a handler (cache only complete 200 pages, never streams):
//
//   int64_t seq = s.page_cache->current_seq();     // read BEFORE reading the store
//   std::string key = "list:" + canonical_expr + "|" + day + "|" + show;
//   if (auto hit = s.page_cache->Get(key, seq)) return *std::move(hit);
//   Response r = HtmlResponse(200, meta, body);     // render from the store
//   return s.page_cache->Put(key, seq, std::move(r));
//
// Reading the sequence before the store means a write racing with rendering leaves the entry
// tagged with the older sequence, so it misses on the next poll: never stale for long.
//
// Returned responses carry their bytes in Response::shared_body (body is empty) plus
// precompressed gzip_body / brotli_body and a strong etag; copying such a Response copies only
// pointers, and the server sends the bytes without copying them.
//
// Prefer GetOrRender: concurrent misses of one key (same sequence) are coalesced, one caller
// renders and the others wait for its result (at most Options::wait_timeout, then they render
// themselves), so a burst of requests for a cold page costs one render. gzip is computed when
// an entry is stored; brotli of bodies above Options::inline_brotli_max is computed on the
// cache's own background thread and attached to the entry when ready (until then the entry
// is served gzip), so large compression never runs on an I/O thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "web/background_queue.h"
#include "web/http.h"

namespace coolpapers::web {

class PageCache {
 public:
  struct Options {
    size_t max_bytes = size_t{256} << 20;  // bound on identity + compressed sizes of all entries
    size_t inline_brotli_max = 32 << 10;   // larger bodies get brotli in the background
    size_t max_background_jobs = 64;       // queued brotli jobs; beyond, entries stay gzip-only
    std::chrono::milliseconds wait_timeout{2000};  // a coalesced miss waits at most this
  };
  // `max_bytes`: bound on the sum of identity + compressed sizes of all entries.
  explicit PageCache(size_t max_bytes = size_t{256} << 20);
  explicit PageCache(Options options);
  ~PageCache();  // stops the background compressor (pending jobs are dropped)
  PageCache(const PageCache&) = delete;
  PageCache& operator=(const PageCache&) = delete;

  // The cached response for `key` at `seq`, or the result of `render()` stored under it. When
  // another caller is already rendering `key` at `seq`, waits for its result instead.
  Response GetOrRender(const std::string& key, int64_t seq,
                       const std::function<Response()>& render);

  // Waits until the background compressor has nothing queued or running (tests).
  void WaitForBackground();

  // The store change sequence last published by set_current_seq (0 before the first poll).
  int64_t current_seq() const { return current_seq_.load(std::memory_order_acquire); }
  // Publishes the store's change sequence (called by the poller in `serve`, and by tests).
  void set_current_seq(int64_t seq) { current_seq_.store(seq, std::memory_order_release); }

  // The cached response for `key` if it was rendered at exactly `seq`; nullopt otherwise (an
  // entry from another sequence is dropped). Cheap: copies pointers and small strings only.
  std::optional<Response> Get(const std::string& key, int64_t seq);

  // Stores `r` under `key` for `seq`, compressing it once (gzip and brotli, when the content type
  // is compressible and the body is at least 1 KB) and computing a strong ETag if it has none.
  // Returns the response to send (body moved into shared_body). Responses that are not 200,
  // that stream, or that are larger than max_bytes/4 are returned unchanged and not cached.
  Response Put(const std::string& key, int64_t seq, Response r);

  // Drops every entry.
  void Clear();

  struct Stats {
    size_t entries = 0;
    size_t bytes = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t evictions = 0;
    uint64_t coalesced = 0;        // misses that waited for another caller's render
    uint64_t renders = 0;          // renders run by GetOrRender
    uint64_t background_brotli = 0;  // brotli variants attached by the background thread
  };
  Stats GetStats() const;

 private:
  struct Entry {
    std::string key;
    int64_t seq = 0;
    Response response;  // shared_body / gzip_body / brotli_body set, body empty
    size_t bytes = 0;
  };
  using List = std::list<Entry>;

  struct Flight {
    int64_t seq = 0;
    std::shared_ptr<std::promise<Response>> promise;
    std::shared_future<Response> result;
  };
  void EraseLocked(List::iterator it);
  void EvictLocked();
  // Moves the body into a shared buffer, fills gzip (and brotli when small) and the ETag; true
  // when brotli is left to the background thread.
  bool Precompress(Response& r);
  void QueueBrotli(const std::string& key, std::shared_ptr<const std::string> body);
  // On the background queue: adds brotli to the entry of `key` if it still holds `body`.
  void AddBrotli(const std::string& key, const std::shared_ptr<const std::string>& body);

  const Options options_;
  const size_t max_bytes_;
  std::atomic<int64_t> current_seq_{0};
  mutable std::mutex mu_;
  List lru_;  // most recently used first
  std::unordered_map<std::string, List::iterator> index_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0, evictions_ = 0, coalesced_ = 0, renders_ = 0;
  std::unordered_map<std::string, Flight> flights_;  // renders in progress, by key

  BackgroundQueue background_;  // last: destroyed first, while the cache its jobs use is alive
};

}  // namespace coolpapers::web
