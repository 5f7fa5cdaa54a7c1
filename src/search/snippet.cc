#include "search/snippet.h"

#include <algorithm>
#include <cmath>

#include "core/text.h"

namespace coolpapers::search {
namespace {

// Words longer than this are never index terms (TermGenerator's max_word_length).
constexpr size_t kMaxTermBytes = 64;
// Weights are kept as integers in these units (exact sums while a window slides).
constexpr double kWeightScale = 1024.0;

struct CodePoint {
  uint32_t cp;
  size_t len;
};

// The code point at byte `i` of `s` (i < s.size()); an invalid sequence reads as U+FFFD of one
// byte (MarkedText sanitizes texts first, so that only guards the bounds).
CodePoint Decode(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return {c, 1};
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return {0xFFFD, 1};
  uint32_t cp = c & (0x3F >> (len - 1));
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return {0xFFFD, 1};
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  return {cp, len};
}

constexpr std::array<bool, 128> kAsciiWord = [] {
  std::array<bool, 128> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  t['_'] = true;  // connector punctuation is a word character for Xapian
  return t;
}();

bool IsWordChar(uint32_t cp) {
  return cp < 0x80 ? kAsciiWord[cp] : Xapian::Unicode::is_wordchar(cp);
}

bool IsDigit(uint32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  return Xapian::Unicode::get_category(cp) == Xapian::Unicode::DECIMAL_DIGIT_NUMBER;
}

// The code points Xapian's CJK n-gram mode indexes one by one.
bool IsCjk(uint32_t p) {
  return p >= 0x2E80 &&
         ((p <= 0x2EFF) || (p >= 0x3000 && p <= 0x9FFF) || (p >= 0xA700 && p <= 0xA71F) ||
          (p >= 0xAC00 && p <= 0xD7AF) || (p >= 0xF900 && p <= 0xFAFF) ||
          (p >= 0xFE30 && p <= 0xFE4F) || (p >= 0xFF00 && p <= 0xFFEF) ||
          (p >= 0x20000 && p <= 0x2A6DF) || (p >= 0x2F800 && p <= 0x2FA1F));
}

// Zero-width characters a word may hold without them being part of its term.
bool IsIgnorable(uint32_t cp) {
  return cp >= 0x200B && (cp <= 0x200D || cp == 0x2060 || cp == 0xFEFF);
}

// Whether `cp` joins two word characters into one word ("don't", "AT&T"; "3.14" between
// digits), as TermGenerator does.
bool IsInfix(uint32_t cp, bool between_digits) {
  if (IsIgnorable(cp)) return true;
  if (between_digits)
    return cp == ',' || cp == '.' || cp == ';' || cp == 0x037E || cp == 0x0589 || cp == 0x060D ||
           cp == 0x07F8 || cp == 0x2044 || cp == 0xFE10 || cp == 0xFE13 || cp == 0xFE14;
  return cp == '\'' || cp == '&' || cp == 0xB7 || cp == 0x5F4 || cp == 0x2027 || cp == 0x2019 ||
         cp == 0x201B;
}

bool IsAsciiUpper(size_t i, std::string_view s) {
  return i < s.size() && s[i] >= 'A' && s[i] <= 'Z';
}

enum class WordKind { kPlain, kAcronym, kCjk };

// An acronym of single capitals with dots ("U.S.A.", "P.T.O") starting at `i`: its end
// (before a final dot), or 0 when there is none there.
size_t AcronymEnd(std::string_view s, size_t i) {
  size_t letters = 0, end = i, p = i;
  while (IsAsciiUpper(p, s)) {
    ++letters;
    end = ++p;
    if (p >= s.size() || s[p] != '.') break;
    ++p;
  }
  if (letters < 2) return 0;
  if (p < s.size() && IsWordChar(Decode(s, p).cp)) return 0;  // "U.S.Army" is not one
  return end;
}

// The end of the word starting with the word character at `i` (not CJK, not an acronym):
// word characters with inner infixes, and up to three trailing '+'/'#' ("C++", "C#").
size_t WordEnd(std::string_view s, size_t i) {
  uint32_t prev = 0;
  while (i < s.size()) {
    CodePoint c = Decode(s, i);
    if (IsCjk(c.cp)) return i;
    if (IsWordChar(c.cp)) {
      prev = c.cp;
      i += c.len;
      continue;
    }
    if (i + c.len >= s.size()) break;
    CodePoint next = Decode(s, i + c.len);
    if (!IsWordChar(next.cp) || IsCjk(next.cp)) break;
    if (!IsInfix(c.cp, IsDigit(prev) && IsDigit(next.cp))) break;
    i += c.len;
  }
  size_t j = i;
  while (j < s.size() && j - i < 4 && (s[j] == '+' || s[j] == '#')) ++j;
  if (j == i || j - i > 3) return i;
  if (j < s.size() && (s[j] == '+' || s[j] == '#' || IsWordChar(Decode(s, j).cp))) return i;
  return j;
}

uint32_t Lower(uint32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
  return Xapian::Unicode::tolower(cp);
}

// The first byte of the UTF-8 form of `cp`.
unsigned char FirstByte(uint32_t cp) {
  if (cp < 0x80) return static_cast<unsigned char>(cp);
  if (cp < 0x800) return static_cast<unsigned char>(0xC0 | (cp >> 6));
  if (cp < 0x10000) return static_cast<unsigned char>(0xE0 | (cp >> 12));
  return static_cast<unsigned char>(0xF0 | (cp >> 18));
}

// The index term of the word `w` of kind `kind`, as TermGenerator writes it: lower-cased,
// acronyms without their dots, typographic apostrophes as '\'', zero-width characters dropped.
void TermOf(std::string_view w, WordKind kind, std::string& out) {
  if (kind == WordKind::kPlain && std::all_of(w.begin(), w.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x80;
      })) {
    out.assign(w);  // ASCII: only letters to lower-case
    for (char& c : out) c = static_cast<char>(Lower(static_cast<unsigned char>(c)));
    return;
  }
  out.clear();
  for (size_t i = 0; i < w.size();) {
    CodePoint c = Decode(w, i);
    i += c.len;
    if (kind == WordKind::kAcronym && c.cp == '.') continue;
    if (IsIgnorable(c.cp)) continue;
    if (c.cp == 0x2019 || c.cp == 0x201B) c.cp = '\'';
    core::AppendUtf8(out, Lower(c.cp));
  }
}

// Calls `emit(begin, end, kind)` for each word of `s` in order.
template <typename Emit>
void ScanWords(std::string_view s, Emit emit) {
  for (size_t i = 0; i < s.size();) {
    if (const auto b = static_cast<unsigned char>(s[i]); b < 0x80 && !kAsciiWord[b]) {
      ++i;  // spaces and ASCII punctuation, the most common non-word bytes
      continue;
    }
    CodePoint c = Decode(s, i);
    if (!IsWordChar(c.cp)) {
      i += c.len;
      continue;
    }
    const size_t begin = i;
    if (IsCjk(c.cp)) {
      i += c.len;
      emit(begin, i, WordKind::kCjk);
      continue;
    }
    if (size_t end = c.cp < 0x80 && IsAsciiUpper(i, s) ? AcronymEnd(s, i) : 0; end != 0) {
      i = end;
      emit(begin, end, WordKind::kAcronym);
      continue;
    }
    i = WordEnd(s, i);
    emit(begin, i, WordKind::kPlain);
  }
}

// Walks `q`'s subqueries that make it match (see HighlightTerms::FromQuery).
void PositiveTerms(const Xapian::Query& q, std::vector<std::string>& out) {
  const Xapian::Query::op op = q.get_type();
  if (op == Xapian::Query::LEAF_TERM) {
    Xapian::TermIterator t = q.get_terms_begin();
    if (t != q.get_terms_end()) out.push_back(*t);
    return;
  }
  size_t n = q.get_num_subqueries();
  if ((op == Xapian::Query::OP_AND_NOT || op == Xapian::Query::OP_FILTER) && n > 0) n = 1;
  for (size_t i = 0; i < n; ++i) PositiveTerms(q.get_subquery(i), out);
}

}  // namespace

