// StaticDir: safe resolution, in-memory cache with precompressed variants.

#include "web/static_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include <spdlog/spdlog.h>

#include "web/compression.h"
#include "web/sendfile_body.h"

namespace coolpapers::web {

namespace fs = std::filesystem;

std::string_view MimeTypeFor(std::string_view filename) {
  static const std::map<std::string_view, std::string_view> kTypes = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"txt", "text/plain; charset=utf-8"},
      {"md", "text/plain; charset=utf-8"},
      {"xml", "application/xml"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"otf", "font/otf"},
      {"pfb", "application/x-font-type1"},
      {"bcmap", "application/octet-stream"},
      {"wasm", "application/wasm"},
      {"pdf", "application/pdf"},
  };
  size_t slash = filename.rfind('/');
  if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
  size_t dot = filename.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext(filename.substr(dot + 1));
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? std::string_view("application/octet-stream") : it->second;
}

bool GlobMatch(std::string_view pattern, std::string_view path) {
  size_t p = 0, s = 0;
  size_t star = std::string_view::npos, mark = 0;
  while (s < path.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = s;
    } else if (p < pattern.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
    } else if (star != std::string_view::npos && path[mark] != '/') {
      p = star + 1;  // let the star take one more character (never a '/')
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

constexpr size_t kMaxBackgroundJobs = 1024;  // queued loads; beyond, files wait for a request

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

size_t FileBytes(const Response& r) {
  size_t n = 256;
  for (const auto* b : {&r.shared_body, &r.gzip_body, &r.brotli_body}) {
    if (*b) n += SendfileDescriptor(*b) >= 0 ? 2 * (*b)->size() : (*b)->size();
  }
  return n;
}

// gzip and brotli (quality 9: these bytes are sent many times) when worth it.
void Compress(Response& r, const std::string& data) {
  auto gz = MakeSharedBody(GzipCompress(data, 9));
  if (!gz->empty() && gz->size() < data.size()) r.gzip_body = std::move(gz);
  auto br = MakeSharedBody(BrotliCompress(data, 9));
  if (!br->empty() && br->size() < data.size()) r.brotli_body = std::move(br);
}

}  // namespace

namespace {
StaticDir::Options WithMaxFileBytes(size_t max_file_bytes) {
  StaticDir::Options o;
  o.max_file_bytes = max_file_bytes;
  return o;
}
}  // namespace

StaticDir::StaticDir(fs::path root, size_t max_file_bytes)
    : StaticDir(std::move(root), WithMaxFileBytes(max_file_bytes)) {}

StaticDir::StaticDir(fs::path root, Options options)
    : root_(std::move(root)), options_(std::move(options)), background_(kMaxBackgroundJobs) {}

StaticDir::~StaticDir() = default;

std::optional<fs::path> StaticDir::Resolve(std::string_view relative) const {
  if (relative.empty() || relative.front() == '/') return std::nullopt;
  std::string_view rest = relative;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    // No empty, ".", ".." or hidden segments; no backslashes or NULs anywhere.
    if (seg.empty() || seg.front() == '.' || seg.find('\\') != std::string_view::npos ||
        seg.find('\0') != std::string_view::npos) {
      return std::nullopt;
    }
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  std::error_code ec;
  fs::path root = fs::canonical(root_, ec);
  if (ec) return std::nullopt;
  fs::path file = fs::canonical(root / fs::path(std::string(relative)), ec);
  if (ec) return std::nullopt;
  // The resolved file must be below the resolved root (a symlink may not lead outside).
  const std::string& r = root.native();
  const std::string& f = file.native();
  if (f.size() <= r.size() || f.compare(0, r.size(), r) != 0 || f[r.size()] != '/') {
    return std::nullopt;
  }
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  return file;
}

std::shared_ptr<const StaticDir::File> StaticDir::Load(const fs::path& path, uintmax_t size,
                                                       int64_t mtime_ns) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  std::string data;
  data.resize(size);
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (static_cast<uintmax_t>(in.gcount()) != size) return nullptr;

  auto file = std::make_shared<File>();
  file->path = path.native();
  file->size = size;
  file->mtime_ns = mtime_ns;
  Response& r = file->response;
  r.content_type = std::string(MimeTypeFor(path.filename().native()));
  if (IsCompressibleType(r.content_type) && data.size() >= kMinCompressBytes &&
      data.size() <= options_.inline_compress_max) {
    Compress(r, data);  // small: cheap enough here; larger files in LoadInBackground
  }
  r.shared_body = MakeSharedBody(std::move(data));
  char etag[64];
  std::snprintf(etag, sizeof(etag), "\"%llx-%llx\"", static_cast<unsigned long long>(mtime_ns),
                static_cast<unsigned long long>(size));
  r.etag = etag;
  return file;
}

