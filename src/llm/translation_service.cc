#include "llm/translation_service.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "llm/faq_service.h"
#include "llm/llm_config.h"

namespace coolpapers::llm {
namespace {

constexpr size_t kMaxFailures = 2000;
constexpr const char* kTitleMarker = "[TITLE]";
constexpr const char* kAbstractMarker = "[ABSTRACT]";
constexpr const char* kShutdownMessage =
    "the server is shutting down; ask again in a minute";

std::string UtcStamp(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

const char* LanguageName(std::string_view code) {
  for (const TranslationLanguage& l : TranslationLanguages()) {
    if (code == l.code) return l.name;
  }
  return "";
}

// The system prompt: what to translate, into what, and that math stays exactly as it is.
std::string SystemPrompt(const std::string& lang) {
  std::string name = LanguageName(lang);
  return "You translate the title and abstract of a scientific paper into " + name +
         ". Answer in exactly this form and nothing else:\n" + kTitleMarker +
         "\n<the title in " + name + ">\n" + kAbstractMarker + "\n<the abstract in " + name +
         ">\nRules: copy every math span ($...$, $$...$$, \\(...\\), \\[...\\]) character for "
         "character, without translating or changing anything inside it; keep TeX commands, "
         "URLs, code, names of methods, datasets and people as they are; do not add notes, "
         "explanations or Markdown.";
}

std::string UserMessage(const core::Paper& p, const std::string& lang) {
  return "[LANG] " + lang + "\n" + kTitleMarker + "\n" + p.title + "\n" + kAbstractMarker + "\n" +
         p.abstract;
}

// The title and abstract of an answer in SystemPrompt's form, or nullopt.
std::optional<std::pair<std::string, std::string>> ParseAnswer(std::string_view answer) {
  size_t t = answer.find(kTitleMarker);
  if (t == std::string_view::npos) return std::nullopt;
  size_t a = answer.find(kAbstractMarker, t);
  if (a == std::string_view::npos) return std::nullopt;
  size_t title_start = t + std::char_traits<char>::length(kTitleMarker);
  std::string title = Trim(answer.substr(title_start, a - title_start));
  std::string abstract =
      Trim(answer.substr(a + std::char_traits<char>::length(kAbstractMarker)));
  if (title.empty()) return std::nullopt;
  return std::pair{std::move(title), std::move(abstract)};
}

std::string ToJson(const Translation& t, int64_t tokens, const std::string& created) {
  nlohmann::json j = {{"title", t.title},   {"abstract", t.abstract}, {"tokens", tokens},
                      {"created", created}, {"kept_original", t.kept_original}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A stored record, or nullopt when it is unreadable (then it is translated again).
std::optional<Translation> FromJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("title") || !j["title"].is_string() ||
      !j.contains("abstract") || !j["abstract"].is_string()) {
    return std::nullopt;
  }
  Translation t;
  t.title = j["title"].get<std::string>();
  t.abstract = j["abstract"].get<std::string>();
  if (j.contains("kept_original") && j["kept_original"].is_array()) {
    for (const auto& k : j["kept_original"]) {
      if (k.is_string()) t.kept_original.push_back(k.get<std::string>());
    }
  }
  return t;
}

}  // namespace

// ---- languages and math ----

const std::vector<TranslationLanguage>& TranslationLanguages() {
  static const std::vector<TranslationLanguage> kLanguages = {
      {"zh", "Simplified Chinese"}, {"ja", "Japanese"}, {"ko", "Korean"},
      {"fr", "French"},             {"de", "German"},   {"es", "Spanish"},
      {"pt", "Portuguese"},         {"ru", "Russian"},  {"it", "Italian"},
      {"zh-tw", "Traditional Chinese"}, {"en", "English"},
  };
  return kLanguages;
}

bool IsTranslationLanguage(std::string_view code) { return *LanguageName(code) != '\0'; }

std::string TranslationLanguageList() {
  std::string out;
  for (const TranslationLanguage& l : TranslationLanguages()) {
    if (!out.empty()) out += ", ";
    out += l.code;
  }
  return out;
}

std::vector<std::string> MathSpans(std::string_view text) {
  std::vector<std::string> spans;
  size_t i = 0;
  auto close_at = [&](std::string_view close, size_t from) {
    for (size_t k = from; k + close.size() <= text.size(); ++k) {
      if (text[k] == '\\' && close[0] != '\\') {  // skip an escaped character
        ++k;
        continue;
      }
      if (text.compare(k, close.size(), close) == 0) return k;
    }
    return std::string_view::npos;
  };
  while (i < text.size()) {
    std::string_view open, close;
    if (text.compare(i, 2, "$$") == 0) {
      open = close = "$$";
    } else if (text[i] == '$') {
      open = close = "$";
    } else if (text.compare(i, 2, "\\(") == 0) {
      open = "\\(", close = "\\)";
    } else if (text.compare(i, 2, "\\[") == 0) {
      open = "\\[", close = "\\]";
    } else if (text[i] == '\\') {
      i += 2;  // an escaped character (\$ is a dollar sign, not math)
      continue;
    } else {
      ++i;
      continue;
    }
    size_t end = close_at(close, i + open.size());
    if (end == std::string_view::npos) {
      i += open.size();  // unterminated: no span
      continue;
    }
    spans.emplace_back(text.substr(i, end + close.size() - i));
    i = end + close.size();
  }
  return spans;
}

bool MathSurvived(std::string_view source, std::string_view translated) {
  std::map<std::string, int> need;
  for (std::string& s : MathSpans(source)) ++need[std::move(s)];
  if (need.empty()) return true;
  for (const std::string& s : MathSpans(translated)) {
    if (auto it = need.find(s); it != need.end() && it->second > 0) --it->second;
  }
  return std::all_of(need.begin(), need.end(), [](const auto& kv) { return kv.second <= 0; });
}

SharedLlmLimits ShareWithFaq(FaqService& faq) {
  SharedLlmLimits l;
  l.faq_waiting = [&faq] { return faq.Stats().pending > 0; };
  l.budget = &faq.budget();
  l.charge = [&faq](int64_t tokens) { faq.ChargeTokens(tokens); };
  return l;
}

// ---- service ----

TranslationService::TranslationService(TranslationOptions options, store::Store& store,
                                       std::unique_ptr<ChatClient> chat, SharedLlmLimits limits,
                                       core::Clock& clock)
    : options_(options),
      store_(store),
      chat_(std::move(chat)),
      limits_(std::move(limits)),
      clock_(clock),
      model_(chat_ ? chat_->model() : options.model),
      limiter_(options.rate_per_hour, clock) {}

TranslationService::~TranslationService() { Stop(); }

void TranslationService::Start() {
  std::lock_guard lock(mu_);
  if (started_ || chat_ == nullptr) return;
  started_ = true;
  worker_ = std::thread([this] { WorkerLoop(); });
}

void TranslationService::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cancel_ = true;
    cv_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
}

std::string TranslationService::StateKey(const std::string& id, int version,
                                         const std::string& lang, const std::string& model) {
  return "translation/" + id + "/v" + std::to_string(version) + "/" + lang + "/" + model;
}

std::string TranslationService::BudgetMessage(std::chrono::seconds wait) const {
  return "The daily LLM token budget (" +
         std::to_string(limits_.budget ? limits_.budget->per_day() : 0) +
         " tokens, shared with FAQs) is used up. New translations can be made again after "
         "00:00 UTC, in " + HumanDuration(wait) + "; translations already made stay available.";
}

Result<TranslationView> TranslationService::Lookup(const core::Paper& paper,
                                                   const std::string& lang,
                                                   const std::string& key) {
  TranslationView v;
  v.paper_id = paper.id;
  v.version = std::max(1, paper.version);
  auto stored = store_.GetState(key);
  if (!stored) return Err(stored.error());
  if (*stored && !(*stored)->empty()) {
    if (std::optional<Translation> t = FromJson(**stored)) {
      t->paper_id = paper.id;
      t->version = v.version;
      t->lang = lang;
      t->model = model_;
      v.state = TranslationState::kDone;
      v.translation = std::move(*t);
      return v;
    }
    spdlog::warn("translation {}: stored record unreadable; translating again", key);
  }
  std::lock_guard lock(mu_);
  if (auto it = active_.find(key); it != active_.end()) {
    v.state = it->second->running ? TranslationState::kRunning : TranslationState::kQueued;
    return v;
  }
  if (auto it = failed_.find(key); it != failed_.end()) {
    auto now = clock_.Monotonic();
    if (now < it->second.until) {
      v.state = TranslationState::kFailed;
      v.error = it->second.why;
      v.retry_after = std::chrono::duration_cast<std::chrono::seconds>(it->second.until - now) +
                      std::chrono::seconds(1);
      return v;
    }
    failed_.erase(it);
  }
  return v;  // kNone
}

Status TranslationService::Admit(const std::string& client, size_t new_jobs,
                                 std::chrono::seconds* wait) {
  if (chat_ == nullptr) return Status::FailedPrecondition(kNoApiKeyMessage);
  if (limits_.budget != nullptr && limits_.budget->Exhausted(wait)) {
    return Status::ResourceExhausted(BudgetMessage(*wait));
  }
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::Unavailable(kShutdownMessage);
    if (pending_.size() + new_jobs > options_.queue_cap) {
      *wait = std::chrono::seconds(60);
      return Status::Unavailable("The translation queue is full (" +
                                 std::to_string(pending_.size()) +
                                 " translations are waiting). Try again in 1 min.");
    }
  }
  if (!client.empty() && !limiter_.TryAcquire(client, wait)) {
    return Status::ResourceExhausted(
        "Too many new translation requests from your address (at most " +
        std::to_string(limiter_.per_hour()) + " per hour, a page of papers counting once). "
        "Try again in " + HumanDuration(*wait) + "; translations already made stay available.");
  }
  return Status::Ok();
}

