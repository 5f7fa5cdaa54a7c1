#pragma once
// OpenAiEmbedder: an optional embedder calling an OpenAI-compatible `POST <base>/embeddings`
// endpoint (OpenAI, a local llama.cpp / Ollama / vLLM server, ...). Configured by
// COOLPAPERS_EMBED_BASE_URL (e.g. https://api.openai.com/v1), COOLPAPERS_EMBED_MODEL and
// COOLPAPERS_EMBED_API_KEY. Requests go through net/ (HttpTransport); transient failures are
// retried with core::Retry.

#include <memory>
#include <optional>
#include <string>

#include "core/retry.h"
#include "net/http_transport.h"
#include "search/embedder.h"

namespace coolpapers::search {

struct OpenAiEmbedderConfig {
  std::string base_url;  // without the trailing "/embeddings"
  std::string model;
  std::string api_key;   // "" = no Authorization header
  long timeout_ms = 60000;
  int batch = 64;        // texts per request
  core::RetryPolicy retry;
};

// The configuration from the environment; nullopt when COOLPAPERS_EMBED_BASE_URL is unset.
std::optional<OpenAiEmbedderConfig> OpenAiEmbedderConfigFromEnv();

class OpenAiEmbedder : public Embedder {
 public:
  // Connects and learns the vector size by embedding a probe text. Fails with the server's
  // error (and a hint about the environment variables) when it cannot.
  static Result<std::unique_ptr<OpenAiEmbedder>> Create(const OpenAiEmbedderConfig& config);
  ~OpenAiEmbedder() override;

  std::string id() const override { return "openai:" + config_.model; }
  int dim() const override { return dim_; }
  Result<std::vector<float>> Embed(std::string_view text) override;
  Result<std::vector<std::vector<float>>> EmbedBatch(
      const std::vector<std::string>& texts) override;

 private:
  explicit OpenAiEmbedder(OpenAiEmbedderConfig config);
  // One request for up to config_.batch texts.
  Result<std::vector<std::vector<float>>> Request(const std::vector<std::string>& texts);

  OpenAiEmbedderConfig config_;
  std::unique_ptr<net::HttpTransport> transport_;
  int dim_ = 0;
};

}  // namespace coolpapers::search