int HighlightTerms::GroupOf(const std::string& key) {
  auto [it, added] = keys_.emplace(key, static_cast<int>(weights_.size()));
  if (added) weights_.push_back(0);
  return it->second;
}

void HighlightTerms::AddTerm(std::string_view term, double weight, StemCache& stems) {
  size_t p = 0;
  while (p < term.size() && term[p] >= 'A' && term[p] <= 'Z') ++p;
  const std::string_view prefix = term.substr(0, p);
  const bool stemmed = !prefix.empty() && prefix[0] == 'Z';
  const std::string_view field = stemmed ? prefix.substr(1) : prefix;
  if (field.size() > 1 || (field.size() == 1 && field != "S" && field != "A" && field != "B")) {
    return;
  }
  const std::string word(term.substr(p));
  if (word.empty() || word.size() > kMaxTermBytes) return;
  // A word and its stem share a group: the key is the stem.
  const int group = GroupOf(stemmed ? word : stems.Stem(word));
  (stemmed ? stems_ : words_).emplace(word, group);
  if (stemmed) stem_prefixes_.push_back(word.substr(0, word.size() > 2 ? word.size() - 2 : 0));
  const auto w = static_cast<int64_t>(std::max(1.0, std::round(weight * kWeightScale)));
  int64_t& gw = weights_[static_cast<size_t>(group)];
  gw = std::max(gw, w);
  const auto first = static_cast<unsigned char>(word[0]);
  first_[first] = true;
  if (stemmed) stem_first_[first] = true;
}

