#include "search/index_layout.h"

#include <cctype>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "search/file_util.h"

namespace coolpapers::search {
namespace fs = std::filesystem;
namespace {

constexpr const char* kGenPrefix = "gen-";

// Generation number of a directory name "gen-000012" or "gen-000012.tmp"; -1 otherwise.
int64_t GenNumber(const std::string& name) {
  if (!core::StartsWith(name, kGenPrefix)) return -1;
  std::string digits = name.substr(4, name.find('.') == std::string::npos
                                          ? std::string::npos
                                          : name.find('.') - 4);
  int64_t n = 0;
  return core::ParseInt64(digits, n) ? n : -1;
}

}  // namespace

std::string MetaToJson(const IndexMeta& m) {
  nlohmann::json j = {{"format", m.format},       {"embedder_id", m.embedder_id},
                      {"dims", m.dims},           {"docs", m.docs},
                      {"store_seq", m.store_seq}, {"built_at", m.built_at},
                      {"build_seconds", m.build_seconds}};
  return j.dump(2) + "\n";
}

Result<IndexMeta> MetaFromJson(const std::string& json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return Err(Status::Corruption("index meta.json is not a JSON object"));
  IndexMeta m;
  try {
    m.format = j.value("format", 1);
    m.embedder_id = j.value("embedder_id", "");
    m.dims = j.value("dims", 0);
    m.docs = j.value("docs", int64_t{0});
    m.store_seq = j.value("store_seq", int64_t{0});
    m.built_at = j.value("built_at", "");
    m.build_seconds = j.value("build_seconds", 0.0);
  } catch (const nlohmann::json::exception& e) {
    return Err(Status::Corruption(std::string("index meta.json: ") + e.what()));
  }
  return m;
}

Status CheckFormat(const IndexMeta& meta, const std::string& path) {
  if (meta.format == kIndexFormat) return Status::Ok();
  return Status::FailedPrecondition(
      "the search index " + path + " has format " + std::to_string(meta.format) +
      " and this coolpapers reads format " + std::to_string(kIndexFormat) +
      "; rebuild it with `coolpapers index --rebuild`");
}

Result<std::string> IndexLayout::CurrentGeneration() const {
  auto text = ReadFile(dir_ + "/CURRENT");
  if (!text) {
    return Err(Status::NotFound("no search index in " + dir_ +
                                "; build it with `coolpapers index`"));
  }
  std::string name(core::Trim(*text));
  if (GenNumber(name) < 0 || name.find('.') != std::string::npos ||
      !fs::is_directory(dir_ + "/" + name)) {
    return Err(Status::Corruption("search index " + dir_ + "/CURRENT names \"" + name +
                                  "\", which is missing; run `coolpapers index --rebuild`"));
  }
  return dir_ + "/" + name;
}

Result<std::string> IndexLayout::BeginBuild() const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) {
    return Err(Status::Internal("cannot create index directory " + dir_ + ": " + ec.message()));
  }
  int64_t next = 1;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    int64_t n = GenNumber(name);
    if (n < 0) continue;
    next = std::max(next, n + 1);
    if (core::EndsWith(name, ".tmp")) fs::remove_all(entry.path(), ec);  // a crashed build
  }
  char name[32];
  std::snprintf(name, sizeof name, "%s%06lld.tmp", kGenPrefix, static_cast<long long>(next));
  std::string path = dir_ + "/" + name;
  fs::create_directories(path, ec);
  if (ec) return Err(Status::Internal("cannot create " + path + ": " + ec.message()));
  return path;
}

Result<std::string> IndexLayout::CommitBuild(const std::string& tmp_path) const {
  if (!core::EndsWith(tmp_path, ".tmp")) {
    return Err(Status::InvalidArgument(tmp_path + " is not a build directory"));
  }
  const std::string final_path = tmp_path.substr(0, tmp_path.size() - 4);
  std::error_code ec;
  fs::rename(tmp_path, final_path, ec);
  if (ec) {
    return Err(Status::Internal("renaming " + tmp_path + " into place: " + ec.message()));
  }
  SyncDirectory(dir_);
  const std::string name = fs::path(final_path).filename().string();
  if (Status s = WriteFileAtomically(dir_ + "/CURRENT", name + "\n"); !s.ok()) return Err(s);
  SyncDirectory(dir_);
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string other = entry.path().filename().string();
    if (GenNumber(other) >= 0 && other != name && !core::EndsWith(other, ".tmp")) {
      fs::remove_all(entry.path(), ec);
    }
  }
  return final_path;
}

std::string DefaultIndexDir(const std::string& db_url) {
  if (core::StartsWith(db_url, "sqlite:")) {
    fs::path db(db_url.substr(7));
    fs::path parent = db.parent_path();
    return (parent.empty() ? fs::path("index") : parent / "index").string();
  }
  std::string rest = db_url;
  if (size_t scheme = rest.find("://"); scheme != std::string::npos) rest = rest.substr(scheme + 3);
  if (size_t at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  if (size_t q = rest.find('?'); q != std::string::npos) rest = rest.substr(0, q);
  std::string name;
  for (char c : rest) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_';
    char out = keep ? c : '-';
    if (out == '-' && (name.empty() || name.back() == '-')) continue;
    name += out;
  }
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name.empty() ? "var/index" : "var/index-" + name;
}

}  // namespace coolpapers::search
