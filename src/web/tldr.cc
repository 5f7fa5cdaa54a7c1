#include "web/tldr.h"

#include <array>
#include <cctype>

#include "core/text.h"
#include "llm/faq_prompt.h"

namespace coolpapers::web {
namespace {

bool StartsWith(std::string_view s, size_t i, std::string_view prefix) {
  return s.substr(i, prefix.size()) == prefix;
}

// The line without its block markup: heading hashes, quote marks, a list marker.
// `*heading` is set for ATX headings.
std::string_view StripBlockMarkers(std::string_view line, bool* heading) {
  line = core::Trim(line);
  *heading = false;
  if (!line.empty() && line.front() == '#') {
    *heading = true;
    return line;
  }
  while (!line.empty() && line.front() == '>') line = core::Trim(line.substr(1));
  if (line.size() >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ') {
    return core::Trim(line.substr(2));
  }
  size_t d = 0;
  while (d < line.size() && d < 3 && std::isdigit(static_cast<unsigned char>(line[d]))) ++d;
  if (d > 0 && d + 1 < line.size() && (line[d] == '.' || line[d] == ')') && line[d + 1] == ' ') {
    return core::Trim(line.substr(d + 2));
  }
  return line;
}

// "**Summary**", "**总结：**", "**Main content**:" — a label, not a sentence.
bool IsBoldLabel(std::string_view line) {
  if (!StartsWith(line, 0, "**")) return false;
  size_t close = line.find("**", 2);
  if (close == std::string_view::npos) return false;
  std::string_view rest = core::Trim(line.substr(close + 2));
  return rest.empty() || rest == ":" || rest == "：";
}

// The end of the TeX span starting at `i`, or npos when none starts there.
size_t MathEnd(std::string_view s, size_t i) {
  auto close = [&](std::string_view open, std::string_view end) -> size_t {
    if (!StartsWith(s, i, open)) return std::string_view::npos;
    size_t e = s.find(end, i + open.size());
    if (e == std::string_view::npos || e == i + open.size()) return std::string_view::npos;
    return e + end.size();
  };
  if (s[i] == '$') {
    if (StartsWith(s, i, "$$")) return close("$$", "$$");
    size_t e = i + 1;
    while (e < s.size() && !(s[e] == '$' && s[e - 1] != '\\')) ++e;
    return e < s.size() && e > i + 1 ? e + 1 : std::string_view::npos;
  }
  if (s[i] == '\\') {
    if (size_t e = close("\\(", "\\)"); e != std::string_view::npos) return e;
    return close("\\[", "\\]");
  }
  return std::string_view::npos;
}

// Whether the '.' ending `out` ends an abbreviation rather than a sentence.
bool AbbreviationBefore(const std::string& out) {
  size_t start = out.find_last_of(" (", out.size() - 1);
  start = start == std::string::npos ? 0 : start + 1;
  std::string word = core::ToLower(std::string_view(out).substr(start, out.size() - 1 - start));
  static const std::array<std::string_view, 12> kAbbrev = {
      "e.g", "i.e", "al", "etc", "vs", "fig", "figs", "eq", "eqs", "cf", "approx", "resp"};
  for (std::string_view a : kAbbrev) {
    if (word == a) return true;
  }
  return false;
}

struct Sentence {
  std::string text;
  std::vector<size_t> word_cuts;  // positions after which a cut is clean (spaces)
  std::vector<size_t> char_cuts;  // character boundaries outside math
};

// The first sentence of one line of inline Markdown (see TldrOfAnswer), collecting cut points
// and stopping once it is longer than `max_bytes`.
Sentence FirstSentence(std::string_view s, size_t max_bytes) {
  Sentence out;
  std::string& t = out.text;
  for (size_t i = 0; i < s.size() && t.size() <= max_bytes;) {
    if (size_t e = MathEnd(s, i); e != std::string_view::npos) {
      out.char_cuts.push_back(t.size());
      t.append(s.substr(i, e - i));
      i = e;
      continue;
    }
    if (StartsWith(s, i, "**") || StartsWith(s, i, "__")) {
      i += 2;
      continue;
    }
    if (s[i] == '`') {
      ++i;
      continue;
    }
    if (s[i] == '[') {  // [text](url) -> text
      size_t mid = s.find("](", i);
      size_t end = mid == std::string_view::npos ? mid : s.find(')', mid);
      if (end != std::string_view::npos) {
        t.append(s.substr(i + 1, mid - i - 1));
        i = end + 1;
        continue;
      }
    }
    for (std::string_view stop : {"。", "！", "？"}) {
      if (StartsWith(s, i, stop)) {
        t.append(stop);
        return out;
      }
    }
    const char c = s[i];
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) out.char_cuts.push_back(t.size());
    if (c == ' ') out.word_cuts.push_back(t.size());
    t.push_back(c);
    ++i;
    if ((c == '.' || c == '!' || c == '?') && (i == s.size() || s[i] == ' ') &&
        (c != '.' || !AbbreviationBefore(t))) {
      return out;
    }
  }
  return out;
}

// `s` cut to at most `max_bytes` (plus "…") at the last clean point.
std::string Shorten(Sentence s, size_t max_bytes) {
  std::string t(core::Trim(s.text));
  if (s.text.size() <= max_bytes) return t;
  const size_t limit = max_bytes - std::string_view("…").size();
  size_t cut = 0;
  for (size_t w : s.word_cuts) {
    if (w <= limit) cut = w;
  }
  if (cut < limit / 2) {  // no space near the end (CJK, a long formula): any boundary
    for (size_t c : s.char_cuts) {
      if (c <= limit) cut = std::max(cut, c);
    }
  }
  std::string shortened(core::Trim(std::string_view(s.text).substr(0, cut)));
  return shortened + "…";
}

bool EndsWithColon(std::string_view s) {
  return core::EndsWith(s, ":") || core::EndsWith(s, "：");
}

}  // namespace

std::string TldrOfAnswer(std::string_view markdown, size_t max_bytes) {
  std::string lead_in;
  for (std::string_view rest = markdown; !rest.empty();) {
    size_t nl = rest.find('\n');
    std::string_view raw = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    bool heading = false;
    std::string_view line = StripBlockMarkers(raw, &heading);
    if (heading || line.empty() || IsBoldLabel(line) || core::StartsWith(line, "```")) continue;
    std::string sentence = Shorten(FirstSentence(line, max_bytes), max_bytes);
    if (sentence.empty()) continue;
    if (EndsWithColon(sentence) && lead_in.empty()) {
      lead_in = sentence;  // "The main points are:" — the next line says more
      continue;
    }
    return sentence;
  }
  return lead_in;
}

std::string TldrOfFaq(const std::vector<store::FaqItem>& items, size_t max_bytes) {
  const size_t summary = llm::kFaqQuestionCount - 1;
  if (items.size() <= summary) return "";
  return TldrOfAnswer(items[summary].a, max_bytes);
}

}  // namespace coolpapers::web
