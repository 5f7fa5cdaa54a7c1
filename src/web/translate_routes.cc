// Translation routes: titles and abstracts in the reader's description language, made by
// llm::TranslationService (once per paper, version, language and model; shared by everyone).
//
//   GET /api/translate/<id>?lang=zh       200 {"title","abstract","lang","version","model"}
//                                         when made; else 202 {"state": "queued"|"running"}
//                                         with Retry-After (the request queued it)
//   GET /api/translate?ids=a,b,c&lang=zh  up to 50 ids (one screenful of a list page):
//                                         {"lang","translations":{id:{title,abstract,version}},
//                                          "pending":{id:"queued"|"running"},
//                                          "errors":{id:{error,hint}}}; the missing ones are
//                                         queued. When queueing is refused (no key, budget,
//                                         rate limit) the status is the refusal's, with the
//                                         made ones still in "translations" and the reason in
//                                         "error"/"hint".
//
// A GET normally changes nothing; these queue paid work, so a request from another site
// (Sec-Fetch-Site cross-site/same-site, or a foreign Origin: web/cross_origin.h) may read made
// translations and the state of queued ones but never queues anything. Errors are JSON
// {error, hint}: 400 bad id or lang (naming the languages), 404 unknown paper, 503 no API key
// or translation turned off, 429 budget or rate limit (Retry-After: when it resets).

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/arxiv_id.h"
#include "core/text.h"
#include "llm/llm_config.h"
#include "llm/translation_service.h"
#include "web/cross_origin.h"
#include "web/metrics.h"
#include "web/page_routes.h"
#include "web/render.h"
#include "web/routes.h"

namespace coolpapers::web {
namespace {

using llm::TranslationState;
using llm::TranslationView;

constexpr size_t kMaxBatch = 50;
constexpr int kPollSeconds = 3;  // Retry-After while a translation is queued or running

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string HintFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument:
      return "use an arXiv id (e.g. 2402.12354) and lang=" + llm::TranslationLanguageList();
    case StatusCode::kNotFound: return "open /arxiv/<id> first: the paper is fetched from arXiv";
    case StatusCode::kPermissionDenied:
      return "open the page on this site: its script asks for translations";
    case StatusCode::kResourceExhausted: return "wait for the time given (Retry-After), then retry";
    case StatusCode::kFailedPrecondition: return llm::kNoApiKeyMessage;
    default: return "wait for the time given (Retry-After), then retry";
  }
}

nlohmann::json ErrorJson(const Status& st, std::chrono::seconds retry_after) {
  nlohmann::json j = {{"error", st.message()}, {"hint", HintFor(st)}};
  if (retry_after.count() > 0) j["retry_after"] = retry_after.count();
  return j;
}

Response Finish(int status, const nlohmann::json& j, std::chrono::seconds retry_after,
                bool cacheable = false) {
  Response r = JsonResponse(status, Dump(j));
  if (retry_after.count() > 0) r.SetHeader("Retry-After", std::to_string(retry_after.count()));
  r.SetHeader("Cache-Control", cacheable ? "public, max-age=300" : "no-store");
  return r;
}

Response Error(const Status& st, std::chrono::seconds retry_after = std::chrono::seconds(0)) {
  return Finish(HttpStatusOf(st), ErrorJson(st, retry_after), retry_after);
}

Response TurnedOff() {
  return Error(Status::Unavailable(
      "translation is turned off on this server: set [llm] translate = true (or "
      "COOLPAPERS_TRANSLATE=1) and an LLM API key (COOLPAPERS_LLM_API_KEY), then restart "
      "coolpapers serve"));
}

// "not made yet, and this request may not start it" (a cross-site request).
Status NotStarted(const std::string& id) {
  return Status::PermissionDenied("the translation of " + id +
                                  " is not made yet, and a request from another site cannot "
                                  "start one");
}

Result<std::string> CanonicalId(const std::string& text) {
  auto id = core::ArxivId::Parse(text);
  if (!id) {
    return Err(Status::InvalidArgument("not an arXiv id: \"" + text + "\" (" +
                                       id.error().message() + ")"));
  }
  return id->base();
}

Result<std::string> LangOf(const Request& req) {
  std::string lang = core::ToLower(req.Param("lang"));
  if (lang.empty()) {
    return Err(Status::InvalidArgument("missing lang parameter: use one of " +
                                       llm::TranslationLanguageList()));
  }
  return lang;
}

nlohmann::json DoneJson(const TranslationView& v, bool with_lang) {
  const llm::Translation& t = *v.translation;
  nlohmann::json j = {{"title", t.title}, {"abstract", t.abstract}, {"version", v.version}};
  if (with_lang) {
    j["lang"] = t.lang;
    j["model"] = t.model;
  }
  if (!t.kept_original.empty()) j["kept_original"] = t.kept_original;
  return j;
}

const char* StateName(TranslationState s) {
  return s == TranslationState::kRunning ? "running" : "queued";
}

// ---- GET /api/translate/<id> ----