Result<std::vector<Result<TranslationView>>> TranslationService::Request(
    const std::vector<std::string>& ids, const std::string& lang, const std::string& client,
    bool start, std::chrono::seconds* retry_after) {
  if (!IsTranslationLanguage(lang)) {
    return Err(Status::InvalidArgument("unsupported translation language \"" + lang +
                                       "\": use one of " + TranslationLanguageList()));
  }
  auto papers = store_.GetPapers(ids);
  if (!papers) return Err(papers.error());
  std::unordered_map<std::string, const core::Paper*> by_id;
  for (const core::Paper& p : *papers) by_id[p.id] = &p;
  std::vector<Result<TranslationView>> out;
  std::vector<size_t> missing;  // indexes into out of papers with nothing yet
  for (const std::string& id : ids) {
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      out.push_back(Err(Status::NotFound("paper " + id + " is not in the database: open /arxiv/" +
                                         id + " first (it is fetched from arXiv)")));
      continue;
    }
    const core::Paper& p = *it->second;
    out.push_back(Lookup(p, lang, StateKey(p.id, std::max(1, p.version), lang, model_)));
    if (out.back() && out.back()->state == TranslationState::kNone) missing.push_back(out.size() - 1);
  }
  if (!start || missing.empty()) return out;
  std::chrono::seconds wait{0};
  if (Status admitted = Admit(client, missing.size(), &wait); !admitted.ok()) {
    if (retry_after != nullptr) *retry_after = wait;
    return Err(std::move(admitted));
  }
  std::lock_guard lock(mu_);
  for (size_t i : missing) {
    const core::Paper& p = *by_id[out[i]->paper_id];
    std::string key = StateKey(p.id, std::max(1, p.version), lang, model_);
    if (!active_.count(key)) {
      auto job = std::make_shared<Job>(Job{key, p, lang, false});
      active_[key] = job;
      pending_.push_back(job);
    }
    out[i]->state = active_[key]->running ? TranslationState::kRunning : TranslationState::kQueued;
  }
  cv_.notify_all();
  return out;
}

