#include "search/openai_embedder.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace coolpapers::search {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
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

OpenAiEmbedder::OpenAiEmbedder(OpenAiEmbedderConfig config)
    : config_(std::move(config)), transport_(net::MakeCurlTransport("coolpapers/0.1")) {}

OpenAiEmbedder::~OpenAiEmbedder() = default;

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
  net::HttpRequest post;
  post.method = "POST";
  post.url = config_.base_url + "/embeddings";
  post.headers["Content-Type"] = "application/json";
  if (!config_.api_key.empty()) post.headers["Authorization"] = "Bearer " + config_.api_key;
  post.body = body;
  post.allow_resend = true;  // a stale kept-alive connection is no reason to fail
  post.timeout = std::chrono::milliseconds(config_.timeout_ms);
  post.connect_timeout = std::chrono::milliseconds(std::min(config_.timeout_ms, 10000L));
  const std::string& url = post.url;
  std::vector<std::vector<float>> out;
  core::Retry r(config_.retry, "embeddings " + url);
  while (r.next()) {
    net::HttpReply resp = transport_->Send(post);
    if (resp.failure != net::HttpReply::Failure::kNone) {
      r.fail(Status::Unavailable("embedding request to " + url + " failed: " + resp.error));
      continue;
    }
    if (resp.http_status == 429 || resp.http_status >= 500) {
      r.fail(Status::Unavailable("embedding server " + url + " answered HTTP " +
                                 std::to_string(resp.http_status)));
      continue;
    }
    if (resp.http_status != 200) {
      r.abort(Status::FailedPrecondition(
          "embedding server " + url + " answered HTTP " + std::to_string(resp.http_status) +
          ": " + resp.body.substr(0, 200) +
          "; check COOLPAPERS_EMBED_MODEL and COOLPAPERS_EMBED_API_KEY"));
      break;
    }
    auto j = nlohmann::json::parse(resp.body, nullptr, false);
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
