#include "search/openai_embedder.h"

#include <curl/curl.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace coolpapers::search {
namespace {

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

struct HttpResult {
  long status = 0;
  std::string body;
};

Result<HttpResult> Post(const std::string& url, const std::string& body, const std::string& key,
                        long timeout_ms) {
  CURL* curl = curl_easy_init();
  if (!curl) return Err(Status::Internal("libcurl could not start"));
  HttpResult r;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  std::string auth = "Authorization: Bearer " + key;
  if (!key.empty()) headers = curl_slist_append(headers, auth.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10000L));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    return Err(Status::Unavailable("embedding request to " + url + " failed: " +
                                   curl_easy_strerror(rc)));
  }
  return r;
}

}  // namespace

std::optional<OpenAiEmbedderConfig> OpenAiEmbedderConfigFromEnv() {
  OpenAiEmbedderConfig c;
  c.base_url = Env("COOLPAPERS_EMBED_BASE_URL");
  if (c.base_url.empty()) return std::nullopt;
  while (!c.base_url.empty() && c.base_url.back() == '/') c.base_url.pop_back();
  c.model = Env("COOLPAPERS_EMBED_MODEL");
  if (c.model.empty()) c.model = "text-embedding-3-small";
  c.api_key = Env("COOLPAPERS_EMBED_API_KEY");
  return c;
}

Result<std::unique_ptr<OpenAiEmbedder>> OpenAiEmbedder::Create(
    const OpenAiEmbedderConfig& config) {
  std::unique_ptr<OpenAiEmbedder> e(new OpenAiEmbedder(config));
  auto probe = e->Request({"dimension probe"});
  if (!probe) return Err(probe.error());
  if (probe->size() != 1 || probe->front().empty()) {
    return Err(Status::Corruption("embedding server " + config.base_url +
                                  " returned no vector; check COOLPAPERS_EMBED_MODEL"));
  }
  e->dim_ = static_cast<int>(probe->front().size());
  return e;
}

Result<std::vector<float>> OpenAiEmbedder::Embed(std::string_view text) {
  auto r = Request({std::string(text)});
  if (!r) return Err(r.error());
  return std::move(r->front());
}

Result<std::vector<std::vector<float>>> OpenAiEmbedder::EmbedBatch(
    const std::vector<std::string>& texts) {
  std::vector<std::vector<float>> out;
  for (size_t i = 0; i < texts.size(); i += config_.batch) {
    std::vector<std::string> chunk(texts.begin() + i,
                                   texts.begin() + std::min(texts.size(), i + config_.batch));
    auto r = Request(chunk);
    if (!r) return Err(r.error());
    for (auto& v : *r) out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<std::vector<float>>> OpenAiEmbedder::Request(
    const std::vector<std::string>& texts) {
  nlohmann::json input = nlohmann::json::array();
  for (const std::string& t : texts) input.push_back(core::SanitizeUtf8(t.empty() ? " " : t));
  const std::string body = nlohmann::json{{"model", config_.model}, {"input", input}}.dump();
  const std::string url = config_.base_url + "/embeddings";
  std::vector<std::vector<float>> out;
  core::Retry r(config_.retry, "embeddings " + url);
  while (r.next()) {
    auto resp = Post(url, body, config_.api_key, config_.timeout_ms);
    if (!resp) {
      r.fail(resp.error());
      continue;
    }
    if (resp->status == 429 || resp->status >= 500) {
      r.fail(Status::Unavailable("embedding server " + url + " answered HTTP " +
                                 std::to_string(resp->status)));
      continue;
    }
    if (resp->status != 200) {
      r.abort(Status::FailedPrecondition(
          "embedding server " + url + " answered HTTP " + std::to_string(resp->status) + ": " +
          resp->body.substr(0, 200) +
          "; check COOLPAPERS_EMBED_MODEL and COOLPAPERS_EMBED_API_KEY"));
      break;
    }
    auto j = nlohmann::json::parse(resp->body, nullptr, false);
    if (!j.is_object() || !j.contains("data") || !j["data"].is_array() ||
        j["data"].size() != texts.size()) {
      r.abort(Status::Corruption("embedding server " + url +
                                 " sent a response without one \"data\" entry per input"));
      break;
    }
    out.assign(texts.size(), {});
    try {
      for (size_t i = 0; i < j["data"].size(); ++i) {
        const auto& item = j["data"][i];
        size_t index = item.value("index", i);
        if (index >= out.size()) index = i;
        out[index] = item.at("embedding").get<std::vector<float>>();
      }
    } catch (const nlohmann::json::exception& e) {
      r.abort(Status::Corruption("embedding server " + url + " sent malformed vectors: " +
                                 e.what()));
      break;
    }
    bool size_changed = false;
    for (const auto& v : out) size_changed |= dim_ > 0 && static_cast<int>(v.size()) != dim_;
    if (size_changed) {
      r.abort(Status::Corruption("embedding server " + url + " changed its vector size from " +
                                 std::to_string(dim_) + "; rebuild with `coolpapers index "
                                 "--rebuild`"));
      break;
    }
    r.ok();
  }
  if (!r.succeeded()) return Err(r.status());
  return out;
}

}  // namespace coolpapers::search
