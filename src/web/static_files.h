#pragma once
// StaticDir: serves the files below one directory (static/, KaTeX, PDF.js) from memory.
//
// A file is read on its first request and kept with its gzip/brotli variants; it is re-read when
// its size or mtime changes. Paths are resolved safely: no "." / ".." / hidden segments, and the
// resolved path (symlinks followed) must stay inside the root. Responses carry the right MIME
// type, an ETag from size and mtime, and `Cache-Control: public, max-age=31536000, immutable`
// when the URL has a `?v=` version parameter (else max-age=3600).
//
// Hardening: source maps (*.map) are never served; with an allow-list only the files matching
// one of its patterns are (for node_modules: just what the pages load); the in-memory cache is
// bounded in bytes (least recently used files leave first; a file larger than the bound is read
// per request); files above Options::inline_compress_max are sent uncompressed until a background
// thread has compressed them (gzip and brotli at 9), so no I/O thread compresses a large file.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "web/background_queue.h"
#include "web/http.h"

namespace coolpapers::web {

// The Content-Type for a file name by its extension ("application/octet-stream" if unknown).
std::string_view MimeTypeFor(std::string_view filename);

// True when `path` matches `pattern`: '*' matches any run of characters other than '/', every
// other character itself ("fonts/*.woff2" matches "fonts/KaTeX_Main-Regular.woff2").
bool GlobMatch(std::string_view pattern, std::string_view path);

class StaticDir {
 public:
  struct Options {
    size_t max_file_bytes = size_t{64} << 20;   // larger files are not served
    size_t max_cache_bytes = size_t{32} << 20;  // identity + compressed bytes kept in memory
    size_t inline_compress_max = 16 << 10;      // larger files are compressed in the background
    std::vector<std::string> allow;             // GlobMatch patterns; empty: every file
  };
  // `root` need not exist yet (every request then misses).
  explicit StaticDir(std::filesystem::path root, size_t max_file_bytes = size_t{64} << 20);
  StaticDir(std::filesystem::path root, Options options);
  ~StaticDir();  // stops the background compressor
  StaticDir(const StaticDir&) = delete;
  StaticDir& operator=(const StaticDir&) = delete;

  // The response for `relative` (a decoded path below the root, e.g. "css/style.css"), or
  // nullopt when there is no such servable file. Thread-safe.
  std::optional<Response> Serve(const Request& req, std::string_view relative);

  // Loads and compresses `relatives` on the background thread (so their first request is
  // served compressed); with `wait`, returns when done. Paths that are not servable are skipped.
  void Preload(const std::vector<std::string>& relatives, bool wait);
  // Waits until the background thread is idle.
  void WaitForBackground();

  struct Stats {
    size_t files = 0;  // files held in memory
    size_t bytes = 0;  // their identity + compressed bytes
    uint64_t evictions = 0;
  };
  Stats GetStats() const;

 private:
  struct File {
    std::string path;  // canonical
    uintmax_t size = 0;
    int64_t mtime_ns = 0;
    Response response;  // shared_body, gzip/brotli variants, etag, content type
  };

  // Not a source map, and matched by the allow-list (if any).
  bool Allowed(std::string_view relative) const;
  // Canonical path of `relative` if it is a regular file inside the root.
  std::optional<std::filesystem::path> Resolve(std::string_view relative) const;
  std::shared_ptr<const File> Load(const std::filesystem::path& path, uintmax_t size,
                                   int64_t mtime_ns) const;

  struct Cached {
    std::shared_ptr<const File> file;
    size_t bytes = 0;
    uint64_t last_use = 0;
  };
  // Stores `file` (replacing `expected` when given and still there); evicts to the bound.
  void InsertLocked(const std::shared_ptr<const File>& file);
  // On the background queue: loads and compresses `relative` unless it is cached compressed.
  void LoadInBackground(const std::string& relative);

  std::filesystem::path root_;
  const Options options_;
  mutable std::mutex mu_;
  std::map<std::string, Cached> files_;  // by canonical path
  size_t bytes_ = 0;
  uint64_t tick_ = 0, evictions_ = 0;
  BackgroundQueue background_;  // last: destroyed first, while the files its jobs use are alive
};

}  // namespace coolpapers::web