HighlightTerms HighlightTerms::FromQuery(const Xapian::Query& query, const Xapian::Database& db,
                                         StemCache& stems) {
  HighlightTerms out;
  std::vector<std::string> terms;
  PositiveTerms(query, terms);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  const double n = db.get_doccount();
  for (const std::string& t : terms) {
    if (t.empty()) continue;
    const double tf = db.get_termfreq(t);
    out.AddTerm(t, 1.0 + std::log((n + 1.0) / (tf + 1.0)), stems);
  }
  return out;
}

int HighlightTerms::Match(const std::string& word, StemCache& stems) const {
  if (word.empty()) return -1;
  if (auto it = words_.find(word); it != words_.end()) return it->second;
  if (stems_.empty() || !stem_first_[static_cast<unsigned char>(word[0])]) return -1;
  // The English (Porter2) stemmer only rewrites a word's end: a stem keeps the word's first
  // byte, and all of it but at most its last two bytes is the word's beginning ("possibly" ->
  // "possibl", "ability" -> "abl", "dying" -> "die"; checked on every word of 74,728 papers).
  const bool may_stem_to_one =
      std::any_of(stem_prefixes_.begin(), stem_prefixes_.end(),
                  [&](const std::string& p) { return word.compare(0, p.size(), p) == 0; });
  if (!may_stem_to_one) return -1;
  if (auto it = stems_.find(stems.Stem(word)); it != stems_.end()) return it->second;
  return -1;
}

MarkedText::MarkedText(std::string_view text, const HighlightTerms& terms, StemCache& stems)
    : text_(text) {
  if (!core::IsValidUtf8(text_)) {
    owned_ = core::SanitizeUtf8(text_);
    text_ = owned_;
  }
  words_.reserve(text_.size() / 6 + 1);
  weights_.reserve(terms.groups());
  for (size_t g = 0; g < terms.groups(); ++g) weights_.push_back(terms.weight(static_cast<int>(g)));
  std::string term;
  ScanWords(text_, [&](size_t begin, size_t end, WordKind kind) {
    int group = -1;
    if (!terms.empty() && end - begin <= kMaxTermBytes) {
      const unsigned char first = kind == WordKind::kAcronym
                                      ? static_cast<unsigned char>(text_[begin] - 'A' + 'a')
                                      : FirstByte(Lower(Decode(text_, begin).cp));
      if (terms.MayMatch(first)) {
        TermOf(text_.substr(begin, end - begin), kind, term);
        group = terms.Match(term, stems);
      }
    }
    matches_ += group >= 0;
    words_.push_back(Word{begin, end, group});
  });
}

size_t MarkedText::WindowEnd(size_t first, size_t max_bytes) const {
  size_t e = first + 1;
  while (e < words_.size() && words_[e].end - words_[first].begin <= max_bytes) ++e;
  return e;
}

size_t MarkedText::BestStart(size_t max_bytes) const {
  if (matches_ == 0) return 0;
  // A window's score: the weight of the distinct groups it holds, then how many matches.
  std::vector<uint32_t> count(weights_.size(), 0);
  int64_t distinct = 0, best_distinct = 0;
  size_t matched = 0, best_matched = 0, best_first = 0;
  const auto add = [&](const Word& w) {
    if (w.group < 0) return;
    ++matched;
    if (count[static_cast<size_t>(w.group)]++ == 0)
      distinct += weights_[static_cast<size_t>(w.group)];
  };
  const size_t n = words_.size();
  for (size_t s = 0, e = 0; s < n; ++s) {
    if (e == s) add(words_[e++]);
    while (e < n && words_[e].end - words_[s].begin <= max_bytes) add(words_[e++]);
    // Strictly better only: the earliest of equally good windows.
    if (distinct > best_distinct || (distinct == best_distinct && matched > best_matched)) {
      best_distinct = distinct;
      best_matched = matched;
      best_first = s;
    }
    const Word& w = words_[s];
    if (w.group < 0) continue;
    --matched;
    if (--count[static_cast<size_t>(w.group)] == 0)
      distinct -= weights_[static_cast<size_t>(w.group)];
  }
  return best_first;
}

