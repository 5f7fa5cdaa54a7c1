// FAQ routes (SPEC §3, §4, §6): the [Kimi] button's endpoints. Output formats are documented in
// src/llm/README.md for the panel (static/app.js) and third-party clients; the HTML and JSON are
// rendered by web/faq_html.h.
//
//   POST /arxiv/kimi?paper=<id>[&lang=zh|en]   start or join; the FAQ HTML fragment so far
//                                               (the only way to start a job; 403 cross-site)
//   POST /venue/kimi?paper=<id>                 same for a venue paper "<local>@<Source>"
//                                               (its PDF from the venue; either route takes
//                                               either kind of id)
//   GET  /venue/kimi?paper=<id>                 a link to a paper's FAQ: 302 to its page
//                                               (/venue/<id>, /arxiv/<id>), whose [Kimi]
//                                               button starts it; never starts a job itself
//   GET  /arxiv/progress?paper=<id>[&lang=]     text/plain: pending:<n> | loading:<p> | 1 |
//                                               failed:<why> | none (also /venue/progress)
//   GET  /api/faq/<id>?lang=                    the complete FAQ as JSON, or 404 + state
//   GET  /api/faq/<id>/stream?lang=             Server-Sent Events (progress, question, delta,
//                                               answer, done, error); joins a running or
//                                               cached FAQ only (404 + hint when none)

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/arxiv_id.h"
#include "core/text.h"
#include "llm/faq_prompt.h"
#include "llm/faq_service.h"
#include "llm/llm_config.h"
#include "web/admin_auth.h"
#include "web/cross_origin.h"
#include "web/faq_html.h"
#include "web/markdown.h"
#include "web/metrics.h"
#include "web/page_routes.h"
#include "web/render.h"
#include "web/routes.h"

namespace coolpapers::web {
namespace {

using llm::FaqEvent;
using llm::FaqRequest;
using llm::FaqState;
using llm::FaqView;

constexpr auto kKeepAlive = std::chrono::seconds(15);

struct FaqParams {
  std::string id;  // canonical arXiv id without version, or a venue paper id
  int version = 0;
  std::string lang = "zh";
};

// The route that starts a FAQ of `id`, for hints.
std::string KimiRoute(const std::string& id) {
  return llm::IsVenuePaperId(id) ? "/venue/kimi" : "/arxiv/kimi";
}

// `paper` and `lang` from the query, or from a form-encoded POST body.
std::string Field(const Request& req, std::string_view name) {
  if (req.HasParam(name)) return req.Param(name);
  for (const std::string& pair : core::Split(req.body, '&')) {
    size_t eq = pair.find('=');
    if (eq == std::string::npos || pair.substr(0, eq) != name) continue;
    std::string value;
    if (core::UrlDecode(pair.substr(eq + 1), value)) return value;
  }
  return "";
}

Result<FaqParams> ParseParams(const Request& req, std::string id_text) {
  FaqParams p;
  if (id_text.empty()) {
    return Err(Status::InvalidArgument(
        "missing paper parameter: use ?paper=<arXiv id> (e.g. ?paper=2402.12354) or "
        "?paper=<venue paper id> (e.g. ?paper=2024.acl-long.3@ACL)"));
  }
  if (llm::IsVenuePaperId(id_text)) {  // one version: no "vN" suffix
    if (Status st = llm::CheckVenuePaperId(id_text); !st.ok()) return Err(st);
    p.id = id_text;
  } else {
    auto id = core::ArxivId::Parse(id_text);
    if (!id) {
      return Err(Status::InvalidArgument("not an arXiv id: \"" + id_text + "\" (" +
                                         id.error().message() +
                                         "); venue papers are asked for by their venue id, e.g. "
                                         "2024.acl-long.3@ACL"));
    }
    p.id = id->base();
    p.version = id->version();
  }
  std::string lang = Field(req, "lang");
  if (!lang.empty()) p.lang = lang;
  if (!llm::IsFaqLang(p.lang)) {
    return Err(Status::InvalidArgument("unknown FAQ language \"" + p.lang + "\": use zh or en"));
  }
  return p;
}

// The admin token (X-Admin-Token or Authorization: Bearer), see web/admin_auth.h.
bool IsAdmin(const Services& s, const Request& req) {
  return HasAdminToken(req, s.config.admin_token);
}

FaqRequest MakeRequest(const Services& s, const Request& req, const FaqParams& p) {
  FaqRequest r;
  r.paper_id = p.id;
  r.version = p.version;
  r.lang = p.lang;
  r.client = req.ClientKey();
  r.admin = IsAdmin(s, req);
  r.regenerate = r.admin && Field(req, "regenerate") == "1";
  return r;
}

// Hint for a FAQ error.
std::string HintFor(const Status& st, const std::string& id) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument:
      return "check the paper id (and its version) and lang (zh or en)";
    case StatusCode::kNotFound:
      if (llm::IsVenuePaperId(id)) {
        return "a FAQ is started only by POST /venue/kimi?paper=<id>&lang=<zh|en> (the [Kimi] "
               "button); a venue paper must be imported first (coolpapers import venue), see "
               "/venue/";
      }
      return "a FAQ is started only by POST /arxiv/kimi?paper=<id>&lang=<zh|en> (the [Kimi] "
             "button); a paper not in the database must be opened (/arxiv/<id>) first";
    case StatusCode::kPermissionDenied: return "use the FAQ button on this site's own pages";
    case StatusCode::kResourceExhausted: return "wait for the time given, then retry";
    case StatusCode::kUnavailable: return "wait for the time given (Retry-After), then retry";
    case StatusCode::kFailedPrecondition: return llm::kNoApiKeyMessage;
    default: return "retry in a minute";
  }
}

