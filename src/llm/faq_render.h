#pragma once
// The FAQ as HTML and JSON, as served by POST /arxiv/kimi, the SSE `done` event and
// /api/faq/<id>. Answers are rendered with the sanitising Markdown renderer (markdown.h).
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

#include <string>

#include "llm/faq_view.h"

namespace coolpapers::llm {

// The fragment for `view` (any state).
std::string RenderFaqFragment(const FaqView& view);

// A fragment holding only a note, e.g. the no-API-key or rate-limit message.
std::string RenderFaqNote(const std::string& paper_id, const std::string& state,
                          const std::string& message);

// /api/faq/<id> body for a complete FAQ:
// {"paper":"<id>","version":1,"lang":"zh","model":"...","prompt_version":1,"source":"pdf",
//  "tokens":123,"created":"...","state":"1","faq":[{"q":"...","a":"<markdown>","html":"..."}]}
std::string FaqJson(const FaqView& view);

}  // namespace coolpapers::llm
