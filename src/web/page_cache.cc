// PageCache: LRU list + hash index under one mutex; compression happens outside the lock, and
// brotli of large bodies on a background thread.

#include "web/page_cache.h"

#include <exception>

#include "web/compression.h"
#include "web/response_finish.h"
#include "web/sendfile_body.h"

namespace coolpapers::web {
namespace {

// Bodies with a memfd twin (sendfile_body.h) hold their bytes twice.
size_t Cost(const std::shared_ptr<const std::string>& b) {
  if (!b) return 0;
  return SendfileDescriptor(b) >= 0 ? 2 * b->size() : b->size();
}

}  // namespace

PageCache::PageCache(size_t max_bytes) : PageCache(Options{max_bytes}) {}

PageCache::PageCache(Options options)
    : options_(options), max_bytes_(options.max_bytes), background_(options.max_background_jobs) {}

PageCache::~PageCache() = default;

std::optional<Response> PageCache::Get(const std::string& key, int64_t seq) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return std::nullopt;
  }
  if (it->second->seq != seq) {
    EraseLocked(it->second);
    ++misses_;
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  ++hits_;
  return it->second->response;
}

Response PageCache::GetOrRender(const std::string& key, int64_t seq,
                                const std::function<Response()>& render) {
  if (auto hit = Get(key, seq)) return *std::move(hit);
  std::shared_future<Response> other;
  std::shared_ptr<std::promise<Response>> mine;
  {
    std::lock_guard lock(mu_);
    auto f = flights_.find(key);
    if (f == flights_.end()) {
      mine = std::make_shared<std::promise<Response>>();
      flights_.emplace(key, Flight{seq, mine, mine->get_future().share()});
    } else if (f->second.seq == seq) {
      other = f->second.result;
      ++coalesced_;
    } else if (f->second.seq < seq) {
      // The store moved on while an older render runs: later misses coalesce on ours (the
      // older renderer's waiters still get its result).
      mine = std::make_shared<std::promise<Response>>();
      f->second = Flight{seq, mine, mine->get_future().share()};
    }
    // else: a render of a newer sequence is in progress; render on our own.
  }
  if (other.valid()) {
    if (other.wait_for(options_.wait_timeout) == std::future_status::ready) {
      try {
        return other.get();
      } catch (...) {  // the renderer failed: try on our own
      }
    }
  }
  auto finish = [&] {
    if (!mine) return;
    std::lock_guard lock(mu_);
    auto f = flights_.find(key);
    if (f != flights_.end() && f->second.promise == mine) flights_.erase(f);
  };
  Response r;
  try {
    {
      std::lock_guard lock(mu_);
      ++renders_;
    }
    r = Put(key, seq, render());
  } catch (...) {
    finish();
    if (mine) mine->set_exception(std::current_exception());
    throw;
  }
  finish();
  if (mine) mine->set_value(r);
  return r;
}

bool PageCache::Precompress(Response& r) {
  bool brotli_later = false;
  if (!r.shared_body) {
    r.shared_body = MakeSharedBody(std::move(r.body));
    r.body.clear();
  }
  const std::string& body = *r.shared_body;
  if (IsCompressibleType(r.content_type) && body.size() >= kMinCompressBytes) {
    if (!r.gzip_body) {
      auto gz = MakeSharedBody(GzipCompress(body, 6));
      if (!gz->empty() && gz->size() < body.size()) r.gzip_body = std::move(gz);
    }
    if (!r.brotli_body) {
      if (body.size() <= options_.inline_brotli_max) {
        auto br = MakeSharedBody(BrotliCompress(body, 5));
        if (!br->empty() && br->size() < body.size()) r.brotli_body = std::move(br);
      } else {
        brotli_later = true;
      }
    }
  }
  if (r.etag.empty()) r.etag = ContentEtag(body);
  return brotli_later;
}

void PageCache::QueueBrotli(const std::string& key, std::shared_ptr<const std::string> body) {
  // A full queue leaves the entry gzip-only.
  background_.Post([this, key, body = std::move(body)] { AddBrotli(key, body); });
}

void PageCache::AddBrotli(const std::string& key, const std::shared_ptr<const std::string>& body) {
  auto holds_body = [&](const auto& it) {
    return it != index_.end() && it->second->response.shared_body == body;
  };
  {
    std::lock_guard l(mu_);
    if (!holds_body(index_.find(key))) return;  // replaced or evicted meanwhile
  }
  std::shared_ptr<const std::string> br = MakeSharedBody(BrotliCompress(*body, 5));
  if (br->empty() || br->size() >= body->size()) return;
  std::lock_guard l(mu_);
  auto it = index_.find(key);
  if (!holds_body(it) || it->second->response.brotli_body) return;
  size_t added = Cost(br);
  it->second->response.brotli_body = std::move(br);
  it->second->bytes += added;
  bytes_ += added;
  EvictLocked();
}

void PageCache::WaitForBackground() { background_.WaitIdle(); }

Response PageCache::Put(const std::string& key, int64_t seq, Response r) {
  if (r.status != 200 || r.stream || r.async_stream || r.deferred) return r;
  size_t body_size = r.shared_body ? r.shared_body->size() : r.body.size();
  if (body_size > max_bytes_ / 4) return r;
  const bool brotli_later = Precompress(r);
  size_t bytes = key.size() + Cost(r.shared_body) + Cost(r.gzip_body) + Cost(r.brotli_body) + 256;
  {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      // Keep the newer rendering when two threads raced on the same key.
      if (it->second->seq > seq) return r;
      EraseLocked(it->second);
    }
    lru_.push_front(Entry{key, seq, r, bytes});
    index_.emplace(key, lru_.begin());
    bytes_ += bytes;
    EvictLocked();
  }
  if (brotli_later) QueueBrotli(key, r.shared_body);  // after the entry exists to attach to
  return r;
}

void PageCache::Clear() {
  std::lock_guard lock(mu_);
  lru_.clear();
  index_.clear();
  bytes_ = 0;
}

PageCache::Stats PageCache::GetStats() const {
  uint64_t bg_done = background_.done();
  std::lock_guard lock(mu_);
  return Stats{lru_.size(), bytes_, hits_, misses_, evictions_, coalesced_, renders_, bg_done};
}

void PageCache::EraseLocked(List::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(it->key);
  lru_.erase(it);
}

void PageCache::EvictLocked() {
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    EraseLocked(std::prev(lru_.end()));
    ++evictions_;
  }
}

}  // namespace coolpapers::web