void AddRetryAfter(Response& r, std::chrono::seconds retry_after) {
  if (retry_after.count() > 0) r.SetHeader("Retry-After", std::to_string(retry_after.count()));
}

Response NoStore(Response r) {
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

Response FragmentError(const std::string& id, const Status& st, std::chrono::seconds retry_after) {
  Response r;
  r.status = HttpStatusOf(st);
  r.body = RenderFaqNote(id, "error", st.message());
  AddRetryAfter(r, retry_after);
  return NoStore(std::move(r));
}

Response JsonFaqError(const Status& st, const std::string& id,
                      std::chrono::seconds retry_after) {
  nlohmann::json j = {{"error", st.message()}, {"hint", HintFor(st, id)}};
  if (retry_after.count() > 0) j["retry_after"] = retry_after.count();
  Response r = JsonResponse(HttpStatusOf(st), j.dump(-1, ' ', false,
                                                  nlohmann::json::error_handler_t::replace));
  AddRetryAfter(r, retry_after);
  return NoStore(std::move(r));
}

Response NoService() {
  return JsonError(503, "the FAQ service is not running", "start the server with `coolpapers serve`");
}

// ---- POST /arxiv/kimi, /venue/kimi ----

Response Kimi(Services& s, const Request& req) {
  std::string id_text = Field(req, "paper");
  if (s.faq == nullptr) {
    Response r;
    r.status = 503;
    r.body = RenderFaqNote(id_text, "error", "The FAQ service is not running.");
    return NoStore(std::move(r));
  }
  if (IsCrossOriginRequest(req)) {
    return FragmentError(id_text, Status::PermissionDenied(kCrossOriginMessage),
                         std::chrono::seconds(0));
  }
  auto p = ParseParams(req, id_text);
  if (!p) return FragmentError(id_text, p.error(), std::chrono::seconds(0));
  std::chrono::seconds retry_after{0};
  auto view = s.faq->Request(MakeRequest(s, req, *p), &retry_after);
  if (!view) return FragmentError(p->id, view.error(), retry_after);
  Response r;
  if (view->state == FaqState::kComplete && view->newer_version > 0) {
    r.body = RenderNewerVersionNote(*view) + *RenderComplete(*view)->fragment;
  } else if (view->state == FaqState::kComplete) {
    r.shared_body = RenderComplete(*view)->fragment;  // rendered once, sent without copying
  } else {
    r.body = RenderFaqFragment(*view);
  }
  return NoStore(std::move(r));
}

// ---- GET /venue/kimi ----

Response KimiLink(const Request& req) {
  auto p = ParseParams(req, Field(req, "paper"));
  if (!p) {
    return ErrorPage(400, p.error().message(),
                     "Venue papers are listed at /venue/; each one's page has the [Kimi] button.");
  }
  return Redirect(302, (llm::IsVenuePaperId(p->id) ? "/venue/" : "/arxiv/") + p->id);
}

// ---- GET /arxiv/progress ----

Response Progress(Services& s, const Request& req) {
  Response r;
  r.content_type = "text/plain; charset=utf-8";
  if (s.faq == nullptr) {
    r.status = 503;
    r.body = "failed:the FAQ service is not running";
    return NoStore(std::move(r));
  }
  auto p = ParseParams(req, Field(req, "paper"));
  auto view = p ? s.faq->Peek(p->id, p->version, p->lang) : Result<FaqView>(Err(p.error()));
  if (!view) {
    r.status = HttpStatusOf(view.error());
    r.body = "failed:" + view.error().message();
    return NoStore(std::move(r));
  }
  r.body = view->ProgressText();
  return NoStore(std::move(r));
}

// ---- GET /api/faq/<id> and /api/faq/<id>/stream ----

std::string JsonDump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One SSE event per FaqEvent; consecutive deltas of one answer are merged into one event.
// Answers are rendered here (each reader renders the answers it is sent; the complete fragment
// of `done` is rendered once per FAQ, see RenderComplete); `sub` gives the view for `done`.
std::string FormatEvents(const std::vector<FaqEvent>& events, const llm::FaqSubscription& sub) {
  std::string out;
  for (size_t i = 0; i < events.size(); ++i) {
    const FaqEvent& e = events[i];
    switch (e.kind) {
      case FaqEvent::Kind::kProgress:
        out += "event: progress\ndata: " + core::CollapseWhitespace(e.text) + "\n\n";
        break;
      case FaqEvent::Kind::kQuestion:
        out += "event: question\ndata: " + JsonDump({{"i", e.index}, {"q", e.text}}) + "\n\n";
        break;
      case FaqEvent::Kind::kDelta: {
        std::string text = e.text;
        while (i + 1 < events.size() && events[i + 1].kind == FaqEvent::Kind::kDelta &&
               events[i + 1].index == e.index) {
          text += events[++i].text;
        }
        out += "event: delta\ndata: " + JsonDump({{"i", e.index}, {"text", text}}) + "\n\n";
        break;
      }
      case FaqEvent::Kind::kAnswer:
        out += "event: answer\ndata: " +
               JsonDump({{"i", e.index}, {"html", RenderMarkdown(e.text)}}) + "\n\n";
        break;
      case FaqEvent::Kind::kDone:
        out += "event: done\ndata: " +
               JsonDump({{"state", "1"}, {"html", *RenderComplete(sub.View())->fragment}}) +
               "\n\n";
        break;
      case FaqEvent::Kind::kError:
        out += "event: error\ndata: " +
               JsonDump({{"error", e.text},
                         {"hint", "ask again to retry (POST " +
                                      KimiRoute(sub.View().key.paper_id) + ")"}}) +
               "\n\n";
        break;
    }
  }
  return out;
}

Response Stream(Services& s, const Request& req, const std::string& id_text) {
  auto p = ParseParams(req, id_text);
  if (!p) return JsonFaqError(p.error(), id_text, std::chrono::seconds(0));
  std::chrono::seconds retry_after{0};
  auto sub = s.faq->Subscribe(MakeRequest(s, req, *p), &retry_after);
  if (!sub) return JsonFaqError(sub.error(), p->id, retry_after);
  Response r;
  r.content_type = "text/event-stream; charset=utf-8";
  r.SetHeader("Cache-Control", "no-cache, no-store");
  r.SetHeader("X-Accel-Buffering", "no");
  // The stream waits asynchronously (no thread per reader): a pump reads what the job has,
  // writes it, and when there is nothing registers for the job's next change and arms the
  // keep-alive timer. All its steps run on the connection's strand (sink Post / After / write
  // completions), so its state needs no lock. The job holds it only through a pending news
  // callback; the sink refers to the connection weakly.
  struct Pump : std::enable_shared_from_this<Pump> {
    std::shared_ptr<llm::FaqSubscription> sub;
    std::shared_ptr<AsyncChunkSink> sink;
    bool writing = false;      // a chunk is being written
    bool registered = false;   // a news callback is pending in the job
    uint64_t idle_epoch = 0;   // bumped by every write: a keep-alive timer of an older epoch is void

    void Write(std::string text) {
      writing = true;
      ++idle_epoch;
      sink->Write(std::move(text), [self = shared_from_this()](bool ok) {
        self->writing = false;
        if (ok) self->Step();  // else the reader left; the job continues
      });
    }
    void Step() {
      if (writing) return;  // the write's completion steps again
      std::vector<FaqEvent> events;
      if (!sub->Next(events, std::chrono::milliseconds(0))) return sink->Close();
      if (!events.empty()) return Write(FormatEvents(events, *sub));
      if (!registered) {
        registered = true;
        sub->NotifyOnNews([self = shared_from_this()] {
          self->sink->Post([self] {
            self->registered = false;
            self->Step();
          });
        });
      }
      uint64_t epoch = ++idle_epoch;
      sink->After(kKeepAlive, [self = shared_from_this(), epoch] {
        if (epoch == self->idle_epoch && !self->writing) self->Write(": keep-alive\n\n");
      });
    }
  };
  std::shared_ptr<llm::FaqSubscription> subscription = *sub;
  r.async_stream = [subscription](std::shared_ptr<AsyncChunkSink> sink) {
    auto pump = std::make_shared<Pump>();
    pump->sub = subscription;
    pump->sink = std::move(sink);
    pump->Write(": coolpapers FAQ stream\nretry: 5000\n\n");
  };
  return r;
}

Response ApiFaq(Services& s, const Request& req) {
  if (s.faq == nullptr) return NoService();
  std::string capture = req.captures.empty() ? "" : req.captures.front();
  if (core::EndsWith(capture, "/stream")) {
    return Stream(s, req, capture.substr(0, capture.size() - 7));
  }
  auto p = ParseParams(req, capture);
  if (!p) return JsonFaqError(p.error(), capture, std::chrono::seconds(0));
  auto view = s.faq->Peek(p->id, p->version, p->lang);
  if (!view) return JsonFaqError(view.error(), p->id, std::chrono::seconds(0));
  if (view->state == FaqState::kComplete) {
    Response r = JsonResponse(200, "");
    r.shared_body = RenderComplete(*view)->json;  // rendered once per FAQ
    r.SetHeader("Cache-Control", "public, max-age=300");
    return r;
  }
  nlohmann::json j = {
      {"error", "the FAQ of " + p->id + " (" + p->lang + ") is not generated yet"},
      {"hint", "POST " + KimiRoute(p->id) + "?paper=" + p->id + "&lang=" + p->lang +
                   " to generate it, then follow /api/faq/" + p->id + "/stream?lang=" + p->lang},
      {"state", view->ProgressText()}};
  if (!s.faq->configured()) j["hint"] = llm::kNoApiKeyMessage;
  return NoStore(JsonResponse(404, JsonDump(j)));
}

void RegisterFaqMetrics(Services& s) {
  if (s.metrics == nullptr || s.faq == nullptr) return;
  llm::FaqService* faq = s.faq;
  s.metrics->AddGaugeCallback("coolpapers_faq_queue_depth", "FAQ jobs waiting for a worker", {},
                              [faq] { return static_cast<double>(faq->Stats().pending); });
  s.metrics->AddGaugeCallback("coolpapers_faq_running", "FAQ generations in progress", {},
                              [faq] { return static_cast<double>(faq->Stats().running); });
  s.metrics->AddGaugeCallback("coolpapers_llm_tokens_today", "LLM tokens used today (UTC)", {},
                              [faq] { return static_cast<double>(faq->Stats().tokens_today); });
  s.metrics->AddGaugeCallback("coolpapers_faq_completed", "FAQs generated by this process", {},
                              [faq] { return static_cast<double>(faq->Stats().completed); });
  s.metrics->AddGaugeCallback("coolpapers_faq_failed", "FAQ generations failed in this process",
                              {}, [faq] { return static_cast<double>(faq->Stats().failed); });
}

}  // namespace

void RegisterFaqRoutes(Router& r, Services& s) {
  Services* sp = &s;
  for (const char* prefix : {"/arxiv", "/venue"}) {
    r.Add("POST", std::string(prefix) + "/kimi", [sp](const Request& q) { return Kimi(*sp, q); });
    r.Add("GET", std::string(prefix) + "/progress",
          [sp](const Request& q) { return Progress(*sp, q); });
  }
  r.Add("GET", "/venue/kimi", [](const Request& q) { return KimiLink(q); });
  r.Add("GET", "/api/faq/**", [sp](const Request& q) { return ApiFaq(*sp, q); });
  RegisterFaqMetrics(s);
}

}  // namespace coolpapers::web
