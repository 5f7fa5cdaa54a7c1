#pragma once
// Tokenizer for the derived, in-memory statistics of the search index (LSA embeddings and
// per-paper keywords). Xapian tokenizes for the keyword index itself; this one produces the
// same kind of terms (lower-cased, English-stemmed words) cheaply and deterministically.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <xapian.h>

namespace coolpapers::search {

struct Token {
  std::string surface;  // lower-cased word as written, e.g. "networks"
  std::string stem;     // English stem, e.g. "network"
};

// Xapian's English stemmer with a memo of the words it has stemmed: the same stems, computed
// once per distinct word (a corpus repeats its words a lot). Not thread-safe; one per thread.
class StemCache {
 public:
  static constexpr size_t kDefaultMaxWords = 200000;
  // Remembers at most `max_words` words (forgets them all past that: bounded memory).
  explicit StemCache(size_t max_words = kDefaultMaxWords) : max_words_(max_words) {}
  // The stem of `word` (lower-case), exactly as Xapian::Stem("en") gives it.
  const std::string& Stem(const std::string& word);

 private:
  size_t max_words_;
  Xapian::Stem stem_{"en"};
  std::unordered_map<std::string, std::string> memo_;
};

// A Xapian::Stem for TermGenerator that memoizes like StemCache (same stems as
// Xapian::Stem("en")). Each returned stemmer has its own memo: use it from one thread.
Xapian::Stem CachedEnglishStemmer();

// Splits `text` into words: runs of ASCII letters/digits (with inner '-' and '\'' dropped as
// separators) and non-ASCII UTF-8 sequences. Drops English stop words, tokens shorter than 2
// bytes, pure numbers and TeX control words (\alpha). Not thread-safe per instance (the Xapian
// stemmer it owns is not); create one per thread.
class Tokenizer {
 public:
  Tokenizer();
  std::vector<Token> Tokenize(std::string_view text);
  // Only the stems, in text order.
  std::vector<std::string> Stems(std::string_view text);

 private:
  StemCache stems_;
};

// True for a common English stop word (lower-case input).
bool IsStopWord(std::string_view word);

// An even sample of at most `max` of `docs` (every k-th), split into stems on two threads:
// the training input of the corpus models.
std::vector<std::vector<std::string>> SampleStems(const std::vector<std::string>& docs,
                                                  size_t max);

}  // namespace coolpapers::search
