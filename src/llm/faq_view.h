#pragma once
// What readers see of one FAQ: its identity, state, the questions and answers so far, and the
// events a live subscriber receives.

#include <cstdint>
#include <memory>
#include <mutex>
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

// What a presentation layer derives once from a complete FAQ (e.g. its HTML and JSON) and
// keeps with it, so that later readers reuse it instead of deriving it again. llm/ only holds
// the slot; the layer that fills it defines the value, as a subclass of Value. One kind of
// value per slot. Thread-safe.
class FaqDerived {
 public:
  struct Value {
    virtual ~Value() = default;
  };

  // The value of type T made by `make` (returning std::shared_ptr<const T>) on the first call;
  // every later call returns that same value. Concurrent first callers wait for one `make`.
  template <class T, class Make>
  std::shared_ptr<const T> GetOrMake(Make make) {
    std::lock_guard lock(mu_);
    if (auto have = std::dynamic_pointer_cast<const T>(value_)) return have;
    std::shared_ptr<const T> made = make();
    value_ = made;
    return made;
  }

 private:
  std::mutex mu_;
  std::shared_ptr<const Value> value_;
};

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
  // kComplete: the paper's latest version when this FAQ is of an earlier one (key.version) and
  // none of the latest exists yet; 0 otherwise.
  int newer_version = 0;
  // kComplete: what readers derive from this FAQ, kept with it (null in other states).
  std::shared_ptr<FaqDerived> derived;

  // The /arxiv/progress text: "pending:<n>", "loading:<percent>", "1", "failed:<reason>", "none".
  std::string ProgressText() const;
};

struct FaqEvent {
  enum class Kind {
    kProgress,  // text: the progress text ("pending:2", "loading:40")
    kQuestion,  // index, text: the question
    kDelta,     // index, text: the next piece of the answer (Markdown)
    kAnswer,    // index, text: the whole answer (Markdown)
    kDone,      // the FAQ is complete (its view holds everything)
    kError,     // text: why it failed
  };
  Kind kind = Kind::kProgress;
  int index = -1;
  std::string text;
};

}  // namespace coolpapers::llm