TranslationStats TranslationService::Stats() const {
  std::lock_guard lock(mu_);
  TranslationStats s;
  s.pending = pending_.size();
  s.running = active_.size() - pending_.size();
  s.completed = completed_;
  s.failed = failed_count_;
  s.held_back = held_back_;
  s.math_fallbacks = math_fallbacks_;
  return s;
}

// ---- worker ----

std::shared_ptr<TranslationService::Job> TranslationService::NextJob() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (stopping_) return nullptr;
    lock.unlock();
    bool faq_waiting = limits_.faq_waiting && limits_.faq_waiting();
    lock.lock();
    if (stopping_) return nullptr;
    if (faq_waiting) {
      ++held_back_;
      cv_.notify_all();  // for tests watching held_back
      cv_.wait_for(lock, options_.idle_poll, [&] { return stopping_; });
      continue;
    }
    if (pending_.empty()) continue;
    std::shared_ptr<Job> job = pending_.front();
    pending_.pop_front();
    job->running = true;
    return job;
  }
}

void TranslationService::WorkerLoop() {
  while (std::shared_ptr<Job> job = NextJob()) Run(job);
}

void TranslationService::Fail(const std::shared_ptr<Job>& job, const std::string& why) {
  std::lock_guard lock(mu_);
  if (failed_.size() >= kMaxFailures) failed_.erase(failed_.begin());
  failed_[job->key] = {why, clock_.Monotonic() + options_.failure_retry};
  active_.erase(job->key);
  ++failed_count_;
}

