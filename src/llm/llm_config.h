#pragma once
// LlmConfig: where the FAQ generator's language model lives and how much it may use.
// Read from the environment by FromEnv(); `coolpapers serve` may override fields from its
// config file's [llm] section. The API key is a secret: never log it or put it in a page.

#include <chrono>
#include <cstdint>
#include <string>

namespace coolpapers::llm {

inline constexpr const char* kDefaultLlmBaseUrl = "https://api.moonshot.cn/v1";
inline constexpr const char* kDefaultLlmModel = "moonshot-v1-128k";

// The exact sentence shown (panel, JSON, CLI) when no key is configured.
inline constexpr const char* kNoApiKeyMessage =
    "No LLM API key is configured: set COOLPAPERS_LLM_API_KEY (and optionally "
    "COOLPAPERS_LLM_BASE_URL, COOLPAPERS_LLM_MODEL) and restart coolpapers serve.";

struct LlmConfig {
  std::string base_url = kDefaultLlmBaseUrl;  // OpenAI-compatible, without /chat/completions
  std::string api_key;                        // "" = not configured
  std::string model = kDefaultLlmModel;
  double temperature = 0.3;

  std::chrono::seconds connect_timeout{15};
  std::chrono::seconds idle_timeout{60};    // no bytes from upstream for this long: fail
  std::chrono::seconds total_timeout{600};  // one answer may take at most this long
  int max_attempts = 4;                     // per answer, only before its first delta

  // Jobs and limits (FaqService).
  int concurrency = 2;               // upstream conversations at once
  size_t max_paper_chars = 120000;   // paper text budget (UTF-8 bytes), see pdf_text.h
  int rate_per_hour = 10;            // new FAQ generations a client may start per hour (0 = off)
  int64_t daily_token_budget = 5'000'000;  // tokens per UTC day across all FAQs (0 = off)

  bool has_key() const { return !api_key.empty(); }
  // "https://host/v1/chat/completions" (base_url with a trailing '/' tolerated).
  std::string ChatCompletionsUrl() const;
};

// Defaults overridden by COOLPAPERS_LLM_BASE_URL, COOLPAPERS_LLM_API_KEY, COOLPAPERS_LLM_MODEL,
// COOLPAPERS_LLM_CONCURRENCY, COOLPAPERS_LLM_IDLE_TIMEOUT (s), COOLPAPERS_LLM_TOTAL_TIMEOUT (s),
// COOLPAPERS_FAQ_RATE_PER_HOUR, COOLPAPERS_FAQ_DAILY_TOKENS, COOLPAPERS_FAQ_MAX_CHARS.
// Unparsable numbers are ignored (the default stays).
LlmConfig LlmConfigFromEnv();

}  // namespace coolpapers::llm
