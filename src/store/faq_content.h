#pragma once
// The stored content of one FAQ (FaqRecord::content_json): its questions and answers, in order,
// as a JSON array of {"q": "<question>", "a": "<answer, Markdown>"} objects. The one codec for
// it: FaqService writes and reads it, the store reads it for FaqTexts (search).
//
// Decoding rule: the text must be a JSON array (an empty one is a FAQ without items); every
// element must be an object whose "q" and "a" are strings. Keys other than "q" and "a" are
// ignored (a later version may add some). Anything else (not JSON, not an array, an element
// that is not an object, "q" or "a" missing or not a string) makes the whole content invalid:
// kCorruption, with a message naming the first offending element. Never throws.

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coolpapers::store {

struct FaqItem {
  std::string q;  // the question
  std::string a;  // the answer, Markdown (partial while it streams)

  bool operator==(const FaqItem&) const = default;
};

// [{"q":"...","a":"..."},...]; invalid UTF-8 is replaced by U+FFFD.
std::string EncodeFaqContent(const std::vector<FaqItem>& items);

// The items of `json` (see the rule above).
Result<std::vector<FaqItem>> DecodeFaqContent(std::string_view json);

}  // namespace coolpapers::store
