#include "llm/faq_view.h"

namespace coolpapers::llm {

std::string FaqKey::ToString() const {
  return paper_id + "v" + std::to_string(version) + "|" + lang + "|" + model + "|p" +
         std::to_string(prompt_version);
}

std::string FaqView::ProgressText() const {
  switch (state) {
    case FaqState::kPending: return "pending:" + std::to_string(ahead);
    case FaqState::kLoading: return "loading:" + std::to_string(percent);
    case FaqState::kComplete: return "1";
    case FaqState::kFailed: return "failed:" + error;
    case FaqState::kNone: break;
  }
  return "none";
}

}  // namespace coolpapers::llm
