#include "llm/chat_client.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/retry.h"
#include "core/text.h"
#include "llm/sse_parser.h"
#include "net/http_transport.h"
#include "net/retry_after.h"

namespace coolpapers::llm {
namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;

// Replaces every occurrence of `secret` in `s` (upstreams sometimes echo the key back).
std::string Redact(std::string s, const std::string& secret) {
  if (secret.size() < 4) return s;
  for (size_t pos = 0; (pos = s.find(secret, pos)) != std::string::npos;) {
    s.replace(pos, secret.size(), "[redacted]");
  }
  return s;
}

// The human part of an upstream error body: error.message, error (string), message, or the
// start of the body.
std::string UpstreamMessage(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    if (auto e = j.find("error"); e != j.end()) {
      if (e->is_string()) return e->get<std::string>();
      if (e->is_object() && e->contains("message") && (*e)["message"].is_string()) {
        return (*e)["message"].get<std::string>();
      }
    }
    if (auto m = j.find("message"); m != j.end() && m->is_string()) return m->get<std::string>();
  }
  std::string text = core::CollapseWhitespace(core::SanitizeUtf8(body.substr(0, 300)));
  return text.empty() ? "(empty body)" : text;
}

// Roughly 4 bytes per token, for streams that report no usage.
int64_t EstimateTokens(size_t prompt_bytes, size_t answer_bytes) {
  return static_cast<int64_t>((prompt_bytes + answer_bytes) / 4 + 1);
}

// What one attempt received, fed by the transport's streaming body callback.
struct Attempt {
  const ChatClient::DeltaFn* on_delta = nullptr;

  SseParser parser;
  ChatResult result;
  int http_status = 0;
  std::string error_body;
  std::optional<std::chrono::milliseconds> retry_after;
  Status stream_error;  // malformed chunk or upstream error event
  bool done = false;    // [DONE] seen
  bool delivered = false;
  bool idle_expired = false, total_expired = false;

  // A piece of the body: the SSE stream of a 200, else (the start of) the error body. False
  // cuts the stream (a malformed chunk or an error event).
  bool OnBody(int status, std::string_view data) {
    http_status = status;
    if (status != 200) {
      error_body.append(data.substr(0, kMaxErrorBody - std::min(kMaxErrorBody, error_body.size())));
      return true;
    }
    Status s = parser.Feed(data, [this](const SseEvent& e) { OnEvent(e); });
    if (!s.ok() && stream_error.ok()) stream_error = Status::Corruption(s.message());
    return stream_error.ok();
  }

  void OnEvent(const SseEvent& e) {
    if (!stream_error.ok() || done) return;
    if (e.data == "[DONE]") {
      done = true;
      return;
    }
    auto j = nlohmann::json::parse(e.data, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      stream_error = Status::Corruption("malformed chunk in the LLM stream: " +
                                        core::SanitizeUtf8(e.data.substr(0, 80)));
      return;
    }
    if (auto err = j.find("error"); err != j.end() && !err->is_null()) {
      stream_error = Status::Unavailable("the LLM endpoint reported an error mid-stream: " +
                                         UpstreamMessage(e.data));
      return;
    }
    if (auto u = j.find("usage"); u != j.end() && u->is_object()) {
      result.usage.prompt_tokens = u->value("prompt_tokens", int64_t{0});
      result.usage.completion_tokens = u->value("completion_tokens", int64_t{0});
      result.usage.total_tokens = u->value("total_tokens", int64_t{0});
      if (result.usage.total_tokens == 0) {
        result.usage.total_tokens = result.usage.prompt_tokens + result.usage.completion_tokens;
      }
      result.usage.reported = true;
    }
    auto choices = j.find("choices");
    if (choices == j.end() || !choices->is_array() || choices->empty()) return;
    const auto& choice = (*choices)[0];
    if (!choice.is_object()) return;
    if (auto fr = choice.find("finish_reason"); fr != choice.end() && fr->is_string()) {
      result.finish_reason = fr->get<std::string>();
    }
    auto delta = choice.find("delta");
    if (delta == choice.end() || !delta->is_object()) return;
    auto content = delta->find("content");
    if (content == delta->end() || !content->is_string()) return;
    const std::string& piece = content->get_ref<const std::string&>();
    if (piece.empty()) return;
    result.content += piece;
    delivered = true;
    (*on_delta)(piece);
  }
};

class HttpChatClient final : public ChatClient {
 public:
  HttpChatClient(LlmConfig config, core::Clock& clock)
      : config_(std::move(config)),
        clock_(clock),
        transport_(net::MakeCurlTransport("coolpapers/0.1 (FAQ generator)")) {}

