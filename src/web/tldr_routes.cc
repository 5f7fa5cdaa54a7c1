#include "web/tldr_routes.h"

#include <algorithm>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/arxiv_id.h"
#include "core/text.h"
#include "llm/faq_prompt.h"
#include "llm/faq_service.h"
#include "store/faq_content.h"
#include "store/store.h"
#include "web/page_cache.h"
#include "web/paper_json.h"
#include "web/render.h"
#include "web/tldr.h"

namespace coolpapers::web {
namespace {

constexpr int kEarlierVersionsTried = 2;

struct TldrQuery {
  std::vector<std::string> ids;  // canonical arXiv ids, each once, in the order asked
  std::string lang;
};

// Parses ?ids= and ?lang=; on failure the 400 response.
Result<TldrQuery> ParseQuery(const Request& req) {
  TldrQuery q;
  q.lang = req.Param("lang", "zh");
  if (!llm::IsFaqLang(q.lang)) {
    return Err(Status::InvalidArgument("unknown language \"" + q.lang + "\": use lang=zh or lang=en"));
  }
  std::vector<std::string> parts = core::Split(req.Param("ids"), ',');
  if (parts.empty()) {
    return Err(Status::InvalidArgument(
        "missing ids parameter: list paper ids separated by commas, e.g. "
        "/api/tldr?ids=2402.12354,1706.03762&lang=en"));
  }
  if (parts.size() > kTldrMaxIds) {
    return Err(Status::InvalidArgument("too many ids (" + std::to_string(parts.size()) +
                                       "): ask for at most " + std::to_string(kTldrMaxIds) +
                                       " per request"));
  }
  std::unordered_set<std::string> seen;
  for (const std::string& part : parts) {
    auto id = core::ArxivId::Parse(core::Trim(part));
    if (!id) continue;  // venue ids and typos: no TL;DR, not an error
    if (seen.insert(id->base()).second) q.ids.push_back(id->base());
  }
  return q;
}

// The TL;DR entry of one paper, or null when none of its FAQs (preferred language first, newest
// version first) is stored.
Result<nlohmann::json> PaperTldr(store::Store& st, const core::Paper& paper, const TldrQuery& q,
                                 const std::string& model) {
  const std::string other = q.lang == "zh" ? "en" : "zh";
  const int latest = std::max(1, paper.version);
  for (const std::string& lang : {q.lang, other}) {
    for (int v = latest; v >= 1 && v >= latest - kEarlierVersionsTried; --v) {
      auto rec = st.GetFaq(paper.id, v, lang, model, llm::kPromptVersion);
      if (!rec) return Err(rec.error());
      if (!*rec) continue;
      auto items = store::DecodeFaqContent((*rec)->content_json);
      if (!items) continue;
      std::string text = TldrOfFaq(*items);
      if (text.empty()) continue;
      return nlohmann::json{{"text", std::move(text)}, {"lang", lang}, {"version", v}};
    }
  }
  return nlohmann::json(nullptr);
}

Response RenderTldr(store::Store& st, const TldrQuery& q, const std::string& model) {
  nlohmann::json tldr = nlohmann::json::object();
  if (!model.empty() && !q.ids.empty()) {
    auto papers = st.GetPapers(std::span<const std::string>(q.ids));
    if (!papers) {
      return JsonError(503, "the database could not be read: " + papers.error().message(),
                       "this is usually temporary; retry in a few seconds");
    }
    for (const core::Paper& p : *papers) {
      auto entry = PaperTldr(st, p, q, model);
      if (!entry) {
        return JsonError(503, "the FAQs of " + p.id + " could not be read: " +
                                  entry.error().message(),
                         "this is usually temporary; retry in a few seconds");
      }
      if (!entry->is_null()) tldr[p.id] = *std::move(entry);
    }
  }
  Response r = JsonResponse(200, DumpJson({{"lang", q.lang}, {"tldr", std::move(tldr)}}));
  return r;
}

Response TldrRoute(Services& s, const Request& req) {
  auto q = ParseQuery(req);
  if (!q) {
    return JsonError(400, q.error().message(),
                     "GET /api/tldr?ids=<id>,<id>&lang=zh|en answers the TL;DR of papers whose "
                     "FAQ exists");
  }
  if (!s.store) return JsonError(503, "no database is configured", "start the server with --db");
  // Without a FAQ service no model is known, so no FAQ can be looked up: an empty answer.
  const std::string model = s.faq ? s.faq->model() : "";
  auto render = [&] { return RenderTldr(*s.store, *q, model); };
  if (!s.page_cache) return render();
  // A stored FAQ bumps the change sequence, so a cached answer never hides a new TL;DR long.
  const int64_t seq = s.page_cache->current_seq();
  return s.page_cache->GetOrRender("api-tldr:" + q->lang + "|" + core::Join(q->ids, ","), seq,
                                   render);
}

}  // namespace

void RegisterTldrRoutes(Router& r, Services& s) {
  Services* sp = &s;
  r.Add("GET", "/api/tldr", [sp](const Request& req) { return TldrRoute(*sp, req); });
}

}  // namespace coolpapers::web
