#include "llm/chat_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/retry.h"
#include "core/text.h"
#include "llm/sse_parser.h"

namespace coolpapers::llm {
namespace {

using Steady = std::chrono::steady_clock;
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

// State shared with libcurl's callbacks during one attempt.
struct Attempt {
  CURL* curl = nullptr;
  const ChatClient::DeltaFn* on_delta = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  std::chrono::seconds idle_timeout{60}, total_timeout{600};

  SseParser parser;
  ChatResult result;
  long http_status = 0;
  std::string error_body;
  std::optional<std::chrono::milliseconds> retry_after;
  Status stream_error;  // malformed chunk or upstream error event
  bool done = false;    // [DONE] seen
  bool delivered = false;
  bool cancelled = false, idle_expired = false, total_expired = false;
  Steady::time_point start = Steady::now(), last_byte = Steady::now();

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

size_t WriteCallback(char* data, size_t size, size_t n, void* userp) {
  auto* a = static_cast<Attempt*>(userp);
  size_t len = size * n;
  a->last_byte = Steady::now();
  if (a->http_status == 0) curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &a->http_status);
  if (a->http_status != 200) {
    a->error_body.append(data, std::min(len, kMaxErrorBody - std::min(kMaxErrorBody,
                                                                       a->error_body.size())));
    return len;
  }
  Status s = a->parser.Feed(std::string_view(data, len), [a](const SseEvent& e) { a->OnEvent(e); });
  if (!s.ok() && a->stream_error.ok()) a->stream_error = Status::Corruption(s.message());
  return a->stream_error.ok() ? len : 0;  // 0 aborts the transfer
}

size_t HeaderCallback(char* data, size_t size, size_t n, void* userp) {
  auto* a = static_cast<Attempt*>(userp);
  size_t len = size * n;
  std::string_view line(data, len);
  a->last_byte = Steady::now();
  if (core::StartsWith(line, "HTTP/")) {
    a->retry_after.reset();
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  if (core::ToLower(core::Trim(line.substr(0, colon))) == "retry-after") {
    int64_t secs = 0;
    if (core::ParseInt64(core::Trim(line.substr(colon + 1)), secs) && secs >= 0) {
      a->retry_after = std::chrono::seconds(secs);
    }
  }
  return len;
}

int ProgressCallback(void* userp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* a = static_cast<Attempt*>(userp);
  auto now = Steady::now();
  if (a->cancel != nullptr && a->cancel->load()) a->cancelled = true;
  if (now - a->last_byte > a->idle_timeout) a->idle_expired = true;
  if (now - a->start > a->total_timeout) a->total_expired = true;
  return (a->cancelled || a->idle_expired || a->total_expired) ? 1 : 0;
}

bool IsConnectError(CURLcode rc) {
  return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
         rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_SSL_CONNECT_ERROR ||
         rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING || rc == CURLE_SEND_ERROR;
}

class HttpChatClient final : public ChatClient {
 public:
  HttpChatClient(LlmConfig config, core::Clock& clock) : config_(std::move(config)), clock_(clock) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
  }
  ~HttpChatClient() override { curl_global_cleanup(); }

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
      a.cancel = cancel;
      a.idle_timeout = config_.idle_timeout;
      a.total_timeout = config_.total_timeout;
      std::string detail;
      Status s = Perform(body, a, &detail);
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
  Status Perform(const std::string& body, Attempt& a, std::string* detail) {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return Status::Internal("curl_easy_init failed");
    a.curl = curl;
    std::string url = config_.ChatCompletionsUrl();
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: text/event-stream");
    std::string auth = "Authorization: Bearer " + config_.api_key;
    if (!config_.api_key.empty()) headers = curl_slist_append(headers, auth.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "coolpapers/0.1 (FAQ generator)");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteCallback);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, HeaderCallback);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, ProgressCallback);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &a);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    a.start = a.last_byte = Steady::now();
    CURLcode rc = curl_easy_perform(curl);
    if (a.http_status == 0) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.http_status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    a.curl = nullptr;
    std::string curl_error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    return Classify(rc, curl_error, a, detail);
  }

  // The reader-safe status of an attempt (no URL, no upstream body), and in *detail what
  // exactly happened, for the log.
  Status Classify(CURLcode rc, const std::string& curl_error, const Attempt& a,
                  std::string* detail) const {
    const std::string& base = config_.base_url;
    auto fail = [&](Status reader, std::string log) {
      *detail = std::move(log);
      return reader;
    };
    if (a.cancelled) return fail(Status::Cancelled("FAQ generation cancelled"), "cancelled");
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
    if (rc != CURLE_OK && a.http_status == 0) {
      if (IsConnectError(rc)) {
        return fail(Status::Unavailable("cannot reach the language model service; try again "
                                        "later (operator: check COOLPAPERS_LLM_BASE_URL)"),
                    "cannot reach the LLM endpoint " + base + ": " + curl_error +
                        " (check COOLPAPERS_LLM_BASE_URL)");
      }
      return fail(Status::Unavailable("the request to the language model service failed; try "
                                      "again later"),
                  "request to the LLM endpoint " + base + " failed: " + curl_error);
    }
    long st = a.http_status;
    if (st == 200) {
      if (rc != CURLE_OK) {
        return fail(Status::Unavailable("the language model's answer was cut mid-answer; try "
                                        "again later"),
                    "the stream from " + base + " was cut mid-answer: " + curl_error);
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
