#pragma once
// What readers see of one FAQ: its identity, state, the questions and answers so far, and the
// events a live subscriber receives.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/faq_content.h"

namespace coolpapers::llm {

// One FAQ generation: generated once per paper version, language, model and prompt version.
struct FaqKey {
  std::string paper_id;
  int version = 1;
  std::string lang;  // "zh" | "en"
  std::string model;
  int prompt_version = 1;

  // "2402.12354v1|zh|moonshot-v1-128k|p1"
  std::string ToString() const;
};

// A question and its answer (Markdown; partial while it streams), as stored.
using FaqItem = store::FaqItem;

enum class FaqState {
  kNone,      // never requested (or failed long ago and forgotten)
  kPending,   // queued; `ahead` jobs before it
  kLoading,   // being generated; `percent` done
  kComplete,  // stored; served to everyone
  kFailed,    // the last attempt failed (`error`); asking again retries
};

struct FaqView {
  FaqState state = FaqState::kNone;
  FaqKey key;
  int ahead = 0;    // kPending
  int percent = 0;  // kLoading: questions answered / 6, refined by the current answer's length
  std::string source;  // "pdf" | "abstract" | "" (not known yet)
  std::vector<FaqItem> items;
  int64_t tokens = 0;
  std::string created;  // kComplete: "YYYY-MM-DD HH:MM:SS" UTC
  std::string error;    // kFailed: why, for people
  // kComplete: the rendered fragment and the /api/faq JSON, shared (rendered once).
  std::shared_ptr<const std::string> html;
  std::shared_ptr<const std::string> json;

  // The /arxiv/progress text: "pending:<n>", "loading:<percent>", "1", "failed:<reason>", "none".
  std::string ProgressText() const;
};

struct FaqEvent {
  enum class Kind {
    kProgress,  // text: the progress text ("pending:2", "loading:40")
    kQuestion,  // index, text: the question
    kDelta,     // index, text: the next piece of the answer (Markdown)
    kAnswer,    // index, text: the whole answer rendered to safe HTML (div.faq-a inner HTML)
    kDone,      // text: the complete fragment HTML
    kError,     // text: why it failed
  };
  Kind kind = Kind::kProgress;
  int index = -1;
  std::string text;
};

}  // namespace coolpapers::llm
