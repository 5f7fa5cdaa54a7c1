// StaticDir: safe resolution, in-memory cache with precompressed variants.

#include "web/static_files.h"

#include <sys/stat.h>

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

StaticDir::StaticDir(fs::path root, size_t max_file_bytes)
    : root_(std::move(root)), max_file_bytes_(max_file_bytes) {}

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
  if (IsCompressibleType(r.content_type) && data.size() >= kMinCompressBytes) {
    auto gz = MakeSharedBody(GzipCompress(data, 9));
    if (!gz->empty() && gz->size() < data.size()) r.gzip_body = std::move(gz);
    auto br = MakeSharedBody(BrotliCompress(data, 9));
    if (!br->empty() && br->size() < data.size()) r.brotli_body = std::move(br);
  }
  r.shared_body = MakeSharedBody(std::move(data));
  char etag[64];
  std::snprintf(etag, sizeof(etag), "\"%llx-%llx\"", static_cast<unsigned long long>(mtime_ns),
                static_cast<unsigned long long>(size));
  r.etag = etag;
  return file;
}

std::optional<Response> StaticDir::Serve(const Request& req, std::string_view relative) {
  std::optional<fs::path> path = Resolve(relative);
  if (!path) return std::nullopt;
  struct stat st;
  if (::stat(path->c_str(), &st) != 0) return std::nullopt;
  uintmax_t size = static_cast<uintmax_t>(st.st_size);
  int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  if (size > max_file_bytes_) {
    spdlog::warn("static file {} is larger than {} bytes; not served", path->native(),
                 max_file_bytes_);
    return std::nullopt;
  }

  std::shared_ptr<const File> file;
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(path->native());
    if (it != files_.end() && it->second->size == size && it->second->mtime_ns == mtime_ns) {
      file = it->second;
    }
  }
  if (!file) {
    // Loaded outside the lock; two racing first requests both load, the last one is kept.
    file = Load(*path, size, mtime_ns);
    if (!file) return std::nullopt;
    std::lock_guard lock(mu_);
    files_[path->native()] = file;
  }
  Response r = file->response;
  r.SetHeader("Cache-Control", req.HasParam("v") ? "public, max-age=31536000, immutable"
                                                 : "public, max-age=3600");
  return r;
}

}  // namespace coolpapers::web
