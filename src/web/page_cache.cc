// PageCache: LRU list + hash index under one mutex; compression happens outside the lock.

#include "web/page_cache.h"


#include "web/compression.h"
#include "web/response_finish.h"
#include "web/sendfile_body.h"

namespace coolpapers::web {

PageCache::PageCache(size_t max_bytes) : max_bytes_(max_bytes) {}

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

// Moves the body into a shared buffer and fills gzip/brotli variants and the ETag.
static void Precompress(Response& r) {
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
      auto br = MakeSharedBody(BrotliCompress(body, 5));
      if (!br->empty() && br->size() < body.size()) r.brotli_body = std::move(br);
    }
  }
  if (r.etag.empty()) r.etag = ContentEtag(body);
}

Response PageCache::Put(const std::string& key, int64_t seq, Response r) {
  if (r.status != 200 || r.stream || r.async_stream || r.deferred) return r;
  size_t body_size = r.shared_body ? r.shared_body->size() : r.body.size();
  if (body_size > max_bytes_ / 4) return r;
  Precompress(r);
  // Bodies with a memfd twin (sendfile_body.h) hold their bytes twice.
  auto cost = [](const std::shared_ptr<const std::string>& b) -> size_t {
    if (!b) return 0;
    return SendfileDescriptor(b) >= 0 ? 2 * b->size() : b->size();
  };
  size_t bytes = key.size() + cost(r.shared_body) + cost(r.gzip_body) + cost(r.brotli_body) + 256;
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
  return r;
}

void PageCache::Clear() {
  std::lock_guard lock(mu_);
  lru_.clear();
  index_.clear();
  bytes_ = 0;
}

PageCache::Stats PageCache::GetStats() const {
  std::lock_guard lock(mu_);
  return Stats{lru_.size(), bytes_, hits_, misses_, evictions_};
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
