#pragma once
// ChatClient: one streamed answer from an OpenAI-compatible chat-completions endpoint.
// HttpChatClient is the real one (over net/HttpTransport); tests inject fakes through the
// interface.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "llm/llm_config.h"

namespace coolpapers::llm {

struct ChatMessage {
  std::string role;  // "system" | "user" | "assistant"
  std::string content;
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  std::string what;  // for logs and errors, e.g. "FAQ 2402.12354v1 zh q3"
};

struct ChatUsage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t total_tokens = 0;
  bool reported = false;  // false: the upstream sent no usage (tokens are then estimated)
};

// What one StreamChat call cost and, when it failed, what exactly went wrong. Filled whether the
// call succeeds or not, over all its attempts: a cut, timed-out or failed answer still costs.
struct ChatReport {
  // Tokens the upstream reported (usage chunks), plus, for each attempt that got an HTTP 200
  // stream but no usage, an estimate of ~4 bytes per token over the prompt and the answer bytes
  // received. Attempts refused before a stream began (HTTP errors, connect errors) cost 0.
  int64_t tokens = 0;
  bool estimated = false;  // some of `tokens` is an estimate
  // On failure: the full detail for the server log only (endpoint URL, HTTP status, upstream
  // error body, transport error; the API key redacted). Never shown to readers.
  std::string detail;
};

struct ChatResult {
  std::string content;        // the whole answer
  std::string finish_reason;  // "stop", "length", ... ("" if the upstream sent none)
  ChatUsage usage;
  int attempts = 1;
};

class ChatClient {
 public:
  // Called with each piece of the answer as it arrives, in order.
  using DeltaFn = std::function<void(std::string_view delta)>;

  virtual ~ChatClient() = default;
  // Streams one answer. Transient failures (connect errors, 429, 5xx) are retried only before
  // the first delta; once text has been delivered any failure fails the call. `cancel` (may be
  // null) aborts promptly with kCancelled when it becomes true. `report` (may be null) receives
  // the tokens spent and, on failure, the detail for the log (see ChatReport).
  // Error messages are short, say what failed and what to do, and are safe to show readers:
  // they never hold the endpoint URL, the key or the upstream's error body (that is in
  // report->detail). Errors: kPermissionDenied (key rejected), kInvalidArgument (400),
  // kNotFound (bad URL/model), kResourceExhausted (429 persisted), kUnavailable (5xx, connect,
  // stream cut), kDeadlineExceeded (idle or total timeout), kCorruption (malformed chunk).
  virtual Result<ChatResult> StreamChat(const ChatRequest& req, const DeltaFn& on_delta,
                                        const std::atomic<bool>* cancel, ChatReport* report) = 0;
  // The model name answers are generated with (part of the FAQ cache key).
  virtual std::string model() const = 0;
};

// The HTTP client (net/) for `config` (base_url, api_key, model, timeouts, attempts). Retry waits
// use `clock`, so tests can make Retry-After instant.
std::unique_ptr<ChatClient> MakeHttpChatClient(const LlmConfig& config,
                                               core::Clock& clock = core::SystemClock());

// Builds the JSON body of a streamed chat-completions request (exposed for tests).
std::string ChatRequestBody(const std::string& model, double temperature,
                            const std::vector<ChatMessage>& messages);

}  // namespace coolpapers::llm
