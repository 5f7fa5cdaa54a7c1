#pragma once
// StaticDir: serves the files below one directory (static/, KaTeX, PDF.js) from memory.
//
// A file is read on its first request and kept with its gzip/brotli variants; it is re-read when
// its size or mtime changes. Paths are resolved safely: no "." / ".." / hidden segments, and the
// resolved path (symlinks followed) must stay inside the root. Responses carry the right MIME
// type, an ETag from size and mtime, and `Cache-Control: public, max-age=31536000, immutable`
// when the URL has a `?v=` version parameter (else max-age=3600).

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "web/http.h"

namespace coolpapers::web {

// The Content-Type for a file name by its extension ("application/octet-stream" if unknown).
std::string_view MimeTypeFor(std::string_view filename);

class StaticDir {
 public:
  // `root` need not exist yet (every request then misses).
  explicit StaticDir(std::filesystem::path root, size_t max_file_bytes = size_t{64} << 20);

  // The response for `relative` (a decoded path below the root, e.g. "css/style.css"), or
  // nullopt when there is no such servable file. Thread-safe.
  std::optional<Response> Serve(const Request& req, std::string_view relative);

 private:
  struct File {
    std::string path;  // canonical
    uintmax_t size = 0;
    int64_t mtime_ns = 0;
    Response response;  // shared_body, gzip/brotli variants, etag, content type
  };

  // Canonical path of `relative` if it is a regular file inside the root.
  std::optional<std::filesystem::path> Resolve(std::string_view relative) const;
  std::shared_ptr<const File> Load(const std::filesystem::path& path, uintmax_t size,
                                   int64_t mtime_ns) const;

  std::filesystem::path root_;
  size_t max_file_bytes_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const File>> files_;  // by canonical path
};

}  // namespace coolpapers::web
