#include "llm/llm_config.h"

#include <cstdlib>

#include "core/text.h"

namespace coolpapers::llm {
namespace {

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : nullptr;
}

template <class T>
void EnvNumber(const char* name, T& field) {
  const char* v = Env(name);
  int64_t n = 0;
  if (v != nullptr && core::ParseInt64(core::Trim(v), n) && n >= 0) field = static_cast<T>(n);
}

void EnvSeconds(const char* name, std::chrono::seconds& field) {
  int64_t n = field.count();
  EnvNumber(name, n);
  if (n > 0) field = std::chrono::seconds(n);
}

}  // namespace

std::string LlmConfig::ChatCompletionsUrl() const {
  std::string url = base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/chat/completions";
}

LlmConfig LlmConfigFromEnv() {
  LlmConfig c;
  if (const char* v = Env("COOLPAPERS_LLM_BASE_URL")) c.base_url = std::string(core::Trim(v));
  if (const char* v = Env("COOLPAPERS_LLM_API_KEY")) c.api_key = std::string(core::Trim(v));
  if (const char* v = Env("COOLPAPERS_LLM_MODEL")) c.model = std::string(core::Trim(v));
  EnvNumber("COOLPAPERS_LLM_CONCURRENCY", c.concurrency);
  if (c.concurrency < 1) c.concurrency = 1;
  EnvSeconds("COOLPAPERS_LLM_IDLE_TIMEOUT", c.idle_timeout);
  EnvSeconds("COOLPAPERS_LLM_TOTAL_TIMEOUT", c.total_timeout);
  EnvNumber("COOLPAPERS_FAQ_RATE_PER_HOUR", c.rate_per_hour);
  EnvNumber("COOLPAPERS_FAQ_DAILY_TOKENS", c.daily_token_budget);
  EnvNumber("COOLPAPERS_FAQ_MAX_CHARS", c.max_paper_chars);
  return c;
}

}  // namespace coolpapers::llm