Response TranslateOne(Services& s, const Request& req) {
  if (s.translate == nullptr) return TurnedOff();
  auto id = CanonicalId(req.captures.empty() ? "" : req.captures.front());
  if (!id) return Error(id.error());
  auto lang = LangOf(req);
  if (!lang) return Error(lang.error());
  const bool start = !IsCrossOriginRequest(req);
  std::chrono::seconds wait{0};
  auto views = s.translate->Request({*id}, *lang, req.ClientKey(), start, &wait);
  if (!views) return Error(views.error(), wait);
  if (views->size() != 1) return Error(Status::Internal("no answer for " + *id));
  const Result<TranslationView>& v = views->front();
  if (!v) return Error(v.error());
  switch (v->state) {
    case TranslationState::kDone: return Finish(200, DoneJson(*v, true), wait, true);
    case TranslationState::kQueued:
    case TranslationState::kRunning:
      return Finish(202,
                    {{"state", StateName(v->state)},
                     {"hint", "ask again after Retry-After seconds"}},
                    std::chrono::seconds(kPollSeconds));
    case TranslationState::kFailed:
      return Error(Status::Unavailable(v->error + " (" + *id + ", " + *lang + ")"),
                   v->retry_after);
    case TranslationState::kNone: break;
  }
  return Error(NotStarted(*id));
}

// ---- GET /api/translate?ids= ----

Result<std::vector<std::string>> BatchIds(const Request& req, nlohmann::json& errors) {
  std::vector<std::string> ids;
  for (const std::string& part : core::Split(req.Param("ids"), ',')) {
    std::string text(core::Trim(part));
    if (text.empty()) continue;
    auto id = CanonicalId(text);
    if (!id) {
      errors[text] = ErrorJson(id.error(), std::chrono::seconds(0));
    } else if (std::find(ids.begin(), ids.end(), *id) == ids.end()) {
      ids.push_back(*id);
    }
  }
  if (ids.empty() && errors.empty()) {
    return Err(Status::InvalidArgument(
        "missing ids parameter: use ?ids=<id>,<id>,...&lang=<lang> (at most 50 ids)"));
  }
  if (ids.size() + errors.size() > kMaxBatch) {
    return Err(Status::InvalidArgument("too many ids (" +
                                       std::to_string(ids.size() + errors.size()) +
                                       "): at most 50 per request; ask for the rest in another"));
  }
  return ids;
}

Response TranslateMany(Services& s, const Request& req) {
  if (s.translate == nullptr) return TurnedOff();
  nlohmann::json errors = nlohmann::json::object();
  auto ids = BatchIds(req, errors);
  if (!ids) return Error(ids.error());
  auto lang = LangOf(req);
  if (!lang) return Error(lang.error());
  const bool start = !IsCrossOriginRequest(req);
  std::chrono::seconds wait{0};
  auto views = s.translate->Request(*ids, *lang, req.ClientKey(), start, &wait);
  Status refused = Status::Ok();
  if (!views && views.error().code() != StatusCode::kInvalidArgument) {
    refused = views.error();  // nothing could be queued: still serve what is made
    views = s.translate->Request(*ids, *lang, req.ClientKey(), false, nullptr);
  }
  if (!views) return Error(views.error(), wait);
  nlohmann::json out = {{"lang", *lang},
                        {"translations", nlohmann::json::object()},
                        {"pending", nlohmann::json::object()}};
  std::chrono::seconds retry_after = wait;
  for (size_t i = 0; i < ids->size() && i < views->size(); ++i) {
    const std::string& id = (*ids)[i];
    const Result<TranslationView>& v = (*views)[i];
    if (!v) {
      errors[id] = ErrorJson(v.error(), std::chrono::seconds(0));
    } else if (v->state == TranslationState::kDone) {
      out["translations"][id] = DoneJson(*v, false);
    } else if (v->state == TranslationState::kQueued || v->state == TranslationState::kRunning) {
      out["pending"][id] = StateName(v->state);
      if (retry_after.count() == 0) retry_after = std::chrono::seconds(kPollSeconds);
    } else if (v->state == TranslationState::kFailed) {
      errors[id] = ErrorJson(Status::Unavailable(v->error), v->retry_after);
    } else if (refused.ok()) {
      errors[id] = ErrorJson(NotStarted(id), std::chrono::seconds(0));
    }
  }
  out["errors"] = errors;
  if (!refused.ok()) {
    nlohmann::json e = ErrorJson(refused, wait);
    out["error"] = e["error"];
    out["hint"] = e["hint"];
    return Finish(HttpStatusOf(refused), out, wait);
  }
  return Finish(200, out, retry_after);
}

void RegisterTranslateMetrics(Services& s) {
  if (s.metrics == nullptr || s.translate == nullptr) return;
  llm::TranslationService* t = s.translate;
  s.metrics->AddGaugeCallback("coolpapers_translate_queue_depth", "Translations waiting", {},
                              [t] { return static_cast<double>(t->Stats().pending); });
  s.metrics->AddGaugeCallback("coolpapers_translate_completed",
                              "Translations made by this process", {},
                              [t] { return static_cast<double>(t->Stats().completed); });
}

}  // namespace

void RegisterTranslateRoutes(Router& r, Services& s) {
  Services* sp = &s;
  r.Add("GET", "/api/translate", [sp](const Request& q) { return TranslateMany(*sp, q); });
  r.Add("GET", "/api/translate/**", [sp](const Request& q) { return TranslateOne(*sp, q); });
  RegisterTranslateMetrics(s);
}

}  // namespace coolpapers::web