  std::string model() const override { return config_.model; }

  Result<ChatResult> StreamChat(const ChatRequest& req, const DeltaFn& on_delta,
                                const std::atomic<bool>* cancel, ChatReport* report) override {
    ChatReport local;
    ChatReport& rep = report != nullptr ? *report : local;
    rep = ChatReport();
    std::string body = ChatRequestBody(config_.model, config_.temperature, req.messages);
    size_t prompt_bytes = 0;
    for (const ChatMessage& m : req.messages) prompt_bytes += m.content.size();
    core::RetryPolicy policy;
    policy.max_attempts = std::max(1, config_.max_attempts);
    policy.initial_backoff = std::chrono::milliseconds(1000);
    policy.max_backoff = std::chrono::milliseconds(30000);
    policy.max_retry_after = std::chrono::minutes(2);
    ChatResult result;
    core::Retry r(policy, "LLM request " + req.what, clock_);
    while (r.next()) {
      if (cancel != nullptr && cancel->load()) {
        r.abort(Status::Cancelled("FAQ generation cancelled"));
        break;
      }
      Attempt a;
      a.on_delta = &on_delta;
      std::string detail;
      Status s = Perform(body, cancel, a, &detail);
      if (a.result.usage.reported) {
        rep.tokens += a.result.usage.total_tokens;
      } else if (a.http_status == 200) {  // a stream began: the prompt and what came were paid
        rep.tokens += EstimateTokens(prompt_bytes, a.result.content.size());
        rep.estimated = true;
      }
      if (s.ok()) {
        result = std::move(a.result);
        result.attempts = r.attempts();
        r.ok();
        break;
      }
      s = Status(s.code(), Redact(s.message(), config_.api_key));
      rep.detail = Redact(detail, config_.api_key);
      bool transient = s.code() == StatusCode::kUnavailable ||
                       s.code() == StatusCode::kResourceExhausted ||
                       (s.code() == StatusCode::kDeadlineExceeded && !a.idle_expired &&
                        !a.total_expired);
      if (a.delivered || !transient) {
        r.abort(std::move(s));  // text already shown to readers: never retry silently
        break;
      }
      if (a.retry_after) r.retry_after(*a.retry_after);
      r.fail(std::move(s));
    }
    if (!r.succeeded()) return Err(r.status());
    return result;
  }

 private:
  // One POST of `body`, the answer streamed into `a`; the reader-safe status of the attempt.
  Status Perform(const std::string& body, const std::atomic<bool>* cancel, Attempt& a,
                 std::string* detail) {
    net::HttpRequest http;
    http.method = "POST";
    http.url = config_.ChatCompletionsUrl();
    http.headers["Content-Type"] = "application/json";
    http.headers["Accept"] = "text/event-stream";
    if (!config_.api_key.empty()) http.headers["Authorization"] = "Bearer " + config_.api_key;
    http.body = body;
    http.connect_timeout = config_.connect_timeout;
    http.timeout = config_.total_timeout;
    http.idle_timeout = config_.idle_timeout;
    http.cancel = cancel;
    http.allow_resend = true;  // a stale kept-alive connection is no reason to fail
    http.on_body = [&a](int status, std::string_view piece) { return a.OnBody(status, piece); };
    net::HttpReply reply = transport_->Send(http);
    if (reply.http_status != 0) a.http_status = reply.http_status;
    if (auto it = reply.headers.find("retry-after"); it != reply.headers.end()) {
      a.retry_after = net::ParseRetryAfter(it->second, clock_.Now());
    }
    using F = net::HttpReply::Failure;
    a.idle_expired = reply.failure == F::kIdleTimeout;
    a.total_expired = reply.failure == F::kTimeout && reply.connected;
    return Classify(reply, a, detail);
  }

