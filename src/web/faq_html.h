#pragma once
// The FAQ as HTML and JSON, as served by POST /arxiv/kimi, the SSE `answer` and `done` events
// and /api/faq/<id>, made from the FAQ's data (llm/faq_view.h). Answers are rendered with the
// sanitising Markdown renderer (web/markdown.h).
//
// Fragment shape (the panel and third-party clients parse it):
//   <div class="faq" data-paper="<id>" data-version="1" data-lang="zh" data-state="loading:40"
//        data-source="pdf">
//     <p class="faq-note">...</p>              (only when there is something to say: queued,
//                                               generating, abstract-only, failed)
//     <p class="faq-q" data-i="0">question</p>
//     <div class="faq-a" data-i="0">answer HTML</div>
//     ...
//   </div>
// data-state is the /arxiv/progress text ("1" when complete).

#include <memory>
#include <string>

#include "llm/faq_view.h"

namespace coolpapers::web {

// The fragment for `view` (any state).
std::string RenderFaqFragment(const llm::FaqView& view);

// The note above a FAQ of an earlier version than the paper's latest ("written for v1; the paper
// is now at v2") with a "Regenerate for v2" button (button.faq-regenerate[data-version]); ""
// when the FAQ is of the latest version.
std::string RenderNewerVersionNote(const llm::FaqView& view);

// A fragment holding only a note, e.g. the no-API-key or rate-limit message.
std::string RenderFaqNote(const std::string& paper_id, const std::string& state,
                          const std::string& message);

// /api/faq/<id> body for a complete FAQ:
// {"paper":"<id>","version":1,"lang":"zh","model":"...","prompt_version":1,"source":"pdf",
//  "tokens":123,"created":"...","state":"1","faq":[{"q":"...","a":"<markdown>","html":"..."}]}
// plus "latest_version": N when the FAQ is of an earlier version than the paper's latest.
std::string FaqJson(const llm::FaqView& view);

// The fragment and the JSON body of a complete FAQ, shared (sent without copying).
struct RenderedFaq : llm::FaqDerived::Value {
  std::shared_ptr<const std::string> fragment;
  std::shared_ptr<const std::string> json;
};

// The fragment and JSON of complete `view`: rendered on the first call for that FAQ and kept
// with it (FaqView::derived), so every later reader gets the same bytes without rendering.
// A view without a slot (not complete) is rendered afresh.
std::shared_ptr<const RenderedFaq> RenderComplete(const llm::FaqView& view);

}  // namespace coolpapers::web