bool StaticDir::Allowed(std::string_view relative) const {
  if (EndsWith(relative, ".map")) return false;  // no source maps
  return options_.allow.empty() ||
         std::any_of(options_.allow.begin(), options_.allow.end(),
                     [relative](const std::string& p) { return GlobMatch(p, relative); });
}

std::optional<Response> StaticDir::Serve(const Request& req, std::string_view relative) {
  if (!Allowed(relative)) return std::nullopt;
  std::optional<fs::path> path = Resolve(relative);
  if (!path) return std::nullopt;
  struct stat st;
  if (::stat(path->c_str(), &st) != 0) return std::nullopt;
  uintmax_t size = static_cast<uintmax_t>(st.st_size);
  int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  if (size > options_.max_file_bytes) {
    spdlog::warn("static file {} is larger than {} bytes; not served", path->native(),
                 options_.max_file_bytes);
    return std::nullopt;
  }

  std::shared_ptr<const File> file;
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(path->native());
    if (it != files_.end() && it->second.file->size == size &&
        it->second.file->mtime_ns == mtime_ns) {
      file = it->second.file;
      it->second.last_use = ++tick_;
    }
  }
  if (!file) {
    // Loaded outside the lock; two racing first requests both load, the last one is kept.
    file = Load(*path, size, mtime_ns);
    if (!file) return std::nullopt;
    const Response& fr = file->response;
    // Compressed in the background, if it can be kept (else it is re-read per request and
    // sent as it is: compressing what cannot be kept would be paid per request).
    const bool compress_later = !fr.gzip_body && !fr.brotli_body &&
                                IsCompressibleType(fr.content_type) &&
                                fr.shared_body->size() > options_.inline_compress_max &&
                                3 * fr.shared_body->size() <= options_.max_cache_bytes;
    {
      std::lock_guard lock(mu_);
      InsertLocked(file);
    }
    if (compress_later) Preload({std::string(relative)}, /*wait=*/false);
  }
  Response r = file->response;
  r.SetHeader("Cache-Control", req.HasParam("v") ? "public, max-age=31536000, immutable"
                                                 : "public, max-age=3600");
  return r;
}

void StaticDir::InsertLocked(const std::shared_ptr<const File>& file) {
  const size_t bytes = FileBytes(file->response);
  auto it = files_.find(file->path);
  if (it != files_.end()) {
    bytes_ -= it->second.bytes;
    files_.erase(it);
  }
  if (bytes > options_.max_cache_bytes) return;  // served, never kept
  files_[file->path] = Cached{file, bytes, ++tick_};
  bytes_ += bytes;
  while (bytes_ > options_.max_cache_bytes && !files_.empty()) {
    auto oldest = files_.begin();
    for (auto i = files_.begin(); i != files_.end(); ++i) {
      if (i->second.last_use < oldest->second.last_use) oldest = i;
    }
    bytes_ -= oldest->second.bytes;
    files_.erase(oldest);
    ++evictions_;
  }
}

void StaticDir::LoadInBackground(const std::string& relative) {
  std::optional<fs::path> path = Resolve(relative);
  struct stat st;
  if (!path || ::stat(path->c_str(), &st) != 0 ||
      static_cast<uintmax_t>(st.st_size) > options_.max_file_bytes) {
    return;
  }
  int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  {
    std::lock_guard l(mu_);
    auto it = files_.find(path->native());
    if (it != files_.end() && it->second.file->mtime_ns == mtime_ns &&
        it->second.file->size == static_cast<uintmax_t>(st.st_size) &&
        (it->second.file->response.gzip_body || it->second.file->response.brotli_body)) {
      return;  // already cached, compressed
    }
  }
  std::shared_ptr<const File> loaded = Load(*path, static_cast<uintmax_t>(st.st_size), mtime_ns);
  if (!loaded) return;
  auto file = std::make_shared<File>(*loaded);
  Response& r = file->response;
  if (!r.gzip_body && !r.brotli_body && IsCompressibleType(r.content_type) &&
      r.shared_body->size() >= kMinCompressBytes) {
    Compress(r, *r.shared_body);
  }
  std::lock_guard l(mu_);
  InsertLocked(file);
}

void StaticDir::Preload(const std::vector<std::string>& relatives, bool wait) {
  for (const std::string& rel : relatives) {
    if (Allowed(rel)) background_.Post([this, rel] { LoadInBackground(rel); });
  }
  if (wait) WaitForBackground();
}

void StaticDir::WaitForBackground() { background_.WaitIdle(); }

StaticDir::Stats StaticDir::GetStats() const {
  std::lock_guard lock(mu_);
  return Stats{files_.size(), bytes_, evictions_};
}

}  // namespace coolpapers::web