  // The reader-safe status of an attempt (no URL, no upstream body), and in *detail what
  // exactly happened, for the log.
  Status Classify(const net::HttpReply& reply, const Attempt& a, std::string* detail) const {
    const std::string& base = config_.base_url;
    auto fail = [&](Status reader, std::string log) {
      *detail = std::move(log);
      return reader;
    };
    using F = net::HttpReply::Failure;
    const std::string& transport_error = reply.error;
    if (reply.failure == F::kCancelled) {
      return fail(Status::Cancelled("FAQ generation cancelled"), "cancelled");
    }
    if (a.idle_expired) {
      std::string secs = std::to_string(config_.idle_timeout.count());
      return fail(Status::DeadlineExceeded("the language model service sent nothing for " + secs +
                                           " s (idle timeout); try again later"),
                  "the LLM endpoint " + base + " sent nothing for " + secs + " s (idle timeout)");
    }
    if (a.total_expired) {
      std::string secs = std::to_string(config_.total_timeout.count());
      return fail(Status::DeadlineExceeded("the language model's answer took longer than " +
                                           secs + " s; try again later"),
                  "the answer from " + base + " took longer than " + secs + " s");
    }
    if (!a.stream_error.ok()) {
      bool malformed = a.stream_error.code() == StatusCode::kCorruption;
      return fail(Status(a.stream_error.code(),
                         malformed ? "the language model service sent a malformed chunk "
                                     "mid-answer; try again later"
                                   : "the language model service reported an error mid-answer; "
                                     "try again later"),
                  "stream from " + base + ": " + a.stream_error.message());
    }
    if (reply.failure != F::kNone && a.http_status == 0) {
      if (!reply.connected) {
        return fail(Status::Unavailable("cannot reach the language model service; try again "
                                        "later (operator: check COOLPAPERS_LLM_BASE_URL)"),
                    "cannot reach the LLM endpoint " + base + ": " + transport_error +
                        " (check COOLPAPERS_LLM_BASE_URL)");
      }
      return fail(Status::Unavailable("the request to the language model service failed; try "
                                      "again later"),
                  "request to the LLM endpoint " + base + " failed: " + transport_error);
    }
    return ClassifyResponse(reply, a, detail);
  }

  // Classify's second half: an HTTP response arrived (its status is known).
  Status ClassifyResponse(const net::HttpReply& reply, const Attempt& a,
                          std::string* detail) const {
    const std::string& base = config_.base_url;
    auto fail = [&](Status reader, std::string log) {
      *detail = std::move(log);
      return reader;
    };
    using F = net::HttpReply::Failure;
    const int st = a.http_status;
    if (st == 200) {
      if (reply.failure != F::kNone) {
        return fail(Status::Unavailable("the language model's answer was cut mid-answer; try "
                                        "again later"),
                    "the stream from " + base + " was cut mid-answer: " + reply.error);
      }
      if (!a.done && a.result.finish_reason.empty()) {
        return fail(Status::Unavailable("the language model's answer ended before it was "
                                        "complete (cut mid-answer); try again later"),
                    "the stream from " + base +
                        " ended before the answer was complete (cut mid-answer)");
      }
      return Status::Ok();
    }
    std::string code = "HTTP " + std::to_string(st);
    std::string log = "the LLM endpoint " + base + " answered " + code + ": " +
                      UpstreamMessage(a.error_body);
    if (st == 401 || st == 403) {
      return fail(Status::PermissionDenied("API key rejected by the language model service (" +
                                           code + "); the operator must check "
                                           "COOLPAPERS_LLM_API_KEY"),
                  log + " (check COOLPAPERS_LLM_API_KEY)");
    }
    if (st == 429) {
      return fail(Status::ResourceExhausted("the language model service is rate limiting (" +
                                            code + "); try again later"),
                  log);
    }
    if (st >= 500) {
      return fail(Status::Unavailable("the language model service returned " + code +
                                      "; try again later"),
                  log);
    }
    if (st == 404) {
      return fail(Status::NotFound("the language model service answered " + code +
                                   "; the operator must check COOLPAPERS_LLM_BASE_URL and "
                                   "COOLPAPERS_LLM_MODEL"),
                  log + " (check COOLPAPERS_LLM_BASE_URL and COOLPAPERS_LLM_MODEL)");
    }
    if (st == 408) {
      return fail(Status::Unavailable("the language model service timed out (" + code +
                                      "); try again later"),
                  log);
    }
    return fail(Status::InvalidArgument("the language model service rejected the request (" +
                                        code + "); try again later"),
                log);
  }

  LlmConfig config_;
  core::Clock& clock_;
  std::unique_ptr<net::HttpTransport> transport_;
};

}  // namespace

std::string ChatRequestBody(const std::string& model, double temperature,
                            const std::vector<ChatMessage>& messages) {
  nlohmann::json j;
  j["model"] = model;
  j["stream"] = true;
  j["stream_options"] = {{"include_usage", true}};
  j["temperature"] = temperature;
  j["messages"] = nlohmann::json::array();
  for (const ChatMessage& m : messages) {
    j["messages"].push_back({{"role", m.role}, {"content", core::SanitizeUtf8(m.content)}});
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::unique_ptr<ChatClient> MakeHttpChatClient(const LlmConfig& config, core::Clock& clock) {
  return std::make_unique<HttpChatClient>(config, clock);
}

}  // namespace coolpapers::llm