void TranslationService::Run(const std::shared_ptr<Job>& job) {
  // Made meanwhile (a reader queued it again just after a previous job stored it): done.
  if (auto stored = store_.GetState(job->key); stored && *stored && FromJson(**stored)) {
    std::lock_guard lock(mu_);
    active_.erase(job->key);
    return;
  }
  std::chrono::seconds wait{0};
  if (limits_.budget != nullptr && limits_.budget->Exhausted(&wait)) {
    return Fail(job, BudgetMessage(wait));
  }
  ChatRequest req;
  req.messages = {{"system", SystemPrompt(job->lang)}, {"user", UserMessage(job->paper, job->lang)}};
  req.what = "translation " + job->paper.id + "v" + std::to_string(std::max(1, job->paper.version)) +
             " " + job->lang;
  ChatReport report;
  Result<ChatResult> answer = chat_->StreamChat(req, [](std::string_view) {}, &cancel_, &report);
  if (report.tokens > 0 && limits_.charge) limits_.charge(report.tokens);
  if (!answer) {
    spdlog::warn("{} failed: {} ({})", req.what, answer.error().message(), report.detail);
    return Fail(job, "the translation failed: " + answer.error().message());
  }
  auto parsed = ParseAnswer(answer->content);
  if (!parsed) {
    spdlog::warn("{}: the answer is not in the [TITLE]/[ABSTRACT] form: {:.200}", req.what,
                 answer->content);
    return Fail(job, "the model's answer was not a title and an abstract; try again later");
  }
  Translation t;
  t.title = std::move(parsed->first);
  t.abstract = std::move(parsed->second);
  for (auto [field, source, translated] :
       {std::tuple{"title", &job->paper.title, &t.title},
        std::tuple{"abstract", &job->paper.abstract, &t.abstract}}) {
    if (MathSurvived(*source, *translated)) continue;
    spdlog::warn("{}: the {}'s math spans did not survive; keeping the original {}", req.what,
                 field, field);
    *translated = *source;
    t.kept_original.push_back(field);
  }
  Status saved = store_.SetState(job->key, ToJson(t, report.tokens, UtcStamp(clock_.Now())));
  if (!saved.ok()) {
    spdlog::warn("{}: not saved: {}", req.what, saved.ToString());
    return Fail(job, "the translation could not be saved; try again later");
  }
  std::lock_guard lock(mu_);
  active_.erase(job->key);
  ++completed_;
  if (!t.kept_original.empty()) ++math_fallbacks_;
}

}  // namespace coolpapers::llm