bool MarkedText::StartsSentence(size_t k) const {
  if (k == 0) return true;
  const std::string_view gap = text_.substr(words_[k - 1].end, words_[k].begin - words_[k - 1].end);
  for (size_t i = 0; i + 1 < gap.size(); ++i) {
    if ((gap[i] == '.' || gap[i] == '?' || gap[i] == '!') &&
        (gap[i + 1] == ' ' || gap[i + 1] == '\n' || gap[i + 1] == '\t' || gap[i + 1] == '\r')) {
      return true;
    }
  }
  return false;
}

size_t MarkedText::ContextStart(size_t start, size_t max_bytes) const {
  if (start == 0 || matches_ == 0) return start;
  // Every start from `start` to the window's first match keeps all its matches in the window
  // (a later start only reaches further): pick one that gives the matches some context.
  const size_t end = WindowEnd(start, max_bytes);
  size_t first = start;
  while (first < end && words_[first].group < 0) ++first;
  if (first == end) return start;
  size_t last = end - 1;
  while (last > first && words_[last].group < 0) --last;
  for (size_t k = first + 1; k-- > start;) {
    if (StartsSentence(k)) return k;  // the latest sentence start before the first match
  }
  const size_t matched = words_[last].end - words_[first].begin;
  const size_t lead = matched < max_bytes ? (max_bytes - matched) / 3 : 0;
  for (size_t k = first + 1; k-- > start;) {
    if (words_[first].begin - words_[k].begin >= lead) return k;
  }
  return start;
}

namespace {

size_t CodePointStart(std::string_view s, size_t i) {
  while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

}  // namespace

MarkedText::Span MarkedText::SpanOf(size_t first, size_t last, size_t max_bytes) const {
  size_t lo = 0, hi = text_.size();  // the text without surrounding whitespace
  while (lo < hi && IsSpace(text_[lo])) ++lo;
  while (hi > lo && IsSpace(text_[hi - 1])) --hi;
  Span span{lo, hi, first, false, false};
  if (words_.empty()) {
    if (hi - lo > max_bytes) span.end = CodePointStart(text_, lo + max_bytes);
  } else {
    span.begin = words_[first].begin;
    span.end = words_[last - 1].end;
    if (span.end - span.begin > max_bytes) {  // one word longer than the snippet
      span.end = CodePointStart(text_, span.begin + max_bytes);
    }
    // Punctuation at either end: all of it at the text's ends when it fits, else a little
    // ("(BERT)", "models.").
    if (first == 0 && span.end - lo <= max_bytes) span.begin = lo;
    if (last == words_.size() && hi - span.begin <= max_bytes) span.end = hi;
    for (int k = 0;
         k < 2 && span.begin > lo && span.end - span.begin < max_bytes &&
         std::string_view("([{\"'").find(text_[span.begin - 1]) != std::string_view::npos;
         ++k) {
      --span.begin;
    }
    for (int k = 0;
         k < 3 && span.end < hi && span.end - span.begin < max_bytes &&
         std::string_view(".,;:!?)]}\"'%").find(text_[span.end]) != std::string_view::npos;
         ++k) {
      ++span.end;
    }
  }
  span.lead = span.begin > lo;
  span.trail = span.end < hi;
  return span;
}

std::string MarkedText::Render(const Span& span, std::string_view ellipsis) const {
  std::string out;
  out.reserve(span.end - span.begin + 16 * matches_ + 2 * ellipsis.size());
  if (span.lead) out += ellipsis;
  const auto escape = [&](size_t from, size_t to) {
    core::AppendHtmlEscaped(out, text_.substr(from, to - from));
  };
  size_t pos = span.begin;
  bool open = false;
  for (size_t w = span.first_word; w < words_.size() && words_[w].begin < span.end; ++w) {
    if (words_[w].group < 0) continue;
    const size_t b = std::max(words_[w].begin, span.begin);
    const size_t e = std::min(words_[w].end, span.end);
    if (!open || b != pos) {  // adjacent matches (CJK characters) share one mark
      if (open) out += "</mark>";
      escape(pos, b);
      out += "<mark>";
      open = true;
    }
    escape(b, e);
    pos = e;
  }
  if (open) out += "</mark>";
  escape(pos, span.end);
  if (span.trail) out += ellipsis;
  return out;
}

std::string MarkedText::Snippet(size_t max_bytes, std::string_view ellipsis) const {
  if (max_bytes == 0) return "";
  if (words_.empty()) return Render(SpanOf(0, 0, max_bytes), ellipsis);
  const size_t first = ContextStart(BestStart(max_bytes), max_bytes);
  return Render(SpanOf(first, WindowEnd(first, max_bytes), max_bytes), ellipsis);
}

std::string MarkedText::Highlighted() const {
  if (matches_ == 0) return core::HtmlEscape(text_);
  return Render(Span{0, text_.size(), 0, false, false}, "");
}

}  // namespace coolpapers::search
