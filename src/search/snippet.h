#pragma once
// Snippets and highlights of search results: the query's words marked with <mark> in a paper's
// title and abstract, and the part of the abstract that holds the most of them.
//
// Words are found as Xapian's TermGenerator finds them when indexing (letters and digits with
// inner apostrophes or '&', "3.14", "C++", acronyms "U.S.A.", each CJK character on its own),
// lower-cased the same way, so a word is marked exactly when the index holds one of the query's
// terms for it: its lower-cased form equals a query word, or its English stem equals a query
// stem (the "Z" terms). Stems come from a StemCache: the same stems as indexing, memoized.
// Query words are collected once per search (HighlightTerms), each text scanned once
// (MarkedText), then rendered as a snippet, as the whole text highlighted, or both.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <xapian.h>

#include "search/tokenizer.h"

namespace coolpapers::search {

// The words a search marks. Several terms of one query may name the same word ("models" and
// its stem "Zmodel"): they form one group, and a snippet counts each group once.
class HighlightTerms {
 public:
  HighlightTerms() = default;

  // The terms that make `query` match, weighted by their rarity in `db` (idf from the term
  // frequency): every term leaf, phrases' words included, except the negated side of AND_NOT
  // and the filter side of OP_FILTER (categories, dates, docid sets). Terms of other fields
  // than free text, title (S), abstract (B) and author (A) are left out (ids, categories,
  // venues). The parser's flags enable no wildcard or partial matching, so every term is a
  // leaf. `stems` stems the plain words to group them with their stems.
  static HighlightTerms FromQuery(const Xapian::Query& query, const Xapian::Database& db,
                                  StemCache& stems);

  // Adds one index term ("models", "Zmodel", "Sspeech", "ZSspeech", "语") with `weight` (> 0);
  // terms with another prefix, or with nothing after the prefix, are ignored.
  void AddTerm(std::string_view term, double weight, StemCache& stems);

  bool empty() const { return weights_.empty(); }
  size_t groups() const { return weights_.size(); }
  // A group's weight, scaled to an integer (so window sums add up exactly).
  int64_t weight(int group) const { return weights_[static_cast<size_t>(group)]; }

  // Whether a word whose lower-cased form starts with byte `first` may match (a cheap test
  // before building the word's term). Stems keep a word's first byte.
  bool MayMatch(unsigned char first) const { return first_[first]; }
  // The group `word` (lower-cased, as the index writes it) matches, or -1.
  int Match(const std::string& word, StemCache& stems) const;

 private:
  int GroupOf(const std::string& key);
  std::unordered_map<std::string, int> words_;  // unstemmed word -> group
  std::unordered_map<std::string, int> stems_;  // stem (of a "Z" term) -> group
  std::unordered_map<std::string, int> keys_;   // group key (a word's stem) -> group
  std::vector<int64_t> weights_;
  std::array<bool, 256> first_{};       // first bytes of words_ and stems_
  std::array<bool, 256> stem_first_{};  // first bytes of stems_
  // Each stem without its last two bytes: a word begins with one of them when its stem is
  // one of stems_ (see Match), so other words are not stemmed at all.
  std::vector<std::string> stem_prefixes_;
};

// One text with the query's words found in it.
class MarkedText {
 public:
  // Scans `text` (invalid UTF-8 is replaced by U+FFFD first). `text` must outlive this object.
  MarkedText(std::string_view text, const HighlightTerms& terms, StemCache& stems);
  MarkedText(const MarkedText&) = delete;  // text_ may point into owned_
  MarkedText& operator=(const MarkedText&) = delete;

  // HTML-escaped text with <mark>...</mark> around the query's words: at most `max_bytes`
  // bytes of the text, cut between words (UTF-8 safe), chosen to hold the largest weight of
  // distinct query words (the start of the text when none is there), with `ellipsis` where
  // text was left out at either end. "" when max_bytes is 0.
  std::string Snippet(size_t max_bytes, std::string_view ellipsis = "\u2026") const;
  // The whole text HTML-escaped with every query word marked.
  std::string Highlighted() const;
  // How many words of the text are marked.
  size_t matches() const { return matches_; }

 private:
  struct Word {
    size_t begin, end;  // bytes of text_
    int group;          // HighlightTerms group, -1 for none
  };
  struct Span {
    size_t begin, end;  // bytes of text_ shown
    size_t first_word;  // first word at or after begin
    bool lead, trail;   // text left out before / after
  };
  // The first word of the earliest window of `max_bytes` bytes holding the largest weight of
  // distinct groups, and of those the most matches (0 when nothing matches).
  size_t BestStart(size_t max_bytes) const;
  // The end (one past the last word) of the window of `max_bytes` bytes starting at `first`;
  // at least first + 1.
  size_t WindowEnd(size_t first, size_t max_bytes) const;
  // A start for the window found at `start` that gives its matches context (see .cc).
  size_t ContextStart(size_t start, size_t max_bytes) const;
  // Whether word `k` begins a sentence (".", "?" or "!" and a space before it).
  bool StartsSentence(size_t k) const;
  // The bytes shown for the words [first, last) (all of the text's punctuation at its ends
  // that fits, a little elsewhere).
  Span SpanOf(size_t first, size_t last, size_t max_bytes) const;
  std::string Render(const Span& span, std::string_view ellipsis) const;

  std::string owned_;  // the sanitized copy of an invalid UTF-8 text
  std::string_view text_;
  std::vector<Word> words_;
  std::vector<int64_t> weights_;  // by group, copied from the terms
  size_t matches_ = 0;
};

}  // namespace coolpapers::search
