#include "web/faq_html.h"

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "web/markdown.h"

namespace coolpapers::web {

using llm::FaqItem;
using llm::FaqState;
using llm::FaqView;

namespace {

std::string Note(const FaqView& v) {
  bool zh = v.key.lang != "en";
  switch (v.state) {
    case FaqState::kPending:
      return zh ? "排队中：前面还有 " + std::to_string(v.ahead) + " 个任务。"
                : "Queued: " + std::to_string(v.ahead) + " FAQ(s) ahead of this one.";
    case FaqState::kLoading:
      return zh ? "生成中… " + std::to_string(v.percent) + "%"
                : "Generating… " + std::to_string(v.percent) + "%";
    case FaqState::kFailed: {
      bool says_when = v.error.find("try again") != std::string::npos ||
                       v.error.find("ask again") != std::string::npos ||
                       v.error.find("Try again") != std::string::npos;
      return (zh ? "生成失败：" : "FAQ generation failed: ") + v.error +
             (says_when ? "" : (zh ? "。稍后再试。" : " Try again later."));
    }
    case FaqState::kNone:
      return zh ? "尚未生成。" : "Not generated yet.";
    case FaqState::kComplete:
      break;
  }
  return "";
}

std::string SourceNote(const FaqView& v) {
  if (v.source != "abstract") return "";
  return v.key.lang == "en"
             ? "Generated from the abstract only: the full text (PDF) was not available, so "
               "this FAQ is based on the title and abstract only. The full text is tried again "
               "later."
             : "仅根据摘要生成：未能获取论文全文（PDF），本 FAQ 只依据标题和摘要；"
               "稍后会再次尝试全文。";
}

}  // namespace

std::string RenderFaqFragment(const FaqView& view) {
  std::string out = "<div class=\"faq\" data-paper=\"";
  core::AppendHtmlEscaped(out, view.key.paper_id);
  out += "\" data-version=\"" + std::to_string(view.key.version) + "\" data-lang=\"";
  core::AppendHtmlEscaped(out, view.key.lang);
  out += "\" data-state=\"";
  core::AppendHtmlEscaped(out, view.ProgressText());
  out += "\" data-source=\"";
  core::AppendHtmlEscaped(out, view.source);
  out += "\">\n";
  for (const std::string& note : {SourceNote(view), Note(view)}) {
    if (note.empty()) continue;
    out += "<p class=\"faq-note\">";
    core::AppendHtmlEscaped(out, note);
    out += "</p>\n";
  }
  for (size_t i = 0; i < view.items.size(); ++i) {
    std::string idx = std::to_string(i);
    out += "<p class=\"faq-q\" data-i=\"" + idx + "\">";
    core::AppendHtmlEscaped(out, view.items[i].q);
    out += "</p>\n<div class=\"faq-a\" data-i=\"" + idx + "\">";
    out += RenderMarkdown(view.items[i].a);
    out += "</div>\n";
  }
  out += "</div>\n";
  return out;
}

std::string RenderNewerVersionNote(const FaqView& view) {
  if (view.newer_version <= view.key.version) return "";
  const std::string written = "v" + std::to_string(view.key.version);
  const std::string latest = "v" + std::to_string(view.newer_version);
  const bool zh = view.key.lang != "en";
  std::string out = "<div class=\"faq-newer\" data-version=\"" +
                    std::to_string(view.newer_version) + "\">\n<p class=\"faq-note\">";
  core::AppendHtmlEscaped(out, zh ? "本 FAQ 是针对 " + written + " 生成的；论文已更新到 " + latest + "。"
                                  : "This FAQ was written for " + written +
                                        "; the paper is now at " + latest + ".");
  out += "</p>\n<button type=\"button\" class=\"faq-regenerate\" data-version=\"" +
         std::to_string(view.newer_version) + "\">";
  core::AppendHtmlEscaped(out, zh ? "为 " + latest + " 重新生成" : "Regenerate for " + latest);
  out += "</button>\n</div>\n";
  return out;
}

std::string RenderFaqNote(const std::string& paper_id, const std::string& state,
                          const std::string& message) {
  std::string out = "<div class=\"faq\" data-paper=\"";
  core::AppendHtmlEscaped(out, paper_id);
  out += "\" data-state=\"";
  core::AppendHtmlEscaped(out, state);
  out += "\">\n<p class=\"faq-note\">";
  core::AppendHtmlEscaped(out, message);
  out += "</p>\n</div>\n";
  return out;
}

std::string FaqJson(const FaqView& view) {
  nlohmann::json j;
  j["paper"] = view.key.paper_id;
  j["version"] = view.key.version;
  j["lang"] = view.key.lang;
  j["model"] = view.key.model;
  j["prompt_version"] = view.key.prompt_version;
  j["source"] = view.source;
  j["full_text"] = view.source == "pdf";  // false: made from the title and abstract only
  j["tokens"] = view.tokens;
  j["created"] = view.created;
  j["state"] = view.ProgressText();
  if (view.newer_version > view.key.version) j["latest_version"] = view.newer_version;
  j["faq"] = nlohmann::json::array();
  for (const FaqItem& it : view.items) {
    j["faq"].push_back({{"q", it.q}, {"a", it.a}, {"html", RenderMarkdown(it.a)}});
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::shared_ptr<const RenderedFaq> RenderComplete(const FaqView& view) {
  auto render = [&view] {
    auto r = std::make_shared<RenderedFaq>();
    r->fragment = std::make_shared<const std::string>(RenderFaqFragment(view));
    r->json = std::make_shared<const std::string>(FaqJson(view));
    return std::shared_ptr<const RenderedFaq>(std::move(r));
  };
  // (A FAQ shown for a newer version carries that version, so it is not the FAQ's own render.)
  if (view.derived == nullptr || view.newer_version > 0) return render();
  return view.derived->GetOrMake<RenderedFaq>(render);
}

}  // namespace coolpapers::web
